//! The canonical conversation every input format maps onto, and the findings detectors produce.

use serde::Serialize;

use crate::time::Timestamp;

/// Who wrote a message. Input aliases are mapped in `Role::parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Bot,
    Agent,
    /// Platform events; kept so message indices match the export, ignored by detectors.
    System,
}

impl Role {
    /// Maps the role names exporters use onto the four canonical roles (case-insensitive).
    pub fn parse(s: &str) -> Option<Role> {
        let lower = s.trim().to_ascii_lowercase();
        Some(match lower.as_str() {
            "customer" | "user" | "human" | "visitor" | "client" | "end_user" | "enduser"
            | "end-user" => Role::Customer,
            "bot" | "assistant" | "ai" | "virtual_agent" | "virtual-agent" | "virtualagent" => {
                Role::Bot
            }
            "agent" | "human_agent" | "human-agent" | "operator" | "staff" => Role::Agent,
            "system" => Role::System,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Bot => "bot",
            Role::Agent => "agent",
            Role::System => "system",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub role: Role,
    pub text: String,
    pub ts: Option<String>,
}

/// Where a record came from: the input file (index into the run's file list), the 1-based
/// line where the record starts, and for JSON arrays the 1-based element number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    pub file: usize,
    pub line: u64,
    /// 0 when the format has one record per line.
    pub element: u64,
}

impl Location {
    /// "path:line" or "path:line (element N)".
    pub fn describe(&self, files: &[String]) -> String {
        let path = files.get(self.file).map(String::as_str).unwrap_or("?");
        if self.element > 0 {
            format!("{path}:{} (element {})", self.line, self.element)
        } else {
            format!("{path}:{}", self.line)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Conversation {
    pub id: String,
    pub category: Option<String>,
    pub channel: Option<String>,
    pub bot_version: Option<String>,
    /// When the conversation began, read at ingest; `None` when the export gives no time
    /// or one that cannot be read (the conversation is then undated, not skipped).
    pub started_at: Option<Timestamp>,
    pub csat: Option<f64>,
    pub status: Option<String>,
    pub messages: Vec<Message>,
    pub marks: PlatformMarks,
    pub location: Location,
}

/// What the platform itself recorded beyond the text, as indices into `messages`: bot
/// messages it marked as fallbacks (Rasa's fallback actions, Dialogflow's no-match) and the
/// system messages recording a handoff to a person (a Bot Framework handoff event, a
/// Dialogflow live-agent handoff). Detectors trust these whatever the wording.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlatformMarks {
    pub fallbacks: Vec<usize>,
    pub handoffs: Vec<usize>,
}

/// A survey scale, e.g. 1-5 or 0-10. The run's `--csat-scale` says which scale canonical
/// `csat` values are on; vendor ratings on their own scales are mapped onto it at ingest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CsatScale {
    pub min: f64,
    pub max: f64,
}

impl Default for CsatScale {
    fn default() -> Self {
        CsatScale { min: 1.0, max: 5.0 }
    }
}

impl CsatScale {
    /// Parses "1-5", "0-10", "1..7".
    pub fn parse(s: &str) -> Option<CsatScale> {
        let (a, b) = s.split_once("..").or_else(|| s.split_once('-'))?;
        let (min, max) = (a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?);
        (max > min).then_some(CsatScale { min, max })
    }

    pub fn to_five(self, v: f64) -> f64 {
        1.0 + 4.0 * (v - self.min) / (self.max - self.min)
    }

    /// `v`, given on scale `from`, as the same relative position on this scale.
    pub fn from_scale(self, v: f64, from: CsatScale) -> f64 {
        self.min + (self.max - self.min) * (v - from.min) / (from.max - from.min)
    }
}

/// Every reason a conversation can be flagged for. The codes (snake_case) are the public
/// contract: they appear in reports, findings files and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    // unresolved
    EscalationRequest,
    BotFallback,
    CustomerRepeat,
    Unanswered,
    NegativeClose,
    AbandonedAfterFallback,
    Handoff,
    ExplicitStatus,
    // repetition
    BotRepeat,
    BotLoop,
    // satisfaction
    LowCsat,
    SentimentDrop,
    Frustration,
}

impl Reason {
    pub const ALL: [Reason; 13] = [
        Reason::EscalationRequest,
        Reason::BotFallback,
        Reason::CustomerRepeat,
        Reason::Unanswered,
        Reason::NegativeClose,
        Reason::AbandonedAfterFallback,
        Reason::Handoff,
        Reason::ExplicitStatus,
        Reason::BotRepeat,
        Reason::BotLoop,
        Reason::LowCsat,
        Reason::SentimentDrop,
        Reason::Frustration,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Reason::EscalationRequest => "escalation_request",
            Reason::BotFallback => "bot_fallback",
            Reason::CustomerRepeat => "customer_repeat",
            Reason::Unanswered => "unanswered",
            Reason::NegativeClose => "negative_close",
            Reason::AbandonedAfterFallback => "abandoned_after_fallback",
            Reason::Handoff => "handoff",
            Reason::ExplicitStatus => "explicit_status",
            Reason::BotRepeat => "bot_repeat",
            Reason::BotLoop => "bot_loop",
            Reason::LowCsat => "low_csat",
            Reason::SentimentDrop => "sentiment_drop",
            Reason::Frustration => "frustration",
        }
    }

    pub fn index(self) -> usize {
        Reason::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

/// One flag with the messages (indices into `Conversation::messages`) that triggered it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub reason: Reason,
    pub messages: Vec<usize>,
    /// A short human explanation, e.g. "bot message 7 repeats message 3 (similarity 0.92)".
    pub detail: String,
}
