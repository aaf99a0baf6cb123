//! Text normalisation, token sets and phrase matching shared by the detectors.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Lowercases, drops apostrophes (so "didn't" and "didnt" meet), turns every other
/// non-alphanumeric character into a space and collapses runs of spaces.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
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
    out
}

/// Sorted, de-duplicated words of a normalised text.
pub fn token_set(normalized: &str) -> Vec<&str> {
    let mut tokens: Vec<&str> = normalized.split(' ').filter(|t| !t.is_empty()).collect();
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

/// Like `token_set` but without function words, for comparing what customers ask for.
pub fn content_set(normalized: &str) -> Vec<&str> {
    let mut tokens: Vec<&str> = normalized
        .split(' ')
        .filter(|t| !t.is_empty() && !STOPWORDS.contains(t))
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

/// Jaccard similarity of two sorted, de-duplicated token lists.
pub fn jaccard(a: &[&str], b: &[&str]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

pub fn word_count(normalized: &str) -> usize {
    normalized.split(' ').filter(|t| !t.is_empty()).count()
}

const STOPWORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
    "could", "do", "does", "for", "from", "get", "got", "have", "hi", "hello", "how", "i", "im",
    "if", "in", "is", "it", "its", "just", "me", "my", "of", "on", "or", "please", "so", "that",
    "the", "there", "this", "to", "was", "we", "what", "when", "where", "why", "will", "with",
    "would", "you", "your", "hey", "ok", "okay", "still", "again", "need", "want",
];

/// A list of phrases matched on normalised text at word boundaries.
#[derive(Debug, Clone)]
pub struct PhraseSet {
    phrases: Vec<String>,
    automaton: Option<AhoCorasick>,
}

impl PhraseSet {
    pub fn new<S: AsRef<str>>(phrases: &[S]) -> PhraseSet {
        let phrases: Vec<String> = phrases
            .iter()
            .map(|p| normalize(p.as_ref()))
            .filter(|p| !p.is_empty())
            .collect();
        let automaton = if phrases.is_empty() {
            None
        } else {
            // Standard semantics so overlapping matches can be checked one by one for
            // word boundaries ("human" inside "inhuman" must not hide "a human").
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .build(&phrases)
                .ok()
        };
        PhraseSet { phrases, automaton }
    }

    /// The first phrase found in `normalized` at word boundaries.
    pub fn find<'a>(&'a self, normalized: &str) -> Option<&'a str> {
        let automaton = self.automaton.as_ref()?;
        let bytes = normalized.as_bytes();
        for m in automaton.find_overlapping_iter(normalized) {
            let start_ok = m.start() == 0 || bytes[m.start() - 1] == b' ';
            let end_ok = m.end() == bytes.len() || bytes[m.end()] == b' ';
            if start_ok && end_ok {
                return Some(&self.phrases[m.pattern().as_usize()]);
            }
        }
        None
    }

    pub fn matches(&self, normalized: &str) -> bool {
        self.find(normalized).is_some()
    }

    /// Index of the phrase found first (for mapping phrases to categories).
    pub fn find_all_indices(&self, normalized: &str, mut hit: impl FnMut(usize)) {
        let Some(automaton) = self.automaton.as_ref() else {
            return;
        };
        let bytes = normalized.as_bytes();
        for m in automaton.find_overlapping_iter(normalized) {
            let start_ok = m.start() == 0 || bytes[m.start() - 1] == b' ';
            let end_ok = m.end() == bytes.len() || bytes[m.end()] == b' ';
            if start_ok && end_ok {
                hit(m.pattern().as_usize());
            }
        }
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
    fn content_set_ignores_function_words() {
        assert_eq!(
            content_set("i want to cancel my order"),
            vec!["cancel", "order"]
        );
    }
}
