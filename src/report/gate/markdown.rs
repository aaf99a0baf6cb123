//! The gate as Markdown, for a PR comment (`--markdown FILE`) and `$GITHUB_STEP_SUMMARY`:
//! verdict, failures, a collapsed table of every check, the release diff. Every value from
//! the data is escaped (`numfmt::md_cell`) or a code span (`numfmt::md_code`): a PR comment
//! must not carry HTML, links, images or mentions from a transcript or a category name.

use std::fmt::Write;

use super::{detectable, headline, interval, measure, side, significance, status, threshold};
use crate::error::Result;
use crate::gate::{Check, GateReport};
use crate::numfmt::{clip, level, md_cell as cell, md_code};
use crate::report::{RenderOptions, Renderer};

/// Items of the release diff listed before "... and N more".
const LIST: usize = 50;

pub struct Markdown;

impl Renderer<GateReport> for Markdown {
    fn render(&self, r: &GateReport, _: &RenderOptions) -> Result<String> {
        Ok(markdown(r))
    }
}

fn table(out: &mut String, r: &GateReport, checks: &[&Check]) {
    let _ = writeln!(
        out,
        "| Status | Scope | Metric | Rule | Baseline | Candidate | Difference ({} CI) | Allowed | Could see |",
        level(r.confidence)
    );
    let _ = writeln!(out, "|---|---|---|---|--:|--:|--:|--:|--:|");
    for c in checks {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            status(c),
            cell(&c.scope),
            c.metric.code(),
            c.rule.code(),
            measure(c.metric, &c.baseline),
            measure(c.metric, &c.candidate),
            interval(c),
            threshold(c),
            detectable(c)
        );
    }
}

fn markdown(r: &GateReport) -> String {
    let mut out = String::new();
    let icon = if r.passed { "✅" } else { "❌" };
    let _ = writeln!(out, "## {icon} handoff {}\n", headline(r));
    let _ = writeln!(out, "- Baseline: {}", cell(&side(&r.baseline)));
    let _ = writeln!(out, "- Candidate: {}", cell(&side(&r.candidate)));
    let _ = writeln!(out, "- Significance: {}", cell(&significance(r)));
    for note in &r.notes {
        let _ = writeln!(out, "- **Note:** {}", cell(note));
    }

    let failed: Vec<&Check> = r.checks.iter().filter(|c| !c.passed).collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\n### Failures\n");
        for c in &failed {
            let _ = writeln!(out, "- {}", cell(&c.message));
        }
        let _ = writeln!(out);
        table(&mut out, r, &failed);
    }
    let all: Vec<&Check> = r.checks.iter().collect();
    let _ = writeln!(
        out,
        "\n<details><summary>All checks ({})</summary>\n",
        all.len()
    );
    table(&mut out, r, &all);
    let _ = writeln!(out, "\n</details>");

    if let Some(d) = &r.release_diff {
        let _ = writeln!(
            out,
            "\n### Release diff\n\n{} conversation ids in both runs.\n",
            d.shared_conversations
        );
        if d.shared_conversations > 0 {
            for (title, flips) in [
                ("Now need a human", &d.now_needs_human),
                ("No longer need a human", &d.no_longer_needs_human),
            ] {
                let _ = writeln!(out, "**{title}: {}**\n", flips.len());
                for f in flips.iter().take(LIST) {
                    let _ = writeln!(
                        out,
                        "- {} ({}): {}",
                        md_code(&f.id),
                        cell(&f.category),
                        cell(&f.reasons.join(", "))
                    );
                }
                if flips.len() > LIST {
                    let _ = writeln!(out, "- ... and {} more", flips.len() - LIST);
                }
                let _ = writeln!(out);
            }
        }
        let _ = writeln!(
            out,
            "**Answers the bot loops on in the candidate but never in the baseline: {}**\n",
            d.new_loops.len()
        );
        for l in d.new_loops.iter().take(LIST) {
            let _ = writeln!(
                out,
                "- {}× \"{}\" (e.g. {})",
                l.conversations,
                cell(&clip(&l.text, 120)),
                cell(&l.examples.join(", "))
            );
        }
        if d.new_loops.len() > LIST {
            let _ = writeln!(out, "- ... and {} more", d.new_loops.len() - LIST);
        }
    }
    let _ = writeln!(
        out,
        "\n<sub>Method ({}): {}</sub>",
        level(r.confidence),
        r.method
    );
    out
}
