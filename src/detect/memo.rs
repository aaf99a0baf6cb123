//! A per-thread memo of what preparing one message gives: its normalised text, word set,
//! word count, phrase hits, answer hash and, for a customer message, its sentiment,
//! frustration markers and whether it asks for a person. The key is the message's role and
//! exact text.
//!
//! Why: bots repeat themselves (greetings, fallbacks, menus and hand-off notices are
//! templates), and customers send the same short turns ("yes", "agent", "thanks"). Every
//! repeat was normalised, hashed, scanned for phrases and scored by VADER again. All of
//! that is a pure function of (role, text) for one `Detectors`, so a hit gives exactly what
//! computing would. No output can change, and the tests compare both ways. Measured in
//! docs/benchmark.md ("2026-12-06, fifth session"), with what a miss costs on text that never
//! repeats.
//!
//! Direct-mapped: [`SLOTS`] entries per thread, a message's slot chosen by a hash of its
//! text; each slot holds the last message kept there. Texts over [`MAX_TEXT`] bytes are not
//! kept: long texts rarely repeat word for word, and the limit bounds the memo's memory (at
//! worst every slot holds a 512-byte text, its normalised copy and up to 256 word hashes:
//! about 14 MB per thread; on the benchmark corpus peak RSS did not move beyond the host's
//! noise of a few MB).

use std::hash::Hasher;

use super::fxhash::FxHasher;
use super::phrases::PhraseList;
use super::{negation, text, Detectors};
use crate::model::{Message, Role};

/// Slots per thread (a power of two).
const SLOTS: usize = 4096;
/// Longest text kept, in bytes.
const MAX_TEXT: usize = 512;

/// What preparing a message gives besides its normalised text and word set.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Facts {
    /// Words in the message (the set may have fewer).
    pub words: usize,
    /// Phrase lists matched (`PhraseList::bit`s); 0 without phrase lists.
    pub hits: u32,
    /// `text::answer_hash` of a bot message's normalised text; 0 for other roles.
    pub answer: u64,
    /// Compound sentiment of a customer message; 0 otherwise.
    pub sentiment: f32,
    /// Frustration markers of a customer message; empty otherwise.
    pub markers: Vec<&'static str>,
    /// Whether a customer message asks for a person (`unresolved`'s escalation rule: an
    /// escalation phrase or a paraphrase frame, not negated); false otherwise.
    pub asks_person: bool,
}

/// Prepares message `m`: its normalised text into `normalized`, its sorted word-hash set
/// into `tokens` (`sequence` is scratch for the words in order). With `d`, also the phrase
/// hits and the customer's sentiment; without, only what reading words needs.
pub(super) fn prepare(
    m: &Message,
    d: Option<&Detectors>,
    normalized: &mut String,
    tokens: &mut Vec<u64>,
    sequence: &mut Vec<u64>,
) -> Facts {
    let answer = if m.role == Role::Bot {
        text::normalize_words_answer_into(&m.text, normalized, sequence)
    } else {
        text::normalize_words_into(&m.text, normalized, sequence);
        0
    };
    tokens.clear();
    tokens.extend_from_slice(sequence);
    tokens.sort_unstable();
    tokens.dedup();
    let mut facts = Facts {
        words: sequence.len(),
        answer,
        ..Facts::default()
    };
    if let Some(d) = d {
        facts.hits = d.phrases.hits_words(sequence);
        if m.role == Role::Customer {
            (facts.sentiment, facts.markers) = d.sentiment.score_and_markers(&m.text);
            // The phrase hit or frame first: the clause analysis is the costly part.
            facts.asks_person = (facts.hits & PhraseList::Escalation.bit() != 0
                || negation::may_paraphrase(tokens))
                && negation::asks_for_person(&m.text, d.phrases.entries(PhraseList::Escalation));
        }
    }
    facts
}

#[derive(Default)]
struct Entry {
    /// `None` for an empty slot.
    role: Option<Role>,
    text: String,
    normalized: String,
    tokens: Vec<u64>,
    facts: Facts,
}

/// One thread's memo. Empty until first used.
#[derive(Default)]
pub(super) struct Memo {
    /// The `Detectors` (`Detectors::memo_key`) the entries were computed with: another
    /// configuration matches other phrases and scores other words.
    owner: u64,
    /// Per slot, the key hash of the last message that fell there (0: none). 32 KB, so it
    /// stays in cache; an entry (cold memory) is read or written only when its tag matches.
    tags: Vec<u64>,
    slots: Vec<Entry>,
}

impl Memo {
    /// [`prepare`] with `d`, from the memo when the same role and text were kept in their
    /// slot.
    pub(super) fn prepare(
        &mut self,
        m: &Message,
        d: &Detectors,
        normalized: &mut String,
        tokens: &mut Vec<u64>,
        sequence: &mut Vec<u64>,
    ) -> Facts {
        if m.text.len() > MAX_TEXT {
            return prepare(m, Some(d), normalized, tokens, sequence);
        }
        if self.owner != d.memo_key {
            self.tags.clear();
            self.tags.resize(SLOTS, 0);
            self.slots.clear();
            self.slots.resize_with(SLOTS, Entry::default);
            self.owner = d.memo_key;
        }
        let key = key(m);
        let slot = (key >> (64 - SLOTS.trailing_zeros())) as usize;
        // A text is kept the second time it is seen: text that never repeats (an LLM's
        // answers) costs a hash and a tag, not a copy into cold memory. Measured: copying
        // every message made an audit of never-repeating text 16% slower.
        if self.tags[slot] != key {
            self.tags[slot] = key;
            return prepare(m, Some(d), normalized, tokens, sequence);
        }
        let entry = &mut self.slots[slot];
        if entry.role == Some(m.role) && entry.text == m.text {
            normalized.clear();
            normalized.push_str(&entry.normalized);
            tokens.clear();
            tokens.extend_from_slice(&entry.tokens);
            return entry.facts.clone();
        }
        let facts = prepare(m, Some(d), normalized, tokens, sequence);
        entry.role = Some(m.role);
        entry.text.clone_from(&m.text);
        entry.normalized.clone_from(normalized);
        entry.tokens.clone_from(tokens);
        entry.facts.clone_from(&facts);
        facts
    }
}

/// The message's key hash, never 0; its top bits choose the slot (FxHash mixes them best).
fn key(m: &Message) -> u64 {
    let mut h = FxHasher::default();
    h.write(m.text.as_bytes());
    h.write_u8(m.role as u8);
    h.finish() | 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{CsatScale, DetectionSettings};

    fn message(role: Role, text: &str) -> Message {
        Message {
            role,
            text: text.to_string(),
            ts: None,
        }
    }

    /// What the memo returns, and the buffers it filled.
    fn through(memo: &mut Memo, d: &Detectors, m: &Message) -> (Facts, String, Vec<u64>) {
        let (mut s, mut t, mut seq) = ("stale".to_string(), vec![7, 8], vec![9]);
        let facts = memo.prepare(m, d, &mut s, &mut t, &mut seq);
        (facts, s, t)
    }

    fn direct(d: &Detectors, m: &Message) -> (Facts, String, Vec<u64>) {
        let (mut s, mut t, mut seq) = (String::new(), Vec::new(), Vec::new());
        let facts = prepare(m, Some(d), &mut s, &mut t, &mut seq);
        (facts, s, t)
    }

    #[test]
    fn a_hit_gives_what_computing_gives() {
        let d = Detectors::new(DetectionSettings::default(), CsatScale::default());
        let mut memo = Memo::default();
        let messages = [
            message(
                Role::Customer,
                "This is USELESS!!! I already told you twice",
            ),
            message(
                Role::Bot,
                "Sorry, I didn't understand that. Could you rephrase?",
            ),
            message(Role::Agent, "Hi, I'm Sam from the payments team."),
            message(Role::Customer, "agent please"),
        ];
        for round in 0..3 {
            for m in &messages {
                let memo_says = through(&mut memo, &d, m);
                assert_eq!(memo_says, direct(&d, m), "round {round}: {:?}", m.text);
            }
        }
        let asks = message(Role::Customer, "can I talk to a real person please");
        let declines = message(Role::Customer, "no need for a human, thanks");
        for _ in 0..2 {
            assert!(through(&mut memo, &d, &asks).0.asks_person);
            assert!(!through(&mut memo, &d, &declines).0.asks_person);
        }
        // The customer's message was really scored: it is negative and has markers.
        let (facts, ..) = through(&mut memo, &d, &messages[0]);
        assert!(
            facts.sentiment < 0.0 && !facts.markers.is_empty(),
            "{facts:?}"
        );
        assert_ne!(through(&mut memo, &d, &messages[1]).0.answer, 0);
    }

    #[test]
    fn the_same_text_in_another_role_is_prepared_for_that_role() {
        let d = Detectors::new(DetectionSettings::default(), CsatScale::default());
        let mut memo = Memo::default();
        let text = "I can't help with that, this is terrible";
        let bot = through(&mut memo, &d, &message(Role::Bot, text));
        let customer = through(&mut memo, &d, &message(Role::Customer, text));
        assert_eq!(customer, direct(&d, &message(Role::Customer, text)));
        assert_eq!(bot, direct(&d, &message(Role::Bot, text)));
        // Only the bot's answer is hashed, only the customer's sentiment is scored.
        assert!(bot.0.answer != 0 && bot.0.sentiment == 0.0);
        assert!(customer.0.answer == 0 && customer.0.sentiment < 0.0);
    }

    #[test]
    fn entries_of_other_detectors_are_not_used() {
        let plain = Detectors::new(DetectionSettings::default(), CsatScale::default());
        let mut settings = DetectionSettings::default();
        settings.sentiment.insert("parcel stuck".to_string(), -3.0);
        let extra = Detectors::new(settings, CsatScale::default());
        let m = message(Role::Customer, "my parcel stuck again");
        let mut memo = Memo::default();
        // Twice each, so the first configuration's entry is kept before the second looks.
        let first = [
            through(&mut memo, &plain, &m),
            through(&mut memo, &plain, &m),
        ];
        assert_eq!(first[0], first[1]);
        let [first, _] = first;
        let second = through(&mut memo, &extra, &m);
        assert_eq!(second, through(&mut memo, &extra, &m));
        assert_eq!(first, direct(&plain, &m));
        assert_eq!(second, direct(&extra, &m));
        assert!(
            second.0.sentiment < first.0.sentiment,
            "{first:?} {second:?}"
        );
    }

    #[test]
    fn long_texts_are_prepared_but_not_kept() {
        let d = Detectors::new(DetectionSettings::default(), CsatScale::default());
        let mut memo = Memo::default();
        let long = message(Role::Bot, &"please hold on a moment ".repeat(40));
        assert!(long.text.len() > MAX_TEXT);
        assert_eq!(through(&mut memo, &d, &long), direct(&d, &long));
        assert!(memo.slots.iter().all(|e| e.role.is_none()));
        let short = message(Role::Bot, "please hold on a moment");
        for seen in 1..=3 {
            assert_eq!(through(&mut memo, &d, &short), direct(&d, &short));
            let kept = memo.slots.iter().filter(|e| e.role.is_some()).count();
            // Kept from its second sighting.
            assert_eq!(kept, usize::from(seen >= 2), "seen {seen} times");
        }
    }
}
