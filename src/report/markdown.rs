//! `--format markdown`: the same report for a wiki page or a PR comment. Every value from
//! the data is escaped (`numfmt::md_cell`) or a code span (`numfmt::md_code`), so a
//! transcript or a category name stays text: no HTML, links, images or mentions.

use std::fmt::Write;

use super::{csat_cell, top_reasons, RenderOptions, Renderer};
use crate::error::Result;
use crate::numfmt::{clip, fixed, md_cell as cell, md_code, pct, Quantity};
use crate::summary::Summary;

pub struct MarkdownRenderer;

impl Renderer for MarkdownRenderer {
    fn render(&self, s: &Summary, _: &RenderOptions) -> Result<String> {
        let mut out = String::new();
        let inp = &s.input;
        let _ = writeln!(out, "# Where humans are needed\n");
        let _ = writeln!(
            out,
            "{} conversations audited from {} file(s) ({} records read, {} skipped{}). \
             Needs human overall: **{}** (95% CI {}); expected rate {} (95% CI {}); \
             estimated agent time {} h.\n",
            inp.audited,
            inp.files.len(),
            inp.records_read,
            inp.skipped,
            match &inp.filter {
                Some(f) => format!(", {} filtered out by {}", inp.filtered_out, md_code(f)),
                None => String::new(),
            },
            pct(s.overall.needs_human_rate),
            Quantity::Rate.range(s.overall.needs_human_ci),
            pct(s.overall.expected_rate),
            Quantity::Rate.range(s.overall.expected_rate_ci),
            fixed(s.overall.agent_hours, 1)
        );
        let _ = writeln!(
            out,
            "| Category | Conversations | Needs human | 95% CI | Expected rate (95% CI) | Unresolved | Asked for human | Loop | Satisfaction drop | Mean CSAT (n) | Agent hours | Recommendation | Top reasons |"
        );
        let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|");
        for c in s.categories.iter().chain(std::iter::once(&s.overall)) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} ({}) | {} | {} | {} | {} | {} | {} | {} | {} |",
                cell(&c.category),
                c.conversations,
                pct(c.needs_human_rate),
                Quantity::Rate.range(c.needs_human_ci),
                pct(c.expected_rate),
                Quantity::Rate.range(c.expected_rate_ci),
                pct(c.unresolved_rate),
                pct(c.escalation_request_rate),
                pct(c.loop_rate),
                pct(c.satisfaction_drop_rate),
                csat_cell(c),
                fixed(c.agent_hours, 1),
                c.recommendation.label(),
                cell(&top_reasons(c))
            );
        }
        if let Some(f) = &s.folded_categories {
            let _ = writeln!(out, "\n{}", super::folded_note(f, &md_code(&f.row)));
        }
        if let Some(c) = &s.category_source {
            let _ = writeln!(out, "\n{}", cell(&c.note));
        }
        if let Some(t) = &s.trends {
            out.push_str(&super::trends::markdown(t));
        }
        for c in s
            .categories
            .iter()
            .filter(|c| !c.repeated_answers.is_empty())
        {
            let _ = writeln!(
                out,
                "\n## {}: bot answers that precede a human (by lift)\n",
                cell(&c.category)
            );
            if c.repeated_answers_error > 0 {
                let _ = writeln!(
                    out,
                    "Counts may be low by up to {} (rare answers were too many to keep).\n",
                    c.repeated_answers_error
                );
            }
            for a in &c.repeated_answers {
                let _ = writeln!(
                    out,
                    "- lift {}× ({}–{}): {} of its {} conversations needed a human ({}): \"{}\"",
                    fixed(a.lift, 1),
                    fixed(a.lift_ci[0], 1),
                    fixed(a.lift_ci[1], 1),
                    a.needs_human,
                    a.conversations,
                    pct(a.needs_human_share),
                    cell(&clip(&a.text, 120))
                );
            }
        }
        if inp.skipped > 0 {
            let _ = writeln!(out, "\n## Skipped records\n");
            for r in &inp.skip_reasons {
                let _ = writeln!(out, "- {} × {}", r.count, md_code(&r.reason));
                for f in &r.first {
                    let _ = writeln!(out, "  - {}", cell(f));
                }
            }
        }
        Ok(out)
    }
}
