//! Text normalisation, token sets and phrase matching shared by the detectors.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// Lowercases, drops apostrophes (so "didn't" and "didnt" meet), turns every other
/// non-alphanumeric character into a space and collapses runs of spaces.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// [`normalize`] into a buffer (cleared first), so callers can reuse its allocation.
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    let mut pending_space = false;
    for ch in text.chars() {
        if ch == '\'' || ch == '\u{2019}' || ch == '\u{2018}' {
            continue;
        }
        if ch.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            if ch.is_ascii() {
                out.push(ch.to_ascii_lowercase());
            } else {
                out.extend(ch.to_lowercase());
            }
        } else {
            pending_space = true;
        }
    }
}

/// [`normalize_into`] and, in the same pass, the hash of each word in order ([`word_hash`]
/// of the normalised words) into `words` (both cleared first). Prepared messages need both:
/// two passes, normalising then hashing the copy, cost about 15% of an audit. ASCII bytes
/// (nearly all of them) go through a table; other characters through `char` decoding, as
/// [`normalize_into`] does. Under callgrind, on 10,000 generated conversations: 268 M
/// instructions for a `chars()` loop, 157 M for this one (docs/benchmark.md).
pub fn normalize_words_into(text: &str, out: &mut String, words: &mut Vec<u64>) {
    normalize_words::<false>(text, out, words);
}

/// [`normalize_words_into`] that also returns the text's [`answer_hash`], from the same
/// pass (for bot messages, whose answers are counted across the corpus).
pub fn normalize_words_answer_into(text: &str, out: &mut String, words: &mut Vec<u64>) -> u64 {
    normalize_words::<true>(text, out, words)
}

/// Both of the above; `ANSWER` says whether to compute the answer hash (0 otherwise).
fn normalize_words<const ANSWER: bool>(text: &str, out: &mut String, words: &mut Vec<u64>) -> u64 {
    // Bytes are written into the string's own buffer and handed back after a UTF-8 check
    // (no copy, no unsafe): only ASCII bytes and whole encoded characters are pushed.
    let mut buf = std::mem::take(out).into_bytes();
    buf.clear();
    buf.reserve(text.len());
    words.clear();
    let mut w = WordWriter::<ANSWER> {
        buf,
        words,
        word: FNV_OFFSET,
        answer: FNV_OFFSET,
        pending_space: false,
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            match ASCII_CLASS[b as usize] {
                SEPARATOR => w.pending_space = true,
                APOSTROPHE => {}
                lower => {
                    w.start_letter();
                    w.byte(lower);
                }
            }
            continue;
        }
        let Some(ch) = text[i..].chars().next() else {
            break;
        };
        i += ch.len_utf8();
        if ch == '\u{2019}' || ch == '\u{2018}' {
            continue;
        }
        if !ch.is_alphanumeric() {
            w.pending_space = true;
            continue;
        }
        w.start_letter();
        let mut utf8 = [0u8; 4];
        for lower in ch.to_lowercase() {
            for &b in lower.encode_utf8(&mut utf8).as_bytes() {
                w.byte(b);
            }
        }
    }
    if !w.buf.is_empty() {
        w.words.push(w.word);
    }
    *out = String::from_utf8(w.buf)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    w.answer
}

/// The state of [`normalize_words`]: the normalised bytes, the words' hashes so far, the
/// current word's hash and the answer hash.
struct WordWriter<'w, const ANSWER: bool> {
    buf: Vec<u8>,
    words: &'w mut Vec<u64>,
    word: u64,
    answer: u64,
    pending_space: bool,
}

impl<const ANSWER: bool> WordWriter<'_, ANSWER> {
    /// Before a letter: a separator seen since the last one ends the word before it.
    #[inline(always)]
    fn start_letter(&mut self) {
        if self.pending_space && !self.buf.is_empty() {
            self.buf.push(b' ');
            self.fold_answer(b' ');
            self.words.push(self.word);
            self.word = FNV_OFFSET;
        }
        self.pending_space = false;
    }

    /// One byte of a word.
    #[inline(always)]
    fn byte(&mut self, b: u8) {
        self.buf.push(b);
        self.fold_answer(b);
        self.word = (self.word ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    }

    /// [`answer_hash`]'s step: digits fold to '#'.
    #[inline(always)]
    fn fold_answer(&mut self, b: u8) {
        if ANSWER {
            let b = if b.is_ascii_digit() { b'#' } else { b };
            self.answer = (self.answer ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
    }
}

/// [`ASCII_CLASS`] of a byte that separates words.
const SEPARATOR: u8 = 0;
/// [`ASCII_CLASS`] of the apostrophe, dropped ("didn't" -> "didnt").
const APOSTROPHE: u8 = 1;

/// Per ASCII byte: its lowercase form when alphanumeric, else [`SEPARATOR`] or
/// [`APOSTROPHE`].
static ASCII_CLASS: [u8; 128] = {
    let mut t = [SEPARATOR; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else if c == b'\'' {
            APOSTROPHE
        } else {
            SEPARATOR
        };
        b += 1;
    }
    t
};

/// The hash of each word of a normalised text, in order (cleared first).
pub fn word_hashes_into(normalized: &str, words: &mut Vec<u64>) {
    words.clear();
    words.extend(
        normalized
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(word_hash),
    );
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// A word as a 64-bit FNV-1a hash: token sets are sorted and intersected on every message,
/// and comparing integers is several times cheaper than comparing strings. A collision
/// (about 1 in 2^64 per pair) could only nudge a similarity.
pub fn word_hash(word: &str) -> u64 {
    word.bytes().fold(FNV_OFFSET, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

/// Sorted, de-duplicated words (hashed) of a normalised text, and how many words it has.
#[cfg(test)]
pub fn token_set_and_count(normalized: &str) -> (Vec<u64>, usize) {
    let mut tokens = Vec::new();
    let words = token_set_into(normalized, &mut tokens);
    (tokens, words)
}

/// The sorted, de-duplicated words (hashed) of a normalised text into a buffer (cleared
/// first); returns the word count. One byte loop hashes as it goes: splitting into `&str`
/// words first cost about 6% of an audit (a memchr call per five-letter word).
#[cfg(test)]
pub fn token_set_into(normalized: &str, tokens: &mut Vec<u64>) -> usize {
    tokens.clear();
    tokens.reserve(normalized.len() / 4 + 1);
    let (mut h, mut in_word) = (FNV_OFFSET, false);
    for &b in normalized.as_bytes() {
        if b == b' ' {
            if in_word {
                tokens.push(h);
                (h, in_word) = (FNV_OFFSET, false);
            }
        } else {
            h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
            in_word = true;
        }
    }
    if in_word {
        tokens.push(h);
    }
    let words = tokens.len();
    tokens.sort_unstable();
    tokens.dedup();
    words
}

/// Sorted, de-duplicated words (hashed) of a normalised text.
#[cfg(test)]
pub fn token_set(normalized: &str) -> Vec<u64> {
    token_set_and_count(normalized).0
}

/// A token set without function words, for comparing what customers ask for.
pub fn content_words(tokens: &[u64]) -> Vec<u64> {
    static STOP_HASHES: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    let stop = STOP_HASHES.get_or_init(|| {
        let mut v: Vec<u64> = STOPWORDS.iter().map(|w| word_hash(w)).collect();
        v.sort_unstable();
        v
    });
    tokens
        .iter()
        .copied()
        .filter(|h| stop.binary_search(h).is_err())
        .collect()
}

/// Like `token_set` but without function words.
#[cfg(test)]
pub fn content_set(normalized: &str) -> Vec<u64> {
    content_words(&token_set(normalized))
}

/// Identity of a bot answer across conversations: the normalised text with digits folded,
/// so answers that differ only in an order number or an amount count as one.
pub fn answer_hash(normalized: &str) -> u64 {
    normalized.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        let b = if b.is_ascii_digit() { b'#' } else { b };
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Jaccard similarity of two sorted, de-duplicated token sets.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    // Branch-free steps: which side advances is data the branch predictor cannot guess
    // (word hashes are random), and the branchy merge was 4% of an audit, mispredicted.
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
        common += usize::from(x == y);
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

/// Earlier messages a message is compared with when looking for a near-duplicate: the last
/// `SIMILARITY_WINDOW` candidates, plus the first identical one however long ago. Comparing
/// every pair was quadratic (a 20,000-message conversation took 22 s, 1M never ended); this
/// is linear. The labelled sets have at most 50 messages in a conversation, so within the
/// window every earlier message is compared and results are those of the full comparison.
pub const SIMILARITY_WINDOW: usize = 100;

/// The earlier token sets compared with each new one (see [`SIMILARITY_WINDOW`]).
///
/// A set is hashed only once it falls out of the window: within the window every earlier
/// set is compared anyway, so a conversation shorter than the window (all of the labelled
/// sets and the benchmark corpus) hashes nothing and allocates nothing. Hashing and
/// inserting every message's set on every conversation was most of the hostile-input
/// merge's +9.6% CPU (docs/benchmark.md, 2026-12-05).
#[derive(Default)]
pub struct Earlier {
    /// Hash of a set older than the window -> the position of its first occurrence.
    first: std::collections::HashMap<u64, usize>,
    /// Positions before this one are in `first`.
    hashed: usize,
    /// Candidates handed out, for the tests' bound on the work done.
    pub comparisons: u64,
}

impl Earlier {
    /// Positions (into the caller's list of sets, `set_at` reading one) to compare the
    /// `k`-th set with, ascending: the first identical set when it is older than the window,
    /// then the window. Every candidate is still compared by the caller, so a hash collision
    /// costs one comparison.
    pub fn candidates<'s>(
        &mut self,
        k: usize,
        set: &[u64],
        set_at: impl Fn(usize) -> &'s [u64],
    ) -> std::iter::Chain<std::option::IntoIter<usize>, std::ops::Range<usize>> {
        let start = k.saturating_sub(SIMILARITY_WINDOW);
        while self.hashed < start {
            let at = self.hashed;
            self.first.entry(set_hash(set_at(at))).or_insert(at);
            self.hashed += 1;
        }
        // The first occurrence of this set before the window, if any: the same as the first
        // occurrence overall when that is older than the window.
        let exact = if start > 0 {
            self.first.get(&set_hash(set)).copied()
        } else {
            None
        };
        self.comparisons += (k - start) as u64 + exact.is_some() as u64;
        exact.into_iter().chain(start..k)
    }
}

/// SipHash with fixed keys: the same candidates on every run.
fn set_hash(set: &[u64]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    set.hash(&mut h);
    h.finish()
}

/// Sorted (binary search on the hot path; a unit test keeps it sorted).
const STOPWORDS: &[&str] = &[
    "a", "about", "again", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by",
    "can", "could", "do", "does", "for", "from", "get", "got", "have", "hello", "hey", "hi", "how",
    "i", "if", "im", "in", "is", "it", "its", "just", "me", "my", "need", "of", "ok", "okay", "on",
    "or", "please", "so", "still", "that", "the", "there", "this", "to", "want", "was", "we",
    "what", "when", "where", "why", "will", "with", "would", "you", "your",
];

/// A list of phrases matched on normalised text at word boundaries.
#[derive(Debug, Clone)]
pub struct PhraseSet {
    phrases: Vec<String>,
    automaton: Option<AhoCorasick>,
}

/// One automaton over (normalised) phrases; `None` when there are none.
fn phrase_automaton(phrases: &[&str]) -> Option<AhoCorasick> {
    if phrases.is_empty() {
        return None;
    }
    // Standard semantics so overlapping matches can be checked one by one for word
    // boundaries ("human" inside "inhuman" must not hide "a human"). A DFA: more memory per
    // set (lists are small) for the fastest scans, which run on every message.
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(phrases)
        .ok()
}

/// Pattern indices of the matches in `normalized` that start and end on word boundaries.
fn word_matches<'a>(
    automaton: Option<&'a AhoCorasick>,
    normalized: &'a str,
) -> impl Iterator<Item = usize> + 'a {
    let bytes = normalized.as_bytes();
    automaton
        .into_iter()
        .flat_map(move |a| a.find_overlapping_iter(normalized))
        .filter(move |m| {
            (m.start() == 0 || bytes[m.start() - 1] == b' ')
                && (m.end() == bytes.len() || bytes[m.end()] == b' ')
        })
        .map(|m| m.pattern().as_usize())
}

impl PhraseSet {
    pub fn new<S: AsRef<str>>(phrases: &[S]) -> PhraseSet {
        let phrases: Vec<String> = phrases
            .iter()
            .map(|p| normalize(p.as_ref()))
            .filter(|p| !p.is_empty())
            .collect();
        let refs: Vec<&str> = phrases.iter().map(String::as_str).collect();
        let automaton = phrase_automaton(&refs);
        PhraseSet { phrases, automaton }
    }

    /// The first phrase found in `normalized` at word boundaries.
    pub fn find<'a>(&'a self, normalized: &str) -> Option<&'a str> {
        word_matches(self.automaton.as_ref(), normalized)
            .next()
            .map(|i| self.phrases[i].as_str())
    }

    pub fn phrases(&self) -> &[String] {
        &self.phrases
    }

    #[cfg(test)]
    pub fn matches(&self, normalized: &str) -> bool {
        self.find(normalized).is_some()
    }

    /// Index of every phrase found (for mapping phrases to categories).
    pub fn find_all_indices(&self, normalized: &str, hit: impl FnMut(usize)) {
        word_matches(self.automaton.as_ref(), normalized).for_each(hit);
    }
}

/// Several phrase sets matched in one pass over a message's words: bit k of `hits` says
/// whether set k matched. Detectors ask about a dozen lists per message. Phrases are
/// normalised like messages, so "at word boundaries" is "the same words in a row": the
/// bank compares word hashes, not bytes. A byte automaton over the normalised text (the
/// first version) cost about 10% of an audit; this reads each word once through a
/// 4,096-bit filter of the phrases' first words, and only the few words that pass are
/// looked up.
pub struct PhraseBank {
    /// One-word phrases: (word hash, bits of the sets holding it), sorted, behind a filter.
    single: Keyed<u32>,
    /// Longer phrases by their first two words ([`pair_key`]): (key, phrase index), sorted.
    pairs: Keyed<u32>,
    /// Per phrase of two words or more, its words' hashes and the bit of its set.
    phrases: Vec<(Vec<u64>, u32)>,
}

/// Sorted (key, value) pairs behind a 16,384-bit filter of the keys: most words of a
/// message start no phrase, and the filter turns them away with one memory read.
struct Keyed<V> {
    filter: Box<[u64; 256]>,
    entries: Vec<(u64, V)>,
}

impl<V: Copy + Ord> Keyed<V> {
    fn new(mut entries: Vec<(u64, V)>) -> Keyed<V> {
        entries.sort_unstable();
        let mut filter = Box::new([0u64; 256]);
        for (key, _) in &entries {
            let b = (key >> 50) as usize;
            filter[b >> 6] |= 1 << (b & 63);
        }
        Keyed { filter, entries }
    }

    /// The values under `key`.
    fn get(&self, key: u64) -> impl Iterator<Item = V> + '_ {
        let b = (key >> 50) as usize;
        let from = if self.filter[b >> 6] & (1 << (b & 63)) == 0 {
            self.entries.len()
        } else {
            self.entries.partition_point(|(k, _)| *k < key)
        };
        self.entries[from..]
            .iter()
            .take_while(move |(k, _)| *k == key)
            .map(|(_, v)| *v)
    }
}

/// Two word hashes as one key (order matters).
fn pair_key(a: u64, b: u64) -> u64 {
    (a.rotate_left(17) ^ b).wrapping_mul(FNV_PRIME)
}

impl PhraseBank {
    /// At most 32 sets.
    pub fn new(sets: &[&PhraseSet]) -> PhraseBank {
        let (mut single, mut pairs, mut phrases) = (Vec::new(), Vec::new(), Vec::new());
        for (k, set) in sets.iter().enumerate().take(32) {
            for p in set.phrases() {
                let mut words = Vec::new();
                word_hashes_into(p, &mut words);
                match words[..] {
                    [] => {}
                    [w] => single.push((w, 1u32 << k)),
                    [a, b, ..] => {
                        pairs.push((pair_key(a, b), phrases.len() as u32));
                        phrases.push((words, 1u32 << k));
                    }
                }
            }
        }
        PhraseBank {
            single: Keyed::new(single),
            pairs: Keyed::new(pairs),
            phrases,
        }
    }

    /// The sets matched by a normalised text.
    pub fn hits(&self, normalized: &str) -> u32 {
        let mut words = Vec::new();
        word_hashes_into(normalized, &mut words);
        self.hits_words(&words)
    }

    /// The sets matched by a message's word hashes in order ([`normalize_words_into`]).
    pub fn hits_words(&self, words: &[u64]) -> u32 {
        let mut hits = 0;
        for (k, &h) in words.iter().enumerate() {
            hits |= self.single.get(h).fold(0, |a, b| a | b);
            let Some(&next) = words.get(k + 1) else {
                continue;
            };
            for p in self.pairs.get(pair_key(h, next)) {
                let (phrase, bit) = &self.phrases[p as usize];
                if words[k..].starts_with(phrase) {
                    hits |= bit;
                }
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_case_apostrophes_and_punctuation() {
        assert_eq!(normalize("I DIDN'T get   that!!"), "i didnt get that");
        assert_eq!(normalize("  -- Hello,world? "), "hello world");
        assert_eq!(normalize("Café ÉTÉ"), "café été");
    }

    #[test]
    fn token_sets_hash_each_word_like_word_hash() {
        let (set, words) = token_set_and_count("the card  was the card ");
        let mut expected: Vec<u64> = ["the", "card", "was"]
            .iter()
            .map(|w| word_hash(w))
            .collect();
        expected.sort_unstable();
        assert_eq!((set, words), (expected, 5));
        assert_eq!(token_set_and_count(""), (Vec::new(), 0));
        assert_eq!(token_set(" "), Vec::<u64>::new());
    }

    #[test]
    fn jaccard_of_identical_and_disjoint_sets() {
        let a = token_set("the card was declined");
        let b = token_set("declined the card was");
        let c = token_set("parcel never arrived");
        assert_eq!(jaccard(&a, &b), 1.0);
        assert_eq!(jaccard(&a, &c), 0.0);
    }

    #[test]
    fn phrases_match_only_at_word_boundaries() {
        let set = PhraseSet::new(&["human", "real person"]);
        assert!(set.matches(&normalize("Can I talk to a HUMAN?")));
        assert!(set.matches(&normalize("a real person please")));
        assert!(!set.matches(&normalize("that was inhumane")));
        assert!(!set.matches(&normalize("humanity is great")));
        // A boundary failure on one hit must not hide a later valid one.
        assert!(set.matches(&normalize("inhuman wait, get me a human")));
    }

    #[test]
    fn one_pass_normalises_and_hashes_like_two() {
        for text in [
            "",
            "   ",
            "Didn't WORK!! card #1234 -- twice?",
            "order 12 and 3,456.78 on 2025-01-02",
            "İstanbul Straße ÉTÉ naïve 東京 ok",
            "’quoted’ it's   spaced\tout\n",
            "...",
        ] {
            let (mut s, mut seq) = (String::from("stale"), vec![7]);
            normalize_words_into(text, &mut s, &mut seq);
            assert_eq!(s, normalize(text), "{text:?}");
            let mut expected = Vec::new();
            word_hashes_into(&s, &mut expected);
            assert_eq!(seq, expected, "{text:?}");
            let mut set = seq.clone();
            set.sort_unstable();
            set.dedup();
            assert_eq!(set, token_set(&s), "{text:?}");
            let answer = normalize_words_answer_into(text, &mut s, &mut seq);
            assert_eq!(answer, answer_hash(&normalize(text)), "{text:?}");
            assert_eq!((s.as_str(), &seq), (normalize(text).as_str(), &expected));
        }
    }

    #[test]
    fn a_bank_reports_each_matching_set() {
        let a = PhraseSet::new(&["human", "real person"]);
        let b = PhraseSet::new(&["useless"]);
        let c = PhraseSet::new(&["thanks"]);
        let bank = PhraseBank::new(&[&a, &b, &c]);
        assert_eq!(
            bank.hits(&normalize("A real person please, this is useless")),
            0b011
        );
        assert_eq!(bank.hits(&normalize("inhuman, but thanks")), 0b100);
        assert_eq!(bank.hits(&normalize("a real persona")), 0);
        assert_eq!(bank.hits(&normalize("real, person")), 0b001);
        assert_eq!(bank.hits(""), 0);
    }

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn content_set_ignores_function_words() {
        assert_eq!(
            content_set("i want to cancel my order"),
            token_set("cancel order")
        );
        assert_eq!(
            content_words(&token_set("i want to cancel my order")),
            token_set("cancel order")
        );
    }
}
