//! Per-conversation outcomes kept for `handoff gate`'s release diff (which conversations
//! flipped, which answers newly loop). Only what the diff needs is kept: the id, the
//! category (interned), the needs-human verdict and the reason codes as bits, and one entry
//! per distinct looping bot answer. Collected only when the gate compares transcripts with
//! transcripts. Measured (docs/ci.md): about 100 bytes per conversation with short ids,
//! including the diff's index — 20 MB for two sides of 100,000, so ~200 MB for two sides
//! of a million.

use std::collections::HashMap;

use crate::detect::text::answer_hash;
use crate::detect::text::normalize;
use crate::detect::Assessment;
use crate::model::{Conversation, Reason};

/// Example conversation ids kept per looping answer.
const LOOP_EXAMPLES: usize = 3;

#[derive(Debug, Clone)]
pub struct ConvOutcome {
    pub id: Box<str>,
    pub category: u32,
    pub needs_human: bool,
    /// Bit `reason as usize` set for each reason found.
    pub reasons: u16,
}

const _: () = assert!(
    Reason::COUNT <= 16,
    "ConvOutcome::reasons has a bit per reason"
);

#[derive(Debug, Clone)]
pub struct LoopAnswer {
    /// The answer as the bot gave it (redacted unless --no-redact).
    pub text: String,
    /// Conversations in which the bot looped on it.
    pub conversations: u64,
    pub examples: Vec<String>,
    /// Order of first sighting, for deterministic ties.
    pub first_seen: u64,
}

#[derive(Debug, Default)]
pub struct Outcomes {
    /// In input order.
    pub conversations: Vec<ConvOutcome>,
    categories: Vec<String>,
    category_index: HashMap<String, u32>,
    /// Keyed by `detect::text::answer_hash` (digit-folded normalised text).
    pub loops: HashMap<u64, LoopAnswer>,
}

impl Outcomes {
    pub fn add(&mut self, conv: &Conversation, a: &Assessment, redact: impl Fn(&str) -> String) {
        // Looked up before inserting: this runs on the fold thread for every conversation,
        // and `entry` took an owned key, a copy of the name each time.
        let category = match self.category_index.get(&a.category) {
            Some(&i) => i,
            None => {
                let next = self.categories.len() as u32;
                self.categories.push(a.category.clone());
                self.category_index.insert(a.category.clone(), next);
                next
            }
        };
        let reasons = a
            .findings
            .iter()
            .fold(0u16, |bits, f| bits | (1 << f.reason as usize));
        self.conversations.push(ConvOutcome {
            id: conv.id.as_str().into(),
            category,
            needs_human: a.needs_human,
            reasons,
        });
        // The looping answer is the first message of the loop finding: the one the bot
        // kept repeating.
        let looped = a
            .findings
            .iter()
            .find(|f| f.reason == Reason::BotLoop)
            .and_then(|f| f.messages.first())
            .and_then(|&i| conv.messages.get(i));
        if let Some(m) = looped {
            let seen = self.loops.len() as u64;
            let entry = self
                .loops
                .entry(answer_hash(&normalize(&m.text)))
                .or_insert_with(|| LoopAnswer {
                    text: redact(&m.text),
                    conversations: 0,
                    examples: Vec::new(),
                    first_seen: seen,
                });
            entry.conversations += 1;
            if entry.examples.len() < LOOP_EXAMPLES {
                entry.examples.push(conv.id.clone());
            }
        }
    }

    pub fn category(&self, o: &ConvOutcome) -> &str {
        self.categories
            .get(o.category as usize)
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn reason_codes(o: &ConvOutcome) -> Vec<String> {
        Reason::ALL
            .into_iter()
            .filter(|&r| o.reasons & (1 << r as usize) != 0)
            .map(|r| r.code().to_string())
            .collect()
    }
}
