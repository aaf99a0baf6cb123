//! Renders a `calibrate` result: how each signal predicts low CSAT, and the suggestions.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::Table;

use crate::calibrate::{Calibration, GroupStats};
use crate::error::{Error, Result};

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "–".into())
}

fn new_table(header: [&str; 6]) -> Table {
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
            s.signal.clone(),
            opt(s.auc),
            s.threshold
                .map(|x| format!("≥ {x:.3}"))
                .unwrap_or_else(|| "current".into()),
            s.flagged.to_string(),
            opt(s.precision),
            opt(s.recall),
        ]);
    }
    t
}

pub fn table(c: &Calibration) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "handoff calibrate: {} of {} audited conversations have CSAT ({}); {} are low (≤ {} on 1-5)",
        c.with_csat, c.audited, c.csat_scale, c.low_csat, c.low_csat_threshold
    );
    let _ = writeln!(
        out,
        "How well each transcript-only signal predicts low CSAT (AUC 0.5 = chance). Scores: precision/recall at their best-F1 threshold; flags: at the current configuration.\n"
    );
    let _ = writeln!(out, "Overall\n{}", group_table(&c.overall));
    for g in &c.categories {
        let _ = writeln!(
            out,
            "\n{} ({} with CSAT, {} low)\n{}",
            g.category,
            g.conversations,
            g.low_csat,
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
                s.stats.signal.clone(),
                format!("{:.2}", s.weight),
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
    if c.suggestions.is_empty() {
        let _ = writeln!(out, "\nNo threshold change would fit this data better.");
    } else {
        let _ = writeln!(out, "\nSuggested thresholds (best F1 against low CSAT):");
        for s in &c.suggestions {
            let _ = writeln!(
                out,
                "  {} = {}   (now {}; F1 {:.3} -> {:.3})",
                s.key, s.suggested, s.current, s.f1_current, s.f1_suggested
            );
        }
    }
    out
}

pub fn json(c: &Calibration) -> Result<String> {
    let mut s = serde_json::to_string_pretty(c)
        .map_err(|e| Error::Internal(format!("calibration json: {e}")))?;
    s.push('\n');
    Ok(s)
}
