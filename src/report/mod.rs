//! Report: renderers that turn a computed `Summary` into text, one file per format
//! (an exporter trait, as in hyperfine), plus the `--findings` writers. Renderers only
//! format; every number comes from the aggregate stage.

pub mod calibration;
mod charts;
pub mod gate;
mod html;
mod json;
mod markdown;
mod table;
mod tabular;
mod trends;

use crate::error::Result;
use crate::summary::Summary;

pub use html::generated_at;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
    Markdown,
    Html,
}

pub struct RenderOptions {
    /// ANSI colour (stdout is a terminal and NO_COLOR is not set).
    pub color: bool,
    /// When the report was made (UTC, ISO 8601), for formats that show it (HTML).
    pub generated_at: Option<String>,
}

pub trait Renderer {
    fn render(&self, summary: &Summary, opts: &RenderOptions) -> Result<String>;
}

pub fn renderer(format: ReportFormat) -> Box<dyn Renderer> {
    match format {
        ReportFormat::Table => Box::new(table::TableRenderer),
        ReportFormat::Json => Box::new(json::JsonRenderer),
        ReportFormat::Csv => Box::new(tabular::CsvRenderer),
        ReportFormat::Markdown => Box::new(markdown::MarkdownRenderer),
        ReportFormat::Html => Box::new(html::HtmlRenderer),
    }
}

/// "12.3%"
pub(crate) fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// Shortens transcript text for one-line display.
pub(crate) fn clip(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}
