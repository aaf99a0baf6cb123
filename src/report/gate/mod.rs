//! Renderers for `handoff gate`: terminal, JUnit XML, Markdown (PR comment and
//! `$GITHUB_STEP_SUMMARY`) and JSON. Like the audit renderers they only format: every
//! number and verdict comes from `gate::evaluate`.

mod junit;
mod markdown;
mod terminal;

pub use junit::junit;
pub use markdown::markdown;
pub use terminal::terminal;

use crate::error::{Error, Result};
use crate::gate::config::Metric;
use crate::gate::{Check, GateReport, Measure, RuleKind, Side, Status};

pub fn json(report: &GateReport) -> Result<String> {
    let mut s = serde_json::to_string_pretty(report)
        .map_err(|e| Error::Internal(format!("json gate report: {e}")))?;
    s.push('\n');
    Ok(s)
}

/// "23.6%" for rates, "4.12" for mean CSAT.
fn value(metric: Metric, v: f64) -> String {
    if metric.is_rate() {
        format!("{:.1}%", v * 100.0)
    } else {
        format!("{v:.2}")
    }
}

/// "+1.2" (percentage points for rates, CSAT points otherwise), never "-0.0".
fn delta(metric: Metric, v: f64) -> String {
    crate::gate::signed(
        if metric.is_rate() { v * 100.0 } else { v },
        if metric.is_rate() { 1 } else { 2 },
    )
}

/// "23.6% (354/1500)" or "4.12 (n 310)" or "–".
fn measure(metric: Metric, m: &Measure) -> String {
    match (m.value, m.count) {
        (None, _) => format!("– (n {})", m.n),
        (Some(v), Some(count)) => format!("{} ({count}/{})", value(metric, v), m.n),
        (Some(v), None) => format!("{} (n {})", value(metric, v), m.n),
    }
}

/// The difference with its interval for regressions; the candidate's interval for limits.
fn interval(c: &Check) -> String {
    match (&c.difference, c.rule) {
        (Some(d), _) => format!(
            "{}{} ({} to {})",
            delta(c.metric, d.value),
            if c.metric.is_rate() { " pp" } else { "" },
            delta(c.metric, d.interval[0]),
            delta(c.metric, d.interval[1])
        ),
        (None, RuleKind::Limit) => match c.candidate.interval {
            Some([lo, hi]) => format!("{}–{}", value(c.metric, lo), value(c.metric, hi)),
            None => "–".to_string(),
        },
        (None, RuleKind::Regression) => "–".to_string(),
    }
}

/// "≤ 40.0%", "≥ 3.50", "+3.0 pp max", "−0.20 max".
fn threshold(c: &Check) -> String {
    match (c.rule, c.metric.is_rate()) {
        (RuleKind::Limit, true) => format!("≤ {}", value(c.metric, c.threshold)),
        (RuleKind::Limit, false) => format!("≥ {}", value(c.metric, c.threshold)),
        (RuleKind::Regression, true) => format!("≤ {:+.1} pp", c.threshold * 100.0),
        (RuleKind::Regression, false) => format!("≥ {:+.2}", -c.threshold),
    }
}

fn status(c: &Check) -> &'static str {
    match (c.status, c.passed) {
        (Status::Fail, _) => "FAIL",
        (Status::InsufficientData, true) => "insufficient data",
        (Status::InsufficientData, false) => "FAIL (insufficient data)",
        (Status::Pass, _) => "pass",
    }
}

fn rule(c: &Check) -> &'static str {
    match c.rule {
        RuleKind::Limit => "limit",
        RuleKind::Regression => "regression",
    }
}

fn side(s: &Side) -> String {
    let mut out = format!(
        "{}{}: {} conversations",
        if s.saved_summary {
            "saved summary "
        } else {
            ""
        },
        s.source,
        s.conversations
    );
    if let Some(f) = &s.filter {
        out.push_str(&format!(
            " (filter {f}; {} of {} records filtered out)",
            s.filtered_out, s.records_read
        ));
    }
    if s.skipped > 0 {
        out.push_str(&format!(", {} records skipped", s.skipped));
    }
    out
}

fn headline(r: &GateReport) -> String {
    let t = &r.totals;
    let insufficient = if t.insufficient_data > 0 {
        format!(", {} with insufficient data", t.insufficient_data)
    } else {
        String::new()
    };
    if r.passed {
        format!("gate passed: {} checks{insufficient}", t.checks)
    } else {
        format!(
            "gate FAILED: {} of {} checks failed{insufficient}",
            t.failed, t.checks
        )
    }
}

fn level(r: &GateReport) -> String {
    let s = format!("{:.2}", r.confidence * 100.0);
    format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
}
