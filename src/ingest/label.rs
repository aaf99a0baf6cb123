//! `calibrate --label-field PATH[=VALUE]`: a team's own outcome for each conversation
//! (`escalated`, `reopened`, a QA verdict...), read from the record at ingest so that
//! calibration can fit the needs-human probability to it instead of to low CSAT.
//!
//! Read once per record, beside the format's own parser (`RawChunk::parse`), from the same
//! bytes: every record-per-conversation format gets it without a line of its own. The
//! per-message CSV reads it as a column. Formats that assemble a conversation from many
//! records (Twitter threads, Rasa events, Bot Framework activity lists) have no one record
//! to read it from; calibrate says so when no conversation carries the field.

use serde_json::Value;

use crate::model::Label;

/// Where the label lives and what counts as positive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelField {
    /// Dotted path, split into keys (array indices allowed, as for `--category-field`).
    pub path: Vec<String>,
    /// `PATH=VALUE`: positive exactly when the field's text equals VALUE (case-insensitive);
    /// any other present value is negative. Without it the field must read as a yes/no.
    pub equals: Option<String>,
}

impl LabelField {
    /// `metadata.escalated` or `status=reopened`.
    pub fn parse(text: &str) -> Result<LabelField, String> {
        let (path, equals) = match text.split_once('=') {
            Some((p, v)) => (p, Some(v.trim().to_string())),
            None => (text, None),
        };
        let path: Vec<String> = path.trim().split('.').map(str::to_string).collect();
        if path.iter().any(String::is_empty) {
            return Err("expected a dotted path such as metadata.escalated, \
                        optionally =VALUE (status=reopened)"
                .into());
        }
        if equals.as_deref() == Some("") {
            return Err("expected a value after '=' (status=reopened)".into());
        }
        Ok(LabelField { path, equals })
    }

    /// The path as the user wrote it (for messages and the report).
    pub fn name(&self) -> String {
        self.path.join(".")
    }

    /// What a positive label means, for the report: "escalated is true",
    /// "status = reopened".
    pub fn describe(&self) -> String {
        match &self.equals {
            Some(v) => format!("{} = {v}", self.name()),
            None => format!("{} is true", self.name()),
        }
    }

    /// The label of one record's JSON bytes; None when the field is absent or null.
    pub fn read_json(&self, bytes: &[u8]) -> Option<Label> {
        let value: Value = crate::ingest::formats::common::from_json(bytes).ok()?;
        let at = crate::ingest::formats::common::lookup(&value, &self.path)?;
        match at {
            Value::Null => None,
            Value::Bool(b) => Some(self.of_bool(*b)),
            Value::Number(n) => self.read_text(&n.to_string()),
            Value::String(s) => self.read_text(s),
            other => Some(Label::Unreadable(shorten(&other.to_string()))),
        }
    }

    /// The label of a text value (a CSV cell, a JSON string or number); None when blank.
    pub fn read_text(&self, text: &str) -> Option<Label> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        if let Some(v) = &self.equals {
            return Some(if t.eq_ignore_ascii_case(v) {
                Label::Positive
            } else {
                Label::Negative
            });
        }
        let yes = ["true", "yes", "y", "1", "t"];
        let no = ["false", "no", "n", "0", "f"];
        if yes.iter().any(|w| t.eq_ignore_ascii_case(w)) {
            Some(Label::Positive)
        } else if no.iter().any(|w| t.eq_ignore_ascii_case(w)) {
            Some(Label::Negative)
        } else {
            match t.parse::<f64>() {
                // 1.0, 0.0 and the like; any other number is not a yes/no.
                Ok(1.0) => Some(Label::Positive),
                Ok(0.0) => Some(Label::Negative),
                _ => Some(Label::Unreadable(shorten(t))),
            }
        }
    }

    fn of_bool(&self, b: bool) -> Label {
        match &self.equals {
            Some(v) if b.to_string().eq_ignore_ascii_case(v) => Label::Positive,
            Some(_) => Label::Negative,
            None if b => Label::Positive,
            None => Label::Negative,
        }
    }
}

/// A value quoted in a message: a hostile one can be long.
fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(text: &str) -> LabelField {
        LabelField::parse(text).expect("valid")
    }

    #[test]
    fn paths_and_values_parse_and_bad_ones_are_refused() {
        assert_eq!(
            field("metadata.escalated"),
            LabelField {
                path: vec!["metadata".into(), "escalated".into()],
                equals: None
            }
        );
        assert_eq!(field("status=reopened").equals.as_deref(), Some("reopened"));
        for bad in ["", "a..b", ".a", "status="] {
            assert!(LabelField::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn yes_no_values_of_every_json_type() {
        let f = field("m.escalated");
        let read = |json: &str| f.read_json(json.as_bytes());
        assert_eq!(read(r#"{"m":{"escalated":true}}"#), Some(Label::Positive));
        assert_eq!(read(r#"{"m":{"escalated":false}}"#), Some(Label::Negative));
        assert_eq!(read(r#"{"m":{"escalated":1}}"#), Some(Label::Positive));
        assert_eq!(read(r#"{"m":{"escalated":0.0}}"#), Some(Label::Negative));
        assert_eq!(read(r#"{"m":{"escalated":"Yes"}}"#), Some(Label::Positive));
        assert_eq!(read(r#"{"m":{"escalated":"no"}}"#), Some(Label::Negative));
        assert_eq!(read(r#"{"m":{"escalated":null}}"#), None);
        assert_eq!(read(r#"{"m":{}}"#), None);
        assert_eq!(read(r#"{"m":{"escalated":"  "}}"#), None);
        assert_eq!(
            read(r#"{"m":{"escalated":"maybe"}}"#),
            Some(Label::Unreadable("maybe".into()))
        );
        assert_eq!(
            read(r#"{"m":{"escalated":2}}"#),
            Some(Label::Unreadable("2".into()))
        );
        assert_eq!(
            read(r#"{"m":{"escalated":[1]}}"#),
            Some(Label::Unreadable("[1]".into()))
        );
        assert_eq!(read("not json"), None);
    }

    #[test]
    fn equals_compares_text_case_insensitively() {
        let f = field("status=Reopened");
        assert_eq!(f.read_text("reopened"), Some(Label::Positive));
        assert_eq!(f.read_text("solved"), Some(Label::Negative));
        assert_eq!(f.read_text(""), None);
        assert_eq!(
            f.read_json(br#"{"status":"REOPENED"}"#),
            Some(Label::Positive)
        );
        let t = field("flag=true");
        assert_eq!(t.read_json(br#"{"flag":true}"#), Some(Label::Positive));
        assert_eq!(t.read_json(br#"{"flag":false}"#), Some(Label::Negative));
        assert_eq!(f.describe(), "status = Reopened");
        assert_eq!(field("a.b").describe(), "a.b is true");
    }
}
