//! Renderers for `handoff gate`'s [`GateReport`]: terminal (`terminal.rs`), Markdown for a
//! PR comment and `$GITHUB_STEP_SUMMARY` (`markdown.rs`), JUnit XML (`junit.rs`), and the
//! shared JSON renderer. Like the audit renderers they only format: every number and
//! verdict comes from `gate::evaluate`. The cells below are shared by the terminal and
//! Markdown tables.

mod junit;
mod markdown;
mod terminal;

use super::json::Json;
use super::Renderer;
use crate::gate::config::{Correction, Metric};
use crate::gate::{Check, GateReport, Measure, RuleKind, Side, Status};
use crate::numfmt::{level, MISSING};

/// `handoff gate --format`, plus the JUnit file of `--junit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateFormat {
    Table,
    Json,
    Markdown,
    Junit,
}

/// The gate renderer for `format`.
pub fn renderer(format: GateFormat) -> Box<dyn Renderer<GateReport>> {
    match format {
        GateFormat::Table => Box::new(terminal::Terminal),
        GateFormat::Json => Box::new(Json),
        GateFormat::Markdown => Box::new(markdown::Markdown),
        GateFormat::Junit => Box::new(junit::Junit),
    }
}

/// "23.6% (354/1500)" or "4.12 (n 310)" or "– (n 0)".
fn measure(metric: Metric, m: &Measure) -> String {
    let q = metric.quantity();
    match (m.value, m.count) {
        (None, _) => format!("{MISSING} (n {})", m.n),
        (Some(v), Some(count)) => format!("{} ({count}/{})", q.value(v), m.n),
        (Some(v), None) => format!("{} (n {})", q.value(v), m.n),
    }
}

/// The difference with its interval for regressions; the candidate's interval for limits.
fn interval(c: &Check) -> String {
    let q = c.metric.quantity();
    match (&c.difference, c.rule) {
        (Some(d), _) => q.change(d.value, d.interval),
        (None, RuleKind::Limit) => match c.candidate.interval {
            Some(ci) => q.range(ci),
            None => MISSING.to_string(),
        },
        (None, RuleKind::Regression) => MISSING.to_string(),
    }
}

/// "≤ 40.0%", "≥ 3.50", "≤ +3.0 pp", "≥ -0.20".
fn threshold(c: &Check) -> String {
    let q = c.metric.quantity();
    match (c.rule, c.metric.is_rate()) {
        (RuleKind::Limit, true) => format!("≤ {}", q.value(c.threshold)),
        (RuleKind::Limit, false) => format!("≥ {}", q.value(c.threshold)),
        (RuleKind::Regression, true) => format!("≤ {}", q.delta_with_unit(c.threshold)),
        (RuleKind::Regression, false) => format!("≥ {}", q.delta(-c.threshold)),
    }
}

fn status(c: &Check) -> &'static str {
    match (c.status, c.passed) {
        (Status::Fail, _) => "FAIL",
        (Status::InsufficientData, true) => "insufficient data",
        (Status::InsufficientData, false) => "FAIL (insufficient data)",
        (Status::Pass, _) if c.underpowered => "pass (too little data to tell)",
        (Status::Pass, _) => "pass",
    }
}

/// The smallest worsening a regression check could see: "+4.1 pp", "-0.35", or "–".
fn detectable(c: &Check) -> String {
    let q = c.metric.quantity();
    match (c.rule, c.min_detectable) {
        (RuleKind::Regression, Some(m)) if c.metric.is_rate() => q.delta_with_unit(m),
        (RuleKind::Regression, Some(m)) => q.delta(-m),
        (RuleKind::Regression, None) if c.difference.is_some() => "none".to_string(),
        _ => MISSING.to_string(),
    }
}

/// How significance was judged: the level, the correction and the family.
fn significance(r: &GateReport) -> String {
    let lvl = level(r.confidence);
    let power = level(r.power);
    match r.correction {
        Correction::None => format!(
            "each of the {} regression checks on its own at {lvl} (no correction): a \
             regression is significant when its interval excludes 0; smallest detectable \
             worsening at {power} power",
            r.family
        ),
        c => format!(
            "{lvl} {} over {} regression checks ({}): a regression is significant when its \
             adjusted one-sided p-value is below {}; smallest detectable worsening at {power} \
             power",
            if c == Correction::Holm {
                "family-wise"
            } else {
                "false-discovery control"
            },
            r.family,
            c.label(),
            r.significance_level
        ),
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
