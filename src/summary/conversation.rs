//! `handoff show`: one conversation with its verdict, every message and the findings that
//! cite each one. Built by the aggregate stage (which redacts), rendered by
//! `report::conversation`; `--format json` writes this structure.

use serde::Serialize;

use super::Evidence;

/// Version of `handoff show --format json`. 2: `probability` added.
pub const CONVERSATION_SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize)]
pub struct ConversationReport {
    pub schema_version: u32,
    pub id: String,
    /// The input file, as the run names it.
    pub file: String,
    /// File and 1-based line (and array element) of the record.
    pub location: String,
    pub category: String,
    /// ISO 8601 in UTC.
    pub started_at: Option<String>,
    pub bot_version: Option<String>,
    pub channel: Option<String>,
    pub status: Option<String>,
    pub needs_human: bool,
    pub score: f64,
    /// The needs-human probability (`detect/verdict.rs`).
    pub probability: f64,
    pub dissatisfaction: f64,
    pub csat: Option<f64>,
    /// Reason codes, the one with the highest default weight first.
    pub reasons: Vec<String>,
    /// Each finding with its detail and the messages it cites (0-based `index`).
    pub findings: Vec<Evidence>,
    pub messages: Vec<ShownMessage>,
    /// False with `--no-redact`.
    pub redacted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShownMessage {
    /// 1-based, as people count: what the terminal shows.
    pub number: usize,
    /// 0-based, as the findings files and evidence cite it.
    pub index: usize,
    pub role: String,
    /// Redacted unless `--no-redact`; never cut.
    pub text: String,
    /// Reason codes whose evidence cites this message.
    pub reasons: Vec<String>,
}
