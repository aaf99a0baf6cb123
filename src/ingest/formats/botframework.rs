//! Microsoft Bot Framework activities: `.transcript` files (a JSON array of activities, as the
//! Emulator and the transcript loggers write them), activities one per line, and Copilot
//! Studio conversation transcripts (Dataverse `conversationtranscript` rows whose `content`
//! holds `{"activities": [...]}`, or that object itself).
//!
//! Activities of type `message` are messages: `from.role` "user" (or 1, as Copilot Studio
//! writes it) is the customer, "bot"/"skill" (or 0) the bot. A `handoff` activity, a
//! `handoff.initiate` event and Copilot's HandOff/EscalationRequested traces become a system
//! message marked as a handoff. Copilot's ConversationInfo/SessionInfo outcome gives the
//! status, its CSATSurveyResponse trace the CSAT (1-5), its UnknownIntent trace marks the
//! bot's next message as a fallback, and design-mode (test pane) transcripts are skipped.

use serde_json::Value;

use super::common::{self, json_error, Messages, FIVE_POINT};
use super::{EventFormat, FormatSpec, JsonFormat, Keyless, Reader, Shape};
use crate::ingest::time::{from_json, Unit};
use crate::ingest::{html, Ctx, IngestOptions, Skip, SkipKind};
use crate::model::{Conversation, PlatformMarks, Role};

pub static FORMAT: FormatSpec = FormatSpec {
    name: "botframework",
    summary: "Microsoft Bot Framework activities (.transcript files, one activity per line) \
              and Copilot Studio conversation transcripts (Dataverse rows / {activities})",
    reader: Reader::Json(JsonFormat {
        sniff,
        parse,
        events: Some(EventFormat {
            key: conversation_id,
            keyless: Keyless::FileGroup,
            build: build_activities,
        }),
    }),
};

fn sniff(v: &Value, _: &IngestOptions) -> Option<Shape> {
    if v.get("activities").is_some_and(Value::is_array) {
        return Some(Shape::Conversation);
    }
    let dataverse = v.get("conversationtranscriptid").is_some() || v.get("schematype").is_some();
    if dataverse && v.get("content").is_some_and(Value::is_string) {
        return Some(Shape::Conversation);
    }
    (v.get("type").is_some_and(Value::is_string) && v.get("from").is_some_and(Value::is_object))
        .then_some(Shape::Event)
}

fn conversation_id(activity: &Value) -> Option<String> {
    common::scalar(activity.get("conversation")?.get("id")?)
}

fn text_at<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// A Copilot Studio session outcome as a canonical status.
fn outcome_status(outcome: &str) -> Option<String> {
    match outcome {
        "" | "None" => None,
        "HandOff" => Some("handed_off".into()),
        other => Some(other.to_ascii_lowercase()),
    }
}

fn role_of(party: Option<&Value>) -> Option<Role> {
    match party?.get("role")? {
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "user" => Some(Role::Customer),
            "bot" | "skill" => Some(Role::Bot),
            _ => None,
        },
        Value::Number(n) => match n.as_i64()? {
            1 => Some(Role::Customer),
            0 => Some(Role::Bot),
            _ => None,
        },
        _ => None,
    }
}

/// The sender's role; when `from` has none, the opposite of the recipient's.
fn sender_role(a: &Value) -> Option<Role> {
    role_of(a.get("from")).or_else(|| match role_of(a.get("recipient"))? {
        Role::Customer => Some(Role::Bot),
        Role::Bot => Some(Role::Customer),
        _ => None,
    })
}

struct Mapped {
    conv: Conversation,
    design_mode: bool,
}

/// Maps one conversation's activities, in order.
fn map_activities(id: String, activities: &[Value], ctx: &Ctx) -> Result<Mapped, Skip> {
    let mut messages = Messages::default();
    let mut marks = PlatformMarks::default();
    let (mut status, mut session_status) = (None, None);
    let (mut csat, mut category, mut channel) = (None, None, None);
    let mut design_mode = false;
    let mut fallback_pending = false;
    fn handoff(messages: &mut Messages, marks: &mut PlatformMarks, what: &str, ts: Option<String>) {
        if let Some(i) = messages.push(Role::System, &format!("Handoff to a person ({what})"), ts) {
            marks.handoffs.push(i);
        }
    }
    for a in activities {
        let ts = a.get("timestamp").and_then(|t| from_json(t, Unit::Seconds));
        let value = a.get("value").unwrap_or(&Value::Null);
        match a.get("type").and_then(Value::as_str).unwrap_or("") {
            "message" => {
                let role = sender_role(a).ok_or_else(|| {
                    let seen = a
                        .get("from")
                        .and_then(|f| f.get("role"))
                        .map_or("(none)".to_string(), |r| r.to_string());
                    common::unknown_role(ctx, &id, "from.role", &seen, "user or bot (1 or 0)")
                })?;
                let Some(raw) = text_at(a, "text") else {
                    continue;
                };
                let text = match a.get("textFormat").and_then(Value::as_str) {
                    Some("xml") => html::to_text(raw),
                    _ => raw.to_string(),
                };
                channel = channel.or_else(|| text_at(a, "channelId").map(str::to_string));
                if let Some(i) = messages.push(role, &text, ts) {
                    if role == Role::Bot && std::mem::take(&mut fallback_pending) {
                        marks.fallbacks.push(i);
                    }
                }
            }
            "handoff" => handoff(&mut messages, &mut marks, "handoff activity", ts),
            "event" if a.get("name").and_then(Value::as_str) == Some("handoff.initiate") => {
                handoff(&mut messages, &mut marks, "handoff.initiate event", ts)
            }
            "trace" => match a.get("valueType").and_then(Value::as_str).unwrap_or("") {
                "HandOff" | "EscalationRequested" => handoff(
                    &mut messages,
                    &mut marks,
                    "Copilot Studio HandOff trace",
                    ts,
                ),
                "ConversationInfo" => {
                    design_mode |= value.get("isDesignMode").and_then(Value::as_bool) == Some(true);
                    status = text_at(value, "lastSessionOutcome").and_then(outcome_status);
                }
                "SessionInfo" => {
                    session_status = text_at(value, "outcome").and_then(outcome_status);
                }
                "CSATSurveyResponse" => {
                    csat = value
                        .get("rating")
                        .and_then(Value::as_f64)
                        .and_then(|r| common::csat_onto_run(r, FIVE_POINT, ctx))
                        .or(csat);
                }
                "IntentRecognition" if category.is_none() => {
                    category = text_at(value, "intentName").map(str::to_string);
                }
                "UnknownIntent" => fallback_pending = true,
                _ => {}
            },
            _ => {}
        }
    }
    let start = common::first_message_time(&messages.list);
    Ok(Mapped {
        conv: Conversation {
            id,
            category,
            channel,
            started_at: start.at,
            undated: start.undated,
            status: status.or(session_status),
            csat,
            messages: messages.list,
            marks,
            location: ctx.location,
            ..Default::default()
        },
        design_mode,
    })
}

fn finish(mapped: Mapped, bytes: Option<&[u8]>, ctx: &Ctx) -> Result<Conversation, Skip> {
    let mut conv = mapped.conv;
    if mapped.design_mode {
        return Err(ctx.skip(
            SkipKind::TestConversation,
            format!(
                "transcript {} comes from the Copilot Studio test pane (isDesignMode)",
                conv.id
            ),
        ));
    }
    if let Some(c) = bytes.and_then(|b| common::category_field(b, ctx)) {
        conv.category = Some(c);
    }
    common::finish(conv, ctx, "conversation")
}

/// A whole conversation: `{"activities": [...]}` or a Dataverse transcript row.
pub fn parse(bytes: &[u8], ctx: &Ctx) -> Result<Conversation, Skip> {
    let v: Value =
        common::from_json(bytes).map_err(|e| json_error(ctx, "Bot Framework transcript", e))?;
    let content = match v.get("content") {
        Some(Value::String(s)) => serde_json::from_str::<Value>(s)
            .map_err(|e| json_error(ctx, "Copilot Studio transcript content", e))?,
        Some(c @ Value::Object(_)) => c.clone(),
        _ => Value::Null,
    };
    let activities = v
        .get("activities")
        .or_else(|| content.get("activities"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let id = text_at(&v, "name")
        .or_else(|| text_at(&v, "conversationtranscriptid"))
        .map(str::to_string)
        .or_else(|| activities.iter().find_map(conversation_id))
        .or_else(|| v.get("id").and_then(common::scalar))
        .unwrap_or_else(|| ctx.location_id());
    let mut mapped = map_activities(id, activities, ctx)?;
    let own = common::Start::parse(text_at(&v, "conversationstarttime"));
    if own.at.is_some() || own.undated.is_some() {
        let from_messages = common::Start {
            at: mapped.conv.started_at,
            undated: mapped.conv.undated.take(),
        };
        let start = own.or_else(|| from_messages);
        mapped.conv.started_at = start.at;
        mapped.conv.undated = start.undated;
    }
    finish(mapped, Some(bytes), ctx)
}

/// The activities of one conversation (or of a whole `.transcript` file without ids).
fn build_activities(
    key: Option<&str>,
    activities: Vec<Value>,
    ctx: &Ctx,
) -> Result<Conversation, Skip> {
    let id = key.map_or_else(|| ctx.location_id(), str::to_string);
    let mapped = map_activities(id, &activities, ctx)?;
    finish(mapped, None, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Location;

    fn ctx(opts: &IngestOptions) -> Ctx<'_> {
        Ctx {
            location: Location {
                file: 0,
                line: 1,
                element: 1,
            },
            file: "chats/help.transcript",
            opts,
        }
    }

    fn activities(json: &str) -> Vec<Value> {
        serde_json::from_str(json).expect("json")
    }

    #[test]
    fn transcript_activities_roles_events_and_attachments() {
        let opts = IngestOptions::default();
        let acts = activities(
            r#"[
          {"type": "conversationUpdate", "membersAdded": [{"id": "u1"}], "from": {"id": "u1"}},
          {"type": "message", "id": "1", "timestamp": "2024-04-02T08:00:00.123Z", "channelId": "webchat",
           "from": {"id": "u1", "name": "User", "role": "user"}, "conversation": {"id": "c-9"}, "text": "I lost my card"},
          {"type": "typing", "from": {"id": "b", "role": "bot"}},
          {"type": "message", "from": {"id": "b", "role": "bot"}, "text": "", "attachments": [{"contentType": "application/vnd.microsoft.card.hero"}]},
          {"type": "message", "from": {"id": "b", "role": "bot"}, "text": "I can freeze it. Shall I?"},
          {"type": "message", "from": {"id": "u1", "role": "user"}, "text": "no, get me a person"},
          {"type": "event", "name": "handoff.initiate", "from": {"id": "b", "role": "bot"}, "value": {"skill": "cards"}}
        ]"#,
        );
        let c = build_activities(Some("c-9"), acts, &ctx(&opts)).expect("valid");
        assert_eq!(c.id, "c-9");
        let roles: Vec<Role> = c.messages.iter().map(|m| m.role).collect();
        assert_eq!(
            roles,
            [Role::Customer, Role::Bot, Role::Customer, Role::System]
        );
        assert_eq!(c.marks.handoffs, [3]);
        assert_eq!(c.channel.as_deref(), Some("webchat"));
        assert_eq!(
            c.started_at.map(|t| t.to_string()).as_deref(),
            Some("2024-04-02T08:00:00.123Z")
        );
    }

    #[test]
    fn copilot_dataverse_row_with_outcome_csat_and_unknown_intent() {
        let opts = IngestOptions::default();
        let content = serde_json::json!({"activities": [
            {"valueType": "ConversationInfo", "type": "trace", "timestamp": 1775589131, "from": {"id": "", "role": 0},
             "value": {"lastSessionOutcome": "Escalated", "lastSessionOutcomeReason": "AgentTransfer", "isDesignMode": false, "locale": "en-US"}},
            {"type": "message", "timestamp": 1775589131, "from": {"id": "bot", "role": 0}, "text": "Hello, how can I help?", "channelId": "msteams"},
            {"type": "message", "timestamp": 1775589134, "from": {"id": "u", "role": 1}, "text": "pension forms"},
            {"type": "trace", "valueType": "IntentRecognition", "from": {"role": 0}, "value": {"intentName": "HR_Pensions", "score": 0.4}},
            {"type": "trace", "valueType": "UnknownIntent", "from": {"role": 0}, "value": {}},
            {"type": "message", "timestamp": 1775589135, "from": {"id": "bot", "role": 0}, "text": "I'm not sure how to help with that."},
            {"type": "trace", "valueType": "CSATSurveyResponse", "from": {"role": 1}, "value": {"rating": 2}},
        ]});
        let row = serde_json::json!({"conversationtranscriptid": "808e", "name": "802a_0f1b",
            "conversationstarttime": "2026-04-07T19:12:11Z", "schematype": "powervirtualagents",
            "content": content.to_string()});
        let c = parse(row.to_string().as_bytes(), &ctx(&opts)).expect("valid");
        assert_eq!(c.id, "802a_0f1b");
        assert_eq!(c.status.as_deref(), Some("escalated"));
        assert_eq!(c.csat, Some(2.0));
        assert_eq!(c.category.as_deref(), Some("HR_Pensions"));
        assert_eq!(c.marks.fallbacks, [2]);
        assert_eq!(c.messages[1].role, Role::Customer);
        assert_eq!(c.messages[0].ts.as_deref(), Some("2026-04-07T19:12:11Z"));
        assert_eq!(
            c.started_at.map(|t| t.to_string()).as_deref(),
            Some("2026-04-07T19:12:11Z")
        );
    }

    #[test]
    fn design_mode_unknown_role_and_keyless_ids() {
        let opts = IngestOptions::default();
        let test_pane = br#"{"activities": [
            {"type": "trace", "valueType": "ConversationInfo", "value": {"isDesignMode": true}},
            {"type": "message", "from": {"role": 0}, "text": "Hello"}]}"#;
        let e = parse(test_pane, &ctx(&opts)).err().map(|e| e.kind);
        assert_eq!(e, Some(SkipKind::TestConversation));
        let odd = activities(
            r#"[{"type": "message", "from": {"id": "x", "role": "channel"}, "text": "hi"}]"#,
        );
        let e = build_activities(None, odd, &ctx(&opts))
            .err()
            .map(|e| e.kind);
        assert_eq!(e, Some(SkipKind::UnknownRole));
        let plain = activities(
            r#"[{"type": "message", "from": {"id": "x"}, "recipient": {"role": "bot"}, "text": "hi"}]"#,
        );
        let c = build_activities(None, plain, &ctx(&opts)).expect("valid");
        assert_eq!(c.id, "help.transcript#1");
        assert_eq!(c.messages[0].role, Role::Customer);
    }
}
