//! Renders a `calibrate` result: how each signal predicts low CSAT (or the team's own
//! `--label-field` outcome), and the suggestions.
//! The table is here; JSON is the shared [`Json`] renderer.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::Table;

use super::json::Json;
use super::{RenderOptions, Renderer};
use crate::calibrate::{Calibration, GroupStats};
use crate::error::Result;
use crate::numfmt::{fixed, fixed_or_missing, pct, terminal};

/// `handoff calibrate --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalibrationFormat {
    Table,
    Json,
}

/// The calibration renderer for `format`.
pub fn renderer(format: CalibrationFormat) -> Box<dyn Renderer<Calibration>> {
    match format {
        CalibrationFormat::Table => Box::new(CalibrationTable),
        CalibrationFormat::Json => Box::new(Json),
    }
}

/// AUC, precision and recall: three decimals, "–" when undefined.
fn opt(v: Option<f64>) -> String {
    fixed_or_missing(v, 3)
}

fn new_table<const N: usize>(header: [&str; N]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(header);
    t
}

fn group_table(g: &GroupStats) -> Table {
    let mut t = new_table([
        "Signal",
        "AUC",
        "Threshold",
        "Flagged",
        "Precision",
        "Recall",
    ]);
    for s in &g.signals {
        t.add_row([
            terminal(&s.signal).into_owned(),
            opt(s.auc),
            s.threshold
                .map(|x| format!("≥ {}", fixed(x, 3)))
                .unwrap_or_else(|| "current".into()),
            s.flagged.to_string(),
            opt(s.precision),
            opt(s.recall),
        ]);
    }
    t
}

pub struct CalibrationTable;

impl Renderer<Calibration> for CalibrationTable {
    fn render(&self, c: &Calibration, _: &RenderOptions) -> Result<String> {
        Ok(table(c))
    }
}

fn table(c: &Calibration) -> String {
    let mut out = String::new();
    // How a group's counts read: "with CSAT, low" or "labelled, positive".
    let (labelled, positive) = match &c.label_field {
        None => {
            let _ = writeln!(
                out,
                "handoff calibrate: {} of {} audited conversations have CSAT ({}); {} are low (≤ {} on 1-5)",
                c.with_csat,
                c.audited,
                terminal(&c.csat_scale),
                c.low_csat,
                c.low_csat_threshold
            );
            let _ = writeln!(
                out,
                "How well each transcript-only signal predicts low CSAT (AUC 0.5 = chance). Scores: precision/recall at their best-F1 threshold; flags: at the current configuration.\n"
            );
            ("with CSAT", "low")
        }
        Some(field) => {
            let unreadable = match c.unreadable_labels {
                0 => String::new(),
                n => format!("; {n} more have a value that is neither yes nor no"),
            };
            let _ = writeln!(
                out,
                "handoff calibrate: {} of {} audited conversations carry {}; {} are positive ({}){unreadable}",
                c.labelled,
                c.audited,
                terminal(field),
                c.positive,
                terminal(&c.outcome),
            );
            let _ = writeln!(
                out,
                "How well each signal predicts {} (AUC 0.5 = chance). Scores: precision/recall at their best-F1 threshold; flags: at the current configuration.\n",
                terminal(&c.outcome)
            );
            ("labelled", "positive")
        }
    };
    let _ = writeln!(out, "Overall\n{}", group_table(&c.overall));
    for g in &c.categories {
        let _ = writeln!(
            out,
            "\n{} ({} {labelled}, {} {positive})\n{}",
            terminal(&g.category),
            g.conversations,
            g.positive,
            group_table(g)
        );
    }
    if !c.turn_signals.is_empty() {
        let mut t = new_table([
            "Turn signal",
            "Weight",
            "AUC",
            "Conversations",
            "Precision",
            "Recall",
        ]);
        for s in &c.turn_signals {
            t.add_row([
                terminal(&s.stats.signal).into_owned(),
                fixed(s.weight, 2),
                opt(s.stats.auc),
                s.stats.flagged.to_string(),
                opt(s.stats.precision),
                opt(s.stats.recall),
            ]);
        }
        let _ = writeln!(
            out,
            "\nThe dissatisfaction score's turn signals, overall: a conversation counts when the signal fired in one of its customer turns. A weight (`[detect.dissatisfaction]`) on a signal with AUC near 0.5 here does not help on this data.\n{t}"
        );
    }
    match &c.verdict {
        Some(v) => {
            let _ = writeln!(
                out,
                "\nThe needs-human probability against {}: AUC {} with the current weights (Brier {}); refitted on these labels, {} (Brier {}, 5-fold cross-validated), best-F1 threshold {}.",
                terminal(&c.outcome),
                opt(v.auc_current),
                fixed(v.brier_current, 3),
                opt(v.auc_refit),
                fixed(v.brier_refit, 3),
                v.threshold
            );
            let mut t = new_table(["Decile", "Conversations", "Predicted", "Observed"]);
            for (k, r) in v.reliability.iter().enumerate() {
                t.add_row([
                    (k + 1).to_string(),
                    r.conversations.to_string(),
                    pct(r.predicted),
                    pct(r.observed),
                ]);
            }
            let weights: Vec<String> = std::iter::once(format!("intercept {}", v.intercept))
                .chain(v.weights.iter().map(|(k, w)| format!("{k} {w}")))
                .collect();
            let _ = writeln!(
                out,
                "Reliability of the refit (cross-validated):\n{t}\nRefitted weights ([score.verdict], written by --write-config): {}",
                weights.join(", ")
            );
        }
        None => {
            let _ = writeln!(
                out,
                "\nThe needs-human probability is not refitted: it needs at least {} {positive} and {} other conversations {labelled}.",
                crate::calibrate::MIN_PER_CLASS_FOR_REFIT,
                crate::calibrate::MIN_PER_CLASS_FOR_REFIT
            );
        }
    }
    if c.suggestions.is_empty() {
        let _ = writeln!(out, "\nNo threshold change would fit this data better.");
    } else {
        let _ = writeln!(
            out,
            "\nSuggested thresholds (best F1 against {}):",
            terminal(&c.outcome)
        );
        for s in &c.suggestions {
            let _ = writeln!(
                out,
                "  {} = {}   (now {}; F1 {} -> {})",
                terminal(&s.key),
                s.suggested,
                s.current,
                fixed(s.f1_current, 3),
                fixed(s.f1_suggested, 3)
            );
        }
    }
    out
}
