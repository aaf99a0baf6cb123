//! The default terminal report: a ranked table, then per-category evidence, then the input
//! accounting. Every value from the data goes through `numfmt::terminal`: transcripts,
//! category names, ids and file names may hold escape sequences.
//!
//! Width: the full table is 204 columns on the sample data. Given a width
//! (`RenderOptions::width`, a terminal's), the table is fitted step by step until it fits:
//! first "Top reasons" wraps (down to 24 columns), then columns are hidden in
//! [`DROP_ORDER`] (Sat. drop, Loop, Asked human, Unresolved, Agent h, CSAT), then the
//! needs-human interval is left out, then "Top reasons" is hidden, and last the category
//! names wrap. A line under the table names what was hidden. Widths count characters, so a
//! category in double-width script may overrun by its extra cells.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Table, Width};

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

const CATEGORY: usize = 0;
const NEEDS_HUMAN: usize = 2;
const TOP_REASONS: usize = 10;

/// Columns hidden, in this order, when the table is wider than the terminal: the
/// per-signal rates first (the drill-down and `handoff show` explain them), agent hours and
/// CSAT next; category, volume, needs-human rate and recommendation always stay.
pub const DROP_ORDER: [usize; 6] = [6, 5, 4, 3, 8, 7];

/// Narrowest "Top reasons" column before it is hidden instead of wrapped further.
const MIN_REASONS_WIDTH: u16 = 24;

fn cells(c: &CategoryStats, interval: bool) -> Vec<String> {
    let needs_human = if interval {
        format!(
            "{} ({})",
            pct(c.needs_human_rate),
            Quantity::Rate.range(c.needs_human_ci)
        )
    } else {
        pct(c.needs_human_rate)
    };
    vec![
        terminal(&c.category).into_owned(),
        c.conversations.to_string(),
        needs_human,
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

/// One way of laying the table out: which columns are hidden, whether the needs-human
/// interval is shown, and which columns may wrap to fit `width`.
#[derive(Debug, Clone, PartialEq)]
struct Layout {
    hidden: Vec<usize>,
    interval: bool,
    wrap_reasons: bool,
    wrap_category: bool,
}

impl Layout {
    fn full() -> Layout {
        Layout {
            hidden: Vec::new(),
            interval: true,
            wrap_reasons: false,
            wrap_category: false,
        }
    }

    /// The layouts tried in turn, from the full table to the narrowest.
    fn steps() -> Vec<Layout> {
        let mut steps = vec![Layout::full()];
        let mut l = Layout {
            wrap_reasons: true,
            ..Layout::full()
        };
        steps.push(l.clone());
        for col in DROP_ORDER {
            l.hidden.push(col);
            steps.push(l.clone());
        }
        l.interval = false;
        steps.push(l.clone());
        l.hidden.push(TOP_REASONS);
        l.wrap_reasons = false;
        steps.push(l.clone());
        l.wrap_category = true;
        steps.push(l);
        steps
    }
}

fn build(s: &Summary, layout: &Layout, width: Option<usize>) -> Table {
    let mut table = Table::new();
    let mut header = HEADER.map(String::from);
    if !layout.interval {
        header[NEEDS_HUMAN] = "Needs human".into();
    }
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    for c in s.categories.iter().chain(std::iter::once(&s.overall)) {
        table.add_row(cells(c, layout.interval));
    }
    for i in 1..9 {
        if let Some(col) = table.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let wraps = layout.wrap_reasons || layout.wrap_category;
    if let (true, Some(w)) = (wraps, width) {
        table
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(u16::try_from(w).unwrap_or(u16::MAX));
        for (i, col) in table.column_iter_mut().enumerate() {
            let constraint = if i == TOP_REASONS && layout.wrap_reasons {
                ColumnConstraint::LowerBoundary(Width::Fixed(MIN_REASONS_WIDTH))
            } else if i == CATEGORY && layout.wrap_category {
                ColumnConstraint::LowerBoundary(Width::Fixed(8))
            } else {
                ColumnConstraint::ContentWidth
            };
            col.set_constraint(constraint);
        }
    }
    for &i in &layout.hidden {
        if let Some(col) = table.column_mut(i) {
            col.set_constraint(ColumnConstraint::Hidden);
        }
    }
    table
}

/// The widest line, in characters.
fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// The table, fitted to `width` when given, and a note naming what was left out.
fn fitted(s: &Summary, width: Option<usize>) -> (String, Option<String>) {
    let Some(w) = width else {
        return (build(s, &Layout::full(), None).to_string(), None);
    };
    let steps = Layout::steps();
    let mut chosen = None;
    for layout in &steps {
        let text = build(s, layout, Some(w)).to_string();
        if widest(&text) <= w {
            chosen = Some((layout.clone(), text));
            break;
        }
    }
    // Nothing fits (a very narrow terminal): the narrowest layout, overrunning.
    let (layout, text) = chosen.unwrap_or_else(|| {
        let last = steps.last().cloned().unwrap_or_else(Layout::full);
        let text = build(s, &last, Some(w)).to_string();
        (last, text)
    });
    let mut left_out: Vec<&str> = layout.hidden.iter().map(|&i| HEADER[i]).collect();
    if !layout.interval {
        left_out.push("the 95% interval");
    }
    let note = (!left_out.is_empty()).then(|| {
        format!(
            "Not shown to fit {w} columns: {} (--wide shows all).",
            left_out.join(", ")
        )
    });
    (text, note)
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
            "Needs human overall: {} ({}), {} of {}; expected rate {} ({}); estimated agent time {} h at {} min each\n",
            pct(s.overall.needs_human_rate),
            Quantity::Rate.range(s.overall.needs_human_ci),
            s.overall.needs_human,
            s.overall.conversations,
            pct(s.overall.expected_rate),
            Quantity::Rate.range(s.overall.expected_rate_ci),
            fixed(s.overall.agent_hours, 1),
            s.settings.handle_minutes
        );

        let (table, note) = fitted(s, opts.width);
        let _ = writeln!(out, "{table}");
        if let Some(f) = &s.folded_categories {
            let _ = writeln!(out, "{}", super::folded_note(f, &terminal(&f.row)));
        }
        if let Some(c) = &s.category_source {
            let _ = writeln!(out, "{}", terminal(&c.note));
        }
        if let Some(note) = note {
            let _ = writeln!(out, "{note}");
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
                let _ = writeln!(
                    out,
                    "  Bot answers that precede a human (lift: times the category's rate):"
                );
                if c.repeated_answers_error > 0 {
                    let _ = writeln!(
                        out,
                        "    (counts may be low by up to {}: rare answers were too many to keep)",
                        c.repeated_answers_error
                    );
                }
                for a in c.repeated_answers.iter().take(3) {
                    let _ = writeln!(
                        out,
                        "    lift {}× ({} of {} needed a human) \"{}\"",
                        fixed(a.lift, 1),
                        a.needs_human,
                        a.conversations,
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
