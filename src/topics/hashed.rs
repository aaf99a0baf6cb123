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
fn hash(token: &str) -> u64 {
    hash_from(0xcbf2_9ce4_8422_2325, token)
}

fn hash_from(mut h: u64, token: &str) -> u64 {
    for b in token.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
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

/// A request's distinct tokens as (bucket, signed weight), in first-seen order.
pub fn features(folded: &str) -> Vec<(u16, i8)> {
    let mut out: Vec<(u16, i8)> = Vec::new();
    let mut seen: Vec<u64> = Vec::new();
    let mut push = |h: u64, weight: i8| {
        if !seen.contains(&h) {
            seen.push(h);
            let sign = if h >> 63 == 1 { -1 } else { 1 };
            out.push(((h % DIMS as u64) as u16, sign * weight));
        }
    };
    // Handles first, then words: two passes over the text rather than two lists per text
    // (this runs for every conversation assigned). A handle hashes as "@" and its name.
    let at = hash("@");
    for piece in folded.split_ascii_whitespace() {
        if let Some(h) = piece.strip_prefix('@') {
            let h = h.trim_end_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_');
            if !h.is_empty() {
                push(hash_from(at, h), HANDLE_WEIGHT);
            }
        }
    }
    let filler = filler_hashes();
    for piece in folded.split_ascii_whitespace() {
        // E-mail addresses and links name a person or a page, not a topic.
        if piece.starts_with('@')
            || piece.contains('@')
            || piece.contains("://")
            || piece.starts_with("www.")
        {
            continue;
        }
        // Long numbers and codes (order ids, card digits, phone numbers) are nearly all
        // distinct: under IDF each would weigh most, and group requests by their ids.
        // Short ones stay ("5 plus 7", "10 minutes").
        let words = piece
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| w.len() > 1 && !(w.len() > 4 && w.bytes().any(|b| b.is_ascii_digit())))
            .map(hash)
            .filter(|h| filler.binary_search(h).is_err());
        for h in words {
            push(h, 1);
        }
    }
    out
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
