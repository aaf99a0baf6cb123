//! Topic labels: the words most distinctive of a topic against the whole sample (class-based
//! TF-IDF as in BERTopic: the share of the topic's requests with the word, times
//! ln(1 + average topic size / requests with the word anywhere)).

use std::collections::{BTreeSet, HashMap};

/// Words that say nothing about a topic.
const STOP: &[&str] = &[
    "about", "after", "again", "all", "also", "and", "any", "are", "been", "but", "can", "cant",
    "could", "did", "does", "dont", "for", "from", "get", "got", "had", "has", "have", "hello",
    "help", "her", "here", "hey", "him", "his", "how", "http", "https", "im", "ive", "just",
    "know", "like", "may", "more", "most", "much", "need", "not", "now", "one", "our", "out",
    "please", "should", "some", "still", "tell", "than", "thank", "thanks", "that", "the", "their",
    "them", "then", "there", "they", "this", "tried", "trying", "use", "want", "was", "were",
    "what", "when", "where", "which", "who", "why", "will", "with", "would", "www", "yes", "you",
    "your",
];

fn keep(word: &str) -> bool {
    word.len() >= 3
        && !word.bytes().all(|b| b.is_ascii_digit())
        && STOP.binary_search(&word).is_err()
}

/// `docs[i]`: the words of request i; `topic[i]`: its topic. Returns up to `n` words per
/// topic, most distinctive first (ties alphabetical).
pub fn label_words(
    docs: &[Vec<&str>],
    topic: &[usize],
    topics: usize,
    n: usize,
) -> Vec<Vec<String>> {
    let mut overall: HashMap<&str, usize> = HashMap::new();
    let mut per: Vec<HashMap<&str, usize>> = vec![HashMap::new(); topics];
    let mut sizes = vec![0usize; topics];
    for (words, &t) in docs.iter().zip(topic) {
        sizes[t] += 1;
        let distinct: BTreeSet<&str> = words.iter().copied().filter(|w| keep(w)).collect();
        for w in distinct {
            *overall.entry(w).or_default() += 1;
            *per[t].entry(w).or_default() += 1;
        }
    }
    let avg = docs.len() as f64 / topics.max(1) as f64;
    per.iter()
        .zip(&sizes)
        .map(|(counts, &size)| {
            let mut scored: Vec<(f64, &str)> = counts
                .iter()
                // A word in one request of a topic is an accident, not a theme.
                .filter(|(_, &c)| c >= 2 || size < 4)
                .map(|(w, &c)| {
                    let tf = c as f64 / size.max(1) as f64;
                    (tf * (1.0 + avg / overall[w] as f64).ln(), *w)
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
            scored.iter().take(n).map(|(_, w)| w.to_string()).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted() {
        assert!(STOP.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn distinctive_words_label_their_topic() {
        let docs: Vec<Vec<&str>> = vec![
            vec!["my", "card", "did", "not", "arrive"],
            vec!["track", "card", "arrive"],
            vec!["card", "arrive", "late", "the"],
            vec!["reset", "password", "the", "card"],
            vec!["forgot", "password", "reset"],
        ];
        let labels = label_words(&docs, &[0, 0, 0, 1, 1], 2, 3);
        assert_eq!(labels[0][..2], ["arrive".to_string(), "card".to_string()]);
        assert_eq!(
            labels[1][..2],
            ["password".to_string(), "reset".to_string()]
        );
        // Stop words and short words never label a topic.
        assert!(!labels
            .iter()
            .flatten()
            .any(|w| w == "the" || w == "my" || w == "did"));
    }
}
