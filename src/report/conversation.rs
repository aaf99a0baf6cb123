//! Renders `handoff show`: one conversation, its verdict, then every message numbered from
//! 1 with the findings that cite it printed beneath it. On a terminal the cited messages
//! are bold and the findings yellow; without colour a `>` marks them. Every value from the
//! data goes through `numfmt::terminal` (message text through `terminal_lines`, keeping
//! its line breaks, indented). JSON is the shared [`Json`] renderer.

use std::fmt::Write;

use super::json::Json;
use super::{RenderOptions, Renderer};
use crate::error::Result;
use crate::numfmt::{fixed, terminal, terminal_lines};
use crate::summary::{ConversationReport, Evidence};

/// `handoff show --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationFormat {
    Table,
    Json,
}

/// The renderer of one conversation for `format`.
pub fn renderer(format: ConversationFormat) -> Box<dyn Renderer<ConversationReport>> {
    match format {
        ConversationFormat::Table => Box::new(ConversationText),
        ConversationFormat::Json => Box::new(Json),
    }
}

struct ConversationText;

struct Paint {
    color: bool,
}

impl Paint {
    fn code(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// Where the findings go: each under the last message it cites (a loop cites every
/// repeat; the detail is said once), the earlier ones pointing at it.
fn last_cited(f: &Evidence) -> Option<usize> {
    f.messages.iter().map(|m| m.index).max()
}

impl Renderer<ConversationReport> for ConversationText {
    fn render(&self, c: &ConversationReport, opts: &RenderOptions) -> Result<String> {
        let paint = Paint { color: opts.color };
        let mut out = String::new();
        let verdict = if c.needs_human {
            paint.code("31", "needs a human")
        } else {
            paint.code("32", "bot handled")
        };
        let _ = writeln!(
            out,
            "{} {} · {} · {} (probability {}, score {})",
            paint.code("1", "Conversation"),
            paint.code("1", &terminal(&c.id)),
            terminal(&c.category),
            verdict,
            fixed(c.probability, 2),
            fixed(c.score, 2)
        );
        let mut facts = vec![terminal(&c.location).into_owned()];
        let optional = [
            ("started", &c.started_at),
            ("bot", &c.bot_version),
            ("channel", &c.channel),
            ("status", &c.status),
        ];
        for (label, value) in optional {
            if let Some(v) = value {
                facts.push(format!("{label} {}", terminal(v)));
            }
        }
        if let Some(csat) = c.csat {
            facts.push(format!("CSAT {csat}"));
        }
        facts.push(format!("dissatisfaction {}", fixed(c.dissatisfaction, 2)));
        let _ = writeln!(out, "{}", facts.join(" · "));
        let reasons = if c.reasons.is_empty() {
            "none".to_string()
        } else {
            terminal(&c.reasons.join(", ")).into_owned()
        };
        let _ = writeln!(out, "Reasons: {reasons}\n");

        let width = c.messages.len().to_string().len();
        for m in &c.messages {
            let cited = !m.reasons.is_empty();
            let marker = if cited && !opts.color { ">" } else { " " };
            let head = format!("{marker} #{:<width$} {:<8} ", m.number, terminal(&m.role));
            let text = terminal_lines(&m.text);
            let indent = " ".repeat(head.chars().count());
            let body = text
                .split('\n')
                .collect::<Vec<_>>()
                .join(&format!("\n{indent}"));
            if cited {
                let _ = writeln!(out, "{}{}", paint.code("1", &head), paint.code("1", &body));
            } else {
                let _ = writeln!(out, "{head}{body}");
            }
            for f in c
                .findings
                .iter()
                .filter(|f| f.messages.iter().any(|x| x.index == m.index))
            {
                let line = match last_cited(f) {
                    Some(last) if last != m.index => {
                        format!("↳ {} (see #{})", terminal(&f.reason), last + 1)
                    }
                    _ => format!("↳ {}: {}", terminal(&f.reason), terminal(&f.detail)),
                };
                let _ = writeln!(out, "{indent}{}", paint.code("33", &line));
            }
        }
        let unplaced: Vec<&Evidence> = c
            .findings
            .iter()
            .filter(|f| f.messages.is_empty())
            .collect();
        if !unplaced.is_empty() {
            let _ = writeln!(out, "\nNot tied to a message:");
            for f in unplaced {
                let _ = writeln!(
                    out,
                    "  {}: {}",
                    paint.code("33", &terminal(&f.reason)),
                    terminal(&f.detail)
                );
            }
        }
        if !c.redacted {
            let _ = writeln!(
                out,
                "\nNote: --no-redact was given; transcript text is shown as is."
            );
        }
        Ok(out)
    }
}
