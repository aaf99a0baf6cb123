//! The canonical conversation every input format maps onto, and the findings detectors produce.

use serde::Serialize;

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
    pub started_at: Option<String>,
    pub csat: Option<f64>,
    pub status: Option<String>,
    pub messages: Vec<Message>,
    pub location: Location,
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
