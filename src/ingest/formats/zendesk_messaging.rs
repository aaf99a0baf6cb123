//! Zendesk messaging (Sunshine Conversations API v2): a conversation's messages as returned
//! by List Messages, with the conversation's id: `{"conversation": {"id": ...}, "messages":
//! [...]}` (Get Conversation and List Messages merged) or `{"id": ..., "messages": [...]}`.
//!
//! `author.type` "user" is the customer; "business" is the bot when it carries the "AI"
//! subtype or was not sent from the Zendesk Agent Workspace (`source.type`
//! "zd:agentWorkspace"), which is where human agents' messages come from. Only a message's
//! text (`content.text`, or `textFallback` for forms) is read: images, files and carousels
//! without text are not messages.

use serde::Deserialize;
use serde_json::Value;

use super::common::{self, json_error, lenient, Messages};
use super::{FormatSpec, JsonFormat, Reader, Shape};
use crate::ingest::{Ctx, IngestOptions, Skip};
use crate::model::{Conversation, Role};

pub static FORMAT: FormatSpec = FormatSpec {
    name: "zendesk-messaging",
    summary: "Zendesk messaging (Sunshine Conversations) messages of a conversation: \
              {conversation: {id}, messages: [{author, content, received}]}",
    reader: Reader::Json(JsonFormat {
        sniff,
        parse,
        events: None,
    }),
};

fn sniff(v: &Value, _: &IngestOptions) -> Option<Shape> {
    let first = v.get("messages")?.as_array()?.first()?;
    (first.get("author").is_some_and(Value::is_object) && first.get("content").is_some())
        .then_some(Shape::Conversation)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Record {
    conversation: Option<Conv>,
    #[serde(deserialize_with = "lenient::string")]
    id: Option<String>,
    #[serde(rename = "conversationId", deserialize_with = "lenient::string")]
    conversation_id: Option<String>,
    #[serde(deserialize_with = "lenient::list")]
    messages: Vec<Msg>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Conv {
    #[serde(deserialize_with = "lenient::string")]
    id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Msg {
    #[serde(deserialize_with = "lenient::string")]
    received: Option<String>,
    author: Author,
    content: Content,
    source: Option<Source>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Author {
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    kind: Option<String>,
    #[serde(deserialize_with = "lenient::list")]
    subtypes: Vec<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Content {
    #[serde(deserialize_with = "lenient::string")]
    text: Option<String>,
    #[serde(rename = "textFallback", deserialize_with = "lenient::string")]
    text_fallback: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Source {
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    kind: Option<String>,
}

pub fn parse(bytes: &[u8], ctx: &Ctx) -> Result<Conversation, Skip> {
    let raw: Record = common::from_json(bytes)
        .map_err(|e| json_error(ctx, "Zendesk messaging conversation", e))?;
    let id = raw
        .conversation
        .and_then(|c| c.id)
        .or(raw.conversation_id)
        .or(raw.id)
        .ok_or_else(|| {
            common::missing_id(
                ctx,
                "Zendesk messaging record",
                "conversation id (\"conversation\": {\"id\"} or \"id\")",
            )
        })?;
    let mut messages = Messages::default();
    for m in &raw.messages {
        let kind = m.author.kind.as_deref().unwrap_or("");
        let role = match kind {
            "user" => Role::Customer,
            "business" => {
                let ai = m.author.subtypes.iter().any(|s| s.as_str() == Some("AI"));
                let workspace = m
                    .source
                    .as_ref()
                    .and_then(|s| s.kind.as_deref())
                    .is_some_and(|t| t == "zd:agentWorkspace");
                if workspace && !ai {
                    Role::Agent
                } else {
                    Role::Bot
                }
            }
            other => {
                return Err(common::unknown_role(
                    ctx,
                    &id,
                    "author.type",
                    other,
                    "user or business",
                ))
            }
        };
        let text = [&m.content.text, &m.content.text_fallback]
            .into_iter()
            .flatten()
            .find(|t| !t.trim().is_empty());
        if let Some(text) = text {
            messages.push(role, text, m.received.clone());
        }
    }
    let start = common::first_message_time(&messages.list);
    let conv = Conversation {
        started_at: start.at,
        undated: start.undated,
        category: common::category_field(bytes, ctx),
        id,
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
        common::parse_record_for_test(parse, "m.json", 0, json)
    }

    #[test]
    fn user_ai_bot_and_agent_workspace() {
        let c = run(r#"{"conversation": {"id": "c1"}, "messages": [
            {"author": {"type": "user"}, "content": {"type": "text", "text": "Hola, mi pedido?"}, "received": "2024-01-01T10:00:00.000Z"},
            {"author": {"type": "business", "subtypes": ["AI"]}, "content": {"type": "text", "text": "Let me check."}, "source": {"type": "zd:answerBot"}},
            {"author": {"type": "user"}, "content": {"type": "image", "mediaUrl": "https://x/y.png"}},
            {"author": {"type": "business"}, "content": {"type": "text", "text": "Agent Kim here."}, "source": {"type": "zd:agentWorkspace"}},
            {"author": {"type": "business"}, "content": {"type": "formResponse", "textFallback": "Email: a@b.c"}, "source": {"type": "api:conversations"}}
        ]}"#)
        .expect("valid");
        let roles: Vec<Role> = c.messages.iter().map(|m| m.role).collect();
        assert_eq!(roles, [Role::Customer, Role::Bot, Role::Agent, Role::Bot]);
        assert_eq!(
            c.started_at.map(|t| t.to_string()).as_deref(),
            Some("2024-01-01T10:00:00Z")
        );
        assert_eq!(c.messages[3].text, "Email: a@b.c");
    }

    #[test]
    fn missing_id_and_unknown_author_are_skips() {
        let kind = |s: &str| run(s).err().map(|e| e.kind);
        assert_eq!(
            kind(r#"{"messages": [{"author": {"type": "user"}, "content": {"text": "hi"}}]}"#),
            Some(SkipKind::MissingId)
        );
        assert_eq!(
            kind(
                r#"{"id": "c", "messages": [{"author": {"type": "robot"}, "content": {"text": "hi"}}]}"#
            ),
            Some(SkipKind::UnknownRole)
        );
        assert_eq!(
            kind(
                r#"{"id": "c", "messages": [{"author": {"type": "user"}, "content": {"type": "file"}}]}"#
            ),
            Some(SkipKind::NoMessages)
        );
    }
}
