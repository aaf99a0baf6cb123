//! The float kernels of assigning and learning (the vector of a request, its similarity to
//! every centroid) compiled a second time with AVX2 allowed, used when the CPU has it. The
//! release build targets baseline x86-64 (SSE2), where a dot product of 384 numbers in eight
//! lanes is two 4-wide halves; with AVX2 it is one 8-wide step, and the table's int8 rows
//! widen to floats in one instruction instead of four.
//!
//! The results are the same to the bit on either path, so topics and assignments do not
//! depend on the machine: each lane, product and sum is the same IEEE operation in the same
//! order (the eight running sums of `cluster::dot` are explicit; Rust never reorders float
//! additions nor fuses a multiply and an add, and FMA is not enabled here). Elementwise
//! loops (`Table::add`) compute each number alone. The tests run both paths and compare.

/// Whether the CPU has AVX2 (detected once; the standard library caches it).
#[cfg(target_arch = "x86_64")]
#[inline]
pub fn avx2() -> bool {
    std::is_x86_feature_detected!("avx2")
}

/// Asks the CPU to start loading the cache line holding `x`, so that a later read of it
/// does not wait: assigning a topic reads a few dozen rows and cache slots scattered over
/// megabytes, each known before it is read. A hint only: nothing waits for it, and on other
/// architectures it does nothing.
#[inline(always)]
pub fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch never faults nor writes; the address is a live reference.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}
