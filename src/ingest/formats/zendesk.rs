//! Zendesk Support: a ticket (Tickets API object) with its comments (Ticket Comments API
//! objects), either as one object with a `comments` array, as the full JSON export writes
//! it, or as `{"ticket": {...}, "comments": [...], "users": [...]}`, the Show Ticket and List
//! Comments responses merged (`users` is the `include=users` side-load).
//!
//! The requester is the customer; comments sent through an Answer Bot channel are the bot;
//! other authors are agents unless the `users` side-load says they are end users. Private
//! comments (internal notes) are not messages.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::common::{self, json_error, lenient, Messages};
use super::{FormatSpec, JsonFormat, Reader, Shape};
use crate::ingest::{html, Ctx, IngestOptions, Skip, SkipKind};
use crate::model::{Conversation, Role};

pub static FORMAT: FormatSpec = FormatSpec {
    name: "zendesk",
    summary: "Zendesk Support tickets with their comments (ticket object + `comments`, \
              or {ticket, comments, users}), as in the JSON export or the REST API",
    reader: Reader::Json(JsonFormat {
        sniff,
        parse,
        events: None,
    }),
};

fn sniff(v: &Value, _: &IngestOptions) -> Option<Shape> {
    let ticket = v.get("ticket").filter(|t| t.is_object()).unwrap_or(v);
    let has_comments = v
        .get("comments")
        .or_else(|| ticket.get("comments"))?
        .is_array();
    (has_comments && ticket.get("requester_id").is_some()).then_some(Shape::Conversation)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Ticket {
    #[serde(deserialize_with = "lenient::string")]
    id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    status: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    requester_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    created_at: Option<String>,
    #[serde(deserialize_with = "lenient::list")]
    tags: Vec<Value>,
    via: Option<Via>,
    satisfaction_rating: Option<Rating>,
    comments: Option<Vec<Comment>>,
    #[serde(deserialize_with = "lenient::list")]
    users: Vec<User>,
    ticket: Option<Box<Ticket>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Via {
    #[serde(deserialize_with = "lenient::string")]
    channel: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Rating {
    #[serde(deserialize_with = "lenient::string")]
    score: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Comment {
    #[serde(deserialize_with = "lenient::string")]
    author_id: Option<String>,
    #[serde(deserialize_with = "lenient::boolean")]
    public: Option<bool>,
    #[serde(deserialize_with = "lenient::string")]
    plain_body: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    body: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    html_body: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    created_at: Option<String>,
    via: Option<Via>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct User {
    #[serde(deserialize_with = "lenient::string")]
    id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    role: Option<String>,
}

/// Answer Bot's channels (`answer_bot_for_web_widget`, `answer_bot_api`, ...).
fn is_bot_channel(via: &Option<Via>) -> bool {
    via.as_ref()
        .and_then(|v| v.channel.as_deref())
        .is_some_and(|c| c.starts_with("answer_bot"))
}

fn comment_text(c: &Comment) -> String {
    let plain = [&c.plain_body, &c.body]
        .into_iter()
        .flatten()
        .find(|t| !t.trim().is_empty());
    match (plain, &c.html_body) {
        (Some(t), _) => t.clone(),
        (None, Some(h)) => html::to_text(h),
        (None, None) => String::new(),
    }
}

pub fn parse(bytes: &[u8], ctx: &Ctx) -> Result<Conversation, Skip> {
    let mut raw: Ticket =
        common::from_json(bytes).map_err(|e| json_error(ctx, "Zendesk ticket", e))?;
    let (ticket, comments, users) = match raw.ticket.take() {
        Some(inner) => {
            let mut t = *inner;
            let comments = raw.comments.take().or_else(|| t.comments.take());
            let users = if raw.users.is_empty() {
                std::mem::take(&mut t.users)
            } else {
                raw.users
            };
            (t, comments, users)
        }
        None => {
            let comments = raw.comments.take();
            let users = std::mem::take(&mut raw.users);
            (raw, comments, users)
        }
    };
    let id = ticket
        .id
        .clone()
        .ok_or_else(|| common::missing_id(ctx, "Zendesk ticket", "\"id\""))?;
    let user_roles: HashMap<&str, &str> = users
        .iter()
        .filter_map(|u| Some((u.id.as_deref()?, u.role.as_deref()?)))
        .collect();
    let requester = ticket.requester_id.as_deref();

    let mut messages = Messages::default();
    for (i, c) in comments.unwrap_or_default().iter().enumerate() {
        if c.public == Some(false) {
            continue;
        }
        let Some(author) = c.author_id.as_deref() else {
            return Err(ctx.skip(
                SkipKind::UnknownRole,
                format!("ticket {id}, comment {i}: no author_id, so no role"),
            ));
        };
        let role = match user_roles.get(author).copied() {
            _ if Some(author) == requester => Role::Customer,
            Some("end-user") => Role::Customer,
            _ if is_bot_channel(&c.via) => Role::Bot,
            _ => Role::Agent,
        };
        messages.push(role, &comment_text(c), c.created_at.clone());
    }

    let csat = ticket
        .satisfaction_rating
        .as_ref()
        .and_then(|r| r.score.as_deref())
        .and_then(|score| {
            let run = ctx.opts.csat_scale;
            match score {
                "good" | "good_with_comment" => Some(run.max),
                "bad" | "bad_with_comment" => Some(run.min),
                // offered / unoffered: no answer.
                _ => None,
            }
        });
    let category =
        common::category_field(bytes, ctx).or_else(|| ticket.tags.iter().find_map(common::scalar));
    let start = common::Start::parse(ticket.created_at.as_deref());
    let conv = Conversation {
        id,
        category,
        channel: ticket.via.as_ref().and_then(|v| v.channel.clone()),
        started_at: start.at,
        undated: start.undated,
        status: ticket.status.as_ref().map(|s| s.to_ascii_lowercase()),
        csat,
        messages: messages.list,
        location: ctx.location,
        ..Default::default()
    };
    common::finish(conv, ctx, "ticket")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CsatScale, Location};

    fn run(json: &str) -> Result<Conversation, Skip> {
        common::parse_record_for_test(parse, "t.jsonl", 0, json)
    }

    const TICKET: &str = r#"{"id": 35436, "status": "pending", "requester_id": 20978392,
        "created_at": "2024-03-02T10:00:00Z", "tags": ["refund", "vip"],
        "via": {"channel": "web"}, "satisfaction_rating": {"score": "bad"},
        "comments": [
          {"id": 1, "author_id": 20978392, "public": true, "plain_body": "Where is my refund?", "created_at": "2024-03-02T10:00:00Z"},
          {"id": 2, "author_id": 900, "public": true, "body": "Did this article help?", "via": {"channel": "answer_bot_for_web_widget"}},
          {"id": 3, "author_id": 501, "public": false, "body": "customer is angry, escalate"},
          {"id": 4, "author_id": 501, "public": true, "body": "", "html_body": "<p>Hi, your refund &amp; voucher are on the way.</p>"},
          {"id": 5, "author_id": 501, "public": true, "body": "   ", "attachments": [{"file_name": "receipt.pdf"}]}
        ]}"#;

    #[test]
    fn roles_notes_html_and_attachments() {
        let c = run(TICKET).expect("valid");
        assert_eq!(c.id, "35436");
        let roles: Vec<Role> = c.messages.iter().map(|m| m.role).collect();
        assert_eq!(roles, [Role::Customer, Role::Bot, Role::Agent]);
        assert_eq!(
            c.messages[2].text,
            "Hi, your refund & voucher are on the way."
        );
        assert_eq!(c.messages[0].ts.as_deref(), Some("2024-03-02T10:00:00Z"));
        assert_eq!(c.status.as_deref(), Some("pending"));
        assert_eq!(c.category.as_deref(), Some("refund"));
        assert_eq!(c.channel.as_deref(), Some("web"));
        assert_eq!(c.csat, Some(1.0), "bad is the bottom of the 1-5 scale");
    }

    #[test]
    fn good_rating_is_the_top_of_the_run_scale() {
        let opts = IngestOptions {
            csat_scale: CsatScale::parse("0-10").expect("scale"),
            ..Default::default()
        };
        let ctx = Ctx {
            location: Location::default(),
            file: "t",
            opts: &opts,
        };
        let json = TICKET.replace("\"bad\"", "\"good\"");
        assert_eq!(
            parse(json.as_bytes(), &ctx).expect("valid").csat,
            Some(10.0)
        );
        let json = TICKET.replace("\"bad\"", "\"offered\"");
        assert_eq!(parse(json.as_bytes(), &ctx).expect("valid").csat, None);
    }

    #[test]
    fn merged_api_responses_with_user_side_load() {
        let c = run(
            r#"{"ticket": {"id": 7, "requester_id": 1, "status": "solved"},
            "comments": [
              {"author_id": 1, "public": true, "plain_body": "hello"},
              {"author_id": 2, "public": true, "plain_body": "cc'd colleague here"},
              {"author_id": 3, "public": true, "plain_body": "agent reply"}],
            "users": [{"id": 2, "role": "end-user"}, {"id": 3, "role": "agent"}]}"#,
        )
        .expect("valid");
        let roles: Vec<Role> = c.messages.iter().map(|m| m.role).collect();
        assert_eq!(roles, [Role::Customer, Role::Customer, Role::Agent]);
        assert_eq!(c.status.as_deref(), Some("solved"));
    }

    #[test]
    fn tickets_that_map_to_nothing_are_skipped() {
        let kind = |s: &str| run(s).err().map(|e| e.kind);
        assert_eq!(
            kind(r#"{"requester_id": 1, "comments": [{"author_id": 1, "plain_body": "x"}]}"#),
            Some(SkipKind::MissingId)
        );
        assert_eq!(
            kind(
                r#"{"id": 1, "requester_id": 1, "comments": [{"author_id": 2, "public": false, "body": "note"}]}"#
            ),
            Some(SkipKind::NoMessages)
        );
        assert_eq!(
            kind(r#"{"id": 1, "requester_id": 1, "comments": [{"public": true, "body": "who?"}]}"#),
            Some(SkipKind::UnknownRole)
        );
        assert_eq!(
            kind(r#"{"id": 1, "requester_id": 1, "comments": "none"}"#),
            Some(SkipKind::InvalidField)
        );
    }

    #[test]
    fn sniffs_tickets_with_comments_only() {
        let v = |s: &str| serde_json::from_str::<Value>(s).expect("json");
        let o = IngestOptions::default();
        assert!(sniff(&v(TICKET), &o).is_some());
        assert!(sniff(&v(r#"{"ticket": {"requester_id": 1}, "comments": []}"#), &o).is_some());
        assert!(sniff(&v(r#"{"id": 1, "requester_id": 1}"#), &o).is_none());
        assert!(sniff(&v(r#"{"id": 1, "messages": []}"#), &o).is_none());
    }
}
