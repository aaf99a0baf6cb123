//! Report: renderers that turn a computed document into text, one file per format, in the
//! manner of hyperfine's exporters. Renderers only format; every number and verdict comes
//! from the stage that made the document, and every number or piece of text is written the
//! way `numfmt` writes it.
//!
//! One trait, generic over the document: [`Renderer<D>`]. Three documents are rendered: the
//! audit's [`Summary`] (the default type parameter), the gate's
//! [`GateReport`](crate::gate::GateReport) and calibrate's
//! [`Calibration`](crate::calibrate::Calibration). A generic trait rather than one trait per
//! document lets the single [`json::Json`] renderer serve all three (each is serialised as
//! it is), and gives every caller the same shape: pick a renderer by format, then
//! `render(&doc, &options)`. Each document has its own format enum, so a caller cannot ask
//! for a format its document does not have (no CSV gate, no JUnit audit):
//! [`renderer`] (audit), [`gate::renderer`], [`calibration::renderer`].
//!
//! Files: `table.rs`, `markdown.rs`, `tabular.rs` (CSV), `json.rs`, `html.rs` (+ `charts/`,
//! `templates/`) for the audit, `trends.rs` its `--compare-periods` sections; `gate/` and
//! `calibration.rs` for the other two documents.

pub mod calibration;
mod charts;
pub mod conversation;
pub mod gate;
mod html;
pub mod json;
mod markdown;
mod table;
mod tabular;
mod trends;

use crate::error::Result;
use crate::numfmt::{fixed, pct, thousands, MISSING};
use crate::summary::{CategoryStats, FoldedCategories, Summary};

pub use html::generated_at;

/// Renders a document `D` in one format.
pub trait Renderer<D: ?Sized = Summary> {
    fn render(&self, doc: &D, opts: &RenderOptions) -> Result<String>;
}

/// How to render, beyond the document. `Default` is plain text with no timestamp.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// ANSI colour (stdout is a terminal and NO_COLOR is not set); terminal formats only.
    pub color: bool,
    /// When the report was made (UTC, ISO 8601), for formats that show it (HTML).
    pub generated_at: Option<String>,
    /// Fit the terminal table into this many columns (see `table.rs` for what is dropped
    /// first); `None` for the full table (`--wide`, a file or a pipe).
    pub width: Option<usize>,
}

/// The audit's formats (`handoff audit --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
    Markdown,
    Html,
}

/// The audit renderer for `format`.
pub fn renderer(format: ReportFormat) -> Box<dyn Renderer> {
    match format {
        ReportFormat::Table => Box::new(table::TableRenderer),
        ReportFormat::Json => Box::new(json::Json),
        ReportFormat::Csv => Box::new(tabular::CsvRenderer),
        ReportFormat::Markdown => Box::new(markdown::MarkdownRenderer),
        ReportFormat::Html => Box::new(html::HtmlRenderer),
    }
}

/// Mean CSAT and its number of answers, "4.12 (310)", as the table and Markdown show it.
/// The line under a category table saying categories were folded; `row` is the folded
/// row's name already escaped for the format.
fn folded_note(f: &FoldedCategories, row: &str) -> String {
    format!(
        "Only the {} largest categories are shown: {} more ({} conversations) are folded \
         into {row}, last (--max-categories shows more).",
        thousands(f.max_categories as u64),
        thousands(f.categories),
        thousands(f.conversations),
    )
}

fn csat_cell(c: &CategoryStats) -> String {
    match c.mean_csat {
        Some(m) => format!("{} ({})", fixed(m, 2), c.csat_answered),
        None => MISSING.to_string(),
    }
}

/// The three most frequent reasons with their rates: "escalation_request 40.0%, ...".
fn top_reasons(c: &CategoryStats) -> String {
    c.reasons
        .iter()
        .take(3)
        .map(|r| format!("{} {}", r.reason, pct(r.rate)))
        .collect::<Vec<_>>()
        .join(", ")
}
