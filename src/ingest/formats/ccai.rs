//! Google Contact Center AI Insights conversation data format (the JSON transcripts uploaded
//! for ingestion): `{"conversation_info": {"categories": [{"display_name"}]}, "entries":
//! [{"text", "role", "user_id", "start_timestamp_usec"}]}`. The format has no conversation id
//! (one file is one conversation), so the id is the record's `conversation_id`/`id`/`name`
//! when an export adds one, else the file name and line.

use serde::Deserialize;
use serde_json::Value;

use super::common::{self, json_error, lenient, Messages};
use super::{FormatSpec, JsonFormat, Reader, Shape};
use crate::ingest::time::{from_json, Unit};
use crate::ingest::{Ctx, IngestOptions, Skip};
use crate::model::{Conversation, Role};

pub static FORMAT: FormatSpec = FormatSpec {
    name: "ccai-insights",
    summary: "Google Contact Center AI Insights conversation JSON \
              (conversation_info.categories, entries with role, text, start_timestamp_usec)",
    reader: Reader::Json(JsonFormat {
        sniff,
        parse,
        events: None,
    }),
};

fn sniff(v: &Value, _: &IngestOptions) -> Option<Shape> {
    let first = v.get("entries")?.as_array()?.first()?;
    (first.get("role").is_some() && first.get("text").is_some()).then_some(Shape::Conversation)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Raw {
    #[serde(deserialize_with = "lenient::string")]
    conversation_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    name: Option<String>,
    conversation_info: Option<Info>,
    #[serde(deserialize_with = "lenient::list")]
    entries: Vec<Entry>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Info {
    #[serde(deserialize_with = "lenient::list")]
    categories: Vec<Category>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Category {
    #[serde(deserialize_with = "lenient::string")]
    display_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Entry {
    #[serde(deserialize_with = "lenient::string")]
    text: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    role: Option<String>,
    start_timestamp_usec: Option<Value>,
}

pub fn parse(bytes: &[u8], ctx: &Ctx) -> Result<Conversation, Skip> {
    let raw: Raw =
        common::from_json(bytes).map_err(|e| json_error(ctx, "CCAI Insights conversation", e))?;
    let id = raw
        .conversation_id
        .or(raw.id)
        .or(raw.name)
        .unwrap_or_else(|| ctx.location_id());
    let mut messages = Messages::default();
    for e in &raw.entries {
        let name = e.role.as_deref().unwrap_or("");
        let role = match name.to_ascii_uppercase().as_str() {
            "CUSTOMER" | "END_USER" => Role::Customer,
            "AUTOMATED_AGENT" => Role::Bot,
            "AGENT" | "HUMAN_AGENT" => Role::Agent,
            _ => {
                return Err(common::unknown_role(
                    ctx,
                    &id,
                    "role",
                    name,
                    "AGENT, AUTOMATED_AGENT, CUSTOMER or END_USER",
                ))
            }
        };
        let ts = e
            .start_timestamp_usec
            .as_ref()
            .and_then(|v| from_json(v, Unit::Micros));
        messages.push(role, e.text.as_deref().unwrap_or(""), ts);
    }
    let category = common::category_field(bytes, ctx).or_else(|| {
        raw.conversation_info
            .as_ref()
            .and_then(|i| i.categories.iter().find_map(|c| c.display_name.clone()))
    });
    let start = common::first_message_time(&messages.list);
    let conv = Conversation {
        started_at: start.at,
        undated: start.undated,
        id,
        category,
        messages: messages.list,
        location: ctx.location,
        ..Default::default()
    };
    common::finish(conv, ctx, "conversation")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::SkipKind;

    fn run(json: &str) -> Result<Conversation, Skip> {
        common::parse_record_for_test(parse, "exports/call-0042.json", 1, json)
    }

    #[test]
    fn roles_timestamps_category_and_file_id() {
        let c = run(r#"{"conversation_info": {"categories": [{"display_name": "Billing"}]},
          "entries": [
            {"start_timestamp_usec": 1700000000000000, "text": "Hello, I'm calling about my bill", "role": "CUSTOMER", "user_id": 1},
            {"start_timestamp_usec": 1700000005000000, "text": "I can help. What is your account number?", "role": "AUTOMATED_AGENT", "user_id": 2},
            {"start_timestamp_usec": 1700000009000000, "text": "", "role": "CUSTOMER", "user_id": 1},
            {"start_timestamp_usec": 1700000030000000, "text": "This is Sam from billing.", "role": "AGENT", "user_id": 3}
          ]}"#)
        .expect("valid");
        assert_eq!(c.id, "call-0042.json:1");
        assert_eq!(c.category.as_deref(), Some("Billing"));
        let roles: Vec<Role> = c.messages.iter().map(|m| m.role).collect();
        assert_eq!(roles, [Role::Customer, Role::Bot, Role::Agent]);
        assert_eq!(c.messages[1].ts.as_deref(), Some("2023-11-14T22:13:25Z"));
        assert_eq!(
            c.started_at.map(|t| t.to_string()).as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
    }

    #[test]
    fn unknown_role_is_a_skip() {
        let e = run(r#"{"entries": [{"text": "hi", "role": "SUPERVISOR", "user_id": 9}]}"#)
            .err()
            .map(|e| e.kind);
        assert_eq!(e, Some(SkipKind::UnknownRole));
    }
}
