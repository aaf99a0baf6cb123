//! `--format markdown`: the same report for a wiki page or a PR comment.

use std::fmt::Write;

use super::{clip, pct, RenderOptions, Renderer};
use crate::error::Result;
use crate::summary::Summary;

pub struct MarkdownRenderer;

/// Table cells cannot hold pipes or newlines.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

impl Renderer for MarkdownRenderer {
    fn render(&self, s: &Summary, _: &RenderOptions) -> Result<String> {
        let mut out = String::new();
        let inp = &s.input;
        let _ = writeln!(out, "# Where humans are needed\n");
        let _ = writeln!(
            out,
            "{} conversations audited from {} file(s) ({} records read, {} skipped{}). \
             Needs human overall: **{}** (95% CI {}–{}); estimated agent time {:.1} h.\n",
            inp.audited,
            inp.files.len(),
            inp.records_read,
            inp.skipped,
            match &inp.filter {
                Some(f) => format!(", {} filtered out by `{}`", inp.filtered_out, cell(f)),
                None => String::new(),
            },
            pct(s.overall.needs_human_rate),
            pct(s.overall.needs_human_ci[0]),
            pct(s.overall.needs_human_ci[1]),
            s.overall.agent_hours
        );
        let _ = writeln!(
            out,
            "| Category | Conversations | Needs human | 95% CI | Unresolved | Asked for human | Loop | Satisfaction drop | Mean CSAT (n) | Agent hours | Recommendation | Top reasons |"
        );
        let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|");
        for c in s.categories.iter().chain(std::iter::once(&s.overall)) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {}–{} | {} | {} | {} | {} | {} | {:.1} | {} | {} |",
                cell(&c.category),
                c.conversations,
                pct(c.needs_human_rate),
                pct(c.needs_human_ci[0]),
                pct(c.needs_human_ci[1]),
                pct(c.unresolved_rate),
                pct(c.escalation_request_rate),
                pct(c.loop_rate),
                pct(c.satisfaction_drop_rate),
                c.mean_csat
                    .map(|m| format!("{m:.2} ({})", c.csat_answered))
                    .unwrap_or_else(|| "–".into()),
                c.agent_hours,
                c.recommendation.label(),
                c.reasons
                    .iter()
                    .take(3)
                    .map(|r| format!("{} {}", r.reason, pct(r.rate)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if let Some(t) = &s.trends {
            out.push_str(&super::trends::markdown(t, cell));
        }
        for c in s
            .categories
            .iter()
            .filter(|c| !c.repeated_answers.is_empty())
        {
            let _ = writeln!(
                out,
                "\n## {}: most repeated bot answers\n",
                cell(&c.category)
            );
            for a in &c.repeated_answers {
                let _ = writeln!(
                    out,
                    "- {}× in needs-human conversations ({} of its uses): \"{}\"",
                    a.needs_human,
                    pct(a.needs_human_share),
                    cell(&clip(&a.text, 120))
                );
            }
        }
        if inp.skipped > 0 {
            let _ = writeln!(out, "\n## Skipped records\n");
            for r in &inp.skip_reasons {
                let _ = writeln!(out, "- {} × `{}`", r.count, r.reason);
                for f in &r.first {
                    let _ = writeln!(out, "  - {}", cell(f));
                }
            }
        }
        Ok(out)
    }
}
