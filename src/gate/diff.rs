//! The release diff: when both sides are transcripts, which conversations (matched by id,
//! as in a replayed test set) flipped their needs-human outcome, and which bot answers loop
//! in the candidate but never in the baseline.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::aggregate::outcomes::{ConvOutcome, Outcomes};

#[derive(Debug, Clone, Serialize)]
pub struct Flip {
    pub id: String,
    /// The candidate's category.
    pub category: String,
    /// Reason codes on the side that needs a human.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewLoop {
    pub text: String,
    /// Candidate conversations in which the bot looped on this answer.
    pub conversations: u64,
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReleaseDiff {
    /// Conversation ids present on both sides (each id counted once).
    pub shared_conversations: u64,
    /// Fine in the baseline, needs a human in the candidate, in candidate input order.
    pub now_needs_human: Vec<Flip>,
    /// Needed a human in the baseline, fine in the candidate.
    pub no_longer_needs_human: Vec<Flip>,
    /// Answers the bot looped on in the candidate and in no baseline conversation, most
    /// frequent first.
    pub new_loops: Vec<NewLoop>,
}

pub fn release_diff(baseline: &Outcomes, candidate: &Outcomes) -> ReleaseDiff {
    // The first occurrence of an id on each side counts; later duplicates are ignored.
    let mut base: HashMap<&str, &ConvOutcome> =
        HashMap::with_capacity(baseline.conversations.len());
    for o in &baseline.conversations {
        base.entry(&o.id).or_insert(o);
    }
    let mut seen: HashSet<&str> = HashSet::new();
    let mut shared = 0;
    let mut now_needs_human = Vec::new();
    let mut no_longer_needs_human = Vec::new();
    for c in &candidate.conversations {
        let Some(b) = base.get(&*c.id) else { continue };
        if !seen.insert(&c.id) {
            continue;
        }
        shared += 1;
        match (b.needs_human, c.needs_human) {
            (false, true) => now_needs_human.push(Flip {
                id: c.id.to_string(),
                category: candidate.category(c).to_string(),
                reasons: Outcomes::reason_codes(c),
            }),
            (true, false) => no_longer_needs_human.push(Flip {
                id: c.id.to_string(),
                category: candidate.category(c).to_string(),
                reasons: Outcomes::reason_codes(b),
            }),
            _ => {}
        }
    }
    let mut new_loops: Vec<_> = candidate
        .loops
        .iter()
        .filter(|(key, _)| !baseline.loops.contains_key(*key))
        .map(|(_, l)| l)
        .collect();
    new_loops.sort_by(|a, b| {
        b.conversations
            .cmp(&a.conversations)
            .then(a.first_seen.cmp(&b.first_seen))
    });
    ReleaseDiff {
        shared_conversations: shared,
        now_needs_human,
        no_longer_needs_human,
        new_loops: new_loops
            .into_iter()
            .map(|l| NewLoop {
                text: l.text.clone(),
                conversations: l.conversations,
                examples: l.examples.clone(),
            })
            .collect(),
    }
}
