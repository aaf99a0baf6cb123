//! The default terminal report: a ranked table, then per-category evidence, then the input
//! accounting. Every value from the data goes through `numfmt::terminal`: transcripts,
//! category names, ids and file names may hold escape sequences.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};

use super::{csat_cell, top_reasons, RenderOptions, Renderer};
use crate::error::Result;
use crate::numfmt::{clip, fixed, pct, terminal, Quantity};
use crate::summary::{CategoryStats, Recommendation, Summary};

pub struct TableRenderer;

const HEADER: [&str; 11] = [
    "Category",
    "Convs",
    "Needs human (95% CI)",
    "Unresolved",
    "Asked human",
    "Loop",
    "Sat. drop",
    "CSAT (n)",
    "Agent h",
    "Recommendation",
    "Top reasons",
];

fn cells(c: &CategoryStats) -> Vec<String> {
    vec![
        terminal(&c.category).into_owned(),
        c.conversations.to_string(),
        format!(
            "{} ({})",
            pct(c.needs_human_rate),
            Quantity::Rate.range(c.needs_human_ci)
        ),
        pct(c.unresolved_rate),
        pct(c.escalation_request_rate),
        pct(c.loop_rate),
        pct(c.satisfaction_drop_rate),
        csat_cell(c),
        fixed(c.agent_hours, 1),
        c.recommendation.label().to_string(),
        terminal(&top_reasons(c)).into_owned(),
    ]
}

struct Style {
    color: bool,
}

impl Style {
    fn bold(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn recommendation(&self, r: Recommendation) -> String {
        let code = match r {
            Recommendation::RouteToHumans => "31",
            Recommendation::HumanReview => "33",
            Recommendation::BotOk => "32",
            Recommendation::InsufficientData => "2",
        };
        if self.color {
            format!("\x1b[{code}m{}\x1b[0m", r.label())
        } else {
            r.label().to_string()
        }
    }
}

impl Renderer for TableRenderer {
    fn render(&self, s: &Summary, opts: &RenderOptions) -> Result<String> {
        let style = Style { color: opts.color };
        let mut out = String::new();
        let inp = &s.input;
        let _ = writeln!(
            out,
            "{}",
            style.bold("handoff audit: where humans are needed, by category")
        );
        let _ = writeln!(
            out,
            "{} conversations audited from {} file(s); {} records read, {} skipped{}{}",
            inp.audited,
            inp.files.len(),
            inp.records_read,
            inp.skipped,
            match &inp.filter {
                Some(f) => format!(", {} filtered out by {}", inp.filtered_out, terminal(f)),
                None => String::new(),
            },
            match &s.period {
                Some([a, b]) => format!("; period {} .. {}", terminal(a), terminal(b)),
                None => String::new(),
            }
        );
        let _ = writeln!(
            out,
            "Needs human overall: {} ({}), {} of {}; estimated agent time {} h at {} min each\n",
            pct(s.overall.needs_human_rate),
            Quantity::Rate.range(s.overall.needs_human_ci),
            s.overall.needs_human,
            s.overall.conversations,
            fixed(s.overall.agent_hours, 1),
            s.settings.handle_minutes
        );

        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(HEADER);
        for c in s.categories.iter().chain(std::iter::once(&s.overall)) {
            table.add_row(cells(c));
        }
        for i in 1..9 {
            if let Some(col) = table.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        let _ = writeln!(out, "{table}");
        if let Some(f) = &s.folded_categories {
            let _ = writeln!(out, "{}", super::folded_note(f, &terminal(&f.row)));
        }
        if let Some(t) = &s.trends {
            out.push_str(&super::trends::table(t));
        }

        for c in &s.categories {
            if c.needs_human == 0 {
                continue;
            }
            let _ = writeln!(
                out,
                "\n{} — {}: {} of {} conversations need a human",
                style.bold(&terminal(&c.category)),
                style.recommendation(c.recommendation),
                c.needs_human,
                c.conversations
            );
            if !c.repeated_answers.is_empty() {
                let _ = writeln!(out, "  Bot answers most repeated in those conversations:");
                for a in c.repeated_answers.iter().take(3) {
                    let _ = writeln!(
                        out,
                        "    {}× ({} of all uses needed a human) \"{}\"",
                        a.needs_human,
                        pct(a.needs_human_share),
                        terminal(&clip(&a.text, 90))
                    );
                }
            }
            for e in c.examples.iter().take(2) {
                let _ = writeln!(
                    out,
                    "  Example {} ({}, score {}):",
                    terminal(&e.id),
                    terminal(&e.location),
                    fixed(e.score, 2)
                );
                for ev in &e.evidence {
                    let quote = ev
                        .messages
                        .iter()
                        .rev()
                        .find(|m| m.role != "system" && !m.text.trim().is_empty())
                        .map(|m| {
                            format!(
                                " — {} #{}: \"{}\"",
                                terminal(&m.role),
                                // Counted from 1 for readers; the JSON's index is 0-based.
                                m.index + 1,
                                terminal(&clip(&m.text, 70))
                            )
                        })
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "    {}: {}{}",
                        terminal(&ev.reason),
                        terminal(&ev.detail),
                        quote
                    );
                }
            }
        }

        if inp.skipped > 0 {
            let _ = writeln!(out, "\n{}", style.bold("Skipped records"));
            for r in &inp.skip_reasons {
                let _ = writeln!(out, "  {} × {}", r.count, terminal(&r.reason));
                for f in &r.first {
                    let _ = writeln!(out, "    {}", terminal(f));
                }
            }
        }
        if !s.settings.redacted {
            let _ = writeln!(
                out,
                "\nNote: --no-redact was given; transcript text is shown as is."
            );
        }
        Ok(out)
    }
}
