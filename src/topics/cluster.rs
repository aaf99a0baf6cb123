//! Spherical k-means on unit vectors: k-means++ seeding from a fixed-seed generator, a
//! fixed number of iterations, ties to the lower index, sums in input order, so the same
//! vectors give the same clusters on any machine and thread count. The per-point work
//! (nearest centroid, distance to the newest seed, silhouette terms) runs on the current
//! rayon pool and is collected in input order before anything is summed: in a debug build
//! learning from 20,000 requests took 88 s of CPU, almost all of it here.

use rayon::prelude::*;

use super::VECTOR_DIMS as DIMS;

pub type Vector = [f32; DIMS];

/// Eight running sums: a single one is a chain the compiler may not reorder (float addition
/// is not associative), so it stays scalar; eight lanes vectorise. Learning and the
/// assignment of every conversation are mostly this.
#[inline(always)]
pub fn dot(a: &Vector, b: &Vector) -> f32 {
    let mut acc = [0f32; 8];
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum()
}

#[inline(always)]
pub fn normalise(v: &mut Vector) -> bool {
    let n = dot(v, v).sqrt();
    if n <= 1e-9 {
        return false;
    }
    v.iter_mut().for_each(|x| *x /= n);
    true
}

pub use crate::rng::Rng;

/// [`dot`] of `a` with four vectors at once, each the same to the bit. One dot product is
/// a chain of 48 dependent additions (its lanes are one register), so a loop of single
/// ones waits on addition latency; four chains side by side keep the adder busy. Assigning
/// a conversation compares it with up to 40 centroids: at 1M conversations that loop was
/// 39% of the assignment kernel's samples, and this cut it by two fifths (docs/topics.md).
#[inline(always)]
pub fn dot4(a: &Vector, b: [&Vector; 4]) -> [f32; 4] {
    let mut acc = [[0f32; 8]; 4];
    for (i, x) in a.chunks_exact(8).enumerate() {
        for (acc, b) in acc.iter_mut().zip(b) {
            let y = &b[i * 8..i * 8 + 8];
            for l in 0..8 {
                acc[l] += x[l] * y[l];
            }
        }
    }
    acc.map(|acc| acc.iter().sum())
}

/// Each centroid's index and similarity to `v`, in order, four at a time by [`dot4`].
#[inline(always)]
fn similarities(v: &Vector, centroids: &[Vector], mut each: impl FnMut(usize, f32)) {
    let mut quads = centroids.chunks_exact(4);
    for (q, c) in (&mut quads).enumerate() {
        for (k, s) in dot4(v, [&c[0], &c[1], &c[2], &c[3]])
            .into_iter()
            .enumerate()
        {
            each(q * 4 + k, s);
        }
    }
    let done = centroids.len() - quads.remainder().len();
    for (j, c) in quads.remainder().iter().enumerate() {
        each(done + j, dot(v, c));
    }
}

/// Nearest centroid and its similarity (the lower index on a tie).
#[inline(always)]
pub(super) fn nearest_plain(v: &Vector, centroids: &[Vector]) -> (usize, f32) {
    let mut best = (0, f32::NEG_INFINITY);
    let consider = |j: usize, s: f32| {
        if s > best.1 {
            best = (j, s);
        }
    };
    similarities(v, centroids, consider);
    best
}

/// The centroids for assigning, as they are and by dimension. By dimension, eight to a
/// block: row `d` of a block holds its eight centroids' `d`-th numbers (zeros past the last
/// centroid). A request's vector is mostly zeros (a few dozen of its 256 hashed buckets are
/// taken), and comparing it centroid by centroid reads all 384 numbers of each (60 KB for
/// 40 centroids, more than L1): by dimension, only the numbers it has are read, and the
/// first 128 for eight centroids in one step ([`Centroids::nearest_avx2`]). Without AVX2 the
/// centroids are compared one by one as before ([`Centroids::nearest`]): the same loops in
/// plain Rust were vectorised across lanes by the compiler, transposing every eight rows,
/// and took twice as long as comparing centroid by centroid.
#[derive(Debug, Clone, PartialEq)]
pub struct Centroids {
    centroids: Vec<Vector>,
    rows: Vec<[f32; 8]>,
}

impl Centroids {
    pub fn new(centroids: &[Vector]) -> Centroids {
        let blocks = centroids.len().div_ceil(8);
        let mut rows = vec![[0f32; 8]; blocks * DIMS];
        for (c, centroid) in centroids.iter().enumerate() {
            let block = &mut rows[(c / 8) * DIMS..(c / 8 + 1) * DIMS];
            for (row, &x) in block.iter_mut().zip(centroid) {
                row[c % 8] = x;
            }
        }
        Centroids {
            centroids: centroids.to_vec(),
            rows,
        }
    }

    /// The nearest centroid and its similarity (the lower index on a tie), centroid by
    /// centroid.
    #[inline(always)]
    pub fn nearest(&self, v: &Vector) -> (usize, f32) {
        nearest_plain(v, &self.centroids)
    }

    /// What [`Centroids::nearest`] finds for `v`, the same to the bit, when `v` is zero but in
    /// its first `head` numbers (a multiple of 8) and those at `rest` (ascending, each at
    /// least `head`), by dimension in AVX2 registers. Lane `l` (dimensions `d % 8 == l`) of
    /// the block's centroid `j` is element `j` of `acc[l]`, to which a number of `v`
    /// (broadcast) times its row is added; the lanes are then summed element by element in
    /// lane order from the start value of `f32`'s `Sum`. So each centroid's eight running
    /// sums add the same products in the same order as [`dot`], and the products skipped
    /// are zeros, which add nothing to a running sum (a sum that starts at +0 and adds
    /// zeros stays +0): the same bits (the tests compare).
    ///
    /// # Safety
    /// The CPU must have AVX2. Every load and store is of a `[f32; 8]` behind a reference:
    /// 32 valid bytes, and the unaligned forms ask no alignment.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn nearest_avx2(
        &self,
        v: &Vector,
        head: usize,
        rest: &[u16],
    ) -> (usize, f32) {
        use std::arch::x86_64::*;
        let start: f32 = std::iter::empty::<&f32>().sum();
        let mut best = (0, f32::NEG_INFINITY);
        for (block, rows) in self.rows.chunks_exact(DIMS).enumerate() {
            let mut acc = [_mm256_setzero_ps(); 8];
            for (x, rows) in v[..head].chunks_exact(8).zip(rows.chunks_exact(8)) {
                for l in 0..8 {
                    let row = _mm256_loadu_ps(rows[l].as_ptr());
                    acc[l] = _mm256_add_ps(acc[l], _mm256_mul_ps(_mm256_set1_ps(x[l]), row));
                }
            }
            // Indexed by a lane known only at run time: kept apart so that `acc` stays
            // in registers above.
            let mut by_lane = acc;
            for &d in rest {
                let d = usize::from(d);
                let row = _mm256_loadu_ps(rows[d].as_ptr());
                let a = &mut by_lane[d % 8];
                *a = _mm256_add_ps(*a, _mm256_mul_ps(_mm256_set1_ps(v[d]), row));
            }
            let mut sum = _mm256_set1_ps(start);
            for a in by_lane {
                sum = _mm256_add_ps(sum, a);
            }
            let mut sums = [0f32; 8];
            _mm256_storeu_ps(sums.as_mut_ptr(), sum);
            for (j, &s) in sums
                .iter()
                .enumerate()
                .take(self.centroids.len() - block * 8)
            {
                if s > best.1 {
                    best = (block * 8 + j, s);
                }
            }
        }
        best
    }
}

/// [`normalise`] of a `v` that is zero but in its first `head` numbers and those at `rest`
/// (as [`Centroids::nearest_avx2`] takes it), reading only those: the same to the bit.
#[inline(always)]
pub fn normalise_dims(v: &mut Vector, head: usize, rest: &[u16]) -> bool {
    let mut acc = [0f32; 8];
    for x in v[..head].chunks_exact(8) {
        for l in 0..8 {
            acc[l] += x[l] * x[l];
        }
    }
    for &d in rest {
        let x = v[usize::from(d)];
        acc[usize::from(d) % 8] += x * x;
    }
    let n = acc.iter().sum::<f32>().sqrt();
    if n <= 1e-9 {
        return false;
    }
    v[..head].iter_mut().for_each(|x| *x /= n);
    for &d in rest {
        v[usize::from(d)] /= n;
    }
    true
}

pub struct Clustering {
    pub centroids: Vec<Vector>,
    pub assignment: Vec<usize>,
}

/// k clusters of `points` (unit vectors); fewer when there are fewer distinct points.
pub fn kmeans(points: &[Vector], k: usize, seed: u64, iterations: usize) -> Clustering {
    let mut rng = Rng::new(seed);
    let n = points.len();
    let mut centroids: Vec<Vector> = Vec::with_capacity(k);
    if n == 0 || k == 0 {
        return Clustering {
            centroids,
            assignment: vec![0; n],
        };
    }
    centroids.push(points[(rng.next_u64() % n as u64) as usize]);
    let mut dist: Vec<f64> = points
        .iter()
        .map(|p| f64::from(1.0 - dot_wide(p, &centroids[0])).max(0.0))
        .collect();
    while centroids.len() < k {
        let total: f64 = dist.iter().map(|d| d * d).sum();
        if total <= 1e-12 {
            break;
        }
        let mut target = rng.unit() * total;
        let mut pick = n - 1;
        for (i, d) in dist.iter().enumerate() {
            target -= d * d;
            if target <= 0.0 {
                pick = i;
                break;
            }
        }
        let c = points[pick];
        dist.par_iter_mut().zip(points).for_each(|(d, p)| {
            *d = d.min(f64::from(1.0 - dot_wide(p, &c)).max(0.0));
        });
        centroids.push(c);
    }
    let mut assignment = vec![0; n];
    let k = centroids.len();
    // Per point and centroid, a bound on their similarity (infinite: not computed yet).
    let mut bounds = vec![f32::INFINITY; n * k];
    for _ in 0..iterations {
        assign(points, &centroids, &mut assignment, &mut bounds);
        let mut sums = vec![[0f32; DIMS]; k];
        for (a, p) in assignment.iter().zip(points) {
            for (s, x) in sums[*a].iter_mut().zip(p) {
                *s += x;
            }
        }
        let mut slack = vec![0f32; k];
        for ((c, mut s), slack) in centroids.iter_mut().zip(sums).zip(slack.iter_mut()) {
            // An emptied cluster keeps its centroid.
            if normalise(&mut s) {
                let step = c.iter().zip(&s).map(|(a, b)| f64::from(a - b).powi(2));
                // A centroid that moved by m is at most m more similar to a unit vector
                // than it was.
                *slack = (step.sum::<f64>().sqrt() * 1.001 + 1e-6) as f32;
                *c = s;
            }
        }
        bounds.par_chunks_mut(k.max(1)).for_each(|row| {
            row.iter_mut().zip(&slack).for_each(|(b, s)| *b += s);
        });
    }
    assign(points, &centroids, &mut assignment, &mut bounds);
    Clustering {
        centroids,
        assignment,
    }
}

/// How much more similar its own centroid must be than a point's bound on another centroid
/// for that one not to be computed: well over the rounding of two 384-term dot products of
/// unit vectors (under 3e-5 each), so a skipped centroid could not have come out ahead.
const SURE_GAP: f32 = 1e-4;

/// Each point's nearest centroid, as [`nearest_plain`] finds it. `bounds` holds, per point
/// and centroid, a bound on their similarity (Elkan's bounds, 2003, for similarities): a
/// centroid whose bound is below the point's own centroid by [`SURE_GAP`] is not computed.
/// The assignments are those of computing every similarity: a centroid skipped is below the
/// point's own for certain, so it is not the first with the highest similarity, and the
/// rest are computed as before.
fn assign(points: &[Vector], centroids: &[Vector], assignment: &mut [usize], bounds: &mut [f32]) {
    let k = centroids.len().max(1);
    assignment
        .par_iter_mut()
        .zip(bounds.par_chunks_mut(k))
        .zip(points)
        .for_each(|((a, bounds), p)| {
            let own = dot_wide(p, &centroids[*a]);
            bounds[*a] = own;
            let (mut best, mut top) = (0, f32::NEG_INFINITY);
            for (j, c) in centroids.iter().enumerate() {
                let s = if j == *a {
                    own
                } else if bounds[j] + SURE_GAP < own {
                    continue;
                } else {
                    let s = dot_wide(p, c);
                    bounds[j] = s;
                    s
                };
                if s > top {
                    best = j;
                    top = s;
                }
            }
            *a = best;
        });
}

/// [`dot`], with AVX2 when the CPU has it (the same result, see `simd.rs`).
pub(super) fn dot_wide(a: &Vector, b: &Vector) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if super::simd::avx2() {
        // SAFETY: `dot_avx2` is `dot` compiled with AVX2 allowed, and the CPU has AVX2
        // (checked just above).
        return unsafe { dot_avx2(a, b) };
    }
    dot(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dot_avx2(a: &Vector, b: &Vector) -> f32 {
    dot(a, b)
}

/// The nearest centroid as [`nearest_plain`] finds it, its similarity, and the highest
/// similarity among the others (-infinity with one centroid).
pub(super) fn nearest_two(v: &Vector, centroids: &[Vector]) -> (usize, f32, f32) {
    #[cfg(target_arch = "x86_64")]
    if super::simd::avx2() {
        // SAFETY: `nearest_two_avx2` is `nearest_two_plain` compiled with AVX2 allowed, and
        // the CPU has AVX2 (checked just above).
        return unsafe { nearest_two_avx2(v, centroids) };
    }
    nearest_two_plain(v, centroids)
}

#[inline(always)]
pub(super) fn nearest_two_plain(v: &Vector, centroids: &[Vector]) -> (usize, f32, f32) {
    let (mut best, mut top, mut second) = (0, f32::NEG_INFINITY, f32::NEG_INFINITY);
    let consider = |j: usize, s: f32| {
        if s > top {
            second = top;
            best = j;
            top = s;
        } else if s > second {
            second = s;
        }
    };
    similarities(v, centroids, consider);
    (best, top, second)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn nearest_two_avx2(v: &Vector, centroids: &[Vector]) -> (usize, f32, f32) {
    nearest_two_plain(v, centroids)
}

/// Mean simplified silhouette: for each point, (s1 - s2) / (1 - s2) with s1 and s2 its
/// similarity to the nearest and second-nearest centroid (1 - cosine as the distance).
pub fn separation(points: &[Vector], centroids: &[Vector]) -> f64 {
    if centroids.len() < 2 || points.is_empty() {
        return 0.0;
    }
    let terms: Vec<f64> = points
        .par_iter()
        .map(|p| {
            let (_, s1, s2) = nearest_two(p, centroids);
            let (a, b) = (1.0 - s1, 1.0 - s2);
            match b > 0.0 {
                true => f64::from((b - a) / b.max(a)),
                false => 0.0,
            }
        })
        .collect();
    // Summed in input order: the same total for any thread count.
    terms.iter().sum::<f64>() / points.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(axis: usize, jitter: f32) -> Vector {
        let mut v = [0f32; DIMS];
        v[axis] = 1.0;
        v[axis + 1] = jitter;
        normalise(&mut v);
        v
    }

    #[test]
    fn separated_groups_are_found_and_runs_repeat() {
        let points: Vec<Vector> = (0..60)
            .map(|i| point((i % 3) * 10, (i as f32) / 100.0))
            .collect();
        let a = kmeans(&points, 3, 7, 10);
        let b = kmeans(&points, 3, 7, 10);
        assert_eq!(a.assignment, b.assignment);
        for i in 0..60 {
            // Same group, same cluster; different groups, different clusters.
            assert_eq!(a.assignment[i], a.assignment[i % 3]);
            assert_ne!(a.assignment[0], a.assignment[1]);
        }
        assert!(separation(&points, &a.centroids) > 0.9);
    }

    #[test]
    fn four_dot_products_at_once_are_each_the_same_to_the_bit() {
        let mut rng = Rng::new(3);
        let mut vector = || {
            let mut v = [0f32; DIMS];
            v.iter_mut().for_each(|x| *x = rng.unit() as f32 - 0.5);
            normalise(&mut v);
            v
        };
        let a = vector();
        let b: Vec<Vector> = (0..7).map(|_| vector()).collect();
        let four = dot4(&a, [&b[0], &b[1], &b[2], &b[3]]);
        for k in 0..4 {
            assert_eq!(four[k].to_bits(), dot(&a, &b[k]).to_bits());
        }
        // Seven centroids: one group of four and three alone, each compared in order.
        let expected = (0..7).fold((0, f32::NEG_INFINITY), |best, j| {
            let s = dot(&a, &b[j]);
            if s > best.1 {
                (j, s)
            } else {
                best
            }
        });
        assert_eq!(nearest_plain(&a, &b), expected);
        for near in 0..7 {
            assert_eq!(nearest_plain(&b[near], &b).0, near);
        }
    }

    #[test]
    fn fewer_distinct_points_than_k_gives_fewer_clusters() {
        let points = vec![point(0, 0.0); 5];
        assert_eq!(kmeans(&points, 4, 1, 5).centroids.len(), 1);
    }

    #[test]
    fn by_dimension_the_nearest_is_the_same_to_the_bit() {
        let mut rng = Rng::new(5);
        let mut unit = |keep: u64| {
            let mut v = [0f32; DIMS];
            v.iter_mut().enumerate().for_each(|(d, x)| {
                if d < 128 || rng.next_u64() % 100 < keep {
                    *x = rng.unit() as f32 - 0.5;
                }
            });
            normalise(&mut v);
            v
        };
        let centroids: Vec<Vector> = (0..21).map(|_| unit(100)).collect();
        for _ in 0..200 {
            let v = unit(10);
            let rest: Vec<u16> = (128..DIMS as u16)
                .filter(|&d| v[usize::from(d)] != 0.0)
                .collect();
            assert!(rest.len() < 128);
            let mut w = v;
            w.iter_mut().for_each(|x| *x *= 3.0);
            assert!(normalise_dims(&mut w, 128, &rest));
            let mut expected = v;
            expected.iter_mut().for_each(|x| *x *= 3.0);
            normalise(&mut expected);
            assert_eq!(w.map(f32::to_bits), expected.map(f32::to_bits));
            for k in [1, 7, 8, 9, 21] {
                let first_k = Centroids::new(&centroids[..k]);
                let (pj, ps) = nearest_plain(&v, &centroids[..k]);
                assert_eq!(first_k.nearest(&v), (pj, ps));
                #[cfg(target_arch = "x86_64")]
                if super::super::simd::avx2() {
                    // SAFETY: the CPU has AVX2 (checked just above).
                    let (j, s) = unsafe { first_k.nearest_avx2(&v, 128, &rest) };
                    assert_eq!((j, s.to_bits()), (pj, ps.to_bits()));
                }
            }
        }
        let empty = Centroids::new(&[]);
        assert_eq!(empty.nearest(&unit(10)), (0, f32::NEG_INFINITY));
        #[cfg(target_arch = "x86_64")]
        if super::super::simd::avx2() {
            // SAFETY: the CPU has AVX2 (checked just above).
            let found = unsafe { empty.nearest_avx2(&unit(10), 128, &[]) };
            assert_eq!(found, (0, f32::NEG_INFINITY));
        }
    }
}
