//! Which category a conversation belongs to: the export's own category when it has one
//! (or the `--category-field` value, resolved at ingest), else "uncategorized"; with the
//! taxonomy opted in (`--categories taxonomy`, `[taxonomy]`), the keyword taxonomy over the
//! customer's first messages before "uncategorized". The built-in taxonomy is for consumer
//! finance: given silently to other exports it labelled YouTube and Apple support questions
//! as banking (issue 11), so it is no longer the default.

use std::collections::BTreeMap;

use super::lexicon;
use super::text::PhraseSet;
use super::Prepared;
use crate::model::{Conversation, Role};
use crate::summary::{OVERALL, RENAMED_OVERALL};

pub const UNCATEGORIZED: &str = "uncategorized";

/// Customer messages read for keywords: the opening request says what the chat is about;
/// later turns drift ("thanks", follow-ups on other topics).
const MESSAGES_READ: usize = 3;

/// A category named like the whole-corpus row is renamed ([`RENAMED_OVERALL`]).
pub fn not_overall(name: String) -> String {
    if name == OVERALL {
        RENAMED_OVERALL.to_string()
    } else {
        name
    }
}

/// The export's category, or [`UNCATEGORIZED`].
pub fn from_export(conv: &Conversation) -> String {
    match conv.category.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => not_overall(c.to_string()),
        _ => UNCATEGORIZED.to_string(),
    }
}

pub struct Taxonomy {
    names: Vec<String>,
    keywords: PhraseSet,
    /// keyword index -> category index
    owner: Vec<usize>,
}

impl Taxonomy {
    pub fn new(custom: Option<&BTreeMap<String, Vec<String>>>) -> Taxonomy {
        let entries: Vec<(String, Vec<String>)> = match custom {
            Some(map) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            None => lexicon::TAXONOMY
                .iter()
                .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
                .collect(),
        };
        let mut names = Vec::new();
        let mut phrases = Vec::new();
        let mut owner = Vec::new();
        for (i, (name, words)) in entries.into_iter().enumerate() {
            names.push(name);
            for w in words {
                // PhraseSet drops phrases that normalise to nothing; keep owner aligned.
                if !super::text::normalize(&w).is_empty() {
                    phrases.push(w);
                    owner.push(i);
                }
            }
        }
        Taxonomy {
            names,
            keywords: PhraseSet::new(&phrases),
            owner,
        }
    }

    /// The conversation's category; a category named like the whole-corpus row is renamed
    /// ([`RENAMED_OVERALL`]).
    pub fn categorize(&self, prep: &Prepared) -> String {
        not_overall(self.assign(prep))
    }

    fn assign(&self, prep: &Prepared) -> String {
        if let Some(c) = prep.conv.category.as_deref() {
            let c = c.trim();
            if !c.is_empty() {
                return c.to_string();
            }
        }
        let mut hits = vec![0usize; self.names.len()];
        for i in prep.indices(Role::Customer).take(MESSAGES_READ) {
            self.keywords
                .find_all_indices(&prep.normalized[i], |k| hits[self.owner[k]] += 1);
        }
        // Highest count wins; on a tie the earlier taxonomy entry (max_by_key keeps the last
        // maximum, so compare on reversed index).
        match hits
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)))
        {
            Some((i, _)) => self.names[i].clone(),
            None => UNCATEGORIZED.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Message;

    fn conv(category: Option<&str>, customer: &str) -> Conversation {
        Conversation {
            id: "t".into(),
            category: category.map(str::to_string),
            messages: vec![Message {
                role: Role::Customer,
                text: customer.into(),
                ts: None,
            }],
            ..Default::default()
        }
    }

    #[test]
    fn explicit_category_wins() {
        let t = Taxonomy::new(None);
        let c = conv(Some("billing"), "my parcel never arrived");
        assert_eq!(t.categorize(&Prepared::new(&c)), "billing");
    }

    #[test]
    fn keywords_pick_the_category() {
        let t = Taxonomy::new(None);
        let c = conv(None, "My parcel hasn't arrived and tracking shows nothing");
        assert_eq!(t.categorize(&Prepared::new(&c)), "delivery");
        let c = conv(None, "I forgot my password and I'm locked out");
        assert_eq!(t.categorize(&Prepared::new(&c)), "account_access");
    }

    #[test]
    fn no_keyword_is_uncategorized() {
        let t = Taxonomy::new(None);
        let c = conv(Some("  "), "hello there");
        assert_eq!(t.categorize(&Prepared::new(&c)), UNCATEGORIZED);
    }

    #[test]
    fn from_export_keeps_the_category_and_ignores_keywords() {
        assert_eq!(from_export(&conv(Some(" billing "), "hello")), "billing");
        let c = conv(None, "My parcel hasn't arrived and tracking shows nothing");
        assert_eq!(from_export(&c), UNCATEGORIZED);
        assert_eq!(from_export(&conv(Some("overall"), "x")), RENAMED_OVERALL);
    }

    #[test]
    fn custom_taxonomy_replaces_builtin() {
        let mut map = BTreeMap::new();
        map.insert("travel".to_string(), vec!["flight".to_string()]);
        let t = Taxonomy::new(Some(&map));
        let c = conv(None, "my flight was cancelled, parcel too");
        assert_eq!(t.categorize(&Prepared::new(&c)), "travel");
    }
}
