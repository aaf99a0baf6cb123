//! Rasa tracker-store dumps: trackers as `GET /conversations/{id}/tracker` returns them
//! (`sender_id`, `events`), or single events as `rasa export` and the event brokers publish
//! them (each with its `sender_id`; grouped per file).
//!
//! `user` events are the customer, `bot` events the bot (events without text, such as
//! buttons-only or image messages, are not messages). A fallback action
//! (`action_default_fallback`, `action_two_stage_fallback`, `action_default_ask_affirmation`,
//! `action_default_ask_rephrase`) marks the bot messages it utters as platform fallbacks, as
//! does the `utter_default` response. The first user intent that is not small talk (greet,
//! goodbye, affirm, deny, thanks, bot_challenge, nlu_fallback) is the category.

use serde::Deserialize;
use serde_json::Value;

use super::common::{self, json_error, lenient, Messages};
use super::{EventFormat, FormatSpec, JsonFormat, Keyless, Reader, Shape};
use crate::ingest::time::{from_json, Unit};
use crate::ingest::{Ctx, IngestOptions, Skip};
use crate::model::{Conversation, PlatformMarks, Role};

pub static FORMAT: FormatSpec = FormatSpec {
    name: "rasa",
    summary: "Rasa tracker-store dumps: trackers {sender_id, events} or single events \
              with sender_id (rasa export / event broker)",
    reader: Reader::Json(JsonFormat {
        sniff,
        parse,
        events: Some(EventFormat {
            key: sender_id,
            keyless: Keyless::Skip("Rasa event without sender_id"),
            build: build_events,
        }),
    }),
};

const FALLBACK_ACTIONS: &[&str] = &[
    "action_default_fallback",
    "action_two_stage_fallback",
    "action_default_ask_affirmation",
    "action_default_ask_rephrase",
];
const FALLBACK_RESPONSES: &[&str] = &["utter_default"];
const SMALL_TALK: &[&str] = &[
    "greet",
    "goodbye",
    "affirm",
    "deny",
    "thanks",
    "thankyou",
    "thank_you",
    "bot_challenge",
    "nlu_fallback",
];

fn sniff(v: &Value, _: &IngestOptions) -> Option<Shape> {
    if v.get("events").is_some_and(Value::is_array) && v.get("sender_id").is_some() {
        return Some(Shape::Conversation);
    }
    (v.get("event").is_some_and(Value::is_string) && v.get("sender_id").is_some())
        .then_some(Shape::Event)
}

fn sender_id(v: &Value) -> Option<String> {
    common::scalar(v.get("sender_id")?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Tracker {
    #[serde(deserialize_with = "lenient::string")]
    sender_id: Option<String>,
    #[serde(deserialize_with = "lenient::list")]
    events: Vec<Value>,
}

fn str_at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    common::lookup(v, path).and_then(Value::as_str)
}

fn map_events(id: String, events: &[Value], ctx: &Ctx) -> Result<Conversation, Skip> {
    let mut messages = Messages::default();
    let mut marks = PlatformMarks::default();
    let mut category = None;
    let mut in_fallback = false;
    for e in events {
        let ts = e.get("timestamp").and_then(|t| from_json(t, Unit::Seconds));
        match e.get("event").and_then(Value::as_str).unwrap_or("") {
            "user" => {
                if category.is_none() {
                    category = str_at(e, &["parse_data", "intent", "name"])
                        .filter(|i| !SMALL_TALK.contains(i))
                        .map(str::to_string);
                }
                if let Some(text) = str_at(e, &["text"]) {
                    messages.push(Role::Customer, text, ts);
                }
            }
            "bot" => {
                let response = str_at(e, &["metadata", "utter_action"]).unwrap_or("");
                let fallback = in_fallback || FALLBACK_RESPONSES.contains(&response);
                if let Some(i) = str_at(e, &["text"]).and_then(|t| messages.push(Role::Bot, t, ts))
                {
                    if fallback {
                        marks.fallbacks.push(i);
                    }
                }
            }
            "action" => {
                let name = str_at(e, &["name"]).unwrap_or("");
                in_fallback = FALLBACK_ACTIONS.contains(&name);
            }
            _ => {}
        }
    }
    let start = common::first_message_time(&messages.list);
    let conv = Conversation {
        started_at: start.at,
        undated: start.undated,
        id,
        category,
        messages: messages.list,
        marks,
        location: ctx.location,
        ..Default::default()
    };
    common::finish(conv, ctx, "tracker")
}

/// A whole tracker.
pub fn parse(bytes: &[u8], ctx: &Ctx) -> Result<Conversation, Skip> {
    let t: Tracker = common::from_json(bytes).map_err(|e| json_error(ctx, "Rasa tracker", e))?;
    let id = t
        .sender_id
        .ok_or_else(|| common::missing_id(ctx, "Rasa tracker", "\"sender_id\""))?;
    let mut conv = map_events(id, &t.events, ctx)?;
    if let Some(c) = common::category_field(bytes, ctx) {
        conv.category = Some(c);
    }
    Ok(conv)
}

fn build_events(key: Option<&str>, events: Vec<Value>, ctx: &Ctx) -> Result<Conversation, Skip> {
    let id = key
        .map(str::to_string)
        .ok_or_else(|| common::missing_id(ctx, "Rasa event", "\"sender_id\""))?;
    map_events(id, &events, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::SkipKind;
    use crate::model::Location;

    fn run(json: &str) -> Result<Conversation, Skip> {
        common::parse_record_for_test(parse, "trackers.jsonl", 0, json)
    }

    const TRACKER: &str = r#"{"sender_id": "u-77", "slots": {}, "latest_message": {}, "events": [
        {"event": "action", "timestamp": 1700000000.1, "name": "action_session_start"},
        {"event": "session_started", "timestamp": 1700000000.2},
        {"event": "user", "timestamp": 1700000001.5, "text": "hello", "parse_data": {"intent": {"name": "greet", "confidence": 0.99}}},
        {"event": "bot", "timestamp": 1700000002, "text": "Hi! How can I help?", "metadata": {"utter_action": "utter_greet"}},
        {"event": "user", "timestamp": 1700000010, "text": "my transfer to Ana hasn't arrived", "parse_data": {"intent": {"name": "transfer_status", "confidence": 0.41}}},
        {"event": "action", "timestamp": 1700000011, "name": "action_default_fallback", "policy": "RulePolicy"},
        {"event": "bot", "timestamp": 1700000011.2, "text": "Sorry, I'm having trouble here.", "data": {}},
        {"event": "bot", "timestamp": 1700000011.3, "text": null, "data": {"image": "https://x/y.png"}},
        {"event": "action", "timestamp": 1700000011.4, "name": "action_listen"},
        {"event": "user", "timestamp": 1700000020, "text": "still nothing", "parse_data": {"intent": {"name": "nlu_fallback"}}},
        {"event": "bot", "timestamp": 1700000021, "text": "I didn't quite get that.", "metadata": {"utter_action": "utter_default"}},
        {"event": "slot", "name": "account", "value": null}
    ]}"#;

    #[test]
    fn events_roles_fallbacks_and_intent_category() {
        let c = run(TRACKER).expect("valid");
        assert_eq!(c.id, "u-77");
        let roles: Vec<Role> = c.messages.iter().map(|m| m.role).collect();
        assert_eq!(
            roles,
            [
                Role::Customer,
                Role::Bot,
                Role::Customer,
                Role::Bot,
                Role::Customer,
                Role::Bot
            ]
        );
        assert_eq!(c.marks.fallbacks, [3, 5]);
        assert_eq!(
            c.category.as_deref(),
            Some("transfer_status"),
            "greet is small talk"
        );
        assert_eq!(
            c.started_at.map(|t| t.to_string()).as_deref(),
            Some("2023-11-14T22:13:21.500Z")
        );
    }

    #[test]
    fn events_grouped_by_sender_build_the_same_conversation() {
        let opts = IngestOptions::default();
        let ctx = Ctx {
            location: Location::default(),
            file: "export.jsonl",
            opts: &opts,
        };
        let tracker: Value = serde_json::from_str(TRACKER).expect("json");
        let events = tracker["events"].as_array().cloned().unwrap_or_default();
        let c = build_events(Some("u-77"), events, &ctx).expect("valid");
        assert_eq!(c.messages, run(TRACKER).expect("valid").messages);
    }

    #[test]
    fn trackers_without_sender_or_text_are_skipped() {
        let kind = |s: &str| run(s).err().map(|e| e.kind);
        assert_eq!(kind(r#"{"events": []}"#), Some(SkipKind::MissingId));
        assert_eq!(
            kind(r#"{"sender_id": "x", "events": [{"event": "action", "name": "action_listen"}]}"#),
            Some(SkipKind::NoMessages)
        );
    }
}
