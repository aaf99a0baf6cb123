//! Helpers the format mappings share: lenient field types, skips, ids, categories, CSAT
//! scales and the rule that empty bodies never become messages.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::ingest::{Ctx, Skip, SkipKind};
use crate::model::{Conversation, CsatScale, Message, Role, Undated};
use crate::time::Timestamp;

/// A serde error as a skip: malformed JSON, or valid JSON whose fields have the wrong types.
pub fn json_error(ctx: &Ctx, what: &str, e: serde_json::Error) -> Skip {
    let kind = if e.is_data() {
        SkipKind::InvalidField
    } else {
        SkipKind::InvalidJson
    };
    ctx.skip(kind, format!("not a valid {what}: {e}"))
}

/// `serde_json::from_slice` for one record, validating its UTF-8 once: parsed from `&str`,
/// serde_json skips the check it otherwise makes on every string (4.6% of an audit under
/// callgrind, one call per field). Bytes that are not UTF-8 go the `from_slice` way, so
/// the error and its position are the same as before.
pub fn from_json<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    }
}

/// A scalar as text: strings as they are, numbers and booleans printed; null, empty strings
/// and containers -> None.
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The value at a dotted path already split into keys; array indices allowed.
pub fn lookup<'v, S: AsRef<str>>(value: &'v Value, path: &[S]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, key| match v {
        Value::Object(map) => map.get(key.as_ref()),
        Value::Array(items) => key
            .as_ref()
            .parse::<usize>()
            .ok()
            .and_then(|i| items.get(i)),
        _ => None,
    })
}

/// `--category-field`, read from the raw record (parsed again only when the flag is set).
pub fn category_field(bytes: &[u8], ctx: &Ctx) -> Option<String> {
    let path = ctx.opts.category_field.as_ref()?;
    let value: Value = from_json(bytes).ok()?;
    lookup(&value, path).and_then(scalar)
}

/// When a conversation began as its export says: the instant, or why there is none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Start {
    pub at: Option<Timestamp>,
    /// A time was given but cannot be read.
    pub undated: Option<Undated>,
}

impl Start {
    /// From the export's text; no text (or blank) is no time, not an unreadable one.
    pub fn parse(text: Option<&str>) -> Start {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Start::default();
        };
        match Timestamp::parse(text) {
            Some(at) => Start {
                at: Some(at),
                undated: None,
            },
            None => Start {
                at: None,
                undated: Some(Undated::unreadable(text)),
            },
        }
    }

    /// This start, or `other` when this one has no instant (the first reason is kept).
    pub fn or_else(self, other: impl FnOnce() -> Start) -> Start {
        if self.at.is_some() {
            return self;
        }
        let other = other();
        if other.at.is_some() {
            return other;
        }
        Start {
            at: None,
            undated: self.undated.or(other.undated),
        }
    }
}

/// When a conversation without a start time of its own began: its first message's time.
pub fn first_message_time(messages: &[Message]) -> Start {
    Start::parse(messages.first().and_then(|m| m.ts.as_deref()))
}

/// A rating on the vendor's scale, on the run's `--csat-scale`.
pub fn csat_onto_run(v: f64, vendor: CsatScale, ctx: &Ctx) -> Option<f64> {
    (v.is_finite() && v >= vendor.min && v <= vendor.max)
        .then(|| ctx.opts.csat_scale.from_scale(v, vendor))
}

pub const FIVE_POINT: CsatScale = CsatScale { min: 1.0, max: 5.0 };

/// Collects messages, dropping empty bodies: an attachment, a card or a blank message is
/// not something anybody said.
#[derive(Default)]
pub struct Messages {
    pub list: Vec<Message>,
}

impl Messages {
    /// Adds a message when `text` has any non-white-space; returns its index.
    pub fn push(&mut self, role: Role, text: &str, ts: Option<String>) -> Option<usize> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        self.list.push(Message {
            role,
            text: text.to_string(),
            ts,
        });
        Some(self.list.len() - 1)
    }
}

/// The common end of every mapping: a conversation needs at least one message.
/// Runs a format's record parser as ingest does, with default options, on record `line` of
/// `file`: the setup every format's unit tests share.
#[cfg(test)]
pub fn parse_record_for_test(
    parse: crate::ingest::RecordParser,
    file: &str,
    line: u64,
    json: &str,
) -> Result<Conversation, Skip> {
    let opts = crate::ingest::IngestOptions::default();
    let ctx = Ctx {
        location: crate::model::Location {
            file: 0,
            line,
            element: 0,
        },
        file,
        opts: &opts,
    };
    parse(json.as_bytes(), &ctx)
}

pub fn finish(conv: Conversation, ctx: &Ctx, what: &str) -> Result<Conversation, Skip> {
    if conv.messages.is_empty() {
        return Err(ctx.skip(
            SkipKind::NoMessages,
            format!(
                "{what} {} has no message with text (only empty bodies, attachments, \
                 internal notes or events)",
                conv.id
            ),
        ));
    }
    Ok(conv)
}

pub fn missing_id(ctx: &Ctx, what: &str, field: &str) -> Skip {
    ctx.skip(SkipKind::MissingId, format!("{what} has no {field}"))
}

pub fn unknown_role(ctx: &Ctx, id: &str, field: &str, value: &str, expected: &str) -> Skip {
    ctx.skip(
        SkipKind::UnknownRole,
        format!("conversation {id}: unknown {field} \"{value}\" (expected {expected})"),
    )
}

/// Serde helpers that accept what exports actually contain instead of failing the record.
pub mod lenient {
    use super::*;

    /// A string, or a number/boolean printed; anything else is None.
    pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(scalar(&Value::deserialize(d)?))
    }

    /// A number or a numeric string.
    pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }

    /// A boolean, or "true"/"false" text.
    pub fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Bool(b) => Some(b),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        })
    }

    /// A list that may be missing or null.
    pub fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::IngestOptions;
    use crate::model::Location;

    #[test]
    fn empty_bodies_are_not_messages() {
        let mut m = Messages::default();
        assert_eq!(m.push(Role::Customer, "  \n ", None), None);
        assert_eq!(m.push(Role::Bot, " hi ", None), Some(0));
        assert_eq!(m.list[0].text, "hi");
    }

    #[test]
    fn vendor_ratings_land_on_the_run_scale() {
        let opts = IngestOptions {
            csat_scale: CsatScale {
                min: 0.0,
                max: 10.0,
            },
            ..Default::default()
        };
        let ctx = Ctx {
            location: Location::default(),
            file: "f",
            opts: &opts,
        };
        assert_eq!(csat_onto_run(5.0, FIVE_POINT, &ctx), Some(10.0));
        assert_eq!(csat_onto_run(3.0, FIVE_POINT, &ctx), Some(5.0));
        assert_eq!(csat_onto_run(6.0, FIVE_POINT, &ctx), None, "off the scale");
    }
}
