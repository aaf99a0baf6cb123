//! Intercom: conversation objects as Retrieve a Conversation returns them (REST API 2.x):
//! the opening `source` message plus `conversation_parts.conversation_parts`, with HTML
//! bodies, `conversation_rating` (1-5), `state`, tags and the AI agent's (Fin's) resolution
//! state.
//!
//! Authors: user, lead and contact are the customer; admin and team are agents, except that
//! a part sent by the AI agent (`from_ai_agent` / `is_ai_answer`) is the bot, as is author
//! type bot. Notes are internal and never messages; event parts (assignments, state changes)
//! are messages only when they carry a body the customer saw.

use serde::Deserialize;
use serde_json::Value;

use super::common::{self, json_error, lenient, Messages, FIVE_POINT};
use super::{FormatSpec, JsonFormat, Reader, Shape};
use crate::ingest::time::{iso_from_number, Unit};
use crate::ingest::{html, Ctx, IngestOptions, Skip};
use crate::model::{Conversation, Role};

pub static FORMAT: FormatSpec = FormatSpec {
    name: "intercom",
    summary: "Intercom conversation objects (source + conversation_parts, HTML bodies, \
              conversation_rating, state, tags, ai_agent)",
    reader: Reader::Json(JsonFormat {
        sniff,
        parse,
        events: None,
    }),
};

fn sniff(v: &Value, _: &IngestOptions) -> Option<Shape> {
    let conversation = v.get("type").and_then(Value::as_str) == Some("conversation");
    let parts = v.get("conversation_parts").is_some_and(Value::is_object);
    let source = v.get("source").is_some_and(|s| s.get("author").is_some());
    ((conversation || parts) && source).then_some(Shape::Conversation)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Raw {
    #[serde(deserialize_with = "lenient::string")]
    id: Option<String>,
    #[serde(deserialize_with = "lenient::number")]
    created_at: Option<f64>,
    #[serde(deserialize_with = "lenient::string")]
    state: Option<String>,
    source: Option<Part>,
    conversation_parts: Option<Parts>,
    conversation_rating: Option<Rating>,
    tags: Option<Tags>,
    ai_agent: Option<AiAgent>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Parts {
    #[serde(deserialize_with = "lenient::list")]
    conversation_parts: Vec<Part>,
}

/// A conversation part, or the source message (which has no `part_type`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Part {
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    kind: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    part_type: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    body: Option<String>,
    #[serde(deserialize_with = "lenient::number")]
    created_at: Option<f64>,
    author: Option<Author>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Author {
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    kind: Option<String>,
    #[serde(deserialize_with = "lenient::boolean")]
    from_ai_agent: Option<bool>,
    #[serde(deserialize_with = "lenient::boolean")]
    is_ai_answer: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Rating {
    #[serde(deserialize_with = "lenient::number")]
    rating: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Tags {
    #[serde(deserialize_with = "lenient::list")]
    tags: Vec<Tag>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Tag {
    #[serde(deserialize_with = "lenient::string")]
    name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AiAgent {
    #[serde(deserialize_with = "lenient::string")]
    resolution_state: Option<String>,
    #[serde(deserialize_with = "lenient::number")]
    rating: Option<f64>,
}

fn role(author: Option<&Author>, id: &str, ctx: &Ctx) -> Result<Role, Skip> {
    let a = author.ok_or_else(|| common::unknown_role(ctx, id, "author", "(none)", "an author"))?;
    let ai = a.from_ai_agent == Some(true) || a.is_ai_answer == Some(true);
    Ok(match a.kind.as_deref().unwrap_or("") {
        "user" | "lead" | "contact" => Role::Customer,
        "bot" => Role::Bot,
        "admin" | "team" if ai => Role::Bot,
        "admin" | "team" => Role::Agent,
        other => {
            return Err(common::unknown_role(
                ctx,
                id,
                "author.type",
                other,
                "user, lead, contact, admin, team or bot",
            ))
        }
    })
}

/// Intercom's conversation state and the AI agent's resolution, as a canonical status.
fn status(state: Option<&str>, ai: Option<&str>) -> Option<String> {
    match ai {
        Some("routed_to_team") => return Some("escalated".into()),
        Some("abandoned") => return Some("abandoned".into()),
        _ => {}
    }
    state.map(|s| match s {
        "snoozed" => "pending".to_string(),
        other => other.to_ascii_lowercase(),
    })
}

pub fn parse(bytes: &[u8], ctx: &Ctx) -> Result<Conversation, Skip> {
    let raw: Raw =
        common::from_json(bytes).map_err(|e| json_error(ctx, "Intercom conversation", e))?;
    let id = raw
        .id
        .ok_or_else(|| common::missing_id(ctx, "Intercom conversation", "\"id\""))?;
    let ts = |secs: Option<f64>| secs.and_then(|s| iso_from_number(s, Unit::Seconds));
    let started_at = ts(raw.created_at);

    let mut messages = Messages::default();
    if let Some(source) = &raw.source {
        let text = html::to_text(source.body.as_deref().unwrap_or(""));
        if !text.is_empty() {
            let role = role(source.author.as_ref(), &id, ctx)?;
            messages.push(role, &text, started_at.clone());
        }
    }
    for part in raw
        .conversation_parts
        .iter()
        .flat_map(|p| p.conversation_parts.iter())
    {
        let kind = part.part_type.as_deref().unwrap_or("comment");
        // Notes are internal: the customer never saw them.
        if kind.starts_with("note") || part.kind.as_deref() == Some("note") {
            continue;
        }
        let text = html::to_text(part.body.as_deref().unwrap_or(""));
        if text.is_empty() {
            continue;
        }
        let role = role(part.author.as_ref(), &id, ctx)?;
        messages.push(role, &text, ts(part.created_at));
    }

    let ai = raw.ai_agent.as_ref();
    let rating = raw
        .conversation_rating
        .as_ref()
        .and_then(|r| r.rating)
        .or_else(|| ai.and_then(|a| a.rating));
    let category = common::category_field(bytes, ctx).or_else(|| {
        raw.tags
            .as_ref()
            .and_then(|t| t.tags.iter().find_map(|t| t.name.clone()))
    });
    let start = common::Start::parse(started_at.as_deref());
    let conv = Conversation {
        id,
        category,
        channel: raw.source.as_ref().and_then(|s| s.kind.clone()),
        started_at: start.at,
        undated: start.undated,
        status: status(
            raw.state.as_deref(),
            ai.and_then(|a| a.resolution_state.as_deref()),
        ),
        csat: rating.and_then(|r| common::csat_onto_run(r, FIVE_POINT, ctx)),
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
    use crate::model::{CsatScale, Location};

    fn run_on(json: &str, scale: CsatScale) -> Result<Conversation, Skip> {
        let opts = IngestOptions {
            csat_scale: scale,
            ..Default::default()
        };
        let ctx = Ctx {
            location: Location::default(),
            file: "i.json",
            opts: &opts,
        };
        parse(json.as_bytes(), &ctx)
    }

    fn run(json: &str) -> Result<Conversation, Skip> {
        run_on(json, CsatScale::default())
    }

    const CONV: &str = r#"{"type": "conversation", "id": "1911149811", "created_at": 1539897198,
        "state": "snoozed",
        "source": {"type": "conversation", "delivered_as": "customer_initiated",
                   "author": {"type": "lead", "id": "5bc8"}, "body": "<p>Hi, I was charged <b>twice</b> &ndash; help?</p>"},
        "conversation_parts": {"type": "conversation_part.list", "total_count": 5, "conversation_parts": [
          {"part_type": "comment", "body": "<p>I can help with billing questions.</p>", "created_at": 1539897200,
           "author": {"type": "bot", "id": "8"}},
          {"part_type": "note", "body": "<p>VIP, refund quickly</p>", "author": {"type": "admin", "id": "814860"}},
          {"part_type": "assignment", "body": null, "author": {"type": "bot"}},
          {"part_type": "comment", "body": "<p>Refunded the duplicate charge.</p>", "created_at": 1539897300,
           "author": {"type": "admin", "id": "814860"}, "attachments": [{"name": "receipt.pdf"}]},
          {"part_type": "comment", "body": "<p>Did that answer your question?</p>",
           "author": {"type": "admin", "from_ai_agent": true}}
        ]},
        "conversation_rating": {"rating": 2, "remark": "slow"},
        "tags": {"type": "tag.list", "tags": [{"type": "tag", "id": "1", "name": "billing"}]},
        "ai_agent": {"source_type": "workflow", "resolution_state": "routed_to_team", "rating": 5}}"#;

    #[test]
    fn source_parts_roles_and_html() {
        let c = run(CONV).expect("valid");
        let roles: Vec<Role> = c.messages.iter().map(|m| m.role).collect();
        assert_eq!(roles, [Role::Customer, Role::Bot, Role::Agent, Role::Bot]);
        assert_eq!(c.messages[0].text, "Hi, I was charged twice – help?");
        assert_eq!(c.messages[1].ts.as_deref(), Some("2018-10-18T21:13:20Z"));
        assert_eq!(
            c.started_at.map(|t| t.to_string()).as_deref(),
            Some("2018-10-18T21:13:18Z")
        );
        assert_eq!(c.category.as_deref(), Some("billing"));
        assert_eq!(c.channel.as_deref(), Some("conversation"));
    }

    #[test]
    fn status_and_rating_mapping() {
        let c = run(CONV).expect("valid");
        assert_eq!(
            c.status.as_deref(),
            Some("escalated"),
            "Fin routed it to a team"
        );
        assert_eq!(c.csat, Some(2.0), "the conversation rating wins over Fin's");
        let c = run_on(CONV, CsatScale::parse("0-10").expect("scale")).expect("valid");
        assert_eq!(c.csat, Some(2.5));
        let calm = CONV
            .replace("\"routed_to_team\"", "\"assumed_resolution\"")
            .replace("\"rating\": 2,", "\"rating\": null,");
        let c = run(&calm).expect("valid");
        assert_eq!(
            c.status.as_deref(),
            Some("pending"),
            "snoozed waits on someone"
        );
        assert_eq!(
            c.csat,
            Some(5.0),
            "Fin's rating when the conversation has none"
        );
    }

    #[test]
    fn unknown_author_and_empty_conversations_are_skipped() {
        let kind = |s: &str| run(s).err().map(|e| e.kind);
        assert_eq!(
            kind(
                r#"{"type": "conversation", "id": "1", "source": {"author": {"type": "visitor"}, "body": "hi"}}"#
            ),
            Some(SkipKind::UnknownRole)
        );
        assert_eq!(
            kind(
                r#"{"type": "conversation", "id": "1", "source": {"author": {"type": "user"}, "body": "<p><br></p>"}}"#
            ),
            Some(SkipKind::NoMessages)
        );
        assert_eq!(
            kind(
                r#"{"type": "conversation", "source": {"author": {"type": "user"}, "body": "hi"}}"#
            ),
            Some(SkipKind::MissingId)
        );
    }
}
