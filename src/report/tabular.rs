//! `--format csv`: one row per category plus an `overall` row, for spreadsheets. Text cells
//! go through `numfmt::spreadsheet_cell` (no cell from the data starts a formula); numbers
//! are written as they are.

use super::{RenderOptions, Renderer};
use crate::error::{Error, Result};
use crate::numfmt::spreadsheet_cell;
use crate::summary::{CategoryStats, Summary};

pub struct CsvRenderer;

const HEADER: [&str; 20] = [
    "category",
    "conversations",
    "needs_human",
    "needs_human_rate",
    "needs_human_ci_low",
    "needs_human_ci_high",
    "unresolved_rate",
    "escalation_request_rate",
    "loop_rate",
    "satisfaction_drop_rate",
    "confirmed_rate",
    "mean_score",
    "mean_csat",
    "csat_answered",
    "agent_hours",
    "recommendation",
    "reasons",
    "expected_rate",
    "expected_rate_ci_low",
    "expected_rate_ci_high",
];

fn row(c: &CategoryStats) -> Vec<String> {
    vec![
        spreadsheet_cell(&c.category).into_owned(),
        c.conversations.to_string(),
        c.needs_human.to_string(),
        c.needs_human_rate.to_string(),
        c.needs_human_ci[0].to_string(),
        c.needs_human_ci[1].to_string(),
        c.unresolved_rate.to_string(),
        c.escalation_request_rate.to_string(),
        c.loop_rate.to_string(),
        c.satisfaction_drop_rate.to_string(),
        c.confirmed_rate.to_string(),
        c.mean_score.to_string(),
        c.mean_csat.map(|v| v.to_string()).unwrap_or_default(),
        c.csat_answered.to_string(),
        c.agent_hours.to_string(),
        c.recommendation.code().to_string(),
        spreadsheet_cell(
            &c.reasons
                .iter()
                .map(|r| format!("{}:{}", r.reason, r.conversations))
                .collect::<Vec<_>>()
                .join(";"),
        )
        .into_owned(),
        c.expected_rate.to_string(),
        c.expected_rate_ci[0].to_string(),
        c.expected_rate_ci[1].to_string(),
    ]
}

impl Renderer for CsvRenderer {
    fn render(&self, summary: &Summary, _: &RenderOptions) -> Result<String> {
        let err = |e: csv::Error| Error::Internal(format!("csv report: {e}"));
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(HEADER).map_err(err)?;
        for c in summary
            .categories
            .iter()
            .chain(std::iter::once(&summary.overall))
        {
            w.write_record(row(c)).map_err(err)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| Error::Internal(format!("csv report: {e}")))?;
        String::from_utf8(bytes).map_err(|e| Error::Internal(format!("csv report: {e}")))
    }
}
