//! The canonical JSON conversation object (README "Input schema") -> `Conversation`.

use std::borrow::Cow;

use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::common::{self, lookup, scalar as scalar_ref, Start};
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

/// The record as read: text fields borrowed from the input buffer where the JSON has no
/// escape, so a field costs one allocation (the `String` kept) or none (a role, a start
/// time), not two (a `Value` and then its copy): about 3 fewer allocations per message.
#[derive(Deserialize)]
struct RawConversation<'a> {
    #[serde(borrow)]
    id: Option<Scalar<'a>>,
    #[serde(borrow)]
    category: Option<Scalar<'a>>,
    #[serde(borrow)]
    channel: Option<Scalar<'a>>,
    #[serde(borrow)]
    bot_version: Option<Scalar<'a>>,
    #[serde(borrow)]
    started_at: Option<Scalar<'a>>,
    // Kept as a value: a container is quoted as JSON in its skip message.
    csat: Option<Value>,
    #[serde(borrow)]
    status: Option<Scalar<'a>>,
    #[serde(borrow)]
    messages: Option<Vec<RawMessage<'a>>>,
}

#[derive(Deserialize)]
struct RawMessage<'a> {
    #[serde(borrow)]
    role: Option<Cow<'a, str>>,
    text: Option<String>,
    #[serde(borrow)]
    ts: Option<Scalar<'a>>,
}

/// A field read as `common::scalar` reads a `Value`, without building one: strings
/// (borrowed when unescaped), numbers and booleans; anything else is no value.
enum Scalar<'a> {
    Str(Cow<'a, str>),
    Number(serde_json::Number),
    Bool(bool),
    None,
}

impl Scalar<'_> {
    /// As `common::scalar` would give it.
    fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Scalar::Str(s) if s.trim().is_empty() => None,
            Scalar::Str(s) => Some(Cow::Borrowed(s.as_ref())),
            Scalar::Number(n) => Some(Cow::Owned(n.to_string())),
            Scalar::Bool(b) => Some(Cow::Owned(b.to_string())),
            Scalar::None => None,
        }
    }

    fn into_string(self) -> Option<String> {
        match self {
            Scalar::Str(s) if s.trim().is_empty() => None,
            Scalar::Str(s) => Some(s.into_owned()),
            other => other.text().map(Cow::into_owned),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor(std::marker::PhantomData))
    }
}

struct ScalarVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ScalarVisitor<'a> {
    type Value = Scalar<'a>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Number(n.into()))
    }

    // As `Value` reads it: a float JSON cannot hold is null.
    fn visit_f64<E>(self, n: f64) -> Result<Scalar<'a>, E> {
        Ok(serde_json::Number::from_f64(n).map_or(Scalar::None, Scalar::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Str(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Str(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E>(self, s: String) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Str(Cow::Owned(s)))
    }

    fn visit_unit<E>(self) -> Result<Scalar<'a>, E> {
        Ok(Scalar::None)
    }

    fn visit_none<E>(self) -> Result<Scalar<'a>, E> {
        Ok(Scalar::None)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Scalar<'a>, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'a>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'a>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::None)
    }
}

fn skip(kind: SkipKind, location: Location, message: impl Into<String>) -> Skip {
    Skip {
        kind,
        location,
        message: message.into(),
    }
}

fn scalar(v: Option<Scalar>) -> Option<String> {
    v.and_then(Scalar::into_string)
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
    let value: Value;
    let (raw, field_category) = match &opts.category_field {
        None => (
            common::from_json::<RawConversation>(bytes).map_err(invalid)?,
            None,
        ),
        Some(path) => {
            value = common::from_json(bytes).map_err(invalid)?;
            let category = lookup(&value, path).and_then(scalar_ref);
            (
                RawConversation::deserialize(&value).map_err(invalid)?,
                category,
            )
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
    let start = Start::parse(raw.started_at.as_ref().and_then(Scalar::text).as_deref());
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
        label: None,
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
    fn fields_read_borrowed_as_values_were() {
        // Escaped strings (owned), numbers, booleans, floats, blanks and containers give
        // what `common::scalar` gives for the same JSON value.
        let c = parse(
            r#"{"id": "a\"b", "category": true, "channel": 1.5, "bot_version": [1],
               "status": "  ", "started_at": {"at": 1}, "csat": 4,
               "messages": [{"role": " BOT ", "text": "caf\u00e9", "ts": -3}]}"#,
        )
        .expect("valid");
        assert_eq!(c.id, "a\"b");
        assert_eq!(c.category.as_deref(), Some("true"));
        assert_eq!(c.channel.as_deref(), Some("1.5"));
        assert_eq!(c.bot_version, None);
        assert_eq!(c.status, None);
        assert!(c.started_at.is_none() && c.undated.is_none());
        assert_eq!(c.messages[0].role, Role::Bot);
        assert_eq!(c.messages[0].text, "caf\u{e9}");
        assert_eq!(c.messages[0].ts.as_deref(), Some("-3"));
        // A role too long for any name is unknown, not a panic.
        let long = format!(
            r#"{{"id": 1, "messages": [{{"role": "{}"}}]}}"#,
            "x".repeat(40)
        );
        assert_eq!(
            parse(&long).err().map(|e| e.kind),
            Some(SkipKind::UnknownRole)
        );
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
