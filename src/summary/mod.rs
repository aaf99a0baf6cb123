//! The audit's result: what the renderers show. Everything here is computed by the
//! aggregate stage; renderers only format it. Transcript text in it is already redacted.
//!
//! `handoff audit --format json` writes this structure, and `handoff gate` reads it back as
//! a saved baseline, so changes that old files cannot satisfy bump `SCHEMA_VERSION`.

use serde::{Deserialize, Serialize};

pub mod conversation;

pub use conversation::{ConversationReport, ShownMessage};

/// Version of the saved-summary format. Bump it when a field is added, removed or changes
/// meaning, so `handoff gate` rejects files it would misread with a clear message.
pub const SCHEMA_VERSION: u32 = 2;

/// What changed in each version, for the message that rejects an older summary.
pub const SCHEMA_CHANGES: &[(u32, &str)] = &[(
    2,
    "needs_human now also counts conversations flagged by the calibrated needs-human \
     probability (reason inferred_dissatisfaction), so rates of version 1 are not comparable; \
     categories gained expected_rate and reasons their kind",
)];

/// The name of the whole-corpus row (`Summary::overall`, the gate's `overall` scope, the
/// weekly series' and trends' overall rows).
pub const OVERALL: &str = "overall";

/// What a category literally named [`OVERALL`] is called instead, so that it can never be
/// mistaken for the whole-corpus row (in the gate's scopes and `[gate.categories.*]`, the
/// weekly flags, the CSV report's rows).
pub const RENAMED_OVERALL: &str = "overall (category)";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    /// See [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// "handoff X.Y.Z": also how a saved summary is told apart from transcripts.
    pub tool: String,
    pub settings: Settings,
    pub input: InputAccounting,
    /// Earliest and latest `started_at`, RFC 3339 in UTC (`2025-03-03T00:56:30Z`).
    pub period: Option<[String; 2]>,
    pub overall: CategoryStats,
    /// Ranked: categories with enough data by needs-human rate (highest first), then volume;
    /// categories with too little data last.
    pub categories: Vec<CategoryStats>,
    /// Categories beyond `--max-categories` (`[recommend] max_categories`), folded into
    /// the last row of `categories`. Left out when none were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folded_categories: Option<FoldedCategories>,
    /// Weekly needs-human rate and CSAT per category with significant worsenings flagged;
    /// `None` when no conversation has a usable `started_at`.
    #[serde(default)]
    pub weekly: Option<Weekly>,
    /// `--compare-periods`: each category's latest period against the previous one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trends: Option<Trends>,
    /// Where the categories came from when not from the export alone (topics discovered
    /// during the run, a topics file, the keyword taxonomy), or why topics were not
    /// discovered. Left out when the export's categories were used as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_source: Option<CategorySourceNote>,
}

/// What every report says about where its categories came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategorySourceNote {
    /// `discovered` (learned from this run's input), `topics` (a topics file), `taxonomy`
    /// (the export's, else keywords) or `export` (the export's, with a reason topics were
    /// not discovered).
    pub source: String,
    /// Topic names, largest first (`discovered`, `topics`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// The topics file (`topics`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics_file: Option<String>,
    /// Requests the topics were learned from (`discovered`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<u64>,
    /// The sentence the reports print, labels included.
    pub note: String,
}

/// The categories folded into one row, so the report stays bounded however many there are.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FoldedCategories {
    /// The row they are folded into: `other (N categories)`.
    pub row: String,
    /// Distinct categories folded.
    pub categories: u64,
    /// Their conversations.
    pub conversations: u64,
    /// Categories shown besides: the largest by conversations, ties by name.
    pub max_categories: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub handle_minutes: f64,
    pub csat_scale: String,
    pub redacted: bool,
    pub config: Option<String>,
    pub route_to_humans: f64,
    pub human_review: f64,
    pub min_conversations: u64,
    /// Hash of the detection settings (thresholds, weights, phrase lists, taxonomy,
    /// lexicon, category field): summaries with different fingerprints flag conversations
    /// differently and should not be compared.
    pub detection_fingerprint: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InputAccounting {
    pub files: Vec<FileAccount>,
    pub records_read: u64,
    pub audited: u64,
    pub skipped: u64,
    pub skip_reasons: Vec<SkipCount>,
    /// `--filter` as given, when records were selected.
    pub filter: Option<String>,
    /// Records read and valid but not selected by the filter:
    /// `records_read = audited + skipped + filtered_out`.
    pub filtered_out: u64,
    /// Paths passed over while expanding the inputs, by reason (`symlinked_directory`,
    /// `directory_already_walked`, `same_file`, `special_file`, `broken_symlink`): files
    /// that were not read, so no record of theirs is counted above. Left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths_skipped: Vec<SkipCount>,
    /// Audited conversations whose export gave a start time that was not used, by reason:
    /// `unreadable_date` (not a timestamp handoff reads) or `implausible_date` (before 1990
    /// or more than a year after the run). They are audited, undated (`weekly.undated`).
    /// Left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undated_reasons: Vec<SkipCount>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileAccount {
    pub path: String,
    /// The input format it was read as (`handoff formats`); None for an empty input (and
    /// in summaries saved before formats were reported, which stay readable).
    #[serde(default)]
    pub format: Option<String>,
    pub records: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SkipCount {
    pub reason: String,
    pub count: u64,
    /// The first few occurrences: "path:line: message" ("path: message" for paths).
    pub first: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    RouteToHumans,
    HumanReview,
    BotOk,
    InsufficientData,
}

impl Recommendation {
    /// Strongest first.
    pub const ALL: [Recommendation; 4] = [
        Recommendation::RouteToHumans,
        Recommendation::HumanReview,
        Recommendation::BotOk,
        Recommendation::InsufficientData,
    ];

    /// The code it serialises to, for machine-readable outputs (CSV) and templates.
    pub fn code(self) -> &'static str {
        match self {
            Recommendation::RouteToHumans => "route_to_humans",
            Recommendation::HumanReview => "human_review",
            Recommendation::BotOk => "bot_ok",
            Recommendation::InsufficientData => "insufficient_data",
        }
    }

    /// For people: "route to humans".
    pub fn label(self) -> &'static str {
        match self {
            Recommendation::RouteToHumans => "route to humans",
            Recommendation::HumanReview => "human review",
            Recommendation::BotOk => "bot ok",
            Recommendation::InsufficientData => "insufficient data",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategoryStats {
    pub category: String,
    pub conversations: u64,
    pub needs_human: u64,
    pub needs_human_rate: f64,
    /// 95% Wilson score interval of the needs-human rate.
    pub needs_human_ci: [f64; 2],
    /// Mean needs-human probability: the expected share of conversations a person would
    /// judge as needing a human (`detect/verdict.rs`).
    pub expected_rate: f64,
    /// Its 95% t interval (sampling only, not the model's own uncertainty).
    pub expected_rate_ci: [f64; 2],
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
    /// Sum and sum of squares of the CSAT values (on the input's scale), for the variance
    /// the gate's interval on mean CSAT needs.
    pub csat_sum: f64,
    pub csat_sum_squares: f64,
    /// Conversation counts behind the rates above (the gate's tests need counts, not rates).
    pub unresolved: u64,
    pub escalation_request: u64,
    #[serde(rename = "loop")]
    pub loops: u64,
    pub satisfaction_drop: u64,
    pub confirmed: u64,
    pub agent_hours: f64,
    pub recommendation: Recommendation,
    /// Every reason found in the category, most frequent first.
    pub reasons: Vec<ReasonCount>,
    pub repeated_answers: Vec<RepeatedAnswer>,
    /// How far below its true value each count of `repeated_answers` may be: 0 when every
    /// answer of the category was counted exactly (the bounded summary of
    /// `aggregate::answers` only drops rare answers when they are too many to keep).
    #[serde(default)]
    pub repeated_answers_error: u64,
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReasonCount {
    pub reason: String,
    /// Cause (why the bot failed), outcome (a person was or should have been involved) or
    /// routing (handed over by design).
    pub kind: crate::model::ReasonKind,
    pub conversations: u64,
    /// Share of the category's conversations.
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RepeatedAnswer {
    pub text: String,
    /// Needs-human conversations in which the bot gave this answer.
    pub needs_human: u64,
    /// All conversations in which the bot gave this answer.
    pub conversations: u64,
    pub needs_human_share: f64,
    /// `needs_human_share` over the category's needs-human rate: how many times more often
    /// a conversation with this answer needed a human. The list is ranked by the lower end
    /// of `lift_ci` (95%), and holds answers with a lift above 1 in at least 3
    /// conversations. 0 in summaries saved before answers were ranked by lift.
    #[serde(default)]
    pub lift: f64,
    #[serde(default)]
    pub lift_ci: [f64; 2],
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Example {
    pub id: String,
    pub location: String,
    pub score: f64,
    pub evidence: Vec<Evidence>,
    /// RFC 3339 in UTC; `None` when the export gave no readable time.
    pub started_at: Option<String>,
    pub csat: Option<f64>,
    /// Messages in the conversation.
    pub total_messages: usize,
    /// The conversation (redacted), each message marked with the reasons that cite it. Long
    /// conversations keep the cited messages, their neighbours, the opening and the close,
    /// and say how many messages were left out where.
    pub messages: Vec<ExampleMessage>,
    /// Messages left out after the last one kept.
    pub omitted_after: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExampleMessage {
    pub index: usize,
    pub role: String,
    /// Redacted; very long messages are cut (ending in "…").
    pub text: String,
    /// Reason codes whose evidence cites this message (empty for context messages).
    pub reasons: Vec<String>,
    /// Messages left out just before this one.
    pub omitted_before: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Evidence {
    pub reason: String,
    pub detail: String,
    pub messages: Vec<EvidenceMessage>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvidenceMessage {
    pub index: usize,
    pub role: String,
    pub text: String,
}

/// `--compare-periods`: per category, the latest calendar period in the data against the
/// one before it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trends {
    pub granularity: String,
    /// `None` when no `started_at` could be read.
    pub latest: Option<PeriodInfo>,
    pub previous: Option<PeriodInfo>,
    /// Two-sided level of the intervals (`[gate] confidence`).
    pub confidence: f64,
    /// Conversations needed in each period before a category is judged.
    pub min_conversations: u64,
    /// Rated conversations needed in each period before mean CSAT is judged.
    pub min_csat_responses: u64,
    /// `[gate] correction` the flags were judged with (`holm`, `bh`, `none`); empty in
    /// summaries saved before corrections (each change judged on its own).
    #[serde(default)]
    pub correction: String,
    /// Judged changes corrected together (the family).
    #[serde(default)]
    pub family: u64,
    /// Audited conversations without a readable `started_at`.
    pub undated: u64,
    pub overall: TrendRow,
    /// Flagged categories first, then by name.
    pub categories: Vec<TrendRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeriodInfo {
    /// "2025-W14" or "2025-04".
    pub label: String,
    /// First and last calendar day (UTC).
    pub days: [String; 2],
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrendRow {
    pub category: String,
    pub previous_conversations: u64,
    pub latest_conversations: u64,
    /// Both periods have `min_conversations`.
    pub judged: bool,
    pub needs_human: Option<TrendChange>,
    pub satisfaction_drop: Option<TrendChange>,
    pub mean_csat: Option<TrendChange>,
    /// Significant changes for the worse: `needs_human_rise`, `satisfaction_drop_rise`,
    /// `csat_drop`.
    pub flags: Vec<String>,
}

/// A metric in the previous and latest period, `latest - previous`, and its interval.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrendChange {
    pub previous: f64,
    pub latest: f64,
    pub difference: f64,
    pub interval: [f64; 2],
    /// Significantly worse: with `correction` none, the interval excludes zero on the
    /// worse side; otherwise the adjusted p-value is below half of 1 − confidence.
    pub worse: bool,
    /// One-sided p-value of a worsening, read off the interval; `None` when the change was
    /// not judged (too little data) and in summaries saved before corrections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// `p_value` adjusted over the table's or chart's judged changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjusted_p_value: Option<f64>,
}

/// Weekly series of the report (ISO weeks of the UTC day), oldest week first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Weekly {
    pub weeks: Vec<WeekLabel>,
    /// Conversations without a usable `started_at` (in no series).
    pub undated: u64,
    /// Dated conversations in weeks before the reported window of at most 52 weeks.
    pub earlier: u64,
    /// The test each week is compared with the one before by, as in [`Trends`]: two-sided
    /// level of the intervals (`[gate] confidence`), and the conversations and rated
    /// conversations both weeks need before a rate or mean CSAT is judged. 0 in summaries
    /// saved before the weekly flags used this test (they used fixed 5% z-tests).
    #[serde(default)]
    pub confidence: f64,
    #[serde(default)]
    pub min_conversations: u64,
    #[serde(default)]
    pub min_csat_responses: u64,
    /// `[gate] correction` the flags were judged with (`holm`, `bh`, `none`); empty in
    /// summaries saved before corrections (each change judged on its own).
    #[serde(default)]
    pub correction: String,
    /// Judged changes corrected together (the family).
    #[serde(default)]
    pub family: u64,
    pub overall: WeeklySeries,
    /// In the report's ranking order; categories without dated conversations are left out.
    pub categories: Vec<WeeklySeries>,
    /// Every flagged week: overall first, then by category, oldest week first.
    pub flags: Vec<WeeklyFlag>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WeekLabel {
    /// ISO week, e.g. "2025-W10".
    pub week: String,
    /// Its Monday, e.g. "2025-03-03".
    pub start: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WeeklySeries {
    pub category: String,
    /// One per entry of `Weekly::weeks`; zero conversations where the week had none.
    pub points: Vec<WeekPoint>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WeekPoint {
    pub conversations: u64,
    pub needs_human: u64,
    pub needs_human_rate: f64,
    /// 95% Wilson score interval.
    pub needs_human_ci: [f64; 2],
    pub csat_answered: u64,
    pub mean_csat: Option<f64>,
    /// 95% t interval of the week's mean CSAT (on the input's scale, not clipped to it:
    /// with a handful of answers it can reach past the scale's ends); `None` with fewer
    /// than two answers, and in summaries saved before weekly CSAT intervals.
    #[serde(default)]
    pub csat_ci: Option<[f64; 2]>,
    /// The needs-human rate rose significantly from the week before (see `Weekly`).
    pub needs_human_rose: bool,
    /// Mean CSAT fell significantly from the week before.
    pub csat_fell: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeeklyMetric {
    NeedsHumanRate,
    Csat,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WeeklyFlag {
    pub category: String,
    pub week: String,
    pub metric: WeeklyMetric,
    /// The metric in the week before and in the flagged week.
    pub before: f64,
    pub after: f64,
    /// Interval of `after - before` at `Weekly::confidence` (Newcombe for the rate, Welch
    /// for mean CSAT), entirely on the worse side of zero. [0, 0] in summaries saved before
    /// the weekly flags used this test.
    #[serde(default)]
    pub interval: [f64; 2],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A weekly series saved before the weekly flags used the `[gate]` test (a `z` per
    /// flag, no interval or test settings) still loads, e.g. as a gate baseline.
    #[test]
    fn weekly_series_saved_with_z_scores_still_load() {
        let old = r#"{
            "weeks": [{"week": "2025-W10", "start": "2025-03-03"}],
            "undated": 0,
            "earlier": 0,
            "overall": {"category": "overall", "points": []},
            "categories": [],
            "flags": [{"category": "card", "week": "2025-W10", "metric": "csat",
                       "before": 4.5, "after": 2.5, "z": -8.49}]
        }"#;
        let w: Weekly = serde_json::from_str(old).expect("readable");
        assert_eq!(
            (w.confidence, w.min_conversations, w.min_csat_responses),
            (0.0, 0, 0)
        );
        assert_eq!(w.flags[0].metric, WeeklyMetric::Csat);
        assert_eq!((w.flags[0].before, w.flags[0].interval), (4.5, [0.0, 0.0]));
    }

    #[test]
    fn recommendation_codes_are_what_json_holds() {
        for r in Recommendation::ALL {
            assert_eq!(
                serde_json::to_value(r).ok(),
                Some(serde_json::Value::from(r.code()))
            );
            let back: Recommendation =
                serde_json::from_value(serde_json::Value::from(r.code())).expect("parses");
            assert_eq!(back, r);
        }
    }
}
