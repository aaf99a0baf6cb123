//! The `--compare-periods` section of the table and Markdown reports: per category, the
//! latest period against the previous one, flagged categories first.

use std::fmt::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use crate::numfmt::{level, md_cell, terminal, Quantity, MISSING};
use crate::summary::{TrendChange, TrendRow, Trends};

/// "20.1% → 27.3% (+7.2 pp, +1.0 to +13.1)" for rates, "4.10 → 3.85 (-0.25, -0.40 to
/// -0.10)" for mean CSAT.
fn change(q: Quantity, c: &Option<TrendChange>) -> String {
    match c {
        None => MISSING.to_string(),
        Some(c) => format!(
            "{} → {} ({}{}, {} to {})",
            q.value(c.previous),
            q.value(c.latest),
            q.delta(c.difference),
            q.unit(),
            q.delta(c.interval[0]),
            q.delta(c.interval[1])
        ),
    }
}

fn flags(r: &TrendRow, t: &Trends) -> String {
    if !r.judged {
        return format!("insufficient data (< {} per period)", t.min_conversations);
    }
    let text: Vec<&str> = r
        .flags
        .iter()
        .map(|f| match f.as_str() {
            "needs_human_rise" => "needs-human up",
            "satisfaction_drop_rise" => "satisfaction drops up",
            "csat_drop" => "CSAT down",
            other => other,
        })
        .collect();
    if text.is_empty() {
        "no significant change".to_string()
    } else {
        format!("⚠ {}", text.join(", "))
    }
}

fn title(t: &Trends) -> Option<String> {
    let (l, p) = (t.latest.as_ref()?, t.previous.as_ref()?);
    Some(
        format!(
            "Latest {} {} ({} .. {}) against {} ({} .. {}); differences with {} intervals",
            t.granularity,
            l.label,
            l.days[0],
            l.days[1],
            p.label,
            p.days[0],
            p.days[1],
            level(t.confidence)
        ) + &correction(t),
    )
}

/// "; flags Holm-corrected over 26 judged changes", or nothing without a correction (and
/// in summaries saved before corrections).
fn correction(t: &Trends) -> String {
    let name = match t.correction.as_str() {
        "holm" => "Holm",
        "bh" => "Benjamini-Hochberg",
        _ => return String::new(),
    };
    format!("; flags {name}-corrected over {} judged changes", t.family)
}

fn rows(t: &Trends) -> impl Iterator<Item = &TrendRow> {
    t.categories.iter().chain(std::iter::once(&t.overall))
}

fn undated(t: &Trends) -> String {
    if t.undated > 0 {
        format!(
            "{} conversations without a readable started_at are not in any period.",
            t.undated
        )
    } else {
        String::new()
    }
}

pub(crate) fn table(t: &Trends) -> String {
    let mut out = String::new();
    let Some(head) = title(t) else {
        let _ = writeln!(
            out,
            "\nNo conversation has a readable started_at: no periods to compare."
        );
        return out;
    };
    let _ = writeln!(out, "\n{}", terminal(&head));
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(vec![
            "Category",
            "Convs (prev → latest)",
            "Needs human",
            "Sat. drop",
            "Mean CSAT",
            "Flag",
        ]);
    for r in rows(t) {
        table.add_row(vec![
            terminal(&r.category).into_owned(),
            format!("{} → {}", r.previous_conversations, r.latest_conversations),
            change(Quantity::Rate, &r.needs_human),
            change(Quantity::Rate, &r.satisfaction_drop),
            change(Quantity::Score, &r.mean_csat),
            flags(r, t),
        ]);
    }
    let _ = writeln!(out, "{table}");
    let note = undated(t);
    if !note.is_empty() {
        let _ = writeln!(out, "{note}");
    }
    out
}

pub(crate) fn markdown(t: &Trends) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n## Trend: latest {} against the previous\n",
        t.granularity
    );
    let Some(head) = title(t) else {
        let _ = writeln!(
            out,
            "No conversation has a readable started_at: no periods to compare."
        );
        return out;
    };
    let _ = writeln!(out, "{}.\n", md_cell(&head));
    let _ = writeln!(
        out,
        "| Category | Conversations (prev → latest) | Needs human | Satisfaction drop | Mean CSAT | Flag |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|---|");
    for r in rows(t) {
        let _ = writeln!(
            out,
            "| {} | {} → {} | {} | {} | {} | {} |",
            md_cell(&r.category),
            r.previous_conversations,
            r.latest_conversations,
            change(Quantity::Rate, &r.needs_human),
            change(Quantity::Rate, &r.satisfaction_drop),
            change(Quantity::Score, &r.mean_csat),
            flags(r, t)
        );
    }
    let note = undated(t);
    if !note.is_empty() {
        let _ = writeln!(out, "\n{note}");
    }
    out
}
