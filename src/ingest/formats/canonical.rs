//! The canonical JSON conversation object (README "Input schema") -> `Conversation`.

use serde::Deserialize;
use serde_json::Value;

use super::common::{lookup, scalar as scalar_ref, Start};
use super::{FormatSpec, JsonFormat, Reader, Shape};
use crate::ingest::{Ctx, IngestOptions, Skip, SkipKind};
use crate::model::{Conversation, Location, Message, Role};

pub static FORMAT: FormatSpec = FormatSpec {
    name: "canonical",
    summary: "handoff's own schema (README): JSON lines or an array of \
              {id, messages: [{role, text, ts}], category, csat, status}",
    reader: Reader::Json(JsonFormat {
        sniff,
        parse,
        events: None,
    }),
};

/// A `messages` array whose first entry has `text` (or a role without OpenAI's `content`).
fn sniff(v: &Value, _: &IngestOptions) -> Option<Shape> {
    let messages = v.get("messages")?.as_array()?;
    match messages.first() {
        None => Some(Shape::Conversation),
        Some(Value::Object(m))
            if m.contains_key("text") || (m.contains_key("role") && !m.contains_key("content")) =>
        {
            Some(Shape::Conversation)
        }
        _ => None,
    }
}

#[derive(Deserialize)]
struct RawConversation {
    id: Option<Value>,
    category: Option<Value>,
    channel: Option<Value>,
    bot_version: Option<Value>,
    started_at: Option<Value>,
    csat: Option<Value>,
    status: Option<Value>,
    messages: Option<Vec<RawMessage>>,
}

#[derive(Deserialize)]
struct RawMessage {
    role: Option<String>,
    text: Option<String>,
    ts: Option<Value>,
}

fn skip(kind: SkipKind, location: Location, message: impl Into<String>) -> Skip {
    Skip {
        kind,
        location,
        message: message.into(),
    }
}

fn scalar(v: Option<Value>) -> Option<String> {
    v.as_ref().and_then(scalar_ref)
}

/// The record parser (`RecordParser`).
pub fn parse(bytes: &[u8], ctx: &Ctx) -> Result<Conversation, Skip> {
    parse_record(bytes, ctx.location, ctx.opts)
}

pub fn parse_record(
    bytes: &[u8],
    location: Location,
    opts: &IngestOptions,
) -> Result<Conversation, Skip> {
    let invalid = |e: serde_json::Error| {
        skip(
            SkipKind::InvalidJson,
            location,
            format!("not a valid conversation object: {e}"),
        )
    };
    let (raw, field_category) = match &opts.category_field {
        None => (
            serde_json::from_slice::<RawConversation>(bytes).map_err(invalid)?,
            None,
        ),
        Some(path) => {
            let value: Value = serde_json::from_slice(bytes).map_err(invalid)?;
            let category = lookup(&value, path).and_then(scalar_ref);
            (serde_json::from_value(value).map_err(invalid)?, category)
        }
    };

    let id = scalar(raw.id).ok_or_else(|| {
        skip(
            SkipKind::MissingId,
            location,
            "missing \"id\" (a string or number)",
        )
    })?;
    let raw_messages = raw.messages.ok_or_else(|| {
        skip(
            SkipKind::NoMessages,
            location,
            format!("conversation {id} has no \"messages\" array"),
        )
    })?;
    if raw_messages.is_empty() {
        return Err(skip(
            SkipKind::NoMessages,
            location,
            format!("conversation {id} has an empty \"messages\" array"),
        ));
    }
    let mut messages = Vec::with_capacity(raw_messages.len());
    for (i, m) in raw_messages.into_iter().enumerate() {
        let role_name = m.role.unwrap_or_default();
        let role = Role::parse(&role_name).ok_or_else(|| {
            skip(
                SkipKind::UnknownRole,
                location,
                format!(
                    "conversation {id}, messages[{i}]: unknown role \"{role_name}\" \
                     (expected customer, bot, agent or system, or an alias such as user or assistant)"
                ),
            )
        })?;
        messages.push(Message {
            role,
            text: m.text.unwrap_or_default(),
            ts: scalar(m.ts),
        });
    }
    let csat = match raw.csat {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.trim().parse::<f64>().map_err(|_| {
            skip(
                SkipKind::InvalidField,
                location,
                format!("conversation {id}: \"csat\" is not a number: {s:?}"),
            )
        })?),
        Some(other) => {
            return Err(skip(
                SkipKind::InvalidField,
                location,
                format!("conversation {id}: \"csat\" is not a number: {other}"),
            ))
        }
    };
    let start = Start::parse(scalar(raw.started_at).as_deref());
    Ok(Conversation {
        category: scalar(raw.category).or(field_category),
        channel: scalar(raw.channel),
        bot_version: scalar(raw.bot_version),
        started_at: start.at,
        undated: start.undated,
        status: scalar(raw.status),
        csat,
        messages,
        marks: Default::default(),
        location,
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Conversation, Skip> {
        parse_record(s.as_bytes(), Location::default(), &IngestOptions::default())
    }

    #[test]
    fn full_record_with_aliases_and_numeric_id() {
        let c = parse(
            r#"{"id": 7, "category": "refunds", "csat": "4", "status": "solved", "extra": 1,
               "messages": [{"role": "User", "text": "hi"}, {"role": "assistant", "text": "hello", "ts": 5}]}"#,
        )
        .expect("valid");
        assert_eq!(c.id, "7");
        assert_eq!(c.category.as_deref(), Some("refunds"));
        assert_eq!(c.csat, Some(4.0));
        assert_eq!(c.messages[0].role, Role::Customer);
        assert_eq!(c.messages[1].role, Role::Bot);
        assert_eq!(c.messages[1].ts.as_deref(), Some("5"));
    }

    #[test]
    fn each_defect_has_its_own_skip_kind() {
        let kind = |s: &str| parse(s).err().map(|e| e.kind);
        assert_eq!(kind("{\"id\": 1, "), Some(SkipKind::InvalidJson));
        assert_eq!(kind("[1,2]"), Some(SkipKind::InvalidJson));
        assert_eq!(
            kind(r#"{"messages": [{"role":"bot","text":"x"}]}"#),
            Some(SkipKind::MissingId)
        );
        assert_eq!(kind(r#"{"id": "a"}"#), Some(SkipKind::NoMessages));
        assert_eq!(
            kind(r#"{"id": "a", "messages": []}"#),
            Some(SkipKind::NoMessages)
        );
        assert_eq!(
            kind(r#"{"id": "a", "messages": [{"role": "robot", "text": "x"}]}"#),
            Some(SkipKind::UnknownRole)
        );
        assert_eq!(
            kind(r#"{"id": "a", "csat": "great", "messages": [{"role": "bot", "text": "x"}]}"#),
            Some(SkipKind::InvalidField)
        );
    }

    #[test]
    fn category_field_path_is_used_when_category_is_absent() {
        let opts = IngestOptions {
            category_field: Some(vec!["metadata".into(), "intent".into()]),
            ..Default::default()
        };
        let rec = r#"{"id": "a", "metadata": {"intent": "card_lost"}, "messages": [{"role": "bot", "text": "x"}]}"#;
        let c = parse_record(rec.as_bytes(), Location::default(), &opts).expect("valid");
        assert_eq!(c.category.as_deref(), Some("card_lost"));
    }
}
