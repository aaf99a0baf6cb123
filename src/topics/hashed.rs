//! Hashed TF-IDF features beside the token table: each word of a request, and each @handle
//! (a Twitter thread names the brand it asks in its handle), hashed into one of [`DIMS`]
//! buckets with a sign (the hashing trick, Weinberger et al. 2009), weighted by the
//! bucket's inverse document frequency in the sample. The static table knows what words
//! mean but not which words a corpus repeats; these know the corpus's own vocabulary
//! (product names, handles, the planted keywords of generated data).

/// Buckets: few enough for a readable centroid line, enough that a corpus's few hundred
/// frequent words rarely share one.
pub const DIMS: usize = 256;

/// A handle weighs this many words: it names the account (brand, queue) the request was
/// sent to, the strongest single hint of what it is about where there is one.
const HANDLE_WEIGHT: i8 = 4;

/// FNV-1a, 64 bits: the same bucket on every machine and version.
pub(super) fn hash(token: &str) -> u64 {
    hash_from(FNV_OFFSET, token)
}

pub(super) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn hash_from(mut h: u64, token: &str) -> u64 {
    for b in token.bytes() {
        h = hash_byte(h, b);
    }
    h
}

#[inline(always)]
pub(super) fn hash_byte(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
}

/// The filler words' hashes, sorted: every word's hash is computed anyway, and comparing
/// it is cheaper than looking the word up among the filler words (measured: the lookup
/// was the largest single cost of hashing a conversation's words).
fn filler_hashes() -> &'static [u64] {
    static HASHES: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    HASHES.get_or_init(|| {
        let mut h: Vec<u64> = super::text::FILLER.iter().map(|w| hash(w)).collect();
        h.sort_unstable();
        h
    })
}

/// Whether a word (of a piece that is no e-mail address) is a feature: two letters or more,
/// not filler, and no long number or code (order ids, card digits, phone numbers are
/// nearly all distinct: under IDF each would weigh most, and group requests by their ids;
/// short ones stay: "5 plus 7", "10 minutes"). `h` is the word's [`hash`].
pub(super) fn is_feature(w: &str, h: u64) -> bool {
    w.len() > 1
        && !(w.len() > 4 && w.bytes().any(|b| b.is_ascii_digit()))
        && filler_hashes().binary_search(&h).is_err()
}

/// The hashes a text's features came from, so that a token said twice counts once.
#[derive(Default)]
pub(super) struct Seen {
    hashes: Vec<u64>,
    /// Buckets taken: a token in a bucket no other took is new without searching the list
    /// (most are: a request has a few dozen tokens in 256 buckets).
    buckets: [u64; DIMS / 64],
}

impl Seen {
    pub fn clear(&mut self) {
        self.hashes.clear();
        self.buckets = [0; DIMS / 64];
    }

    /// Records `h`; false when it was recorded before.
    fn insert(&mut self, h: u64) -> bool {
        let b = (h % DIMS as u64) as usize;
        let bit = 1u64 << (b % 64);
        if self.buckets[b / 64] & bit != 0 && self.hashes.contains(&h) {
            return false;
        }
        self.buckets[b / 64] |= bit;
        self.hashes.push(h);
        true
    }
}

/// Adds a token's feature unless its hash is already among the text's.
pub(super) fn push(h: u64, weight: i8, out: &mut Vec<(u16, i8)>, seen: &mut Seen) {
    if seen.insert(h) {
        let sign = if h >> 63 == 1 { -1 } else { 1 };
        out.push(((h % DIMS as u64) as u16, sign * weight));
    }
}

/// The text's @handles as features (a handle hashes as "@" and its name).
pub(super) fn handles(folded: &str, out: &mut Vec<(u16, i8)>, seen: &mut Seen) {
    let at = hash("@");
    for piece in folded.split_ascii_whitespace() {
        if let Some(h) = piece.strip_prefix('@') {
            let h = h.trim_end_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_');
            if !h.is_empty() {
                push(hash_from(at, h), HANDLE_WEIGHT, out, seen);
            }
        }
    }
}

/// A request's distinct tokens as (bucket, signed weight): its handles, then its words
/// (e-mail addresses and links left out), in first-seen order.
#[cfg(test)]
pub fn features(folded: &str) -> Vec<(u16, i8)> {
    super::embed::parts(folded).features
}

/// Inverse document frequency per bucket, smoothed (scikit-learn's `smooth_idf`).
pub fn idf(requests: &[Vec<(u16, i8)>]) -> Vec<f32> {
    let mut df = vec![0u64; DIMS];
    for r in requests {
        let mut marked = [false; DIMS];
        for &(b, _) in r {
            if !std::mem::replace(&mut marked[usize::from(b)], true) {
                df[usize::from(b)] += 1;
            }
        }
    }
    let n = requests.len() as f64;
    df.iter()
        .map(|&d| (((1.0 + n) / (1.0 + d as f64)).ln() + 1.0) as f32)
        .collect()
}

/// Adds `scale` times the text's hashed vector (not normalised) to `v`.
#[inline(always)]
pub fn add(features: &[(u16, i8)], idf: &[f32], scale: f32, v: &mut [f32; DIMS]) {
    for &(b, weight) in features {
        let w = idf.get(usize::from(b)).copied().unwrap_or(1.0);
        v[usize::from(b)] += scale * f32::from(weight) * w;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_and_words_are_features_and_filler_is_not() {
        let f = features(
            "@TeamYouTube: hi, my channel was suspended, channel gone"
                .to_lowercase()
                .as_str(),
        );
        let handle = features("@teamyoutube");
        assert_eq!(handle.len(), 1);
        assert_eq!(f[0], handle[0], "the handle without its colon");
        // my, channel (once), was, suspended, gone; "hi" is filler.
        assert_eq!(f.len(), 6, "{f:?}");
        assert_eq!(features("hi hello please"), vec![]);
        let weights = idf(&[f.clone(), handle.clone(), features("channel")]);
        let (h, c) = (usize::from(handle[0].0), usize::from(f[2].0));
        assert!(weights[h] < weights[usize::from(f[3].0)] || h == usize::from(f[3].0));
        assert!(weights[c] < weights[usize::from(f[3].0)] || c == usize::from(f[3].0));
    }
}
