//! Every phrase list detection reads, in one table: its `[phrases]` key, its built-in list
//! (`lexicon`) and how it is matched. The table drives the config keys, the shared phrase
//! bank and the bits of `Prepared::hits`; a test checks the docs name every key. Adding a
//! list is one row here plus its use.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess};

use super::lexicon;
use super::text::{normalize, PhraseBank, PhraseSet};

/// A phrase list, in the order of `[phrases]` keys (the order error messages list them in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhraseList {
    Escalation,
    Fallback,
    NegativeClose,
    Confirmation,
    Handoff,
    OpenStatuses,
    RefusalOpeners,
    CorrectionOpeners,
    Closing,
    ChangeRequest,
    Negation,
    Doubt,
    NegativeEmotion,
    BotFailure,
    ConfirmationRequest,
}

/// How a list's entries are compared with a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matching {
    /// Anywhere in a message, at word boundaries: all such lists are scanned together once
    /// per message, and bit `list.bit()` of `Prepared::hits` says whether one matched.
    Anywhere,
    /// At the start of a customer message (`DissatisfactionModel` reads them).
    Opening,
    /// Equal to the platform's status, trimmed and case-insensitive (not normalised: a
    /// status such as "on_hold" keeps its punctuation).
    Status,
}

pub struct PhraseListInfo {
    pub list: PhraseList,
    /// The key under `[phrases]`.
    pub key: &'static str,
    /// The built-in list, used unless the config gives one.
    pub default: &'static [&'static str],
    pub matching: Matching,
}

const fn row(
    list: PhraseList,
    key: &'static str,
    default: &'static [&'static str],
    matching: Matching,
) -> PhraseListInfo {
    PhraseListInfo {
        list,
        key,
        default,
        matching,
    }
}

/// One row per list, in the order of the enum (checked at compile time below).
pub const PHRASE_LISTS: [PhraseListInfo; 15] = {
    use Matching::*;
    use PhraseList::*;
    [
        row(Escalation, "escalation", lexicon::ESCALATION, Anywhere),
        row(Fallback, "fallback", lexicon::FALLBACK, Anywhere),
        row(
            NegativeClose,
            "negative_close",
            lexicon::NEGATIVE_CLOSE,
            Anywhere,
        ),
        row(
            Confirmation,
            "confirmation",
            lexicon::CONFIRMATION,
            Anywhere,
        ),
        row(Handoff, "handoff", lexicon::HANDOFF, Anywhere),
        row(
            OpenStatuses,
            "open_statuses",
            lexicon::OPEN_STATUSES,
            Status,
        ),
        row(
            RefusalOpeners,
            "refusal_openers",
            lexicon::REFUSAL_OPENERS,
            Opening,
        ),
        row(
            CorrectionOpeners,
            "correction_openers",
            lexicon::CORRECTION_OPENERS,
            Opening,
        ),
        row(Closing, "closing", lexicon::CLOSING, Anywhere),
        row(
            ChangeRequest,
            "change_request",
            lexicon::CHANGE_REQUEST,
            Anywhere,
        ),
        row(Negation, "negation", lexicon::NEGATION, Anywhere),
        row(Doubt, "doubt", lexicon::DOUBT, Anywhere),
        row(
            NegativeEmotion,
            "negative_emotion",
            lexicon::NEGATIVE_EMOTION,
            Anywhere,
        ),
        row(BotFailure, "bot_failure", lexicon::BOT_FAILURE, Anywhere),
        row(
            ConfirmationRequest,
            "confirmation_request",
            lexicon::CONFIRMATION_REQUEST,
            Anywhere,
        ),
    ]
};

// Row k describes the variant with discriminant k; every list has a bit of a `u32`.
const _: () = {
    let mut k = 0;
    while k < PHRASE_LISTS.len() {
        assert!(PHRASE_LISTS[k].list as usize == k);
        k += 1;
    }
    assert!(PHRASE_LISTS.len() <= 32);
};

/// The `[phrases]` keys, for serde's unknown-key message.
static KEYS: [&str; PhraseList::COUNT] = {
    let mut keys = [""; PhraseList::COUNT];
    let mut k = 0;
    while k < PhraseList::COUNT {
        keys[k] = PHRASE_LISTS[k].key;
        k += 1;
    }
    keys
};

impl PhraseList {
    pub const COUNT: usize = PHRASE_LISTS.len();

    pub fn info(self) -> &'static PhraseListInfo {
        &PHRASE_LISTS[self as usize]
    }

    pub fn key(self) -> &'static str {
        self.info().key
    }

    /// Its bit in `Prepared::hits` (only `Matching::Anywhere` lists ever set theirs).
    pub fn bit(self) -> u32 {
        1 << self as u32
    }

    fn from_key(key: &str) -> Option<PhraseList> {
        PHRASE_LISTS.iter().find(|r| r.key == key).map(|r| r.list)
    }
}

/// A `[phrases]` key; failing here lets the TOML error point at the key.
impl<'de> Deserialize<'de> for PhraseList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        PhraseList::from_key(&key).ok_or_else(|| de::Error::unknown_field(&key, &KEYS))
    }
}

/// The `[phrases]` section: each list given replaces the built-in one.
#[derive(Clone, Default, PartialEq)]
pub struct PhraseConfig {
    lists: [Option<Vec<String>>; PhraseList::COUNT],
}

impl PhraseConfig {
    /// The list the config gives, if it gives one.
    pub fn get(&self, list: PhraseList) -> Option<&[String]> {
        self.lists[list as usize].as_deref()
    }

    pub fn set(&mut self, list: PhraseList, phrases: Vec<String>) {
        self.lists[list as usize] = Some(phrases);
    }

    /// The settings fingerprint's text of this section: the derived `Debug` text of the
    /// struct with one `Option<Vec<String>>` field per key it replaced.
    pub fn fingerprint_text(&self) -> String {
        let fields: Vec<String> = PHRASE_LISTS
            .iter()
            .map(|r| format!("{}: {:?}", r.key, self.lists[r.list as usize]))
            .collect();
        format!("PhraseConfig {{ {} }}", fields.join(", "))
    }
}

impl fmt::Debug for PhraseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("PhraseConfig");
        for r in &PHRASE_LISTS {
            s.field(r.key, &self.lists[r.list as usize]);
        }
        s.finish()
    }
}

impl<'de> Deserialize<'de> for PhraseConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = PhraseConfig;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("struct PhraseConfig")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PhraseConfig, A::Error> {
                let mut config = PhraseConfig::default();
                while let Some((list, phrases)) = map.next_entry::<PhraseList, Vec<String>>()? {
                    config.set(list, phrases);
                }
                Ok(config)
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// Every list of a run, prepared for matching: built once, shared read-only by detectors.
pub struct PhraseLists {
    /// Per list (index `list as usize`), its entries as compared: normalised like messages,
    /// or for `Matching::Status` trimmed and lowercased. Empty entries are dropped.
    entries: Vec<Vec<String>>,
    /// Per list, its own automaton for `find` (empty for lists not matched anywhere).
    sets: Vec<PhraseSet>,
    /// The `Matching::Anywhere` lists together, for `hits`.
    bank: PhraseBank,
}

impl PhraseLists {
    pub fn new(config: &PhraseConfig) -> PhraseLists {
        let mut entries = Vec::with_capacity(PhraseList::COUNT);
        let mut sets = Vec::with_capacity(PhraseList::COUNT);
        for r in &PHRASE_LISTS {
            let given: Vec<&str> = match config.get(r.list) {
                Some(v) => v.iter().map(String::as_str).collect(),
                None => r.default.to_vec(),
            };
            let prepared: Vec<String> = match r.matching {
                Matching::Anywhere | Matching::Opening => given
                    .iter()
                    .map(|p| normalize(p))
                    .filter(|p| !p.is_empty())
                    .collect(),
                Matching::Status => given
                    .iter()
                    .map(|s| s.trim().to_ascii_lowercase())
                    .collect(),
            };
            sets.push(match r.matching {
                Matching::Anywhere => PhraseSet::new(&prepared),
                Matching::Opening | Matching::Status => PhraseSet::new::<&str>(&[]),
            });
            entries.push(prepared);
        }
        // Bit k of the bank is set k: the list with discriminant k.
        let bank = PhraseBank::new(&sets.iter().collect::<Vec<_>>());
        PhraseLists {
            entries,
            sets,
            bank,
        }
    }

    /// The `Matching::Anywhere` lists `normalized` matches, as bits (`PhraseList::bit`).
    pub fn hits(&self, normalized: &str) -> u32 {
        self.bank.hits(normalized)
    }

    /// [`PhraseLists::hits`] of a message's word hashes in order.
    pub fn hits_words(&self, words: &[u64]) -> u32 {
        self.bank.hits_words(words)
    }

    /// The first phrase of a `Matching::Anywhere` list found in `normalized`.
    pub fn find(&self, list: PhraseList, normalized: &str) -> Option<&str> {
        self.sets[list as usize].find(normalized)
    }

    /// The list's entries as compared (see `entries`).
    pub fn entries(&self, list: PhraseList) -> &[String] {
        &self.entries[list as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_built_in_phrases_are_normalised() {
        for (k, r) in PHRASE_LISTS.iter().enumerate() {
            assert_eq!(PhraseList::from_key(r.key), Some(r.list));
            assert!(
                PHRASE_LISTS[..k].iter().all(|o| o.key != r.key),
                "{}",
                r.key
            );
            assert!(!r.default.is_empty(), "{}", r.key);
            if r.matching != Matching::Status {
                // Openers are compared as given, so must already be in normalised form.
                for p in r.default {
                    assert_eq!(normalize(p), *p, "{}", r.key);
                }
            }
        }
    }

    #[test]
    fn config_lists_replace_the_built_in_ones_key_by_key() {
        // Distinct values per key: a key wired to the wrong list fails here.
        let toml: String = PHRASE_LISTS
            .iter()
            .map(|r| format!("{} = [\"{} phrase\"]\n", r.key, r.key))
            .collect();
        let config: PhraseConfig = toml::from_str(&toml).expect("every key known");
        let lists = PhraseLists::new(&config);
        for r in &PHRASE_LISTS {
            let expected = format!("{} phrase", r.key);
            assert_eq!(config.get(r.list), Some(&[expected.clone()][..]));
            let prepared = match r.matching {
                Matching::Status => expected.clone(),
                _ => normalize(&expected),
            };
            assert_eq!(lists.entries(r.list), [prepared]);
        }
        let none = PhraseLists::new(&PhraseConfig::default());
        assert_eq!(none.entries(PhraseList::Doubt).len(), lexicon::DOUBT.len());
        let partial: PhraseConfig =
            toml::from_str("doubt = [\"Are you SURE?\", \"\"]").expect("known");
        assert_eq!(partial.get(PhraseList::Escalation), None);
        let partial = PhraseLists::new(&partial);
        assert_eq!(partial.entries(PhraseList::Doubt), ["are you sure"]);
        assert_eq!(
            partial.entries(PhraseList::Escalation).len(),
            lexicon::ESCALATION.len()
        );
    }

    #[test]
    fn each_anywhere_list_sets_its_own_bit() {
        let lists = PhraseLists::new(&PhraseConfig::default());
        assert_eq!(
            lists.hits(&normalize("I want a human")),
            PhraseList::Escalation.bit()
        );
        assert_eq!(
            lists.hits(&normalize("are you sure?")),
            PhraseList::Doubt.bit()
        );
        assert_eq!(
            lists.find(PhraseList::NegativeClose, &normalize("this is useless!")),
            Some("useless")
        );
        // Statuses and openers are not matched anywhere in a message.
        assert_eq!(lists.hits("pending"), 0);
        assert_eq!(lists.find(PhraseList::OpenStatuses, "pending"), None);
        assert!(lists
            .entries(PhraseList::OpenStatuses)
            .contains(&"on_hold".to_string()));
    }

    #[test]
    fn an_unknown_key_is_an_error_listing_the_known_ones() {
        let err = toml::from_str::<PhraseConfig>("escalation = [\"a\"]\nescalaton = [\"b\"]")
            .expect_err("unknown key")
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(
            err.contains(
                "unknown field `escalaton`, expected one of `escalation`, `fallback`, \
                 `negative_close`, `confirmation`, `handoff`, `open_statuses`, \
                 `refusal_openers`, `correction_openers`, `closing`, `change_request`, \
                 `negation`, `doubt`, `negative_emotion`, `bot_failure`, `confirmation_request`"
            ),
            "{err}"
        );
        let err = toml::from_str::<PhraseConfig>("escalation = \"a\"")
            .expect_err("not a list")
            .to_string();
        assert!(err.contains("expected a sequence"), "{err}");
    }

    #[test]
    fn the_fingerprint_text_is_the_old_derived_debug_text() {
        let mut config = PhraseConfig::default();
        config.set(PhraseList::OpenStatuses, vec!["Open".into()]);
        assert_eq!(
            config.fingerprint_text(),
            "PhraseConfig { escalation: None, fallback: None, negative_close: None, \
             confirmation: None, handoff: None, open_statuses: Some([\"Open\"]), \
             refusal_openers: None, correction_openers: None, closing: None, \
             change_request: None, negation: None, doubt: None, negative_emotion: None, \
             bot_failure: None, confirmation_request: None }"
        );
        assert_eq!(format!("{config:?}"), config.fingerprint_text());
    }

    /// The lines of `text` from the first one containing `start` to the next blank line.
    fn block<'a>(text: &'a str, start: &str) -> String {
        let lines: Vec<&'a str> = text
            .lines()
            .skip_while(|l| !l.contains(start))
            .take_while(|l| !l.trim().is_empty())
            .collect();
        lines.join("\n")
    }

    #[test]
    fn the_docs_name_every_key() {
        for (doc, text) in [
            ("starter.toml", include_str!("../starter.toml")),
            ("README.md", include_str!("../../README.md")),
        ] {
            let section = block(text, "[phrases]");
            let words: Vec<&str> = section
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .collect();
            for r in &PHRASE_LISTS {
                assert!(words.contains(&r.key), "{doc} [phrases] lacks {}", r.key);
            }
        }
    }
}
