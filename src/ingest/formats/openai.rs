//! OpenAI-style chat logs, as LLM apps log them and fine-tuning files hold them:
//! `{"messages": [{"role": "system|developer|user|assistant|tool", "content": ...}]}` where
//! `content` is a string or a list of parts. Text parts (`text`, `input_text`,
//! `output_text`) and refusals are read; images, audio and files are not messages, nor is an
//! assistant turn that only calls tools. The id is the record's `id` when present, else the
//! file name and line.

use serde::Deserialize;
use serde_json::Value;

use super::common::{self, json_error, lenient, Messages};
use super::{FormatSpec, JsonFormat, Reader, Shape};
use crate::ingest::{Ctx, IngestOptions, Skip};
use crate::model::{Conversation, Role};

pub static FORMAT: FormatSpec = FormatSpec {
    name: "openai",
    summary: "OpenAI-style chat logs / fine-tuning JSONL: {messages: [{role, content}]}, \
              content a string or a list of parts",
    reader: Reader::Json(JsonFormat {
        sniff,
        parse,
        events: None,
    }),
};

fn sniff(v: &Value, _: &IngestOptions) -> Option<Shape> {
    let first = v.get("messages")?.as_array()?.first()?;
    (first.get("role").is_some() && first.get("content").is_some() && first.get("text").is_none())
        .then_some(Shape::Conversation)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Raw {
    #[serde(deserialize_with = "lenient::string")]
    id: Option<String>,
    #[serde(deserialize_with = "lenient::list")]
    messages: Vec<Msg>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Msg {
    #[serde(deserialize_with = "lenient::string")]
    role: Option<String>,
    content: Value,
    #[serde(deserialize_with = "lenient::string")]
    refusal: Option<String>,
}

/// The text of `content`: a string, or the text parts of a list joined by new lines.
fn content_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| match p {
                Value::String(s) => Some(s.as_str()),
                Value::Object(o) => match o.get("type").and_then(Value::as_str) {
                    Some("text" | "input_text" | "output_text") | None => {
                        o.get("text").and_then(Value::as_str)
                    }
                    Some("refusal") => o.get("refusal").and_then(Value::as_str),
                    _ => None,
                },
                _ => None,
            })
            .filter(|t| !t.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

pub fn parse(bytes: &[u8], ctx: &Ctx) -> Result<Conversation, Skip> {
    let raw: Raw = common::from_json(bytes).map_err(|e| json_error(ctx, "chat log record", e))?;
    let id = raw.id.unwrap_or_else(|| ctx.location_id());
    let mut messages = Messages::default();
    for m in &raw.messages {
        let name = m.role.as_deref().unwrap_or("");
        let role = match name {
            "user" => Role::Customer,
            "assistant" => Role::Bot,
            "system" | "developer" | "tool" | "function" => Role::System,
            _ => {
                return Err(common::unknown_role(
                    ctx,
                    &id,
                    "role",
                    name,
                    "system, developer, user, assistant or tool",
                ))
            }
        };
        let mut text = content_text(&m.content);
        if text.trim().is_empty() {
            text = m.refusal.clone().unwrap_or_default();
        }
        messages.push(role, &text, None);
    }
    let conv = Conversation {
        category: common::category_field(bytes, ctx),
        id,
        messages: messages.list,
        location: ctx.location,
        ..Default::default()
    };
    common::finish(conv, ctx, "chat")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::SkipKind;

    fn run(json: &str) -> Result<Conversation, Skip> {
        common::parse_record_for_test(parse, "/logs/chat-2024-06.jsonl", 12, json)
    }

    #[test]
    fn roles_parts_tool_calls_and_location_id() {
        let c = run(r#"{"messages": [
            {"role": "system", "content": "You are a support bot for Acme."},
            {"role": "user", "content": [{"type": "text", "text": "Why was I charged twice?"}, {"type": "image_url", "image_url": {"url": "data:..."}}]},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "t1", "content": "{\"charges\": 2}"},
            {"role": "assistant", "content": [{"type": "output_text", "text": "I see two charges; one is a hold."}]},
            {"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "..."}}]},
            {"role": "assistant", "content": null, "refusal": "I can't share other customers' data."}
        ]}"#)
        .expect("valid");
        assert_eq!(c.id, "chat-2024-06.jsonl:12");
        let roles: Vec<Role> = c.messages.iter().map(|m| m.role).collect();
        assert_eq!(
            roles,
            [
                Role::System,
                Role::Customer,
                Role::System,
                Role::Bot,
                Role::Bot
            ]
        );
        assert_eq!(c.messages[1].text, "Why was I charged twice?");
        assert_eq!(c.messages[4].text, "I can't share other customers' data.");
    }

    #[test]
    fn explicit_id_unknown_role_and_empty_chats() {
        let c = run(r#"{"id": "chatcmpl-1", "messages": [{"role": "user", "content": "hi"}]}"#)
            .expect("valid");
        assert_eq!(c.id, "chatcmpl-1");
        let kind = |s: &str| run(s).err().map(|e| e.kind);
        assert_eq!(
            kind(r#"{"messages": [{"role": "moderator", "content": "x"}]}"#),
            Some(SkipKind::UnknownRole)
        );
        assert_eq!(kind(r#"{"messages": []}"#), Some(SkipKind::NoMessages));
    }
}
