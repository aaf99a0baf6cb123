//! The gate on a terminal: the verdict, failures spelled out, then one row per check
//! (failures first), then the release diff. Values from the data (sources, category names,
//! ids, answers, and the messages quoting them) go through `numfmt::terminal`.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use super::{detectable, headline, interval, measure, side, significance, status, threshold};
use crate::error::Result;
use crate::gate::{GateReport, Status};
use crate::numfmt::{clip, level, terminal as t};
use crate::report::{RenderOptions, Renderer};

/// Items of the release diff listed on a terminal before "... and N more".
const LIST: usize = 20;

pub struct Terminal;

impl Renderer<GateReport> for Terminal {
    fn render(&self, r: &GateReport, opts: &RenderOptions) -> Result<String> {
        Ok(terminal(r, opts.color))
    }
}

fn terminal(r: &GateReport, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    let head = format!("handoff {}", headline(r));
    let _ = writeln!(
        out,
        "{}",
        paint(if r.passed { "1;32" } else { "1;31" }, &head)
    );
    let _ = writeln!(out, "Baseline:  {}", t(&side(&r.baseline)));
    let _ = writeln!(out, "Candidate: {}", t(&side(&r.candidate)));
    let _ = writeln!(out, "Significance: {}", significance(r));
    for note in &r.notes {
        let _ = writeln!(out, "{}", paint("33", &format!("Note: {}", t(note))));
    }

    let failed: Vec<_> = r.checks.iter().filter(|c| !c.passed).collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\nFailures:");
        for c in failed {
            let _ = writeln!(out, "  {} {}", paint("31", "✗"), t(&c.message));
        }
    }

    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(vec![
            "Status".to_string(),
            "Scope".to_string(),
            "Metric".to_string(),
            "Rule".to_string(),
            "Baseline".to_string(),
            "Candidate".to_string(),
            format!("Difference ({} CI)", level(r.confidence)),
            "Allowed".to_string(),
            "Could see".to_string(),
        ]);
    for c in &r.checks {
        let st = status(c);
        let st = match (c.status, c.passed) {
            (_, false) => paint("31", st),
            (Status::InsufficientData, true) => paint("2", st),
            (_, true) if c.underpowered => paint("33", st),
            _ => paint("32", st),
        };
        table.add_row(vec![
            st,
            t(&c.scope).into_owned(),
            c.metric.code().to_string(),
            c.rule.code().to_string(),
            measure(c.metric, &c.baseline),
            measure(c.metric, &c.candidate),
            interval(c),
            threshold(c),
            detectable(c),
        ]);
    }
    let _ = writeln!(out, "\n{table}");

    if let Some(d) = &r.release_diff {
        let _ = writeln!(
            out,
            "\nRelease diff: {} conversation ids in both",
            d.shared_conversations
        );
        for (title, flips) in [
            ("Now need a human", &d.now_needs_human),
            ("No longer need a human", &d.no_longer_needs_human),
        ] {
            if d.shared_conversations == 0 {
                break;
            }
            let _ = writeln!(out, "  {title}: {}", flips.len());
            for f in flips.iter().take(LIST) {
                let _ = writeln!(
                    out,
                    "    {} ({}): {}",
                    t(&f.id),
                    t(&f.category),
                    t(&f.reasons.join(", "))
                );
            }
            if flips.len() > LIST {
                let _ = writeln!(out, "    ... and {} more", flips.len() - LIST);
            }
        }
        let _ = writeln!(
            out,
            "  Answers the bot loops on in the candidate but never in the baseline: {}",
            d.new_loops.len()
        );
        for l in d.new_loops.iter().take(LIST) {
            let _ = writeln!(
                out,
                "    {}× \"{}\" (e.g. {})",
                l.conversations,
                t(&clip(&l.text, 90)),
                t(&l.examples.join(", "))
            );
        }
        if d.new_loops.len() > LIST {
            let _ = writeln!(out, "    ... and {} more", d.new_loops.len() - LIST);
        }
    }
    let _ = writeln!(out, "\nMethod ({}): {}", level(r.confidence), r.method);
    out
}
