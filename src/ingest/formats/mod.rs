//! The export formats `handoff audit` reads: one file each, one line each in `FORMATS`.
//!
//! A JSON format says how to recognise its records (`sniff`, run on a file's first record),
//! how to turn one record into a conversation (`parse`, run in parallel), and, when its
//! records can also be single events of a conversation (Bot Framework activities, Rasa
//! events, Dialogflow BigQuery rows), how to group and build them. A CSV format recognises
//! its header and reads the whole file itself. docs/formats.md documents each mapping.

pub mod botframework;
pub mod canonical;
pub mod ccai;
pub(crate) mod common;
pub mod csv;
pub mod dialogflow_cx;
pub mod intercom;
pub mod mapping;
pub mod openai;
pub mod rasa;
pub mod twitter;
pub mod zendesk;
pub mod zendesk_messaging;

use std::io::BufRead;

use serde_json::Value;

use super::{Batch, Ctx, IngestOptions, Input, RecordParser, Skip};
use crate::error::Result;
use crate::model::Conversation;

/// Every format, in detection order: specific shapes before generic ones.
pub static FORMATS: &[&FormatSpec] = &[
    &mapping::FORMAT,
    &zendesk::FORMAT,
    &zendesk_messaging::FORMAT,
    &intercom::FORMAT,
    &ccai::FORMAT,
    &dialogflow_cx::FORMAT,
    &botframework::FORMAT,
    &rasa::FORMAT,
    &openai::FORMAT,
    &canonical::FORMAT,
    &twitter::FORMAT,
    &csv::FORMAT,
];

#[derive(Debug)]
pub struct FormatSpec {
    /// What `--input-format` takes.
    pub name: &'static str,
    /// One line for `handoff formats`.
    pub summary: &'static str,
    pub reader: Reader,
}

#[derive(Debug)]
pub enum Reader {
    Json(JsonFormat),
    Csv(CsvFormat),
}

/// Is a JSON record a whole conversation or one event of one?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Conversation,
    Event,
}

#[derive(Debug)]
pub struct JsonFormat {
    /// Recognises a record of this format (None: not this format).
    pub sniff: fn(&Value, &IngestOptions) -> Option<Shape>,
    pub parse: RecordParser,
    pub events: Option<EventFormat>,
}

/// Formats whose records can be single events; a file's events are grouped by `key` (held
/// in memory until the file ends) and each group is built into one conversation.
#[derive(Debug)]
pub struct EventFormat {
    /// The conversation an event belongs to.
    pub key: fn(&Value) -> Option<String>,
    /// Events without a key: one conversation per file (a Bot Framework `.transcript`) or a
    /// skip.
    pub keyless: Keyless,
    /// Builds one conversation from its events in file order; `key` is None for the
    /// file-wide group.
    pub build: EventBuilder,
}

/// Builds one conversation from the events of one key.
pub type EventBuilder =
    fn(Option<&str>, Vec<Value>, &Ctx) -> std::result::Result<Conversation, Skip>;

/// Reads a whole CSV input, handing batches to the sink; returns the records read.
pub type CsvReader = fn(
    &Input,
    &mut dyn BufRead,
    &IngestOptions,
    &mut dyn FnMut(Batch) -> Result<()>,
) -> Result<u64>;

#[derive(Debug, Clone, Copy)]
pub enum Keyless {
    FileGroup,
    Skip(&'static str),
}

#[derive(Debug)]
pub struct CsvFormat {
    /// Recognises the header row.
    pub sniff: fn(&::csv::StringRecord, &IngestOptions) -> bool,
    pub read: CsvReader,
}

impl FormatSpec {
    pub fn json(&self) -> Option<&JsonFormat> {
        match &self.reader {
            Reader::Json(j) => Some(j),
            Reader::Csv(_) => None,
        }
    }

    pub fn csv(&self) -> Option<&CsvFormat> {
        match &self.reader {
            Reader::Csv(c) => Some(c),
            Reader::Json(_) => None,
        }
    }
}

pub fn find(name: &str) -> Option<&'static FormatSpec> {
    FORMATS
        .iter()
        .copied()
        .find(|f| f.name.eq_ignore_ascii_case(name.trim()))
}

pub fn names() -> Vec<&'static str> {
    FORMATS.iter().map(|f| f.name).collect()
}

/// The JSON formats tried by detection; the mapping only when `--mapping` was given.
pub fn json_candidates(opts: &IngestOptions) -> impl Iterator<Item = &'static FormatSpec> + '_ {
    FORMATS
        .iter()
        .copied()
        .filter(|f| f.json().is_some())
        .filter(|f| f.name != mapping::FORMAT.name || opts.mapping.is_some())
}

pub fn csv_candidates() -> impl Iterator<Item = &'static FormatSpec> {
    FORMATS.iter().copied().filter(|f| f.csv().is_some())
}

/// `handoff formats`: one line per format.
pub fn describe() -> String {
    let width = FORMATS.iter().map(|f| f.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for f in FORMATS {
        out.push_str(&format!("{:width$}  {}\n", f.name, f.summary));
    }
    out.push_str(
        "\nThe format of each input is detected from its first record or header; \
         --input-format NAME forces one.\n\
         .gz and .zst inputs (and stdin) are decompressed transparently. \
         Field mappings: docs/formats.md.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_findable() {
        let mut names = names();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "duplicate format name");
        assert_eq!(find("Zendesk").map(|f| f.name), Some("zendesk"));
        assert!(find("freshdesk").is_none());
    }

    #[test]
    fn mapping_is_a_candidate_only_with_a_mapping_file() {
        let opts = IngestOptions::default();
        assert!(json_candidates(&opts).all(|f| f.name != "mapping"));
        assert!(json_candidates(&opts).any(|f| f.name == "canonical"));
        assert!(csv_candidates().all(|f| f.csv().is_some()));
    }
}
