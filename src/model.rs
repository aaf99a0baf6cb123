//! The canonical conversation every input format maps onto, and the findings detectors produce.

use serde::{Deserialize, Serialize};

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
        // Lowercased on the stack: this runs for every message, and every name below fits.
        let s = s.trim().as_bytes();
        let mut buf = [0u8; 16];
        let lower = buf.get_mut(..s.len())?;
        for (l, b) in lower.iter_mut().zip(s) {
            *l = b.to_ascii_lowercase();
        }
        let lower = std::str::from_utf8(lower).ok()?;
        Some(match lower {
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
    /// or one that cannot be used (the conversation is then undated, not skipped).
    pub started_at: Option<Timestamp>,
    /// Why a time the export gave was not used: the report counts these by reason.
    pub undated: Option<Undated>,
    pub csat: Option<f64>,
    pub status: Option<String>,
    pub messages: Vec<Message>,
    pub marks: PlatformMarks,
    pub location: Location,
    /// The team's own outcome (`calibrate --label-field`); None when not asked for or absent.
    pub label: Option<Label>,
}

/// A conversation's outcome as the team's export records it (`ingest::label`).
#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    /// Needed a person by the team's own measure (escalated, reopened...).
    Positive,
    Negative,
    /// A value that reads as neither (quoted, cut to 40 characters).
    Unreadable(String),
}

/// A start time the export gave that the conversation does not get.
#[derive(Debug, Clone, PartialEq)]
pub enum Undated {
    /// Text that is not a timestamp handoff reads (as written, cut to 40 characters).
    Unreadable(String),
    /// A timestamp outside the plausible window (`time::DateWindow`).
    Implausible(Timestamp),
}

impl Undated {
    /// Text the export gave that is not a timestamp.
    pub fn unreadable(text: &str) -> Undated {
        Undated::Unreadable(text.trim().chars().take(40).collect())
    }

    /// The code the report counts it under.
    pub fn code(&self) -> &'static str {
        match self {
            Undated::Unreadable(_) => "unreadable_date",
            Undated::Implausible(_) => "implausible_date",
        }
    }
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
        // f64 parsing takes "inf" and "NaN": a scale needs two finite ends.
        (min.is_finite() && max.is_finite() && max > min).then_some(CsatScale { min, max })
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
/// contract: they appear in reports, findings files and the README. Per-reason data is
/// indexed by `reason as usize`; everything known about a reason is its row of `REASONS`.
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
    // the needs-human probability
    InferredDissatisfaction,
    // routing
    RoutedByDesign,
}

/// Why a reason is listed: a cause says why the bot failed (what to fix), an outcome that a
/// person was or should have been involved, routing that the bot handed over by design.
/// Reports lead each category with its causes, so the explanation is not "the platform
/// marked it open" but what went wrong before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    Cause,
    Outcome,
    Routing,
}

/// What the code knows about one reason.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReasonInfo {
    pub reason: Reason,
    /// The public code (the serde name of the variant).
    pub code: &'static str,
    /// A one-line explanation for readers who have not seen the README (HTML report).
    pub help: &'static str,
    /// Default weight in the noisy-OR needs-human score (`[score.weights]`, README
    /// "needs_human score").
    pub default_weight: f64,
    pub kind: ReasonKind,
}

const fn row(
    reason: Reason,
    code: &'static str,
    default_weight: f64,
    help: &'static str,
) -> ReasonInfo {
    ReasonInfo {
        reason,
        code,
        help,
        default_weight,
        kind: match reason {
            Reason::EscalationRequest
            | Reason::Handoff
            | Reason::ExplicitStatus
            | Reason::LowCsat => ReasonKind::Outcome,
            Reason::RoutedByDesign => ReasonKind::Routing,
            _ => ReasonKind::Cause,
        },
    }
}

/// One row per reason, in the order of the enum (checked at compile time below).
pub const REASONS: [ReasonInfo; 15] = [
    row(
        Reason::EscalationRequest,
        "escalation_request",
        0.9,
        "the customer asked for a person",
    ),
    row(
        Reason::BotFallback,
        "bot_fallback",
        0.5,
        "the bot said it did not understand or could not help",
    ),
    row(
        Reason::CustomerRepeat,
        "customer_repeat",
        0.4,
        "the customer had to restate the request",
    ),
    row(
        Reason::Unanswered,
        "unanswered",
        0.5,
        "the conversation ends on a customer message with no reply",
    ),
    row(
        Reason::NegativeClose,
        "negative_close",
        0.7,
        "the customer's last message expresses failure",
    ),
    row(
        Reason::AbandonedAfterFallback,
        "abandoned_after_fallback",
        0.7,
        "the customer left after a bot fallback",
    ),
    row(Reason::Handoff, "handoff", 0.9, "a human agent took over"),
    row(
        Reason::ExplicitStatus,
        "explicit_status",
        0.7,
        "the platform marked the conversation open or escalated",
    ),
    row(
        Reason::BotRepeat,
        "bot_repeat",
        0.4,
        "the bot repeated an earlier answer",
    ),
    row(
        Reason::BotLoop,
        "bot_loop",
        0.7,
        "the bot repeated the same answer again and again",
    ),
    row(Reason::LowCsat, "low_csat", 0.8, "low satisfaction score"),
    row(
        Reason::SentimentDrop,
        "sentiment_drop",
        0.5,
        "the customer's tone turned negative",
    ),
    row(
        Reason::Frustration,
        "frustration",
        0.4,
        "the customer showed frustration",
    ),
    row(
        Reason::InferredDissatisfaction,
        "inferred_dissatisfaction",
        0.5,
        "no explicit failure, but the customer's turns read as dissatisfied",
    ),
    row(
        Reason::RoutedByDesign,
        "routed_by_design",
        0.0,
        "the bot handed over to people by design, with no failure before",
    ),
];

// Row k describes the variant with discriminant k, so `reason as usize` indexes the table.
const _: () = {
    let mut k = 0;
    while k < REASONS.len() {
        assert!(REASONS[k].reason as usize == k);
        k += 1;
    }
};

impl Reason {
    pub const COUNT: usize = REASONS.len();

    /// Every reason, in the documented order (the enum's).
    pub const ALL: [Reason; Reason::COUNT] = {
        let mut all = [Reason::EscalationRequest; Reason::COUNT];
        let mut k = 0;
        while k < Reason::COUNT {
            all[k] = REASONS[k].reason;
            k += 1;
        }
        all
    };

    pub fn info(self) -> &'static ReasonInfo {
        &REASONS[self as usize]
    }

    pub fn code(self) -> &'static str {
        self.info().code
    }

    pub fn help(self) -> &'static str {
        self.info().help
    }

    pub fn default_weight(self) -> f64 {
        self.info().default_weight
    }

    pub fn kind(self) -> ReasonKind {
        self.info().kind
    }

    /// The reason with this public code.
    pub fn from_code(code: &str) -> Option<Reason> {
        REASONS.iter().find(|r| r.code == code).map(|r| r.reason)
    }

    /// Every reason, ordered by code (the order config error messages list them in).
    pub fn by_code() -> [Reason; Reason::COUNT] {
        let mut all = Reason::ALL;
        all.sort_by_key(|r| r.code());
        all
    }
}

/// One flag with the messages (indices into `Conversation::messages`) that triggered it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub reason: Reason,
    pub messages: Vec<usize>,
    /// A short human explanation, e.g. "bot message 7 repeats message 3 (similarity 0.92)".
    /// Prose numbers messages from 1, as a reader counts them; `messages` (and every index
    /// in the machine outputs) counts from 0 (docs/formats.md).
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_its_serde_name_as_code_and_a_help_text() {
        let mut codes = std::collections::BTreeSet::new();
        let mut helps = std::collections::BTreeSet::new();
        for r in Reason::ALL {
            let serde_name = serde_json::to_value(r).expect("a unit variant serialises");
            assert_eq!(serde_name, r.code(), "{r:?}");
            assert!(codes.insert(r.code()), "duplicate code {}", r.code());
            assert!(helps.insert(r.help()), "duplicate help of {r:?}");
            assert!(!r.help().is_empty());
            assert!((0.0..=1.0).contains(&r.default_weight()), "{r:?}");
        }
        assert_eq!(codes.len(), Reason::COUNT);
    }

    #[test]
    fn index_and_code_lookups_agree_with_the_table() {
        for (k, r) in Reason::ALL.into_iter().enumerate() {
            assert_eq!(r as usize, k);
            assert_eq!(Reason::from_code(r.code()), Some(r));
        }
        assert_eq!(Reason::RoutedByDesign as usize, Reason::COUNT - 1);
        assert_eq!(Reason::Handoff.kind(), ReasonKind::Outcome);
        assert_eq!(Reason::BotFallback.kind(), ReasonKind::Cause);
        assert_eq!(Reason::InferredDissatisfaction.kind(), ReasonKind::Cause);
        assert_eq!(Reason::from_code("Handoff"), None);
        assert_eq!(Reason::from_code("not_a_reason"), None);
        let by_code = Reason::by_code();
        assert_eq!(by_code[0], Reason::AbandonedAfterFallback);
        assert!(by_code.windows(2).all(|w| w[0].code() < w[1].code()));
    }

    #[test]
    fn default_weights_are_the_documented_ones() {
        // README "needs_human score" lists them; a change here must change it too.
        let readme = include_str!("../README.md");
        for r in Reason::ALL {
            let documented = format!("{} {}", r.code(), r.default_weight());
            assert!(readme.contains(&documented), "README lacks {documented}");
        }
    }
}
