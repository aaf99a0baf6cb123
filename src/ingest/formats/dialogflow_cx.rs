//! Dialogflow CX conversation history, in either of its exported shapes:
//!
//! - the Conversation History API's `Conversation` resource (v3beta1): `name`, `startTime`,
//!   `interactions` with `request`/`response` (DetectIntent request and response),
//!   `requestUtterances`, `responseUtterances` and `createTime`, one record per conversation;
//! - the BigQuery interaction-logging export, one row per turn (`conversation_name`,
//!   `turn_position`, `request_time`, `request`, `response`, the JSON columns as objects or as
//!   JSON text), grouped by `conversation_name` and ordered by `turn_position`.
//!
//! The end user's text is the customer, the agent's text responses the bot. A turn whose
//! `match.matchType` is NO_MATCH is a platform-marked fallback; a `liveAgentHandoff`
//! response message becomes a system message marked as a handoff. The first matched intent
//! other than the welcome intent is the category.

use serde_json::Value;

use super::common::{self, json_error, Messages};
use super::{EventFormat, FormatSpec, JsonFormat, Keyless, Reader, Shape};
use crate::ingest::time::rfc3339_key;
use crate::ingest::{Ctx, IngestOptions, Skip};
use crate::model::{Conversation, PlatformMarks, Role};

pub static FORMAT: FormatSpec = FormatSpec {
    name: "dialogflow-cx",
    summary: "Dialogflow CX conversation history: Conversation resources (interactions) \
              or BigQuery export rows (conversation_name, turn_position, request, response)",
    reader: Reader::Json(JsonFormat {
        sniff,
        parse,
        events: Some(EventFormat {
            key: row_key,
            keyless: Keyless::Skip("BigQuery row without conversation_name"),
            build: build_rows,
        }),
    }),
};

const WELCOME: &str = "Default Welcome Intent";

fn sniff(v: &Value, _: &IngestOptions) -> Option<Shape> {
    if v.get("interactions").is_some_and(Value::is_array) {
        return Some(Shape::Conversation);
    }
    (v.get("conversation_name").is_some() && v.get("turn_position").is_some())
        .then_some(Shape::Event)
}

fn row_key(v: &Value) -> Option<String> {
    common::scalar(v.get("conversation_name")?)
}

/// A JSON column exported as an object, or as JSON text.
fn json_column(v: Option<&Value>) -> Value {
    match v {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
        Some(other) => other.clone(),
        None => Value::Null,
    }
}

fn str_at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    common::lookup(v, path)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// The conversation id: the last segment of a resource name.
fn short_id(name: &str) -> String {
    name.rsplit('/').next().unwrap_or(name).to_string()
}

#[derive(Default)]
struct Builder {
    messages: Messages,
    marks: PlatformMarks,
    category: Option<String>,
}

impl Builder {
    /// One turn: what the user said, what the agent answered, and what the platform noted.
    fn turn(
        &mut self,
        request: &Value,
        response: &Value,
        utterances: (Option<&str>, Option<&str>),
        ts: Option<String>,
    ) {
        let result = response.get("queryResult").unwrap_or(&Value::Null);
        let user = utterances
            .0
            .filter(|s| !s.trim().is_empty())
            .or_else(|| str_at(request, &["queryInput", "text", "text"]))
            .or_else(|| str_at(result, &["text"]))
            .or_else(|| str_at(result, &["transcript"]));
        if let Some(text) = user {
            self.messages.push(Role::Customer, text, ts.clone());
        }
        let no_match = str_at(result, &["match", "matchType"]) == Some("NO_MATCH");
        if self.category.is_none() && !no_match {
            let intent = str_at(result, &["match", "intent", "displayName"])
                .or_else(|| str_at(result, &["intent", "displayName"]));
            self.category = intent.filter(|i| *i != WELCOME).map(str::to_string);
        }
        let mut texts: Vec<&str> = Vec::new();
        let mut handoff = false;
        for m in result
            .get("responseMessages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(parts) = m.pointer("/text/text").and_then(Value::as_array) {
                texts.extend(parts.iter().filter_map(Value::as_str));
            } else if let Some(t) = str_at(m, &["outputAudioText", "text"]) {
                texts.push(t);
            }
            handoff |= m.get("liveAgentHandoff").is_some();
        }
        if texts.is_empty() {
            texts.extend(utterances.1);
        }
        for text in texts {
            if let Some(i) = self.messages.push(Role::Bot, text, ts.clone()) {
                if no_match {
                    self.marks.fallbacks.push(i);
                }
            }
        }
        if handoff {
            let text = "Live agent handoff (Dialogflow liveAgentHandoff response)";
            if let Some(i) = self.messages.push(Role::System, text, ts) {
                self.marks.handoffs.push(i);
            }
        }
    }

    fn finish(
        self,
        id: String,
        start: common::Start,
        bytes: Option<&[u8]>,
        ctx: &Ctx,
    ) -> Result<Conversation, Skip> {
        let category = bytes
            .and_then(|b| common::category_field(b, ctx))
            .or(self.category);
        let start = start.or_else(|| common::first_message_time(&self.messages.list));
        let conv = Conversation {
            started_at: start.at,
            undated: start.undated,
            id,
            category,
            messages: self.messages.list,
            marks: self.marks,
            location: ctx.location,
            ..Default::default()
        };
        common::finish(conv, ctx, "conversation")
    }
}

/// Orders by the RFC 3339 timestamp at `field` when every item has one.
fn by_time(items: &mut [&Value], field: &str) {
    let keys: Option<Vec<_>> = items
        .iter()
        .map(|v| v.get(field).and_then(Value::as_str).and_then(rfc3339_key))
        .collect();
    if keys.is_some() {
        items.sort_by_key(|v| v.get(field).and_then(Value::as_str).and_then(rfc3339_key));
    }
}

/// A Conversation History resource.
pub fn parse(bytes: &[u8], ctx: &Ctx) -> Result<Conversation, Skip> {
    let v: Value =
        common::from_json(bytes).map_err(|e| json_error(ctx, "Dialogflow CX conversation", e))?;
    let id = str_at(&v, &["name"])
        .map(short_id)
        .ok_or_else(|| common::missing_id(ctx, "Dialogflow CX conversation", "\"name\""))?;
    let mut interactions: Vec<&Value> = v
        .get("interactions")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    by_time(&mut interactions, "createTime");
    let mut b = Builder::default();
    for i in interactions {
        b.turn(
            i.get("request").unwrap_or(&Value::Null),
            i.get("response").unwrap_or(&Value::Null),
            (
                str_at(i, &["requestUtterances"]),
                str_at(i, &["responseUtterances"]),
            ),
            str_at(i, &["createTime"]).map(str::to_string),
        );
    }
    if b.category.is_none() {
        b.category = v
            .get("intents")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|i| str_at(i, &["displayName"]))
            .find(|n| *n != WELCOME)
            .map(str::to_string);
    }
    let start = common::Start::parse(str_at(&v, &["startTime"]));
    b.finish(id, start, Some(bytes), ctx)
}

/// BigQuery export rows of one conversation.
fn build_rows(key: Option<&str>, rows: Vec<Value>, ctx: &Ctx) -> Result<Conversation, Skip> {
    let id = key
        .map(short_id)
        .ok_or_else(|| common::missing_id(ctx, "Dialogflow CX row", "\"conversation_name\""))?;
    let mut rows: Vec<&Value> = rows.iter().collect();
    rows.sort_by_key(|r| {
        r.get("turn_position")
            .and_then(Value::as_i64)
            .unwrap_or(i64::MAX)
    });
    let mut b = Builder::default();
    for r in rows {
        let request = json_column(r.get("request"));
        let response = json_column(r.get("response"));
        b.turn(
            &request,
            &response,
            (None, None),
            str_at(r, &["request_time"]).map(str::to_string),
        );
    }
    b.finish(id, common::Start::default(), None, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::SkipKind;
    use crate::model::Location;

    fn ctx(opts: &IngestOptions) -> Ctx<'_> {
        Ctx {
            location: Location::default(),
            file: "dfcx.json",
            opts,
        }
    }

    const CONV: &str = r#"{"name": "projects/p/locations/global/agents/a/conversations/conv-7",
      "startTime": "2024-02-01T09:00:00Z",
      "interactions": [
        {"createTime": "2024-02-01T09:00:09.5Z",
         "request": {"queryInput": {"text": {"text": "I want a human"}}},
         "response": {"queryResult": {"match": {"matchType": "INTENT", "intent": {"displayName": "live_agent"}},
           "responseMessages": [{"text": {"text": ["Connecting you to an agent."]}}, {"liveAgentHandoff": {"metadata": {}}}]}}},
        {"createTime": "2024-02-01T09:00:00Z",
         "requestUtterances": "hi",
         "response": {"queryResult": {"match": {"matchType": "INTENT", "intent": {"displayName": "Default Welcome Intent"}},
           "responseMessages": [{"text": {"text": ["Hi! How can I help?"]}}]}}},
        {"createTime": "2024-02-01T09:00:05Z",
         "request": {"queryInput": {"text": {"text": "my card got eaten by the atm"}}},
         "response": {"queryResult": {"match": {"matchType": "NO_MATCH"},
           "responseMessages": [{"text": {"text": ["Sorry, I didn't get that.", "Can you say it another way?"]}}]}}}
      ]}"#;

    #[test]
    fn interactions_in_time_order_with_fallbacks_and_handoff() {
        let opts = IngestOptions::default();
        let c = parse(CONV.as_bytes(), &ctx(&opts)).expect("valid");
        assert_eq!(c.id, "conv-7");
        let texts: Vec<(Role, &str)> = c
            .messages
            .iter()
            .map(|m| (m.role, m.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                (Role::Customer, "hi"),
                (Role::Bot, "Hi! How can I help?"),
                (Role::Customer, "my card got eaten by the atm"),
                (Role::Bot, "Sorry, I didn't get that."),
                (Role::Bot, "Can you say it another way?"),
                (Role::Customer, "I want a human"),
                (Role::Bot, "Connecting you to an agent."),
                (
                    Role::System,
                    "Live agent handoff (Dialogflow liveAgentHandoff response)"
                ),
            ]
        );
        assert_eq!(c.marks.fallbacks, [3, 4]);
        assert_eq!(c.marks.handoffs, [7]);
        assert_eq!(
            c.category.as_deref(),
            Some("live_agent"),
            "welcome intent skipped"
        );
        assert_eq!(
            c.started_at.map(|t| t.to_string()).as_deref(),
            Some("2024-02-01T09:00:00Z")
        );
    }

    #[test]
    fn bigquery_rows_group_and_order_by_turn_position() {
        let opts = IngestOptions::default();
        let rows = vec![
            serde_json::json!({"conversation_name": "projects/p/locations/l/agents/a/sessions/s1", "turn_position": 2,
              "request_time": "2024-02-01T10:00:10Z",
              "request": "{\"queryInput\": {\"text\": {\"text\": \"still broken\"}}}",
              "response": "{\"queryResult\": {\"responseMessages\": [{\"text\": {\"text\": [\"Let me transfer you.\"]}}]}}"}),
            serde_json::json!({"conversation_name": "projects/p/locations/l/agents/a/sessions/s1", "turn_position": 1,
              "request_time": "2024-02-01T10:00:00Z",
              "request": {"queryInput": {"text": {"text": "router is down"}}},
              "response": {"queryResult": {"match": {"matchType": "INTENT", "intent": {"displayName": "internet_outage"}},
                "responseMessages": [{"text": {"text": ["Try restarting it."]}}]}}}),
        ];
        let c = build_rows(
            Some("projects/p/locations/l/agents/a/sessions/s1"),
            rows,
            &ctx(&opts),
        )
        .expect("valid");
        assert_eq!(c.id, "s1");
        let texts: Vec<&str> = c.messages.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "router is down",
                "Try restarting it.",
                "still broken",
                "Let me transfer you."
            ]
        );
        assert_eq!(c.category.as_deref(), Some("internet_outage"));
        assert_eq!(
            c.started_at.map(|t| t.to_string()).as_deref(),
            Some("2024-02-01T10:00:00Z")
        );
    }

    #[test]
    fn nameless_conversation_is_skipped() {
        let opts = IngestOptions::default();
        let e = parse(br#"{"interactions": []}"#, &ctx(&opts))
            .err()
            .map(|e| e.kind);
        assert_eq!(e, Some(SkipKind::MissingId));
    }
}
