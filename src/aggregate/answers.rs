//! Counting bot answers across the corpus in bounded memory. LLM bots rarely say the same
//! thing twice, so an exact count would grow with the input; instead each category keeps at
//! most `CAPACITY` answers and, when full, drops the least frequent ones (a deterministic
//! variant of the space-saving heavy-hitters sketch). Answers given often enough to matter
//! are never dropped; counts of rare ones can be undercounted, never overcounted.

use std::collections::HashMap;

const CAPACITY: usize = 2_000;

#[derive(Debug, Clone)]
pub struct AnswerCount {
    pub text: String,
    pub conversations: u64,
    pub needs_human: u64,
    /// Order of first sighting, for deterministic ties.
    first_seen: u64,
}

#[derive(Debug, Default)]
pub struct AnswerCounter {
    counts: HashMap<u64, AnswerCount>,
    seen: u64,
}

impl AnswerCounter {
    /// `key` identifies the answer (`detect::text::answer_hash`); `text` is kept from its
    /// first sighting.
    pub fn add(&mut self, key: u64, text: &str, needs_human: bool) {
        self.seen += 1;
        if let Some(c) = self.counts.get_mut(&key) {
            c.conversations += 1;
            c.needs_human += needs_human as u64;
            return;
        }
        if self.counts.len() >= 2 * CAPACITY {
            self.prune();
        }
        self.counts.insert(
            key,
            AnswerCount {
                text: text.to_string(),
                conversations: 1,
                needs_human: needs_human as u64,
                first_seen: self.seen,
            },
        );
    }

    fn prune(&mut self) {
        let mut all: Vec<(u64, AnswerCount)> = self.counts.drain().collect();
        all.sort_by(|a, b| {
            b.1.conversations
                .cmp(&a.1.conversations)
                .then(a.1.first_seen.cmp(&b.1.first_seen))
        });
        all.truncate(CAPACITY);
        self.counts = all.into_iter().collect();
    }

    /// The answers most often given in needs-human conversations (at least `min` of them).
    pub fn top(&self, n: usize, min: u64) -> Vec<AnswerCount> {
        let mut v: Vec<AnswerCount> = self
            .counts
            .values()
            .filter(|c| c.needs_human >= min)
            .cloned()
            .collect();
        v.sort_by(|a, b| {
            b.needs_human
                .cmp(&a.needs_human)
                .then(b.conversations.cmp(&a.conversations))
                .then(a.first_seen.cmp(&b.first_seen))
        });
        v.truncate(n);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequent_answers_survive_pruning() {
        let mut c = AnswerCounter::default();
        for i in 0..10_000 {
            c.add(u64::MAX, "Frequent answer", i % 2 == 0);
            c.add(i, "rare", true);
        }
        let top = c.top(1, 1);
        assert_eq!(top[0].text, "Frequent answer");
        assert_eq!(top[0].conversations, 10_000);
        assert_eq!(top[0].needs_human, 5_000);
        assert!(c.counts.len() <= 2 * CAPACITY);
    }
}
