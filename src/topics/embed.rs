//! A request and its reply as one vector (the table part and the hashed part, see the
//! module above), in one pass over each text: every word is hashed once (FNV-1a, the hashed
//! part's own hash), and that hash finds the word's wordpieces and whether it is a hashed
//! feature in a per-thread cache. Before, the words were split, hashed and looked up twice
//! (once for the wordpieces, once for the features, with a second hash for the cache's map):
//! those two passes were 40% of assigning a conversation (callgrind, 20,000 conversations).
//! The vectors are the same, bit for bit: the same features in the same order, the same
//! sums in the same order.

use std::cell::RefCell;

use super::cluster::{normalise_dims, Centroids, Vector};
use super::hashed;
use super::table::{table, DIMS};
use super::text::{self, Request};
use super::{TABLE_SHARE, VECTOR_DIMS};

/// What a text is made of for [`embed`]: its table wordpieces and hashed features.
#[derive(Default)]
pub(super) struct Parts {
    pub pieces: Vec<u32>,
    pub features: Vec<(u16, i8)>,
}

/// A request and its reply, as [`embed`] reads them.
#[derive(Default)]
pub(super) struct Both {
    pub request: Parts,
    pub reply: Parts,
}

/// Words already cut into wordpieces, per thread: greedy longest match tries every prefix
/// of a word against the table, and a corpus repeats its words. An open-addressing table
/// keyed by the word's FNV-1a hash (computed anyway for the hashed part), its words and
/// wordpieces in two flat buffers: one probe and no allocation per word read (std's map
/// with the word as key hashed each word a second time and probed twice). Bounded by
/// clearing.
struct WordCache {
    /// 0: empty; else 1 + the index of the word in `words`.
    slots: Vec<u32>,
    words: Vec<Word>,
    text: String,
    pieces: Vec<u32>,
}

/// A cached word: its hash, where its text and wordpieces are in the buffers, and whether
/// it is a hashed feature.
struct Word {
    hash: u64,
    text: (u32, u32),
    pieces: (u32, u32),
    feature: bool,
}

/// Words kept before the cache is cleared; the table has four slots for each.
const WORD_CACHE: usize = 1 << 16;
const SLOT_BITS: u32 = 18;
/// Bytes of word text kept before the cache is cleared: a word is a run of letters and
/// digits of any length (a pasted token, base64), and 65,536 long ones must not hold
/// gigabytes (nor overflow the buffers' 32-bit offsets).
const WORD_TEXT_BYTES: usize = 4 << 20;

impl WordCache {
    fn new() -> WordCache {
        WordCache {
            slots: vec![0; 1 << SLOT_BITS],
            words: Vec::new(),
            text: String::new(),
            pieces: Vec::new(),
        }
    }

    /// The word's wordpieces and whether it is a feature; `h` is its [`hashed::hash`].
    fn get(&mut self, w: &str, h: u64) -> (&[u32], bool) {
        let mask = (1usize << SLOT_BITS) - 1;
        let mut at = slot_of(h);
        let found = loop {
            match self.slots[at] {
                0 => break None,
                i => {
                    let e = &self.words[i as usize - 1];
                    if e.hash == h && span(&self.text, e.text) == w {
                        break Some(i as usize - 1);
                    }
                }
            }
            at = (at + 1) & mask;
        };
        let i = match found {
            Some(i) => i,
            None => {
                let full =
                    self.words.len() >= WORD_CACHE || self.text.len() + w.len() > WORD_TEXT_BYTES;
                // An empty cache takes any word, however long (else this would not end).
                if full && !self.words.is_empty() {
                    self.slots.fill(0);
                    self.words.clear();
                    self.text.clear();
                    self.pieces.clear();
                    return self.get(w, h);
                }
                let t = table();
                let start = self.pieces.len();
                text::wordpieces(w, |piece| t.id(piece), &mut self.pieces);
                let text_start = self.text.len();
                self.text.push_str(w);
                self.words.push(Word {
                    hash: h,
                    text: (text_start as u32, w.len() as u32),
                    pieces: (start as u32, (self.pieces.len() - start) as u32),
                    feature: hashed::is_feature(w, h),
                });
                self.slots[at] = self.words.len() as u32;
                self.words.len() - 1
            }
        };
        let e = &self.words[i];
        let (from, len) = (e.pieces.0 as usize, e.pieces.1 as usize);
        (&self.pieces[from..from + len], e.feature)
    }

    /// Starts loading the word's first slot, and the entry it names once that is in
    /// cache: both are scattered over megabytes, and waiting on them one word after the
    /// other was half of finding a word (perf, 200,000 conversations).
    fn prefetch_slot(&self, h: u64) {
        if let Some(slot) = self.slots.get(slot_of(h)) {
            super::simd::prefetch(slot);
        }
    }

    fn prefetch_entry(&self, h: u64) {
        let i = self.slots.get(slot_of(h)).copied().unwrap_or(0) as usize;
        if let Some(e) = i.checked_sub(1).and_then(|i| self.words.get(i)) {
            super::simd::prefetch(e);
        }
    }
}

/// A word hash's first slot in [`WordCache`].
fn slot_of(h: u64) -> usize {
    (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SLOT_BITS)) as usize
}

fn span(text: &str, (from, len): (u32, u32)) -> &str {
    text.get(from as usize..(from + len) as usize).unwrap_or("")
}

thread_local! {
    static WORDS: RefCell<WordCache> = RefCell::new(WordCache::new());
    /// The buffers of [`nearest_with`]: assigning a conversation allocates nothing once
    /// warm but for replies not cached.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

#[derive(Default)]
struct Scratch {
    text: String,
    reply: String,
    request: Parts,
    seen: hashed::Seen,
    replies: Replies,
}

/// Bot replies already cut into parts, per thread, by their text as written: a bot repeats
/// its answers (the repetition detector exists for that), so most replies are read once.
/// Direct-mapped and bounded: a reply in a taken slot replaces the one there. The parts of
/// a reply depend on its text alone, so a cached reply gives what reading it again would.
/// A slot never written holds the empty reply, whose parts are empty: what reading it gives.
struct Replies {
    slots: Vec<(String, Parts)>,
    /// The parts of the last reply too long to keep.
    long: Parts,
}

/// 4,096 replies of about 400 bytes each (text, wordpieces, features) per thread.
const REPLY_SLOTS: usize = 4096;
/// Replies longer than this are read every time rather than kept (only their first words
/// count, so reading one is cheap): an LLM's long answers would otherwise hold up to
/// 4,096 times their length per thread. 2 KB keeps every reply of the generated corpus.
const REPLY_BYTES: usize = 2 << 10;

/// A reply's slot: eight bytes a step (a whole message is hashed for every conversation;
/// FNV's byte a step cost more than the rest of a cache hit). Not an identity: the slot's
/// text is compared.
fn slot_hash(bytes: &[u8]) -> u64 {
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    for &b in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    h ^ (h >> 29)
}

impl Default for Replies {
    fn default() -> Replies {
        Replies {
            slots: (0..REPLY_SLOTS).map(|_| Default::default()).collect(),
            long: Parts::default(),
        }
    }
}

impl Replies {
    /// The parts of `raw` (a reply as written), its first words folded into `folded` and
    /// read when it is not cached.
    fn get(&mut self, raw: &str, folded: &mut String, seen: &mut hashed::Seen) -> &Parts {
        if raw.len() > REPLY_BYTES {
            read_reply(raw, folded, &mut self.long, seen);
            return &self.long;
        }
        let slot = &mut self.slots[(slot_hash(raw.as_bytes()) % REPLY_SLOTS as u64) as usize];
        let (text, parts) = slot;
        if text != raw {
            // The slot's buffers are written over, not freed and allocated again: a third of
            // the generated corpus's first replies are read once (they quote an order
            // number), and replacing the slot's text and parts was most of the extra
            // allocation of assigning topics.
            text.clear();
            text.push_str(raw);
            read_reply(raw, folded, parts, seen);
        }
        parts
    }
}

/// The parts of a reply's first words, folded into `folded` on the way.
fn read_reply(raw: &str, folded: &mut String, out: &mut Parts, seen: &mut hashed::Seen) {
    folded.clear();
    text::fold_into(text::reply_words(raw), folded);
    parts_into(folded, out, seen);
}

/// Fills `out` with the text's (folded) wordpieces and hashed features. Handles come first
/// among the features, then words in order, each distinct hash once (as `hashed::add`
/// sums them). The words are those of `text::word_iter`, found byte by byte (folded text
/// is ASCII; any other byte ends a word as it does there) and hashed as they are read.
pub(super) fn parts_into(folded: &str, out: &mut Parts, seen: &mut hashed::Seen) {
    out.pieces.clear();
    out.features.clear();
    seen.clear();
    let at = folded.contains('@');
    if at {
        hashed::handles(folded, &mut out.features, seen);
    }
    WORDS.with(|cache| {
        let cache = &mut *cache.borrow_mut();
        let mut add = |cache: &mut WordCache, w: &str, h: u64, feature_ok: bool| {
            let (pieces, feature) = cache.get(w, h);
            out.pieces.extend_from_slice(pieces);
            if feature && feature_ok {
                hashed::push(h, 1, &mut out.features, seen);
            }
        };
        // Most texts have no handle, e-mail address or link: their words are all words,
        // read without cutting the text into whitespace-separated pieces first. They are
        // looked up in batches, the cache lines of a batch's slots and entries asked for
        // before the first is read; the words are added in the same order.
        if !at && !folded.contains("://") && !folded.contains("www.") {
            let mut batch = [("", 0u64); 16];
            let mut n = 0;
            let mut flush = |cache: &mut WordCache, batch: &[(&str, u64)]| {
                for &(_, h) in batch {
                    cache.prefetch_entry(h);
                }
                for &(w, h) in batch {
                    add(cache, w, h, true);
                }
            };
            words(folded, |w, h| {
                cache.prefetch_slot(h);
                batch[n] = (w, h);
                n += 1;
                if n == batch.len() {
                    flush(cache, &batch);
                    n = 0;
                }
            });
            flush(cache, &batch[..n]);
            return;
        }
        for piece in folded.split_ascii_whitespace() {
            if !text::holds_words(piece) {
                continue;
            }
            // E-mail addresses name a person, not a topic: their words are read for the
            // table but are not features.
            let email = piece.contains('@');
            words(piece, |w, h| add(cache, w, h, !email));
        }
    });
}

/// Each word of `text` (a run of ASCII letters and digits, as `text::piece_words`), with
/// its [`hashed::hash`].
fn words<'t>(text: &'t str, mut each: impl FnMut(&'t str, u64)) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && !b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let from = i;
        let mut h = hashed::FNV_OFFSET;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            h = hashed::hash_byte(h, b[i]);
            i += 1;
        }
        if let Some(w) = text.get(from..i).filter(|w| !w.is_empty()) {
            each(w, h);
        }
    }
}

pub(super) fn parts(folded: &str) -> Parts {
    let mut out = Parts::default();
    parts_into(folded, &mut out, &mut hashed::Seen::default());
    out
}

pub(super) fn both(r: &Request, reply_weight: f32) -> Both {
    Both {
        request: parts(&r.text),
        reply: match reply_weight > 0.0 {
            true => parts(&r.reply),
            false => Parts::default(),
        },
    }
}

/// The nearest of `centroids` to the request `fill` writes (folded) into the string it is
/// given and the reply (as written) it returns, and the similarity, with per-thread
/// buffers. `None` when `fill` finds no request or the vector is empty.
pub(super) fn nearest_with<'a>(
    fill: impl FnOnce(&mut String) -> Option<&'a str>,
    model: &Weights,
    centroids: &Centroids,
) -> Option<(usize, f32)> {
    SCRATCH.with(|s| {
        let s = &mut *s.borrow_mut();
        s.text.clear();
        let raw_reply = fill(&mut s.text)?;
        parts_into(&s.text, &mut s.request, &mut s.seen);
        let reply = match model.reply_weight > 0.0 {
            true => raw_reply,
            false => "",
        };
        let reply = s.replies.get(reply, &mut s.reply, &mut s.seen);
        #[cfg(target_arch = "x86_64")]
        if super::simd::avx2() {
            // SAFETY: `nearest_avx2` needs AVX2 and nothing else (see `Centroids::nearest_avx2`),
            // and the CPU has AVX2 (checked just above).
            return unsafe { nearest_avx2(&s.request, reply, model, centroids) };
        }
        nearest_plain(&s.request, reply, model, centroids)
    })
}

#[inline(always)]
fn nearest_plain(
    request: &Parts,
    reply: &Parts,
    model: &Weights,
    centroids: &Centroids,
) -> Option<(usize, f32)> {
    let mut v = [0f32; VECTOR_DIMS];
    let mut rest = [0u16; hashed::DIMS];
    embed_into(request, reply, model, &mut v, &mut rest)?;
    Some(centroids.nearest(&v))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn nearest_avx2(
    request: &Parts,
    reply: &Parts,
    model: &Weights,
    centroids: &Centroids,
) -> Option<(usize, f32)> {
    let mut v = [0f32; VECTOR_DIMS];
    let mut rest = [0u16; hashed::DIMS];
    let (head, n) = embed_into(request, reply, model, &mut v, &mut rest)?;
    Some(centroids.nearest_avx2(&v, head, &rest[..n]))
}

/// What turns a request's parts into a vector: the SIF weight of every table token, the
/// hashed buckets' IDF, and the reply's weight.
pub(super) struct Weights<'a> {
    pub weight_of: &'a [f32],
    pub idf: &'a [f32],
    pub reply_weight: f32,
}

/// The reply adds `reply_weight` times its own words to each part; each part is then
/// normalised and scaled by its share, the whole normalised again (a request with only one
/// part is that part).
pub(super) fn embed(b: &Both, model: &Weights) -> Option<Vector> {
    #[cfg(target_arch = "x86_64")]
    if super::simd::avx2() {
        // SAFETY: `embed_avx2` is `embed_plain` compiled with AVX2 allowed, and the CPU has
        // AVX2 (checked just above).
        return unsafe { embed_avx2(b, model) };
    }
    embed_plain(&b.request, &b.reply, model)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn embed_avx2(b: &Both, model: &Weights) -> Option<Vector> {
    embed_plain(&b.request, &b.reply, model)
}

#[inline(always)]
pub(super) fn embed_plain(request: &Parts, reply: &Parts, model: &Weights) -> Option<Vector> {
    let mut v = [0f32; VECTOR_DIMS];
    embed_into(request, reply, model, &mut v, &mut [0u16; hashed::DIMS])?;
    Some(v)
}

/// [`embed_plain`] into `v` (zeros), reading only the numbers a request has: `v` is zero
/// but in its first `head` numbers and the `n` dimensions written to `rest` (ascending),
/// `(head, n)` returned. The table part is dense; of the 256 hashed buckets a request takes
/// a few dozen, and the norms and the sums of comparing it with the centroids
/// ([`Centroids::nearest_avx2`]) add only those: a zero adds nothing to a sum, so the
/// vector is the same to the bit as summing all 384 numbers (the tests compare).
#[inline(always)]
fn embed_into(
    request: &Parts,
    reply: &Parts,
    model: &Weights,
    v: &mut Vector,
    rest: &mut [u16; hashed::DIMS],
) -> Option<(usize, usize)> {
    let t = table();
    for &id in request.pieces.iter().chain(&reply.pieces) {
        t.prefetch(id);
        if let Some(w) = model.weight_of.get(id as usize) {
            super::simd::prefetch(w);
        }
    }
    let mut dense = [0f32; DIMS];
    let mut sparse = [0f32; hashed::DIMS];
    let mut taken = [0u64; hashed::DIMS / 64];
    for (p, w) in [(request, 1.0), (reply, model.reply_weight)] {
        for &id in &p.pieces {
            let sif = model.weight_of.get(id as usize).copied().unwrap_or(1.0);
            t.add(id, w * sif, &mut dense);
        }
        hashed::add(&p.features, model.idf, w, &mut sparse);
        for &(b, _) in &p.features {
            taken[usize::from(b) / 64] |= 1 << (b % 64);
        }
    }
    let mut n = 0;
    for (word, &bits) in taken.iter().enumerate() {
        let mut bits = bits;
        while bits != 0 {
            rest[n] = (word * 64) as u16 + bits.trailing_zeros() as u16;
            n += 1;
            bits &= bits - 1;
        }
    }
    let norm = dense.iter().map(|x| x * x).sum::<f32>().sqrt();
    let head = if norm > 1e-9 {
        let scale = TABLE_SHARE.sqrt() / norm;
        for (o, x) in v[..DIMS].iter_mut().zip(&dense) {
            *o = x * scale;
        }
        DIMS
    } else {
        0
    };
    let taken = &mut rest[..n];
    let norm = taken
        .iter()
        .map(|&b| sparse[usize::from(b)] * sparse[usize::from(b)])
        .sum::<f32>()
        .sqrt();
    if norm > 1e-9 {
        let scale = (1.0 - TABLE_SHARE).sqrt() / norm;
        for b in taken.iter_mut() {
            v[DIMS + usize::from(*b)] = sparse[usize::from(*b)] * scale;
            *b += DIMS as u16;
        }
    } else {
        n = 0;
    }
    normalise_dims(v, head, &rest[..n]).then_some((head, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topics::cluster;

    const TEXTS: &[&str] = &[
        "my card never arrived, order 12345678 was placed on 5 may",
        "@teamyoutube my channel https://youtu.be/x is gone!! mail me at a.b@example.com",
        "www.example.com says refund-pending; what's up?",
        "",
        "hi",
    ];

    #[test]
    fn pieces_are_the_wordpieces_of_the_words() {
        let t = table();
        for text in TEXTS {
            let mut expected = Vec::new();
            for w in text::word_iter(text) {
                text::wordpieces(w, |p| t.id(p), &mut expected);
            }
            assert_eq!(parts(text).pieces, expected, "{text:?}");
        }
        // An e-mail address gives wordpieces but no feature; a handle a feature only.
        assert!(parts("a.b@example.com").features.is_empty());
        assert!(!parts("a.b@example.com").pieces.is_empty());
        assert_eq!(parts("@teamyoutube").features.len(), 1);
        assert!(parts("@teamyoutube").pieces.is_empty());
    }

    #[test]
    fn a_cached_reply_gives_the_parts_of_reading_it_again() {
        let mut replies = Replies::default();
        let (mut folded, mut seen) = (String::new(), hashed::Seen::default());
        let raw = "Your REFUND is on its way: 3-5 days. It was approved this morning by the \
                   billing team after we checked the order, and you will get an e-mail.";
        let read = parts(&text::fold(text::reply_words(raw)));
        let same = |p: &Parts| p.pieces == read.pieces && p.features == read.features;
        assert!(same(replies.get(raw, &mut folded, &mut seen)));
        assert!(
            same(replies.get(raw, &mut folded, &mut seen)),
            "from the cache"
        );
        // Another reply in the same slot replaces it, and the first is read again after.
        let slot = |r: &str| slot_hash(r.as_bytes()) % REPLY_SLOTS as u64;
        let other = (0..)
            .map(|i| format!("other reply {i}"))
            .find(|r| slot(r) == slot(raw))
            .unwrap_or_default();
        let other_read = parts(&text::fold(text::reply_words(&other)));
        assert_eq!(
            replies.get(&other, &mut folded, &mut seen).pieces,
            other_read.pieces
        );
        assert!(same(replies.get(raw, &mut folded, &mut seen)));
        // No reply: nothing read, from an empty slot as from one written over.
        let none = |r: &mut Replies, f: &mut String, s: &mut hashed::Seen| {
            let p = r.get("", f, s);
            p.pieces.is_empty() && p.features.is_empty()
        };
        assert!(none(&mut Replies::default(), &mut folded, &mut seen));
        assert!(none(&mut replies, &mut folded, &mut seen));
    }

    #[test]
    fn the_word_cache_gives_the_same_pieces_after_it_is_cleared() {
        let before = parts("refund my subscription").pieces;
        let many: Vec<String> = (0..WORD_CACHE + 10).map(|i| format!("w{i}")).collect();
        parts(&many.join(" "));
        assert_eq!(parts("refund my subscription").pieces, before);
    }

    #[test]
    fn long_words_clear_the_word_cache_by_their_bytes() {
        let mut cache = WordCache::new();
        let long = |c: char| c.to_string().repeat(WORD_TEXT_BYTES / 2 + 1);
        let (a, b) = (long('a'), long('b'));
        let pieces = |w: &str| {
            let mut out = Vec::new();
            text::wordpieces(w, |p| table().id(p), &mut out);
            out
        };
        assert_eq!(cache.get(&a, hashed::hash(&a)).0, pieces(&a));
        assert_eq!(cache.get("card", hashed::hash("card")).0, pieces("card"));
        assert_eq!(cache.words.len(), 2);
        // Over the byte bound: cleared, then kept alone.
        assert_eq!(cache.get(&b, hashed::hash(&b)).0, pieces(&b));
        assert_eq!(cache.words.len(), 1);
        assert!(cache.text.len() <= WORD_TEXT_BYTES);
        // A word longer than the bound on its own is still read (into the empty cache).
        let huge = "c".repeat(WORD_TEXT_BYTES + 1);
        assert_eq!(cache.get(&huge, hashed::hash(&huge)).0, pieces(&huge));
    }

    #[test]
    fn a_long_reply_is_read_and_not_kept() {
        let mut replies = Replies::default();
        let (mut folded, mut seen) = (String::new(), hashed::Seen::default());
        let raw = format!(
            "Your refund is approved. {}",
            "More detail here. ".repeat(200)
        );
        assert!(raw.len() > REPLY_BYTES);
        let read = parts(&text::fold(text::reply_words(&raw)));
        for _ in 0..2 {
            let got = replies.get(&raw, &mut folded, &mut seen);
            assert_eq!((&got.pieces, &got.features), (&read.pieces, &read.features));
        }
        assert!(replies
            .slots
            .iter()
            .all(|(t, p)| t.is_empty() && p.pieces.is_empty() && p.features.is_empty()));
    }

    #[test]
    fn the_wide_and_the_plain_paths_agree_to_the_bit() {
        let weight_of = vec![0.5; table().len()];
        let idf: Vec<f32> = (0..hashed::DIMS).map(|i| 1.0 + i as f32 / 100.0).collect();
        let model = Weights {
            weight_of: &weight_of,
            idf: &idf,
            reply_weight: 0.6,
        };
        let vectors: Vec<Vector> = TEXTS
            .iter()
            .zip(TEXTS.iter().rev())
            .filter_map(|(text, reply)| {
                let b = Both {
                    request: parts(text),
                    reply: parts(reply),
                };
                let wide = embed(&b, &model);
                let plain = embed_plain(&b.request, &b.reply, &model);
                let bits = |v: &Option<Vector>| v.map(|v| v.map(f32::to_bits));
                assert_eq!(bits(&wide), bits(&plain), "{text:?}");
                plain
            })
            .collect();
        assert!(vectors.len() >= 3);
        for v in &vectors {
            let (j, s, t) = cluster::nearest_two(v, &vectors);
            let (pj, ps, pt) = cluster::nearest_two_plain(v, &vectors);
            assert_eq!(
                (j, s.to_bits(), t.to_bits()),
                (pj, ps.to_bits(), pt.to_bits())
            );
            assert_eq!(j, cluster::nearest_plain(v, &vectors).0);
            for w in &vectors {
                assert_eq!(
                    cluster::dot_wide(v, w).to_bits(),
                    cluster::dot(v, w).to_bits()
                );
            }
        }
    }

    /// The embedding as it was before [`embed_into`] read only the taken dimensions: every
    /// one of the 384 numbers summed.
    fn embed_every_dim(request: &Parts, reply: &Parts, model: &Weights) -> Option<Vector> {
        let t = table();
        let mut dense = [0f32; DIMS];
        let mut sparse = [0f32; hashed::DIMS];
        for (p, w) in [(request, 1.0), (reply, model.reply_weight)] {
            for &id in &p.pieces {
                let sif = model.weight_of.get(id as usize).copied().unwrap_or(1.0);
                t.add(id, w * sif, &mut dense);
            }
            hashed::add(&p.features, model.idf, w, &mut sparse);
        }
        let mut v = [0f32; VECTOR_DIMS];
        for (part, range, share) in [
            (&dense[..], 0..DIMS, TABLE_SHARE),
            (&sparse[..], DIMS..VECTOR_DIMS, 1.0 - TABLE_SHARE),
        ] {
            let norm = part.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 1e-9 {
                let scale = share.sqrt() / norm;
                for (o, x) in v[range].iter_mut().zip(part) {
                    *o = x * scale;
                }
            }
        }
        cluster::normalise(&mut v).then_some(v)
    }

    #[test]
    fn reading_only_the_taken_dimensions_gives_the_same_bits() {
        let mut rng = cluster::Rng::new(11);
        const WORDS: &[&str] = &[
            "refund",
            "card",
            "never",
            "arrived",
            "@teamyoutube",
            "channel",
            "order",
            "12345678",
            "password",
            "reset",
            "a.b@example.com",
            "the",
            "my",
            "is",
            "late",
            "broken",
            "screen",
            "flight",
            "cancel",
            "subscription",
            "@applesupport",
            "hi",
            "zxqv",
            "billing",
            "charged",
            "twice",
            "www.example.com",
            "wifi",
            "slow",
        ];
        let mut texts: Vec<String> = TEXTS.iter().map(|t| t.to_string()).collect();
        for _ in 0..300 {
            let n = (rng.next_u64() % 12) as usize;
            let words: Vec<&str> = (0..n)
                .map(|_| WORDS[(rng.next_u64() % WORDS.len() as u64) as usize])
                .collect();
            texts.push(words.join(" "));
        }
        let weight_of: Vec<f32> = (0..table().len())
            .map(|i| 0.2 + (i % 7) as f32 / 10.0)
            .collect();
        let idf: Vec<f32> = (0..hashed::DIMS).map(|i| 1.0 + i as f32 / 37.0).collect();
        let mut unit = || {
            let mut c = [0f32; VECTOR_DIMS];
            c.iter_mut().for_each(|x| *x = rng.unit() as f32 - 0.5);
            cluster::normalise(&mut c);
            c
        };
        let centroids: Vec<Vector> = (0..41).map(|_| unit()).collect();
        let (mut compared, mut without_table, mut without_features) = (0, 0, 0);
        for reply_weight in [0.0, 0.6] {
            let model = Weights {
                weight_of: &weight_of,
                idf: &idf,
                reply_weight,
            };
            for (i, text) in texts.iter().enumerate() {
                let (request, reply) = (parts(text), parts(&texts[(i * 7 + 3) % texts.len()]));
                let every = embed_every_dim(&request, &reply, &model);
                let bits = |v: &Option<Vector>| v.map(|v| v.map(f32::to_bits));
                assert_eq!(
                    bits(&embed_plain(&request, &reply, &model)),
                    bits(&every),
                    "{text:?}"
                );
                let Some(v) = every else {
                    assert_eq!(
                        nearest_plain(&request, &reply, &model, &Centroids::new(&centroids)),
                        None
                    );
                    continue;
                };
                without_table += usize::from(v[..DIMS].iter().all(|x| *x == 0.0));
                without_features += usize::from(v[DIMS..].iter().all(|x| *x == 0.0));
                for k in [1, 3, 4, 8, 13, 40, 41] {
                    let first_k = Centroids::new(&centroids[..k]);
                    let (j, s) = cluster::nearest_plain(&v, &centroids[..k]);
                    let found = nearest_plain(&request, &reply, &model, &first_k);
                    assert_eq!(found.map(|(j, s)| (j, s.to_bits())), Some((j, s.to_bits())));
                    #[cfg(target_arch = "x86_64")]
                    if crate::topics::simd::avx2() {
                        // SAFETY: the CPU has AVX2 (checked just above).
                        let wide = unsafe { nearest_avx2(&request, &reply, &model, &first_k) };
                        assert_eq!(wide.map(|(j, s)| (j, s.to_bits())), Some((j, s.to_bits())));
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared > 1000 && without_table > 0 && without_features > 0);
    }
}
