//! The audit's result: what the renderers show. Everything here is computed by the
//! aggregate stage; renderers only format it. Transcript text in it is already redacted.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub tool: String,
    pub settings: Settings,
    pub input: InputAccounting,
    /// Earliest and latest `started_at` seen (as given, ISO 8601 sorts as text).
    pub period: Option<[String; 2]>,
    pub overall: CategoryStats,
    /// Ranked: categories with enough data by needs-human rate (highest first), then volume;
    /// categories with too little data last.
    pub categories: Vec<CategoryStats>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub handle_minutes: f64,
    pub csat_scale: String,
    pub redacted: bool,
    pub config: Option<String>,
    pub route_to_humans: f64,
    pub human_review: f64,
    pub min_conversations: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputAccounting {
    pub files: Vec<FileAccount>,
    pub records_read: u64,
    pub audited: u64,
    pub skipped: u64,
    pub skip_reasons: Vec<SkipCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileAccount {
    pub path: String,
    /// The input format it was read as (`handoff formats`); None for an empty input.
    pub format: Option<String>,
    pub records: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkipCount {
    pub reason: String,
    pub count: u64,
    /// The first few occurrences: "path:line: message".
    pub first: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    RouteToHumans,
    HumanReview,
    BotOk,
    InsufficientData,
}

impl Recommendation {
    pub fn label(self) -> &'static str {
        match self {
            Recommendation::RouteToHumans => "route to humans",
            Recommendation::HumanReview => "human review",
            Recommendation::BotOk => "bot ok",
            Recommendation::InsufficientData => "insufficient data",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryStats {
    pub category: String,
    pub conversations: u64,
    pub needs_human: u64,
    pub needs_human_rate: f64,
    /// 95% Wilson score interval of the needs-human rate.
    pub needs_human_ci: [f64; 2],
    pub unresolved_rate: f64,
    pub escalation_request_rate: f64,
    pub loop_rate: f64,
    pub satisfaction_drop_rate: f64,
    pub confirmed_rate: f64,
    pub mean_score: f64,
    /// Mean inferred dissatisfaction (0..1) of the category's conversations.
    pub mean_dissatisfaction: f64,
    pub mean_csat: Option<f64>,
    pub csat_answered: u64,
    pub agent_hours: f64,
    pub recommendation: Recommendation,
    /// Every reason found in the category, most frequent first.
    pub reasons: Vec<ReasonCount>,
    pub repeated_answers: Vec<RepeatedAnswer>,
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReasonCount {
    pub reason: String,
    pub conversations: u64,
    /// Share of the category's conversations.
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RepeatedAnswer {
    pub text: String,
    /// Needs-human conversations in which the bot gave this answer.
    pub needs_human: u64,
    /// All conversations in which the bot gave this answer.
    pub conversations: u64,
    pub needs_human_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Example {
    pub id: String,
    pub location: String,
    pub score: f64,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub reason: String,
    pub detail: String,
    pub messages: Vec<EvidenceMessage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceMessage {
    pub index: usize,
    pub role: String,
    pub text: String,
}

/// One audited conversation in the `--findings` file.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub id: String,
    pub location: String,
    pub category: String,
    pub needs_human: bool,
    pub score: f64,
    pub dissatisfaction: f64,
    pub unresolved: bool,
    pub escalation_request: bool,
    pub is_loop: bool,
    pub satisfaction_drop: bool,
    pub confirmed: bool,
    pub csat: Option<f64>,
    pub reasons: Vec<String>,
    pub evidence: Vec<Evidence>,
}
