//! The terminal table fits the terminal's width: columns wrap, then are hidden in the
//! documented order (`report/table.rs`), and the full table is kept for `--wide`, files
//! and pipes.

use std::path::Path;

use handoff::report::{self, RenderOptions, ReportFormat};
use handoff::Summary;

use crate::harness::handoff;

fn summary() -> Summary {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = handoff()
        .current_dir(root)
        .args(["audit", "tests/data/snapshots/baseline.jsonl", "--config"])
        .arg("tests/data/snapshots/handoff.toml")
        .args(["--format", "json", "-q"])
        .ok();
    serde_json::from_str(&out.stdout).expect("a summary")
}

fn table(s: &Summary, width: Option<usize>) -> String {
    let opts = RenderOptions {
        width,
        ..RenderOptions::default()
    };
    report::renderer(ReportFormat::Table)
        .render(s, &opts)
        .expect("renders")
}

/// The ranked table's lines (its box-drawing frame) and the note under it.
fn table_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.starts_with(['┌', '│', '╞', '├', '└']))
        .collect()
}

fn widest(lines: &[&str]) -> usize {
    lines.iter().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn the_table_fits_each_width_dropping_columns_in_order() {
    let s = summary();
    let full = table(&s, None);
    let full_width = widest(&table_lines(&full));
    assert!(full_width > 150, "the full table is wide: {full_width}");
    assert!(!full.contains("--wide"), "no note on the full table");
    for width in [60, 80, 100, 120, 160] {
        let text = table(&s, Some(width));
        let lines = table_lines(&text);
        assert!(widest(&lines) <= width, "{width}:\n{text}");
        let header = lines.get(1).copied().unwrap_or("");
        // Always kept.
        for kept in ["Category", "Convs", "Needs human", "Recommendation"] {
            assert!(header.contains(kept), "{width}: {kept} missing:\n{text}");
        }
        if width <= 120 {
            assert!(text.contains("(--wide shows all)"), "{width}: the note");
        }
    }
    // Hidden in the documented order: signal rates before CSAT and agent hours.
    let at_120 = table(&s, Some(120));
    let header = table_lines(&at_120)[1];
    assert!(!header.contains("Sat. drop"), "{at_120}");
    assert!(header.contains("CSAT"), "{at_120}");
    let at_80 = table(&s, Some(80));
    let header = table_lines(&at_80)[1];
    assert!(
        !header.contains("CSAT") && !header.contains("Loop"),
        "{at_80}"
    );
    assert!(
        at_80.contains("Not shown to fit 80 columns: Sat. drop, Loop"),
        "{at_80}"
    );
    // Wide enough: the full table, no note.
    let roomy = table(&s, Some(full_width + 10));
    assert_eq!(roomy, full);
}

#[test]
fn top_reasons_wrap_before_any_column_is_hidden() {
    let s = summary();
    let full_width = widest(&table_lines(&table(&s, None)));
    let text = table(&s, Some(full_width - 10));
    let lines = table_lines(&text);
    assert!(widest(&lines) <= full_width - 10, "{text}");
    assert!(
        lines[1].contains("Sat. drop") && lines[1].contains("Top reasons"),
        "{text}"
    );
    assert!(!text.contains("Not shown"), "{text}");
}

/// Through the binary on a real terminal (a pseudo-terminal from util-linux `script`):
/// COLUMNS fits the table, `--wide` keeps it whole. Skipped, saying so, without `script`.
#[test]
fn a_terminal_gets_the_fitted_table_and_a_pipe_the_full_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_handoff");
    let args =
        "audit tests/data/snapshots/baseline.jsonl --config tests/data/snapshots/handoff.toml -q";
    let piped = handoff()
        .current_dir(root)
        .env("COLUMNS", "80")
        .args(args.split(' '))
        .ok()
        .stdout;
    assert!(
        widest(&table_lines(&piped)) > 150,
        "a pipe gets the full table"
    );
    let on_tty = |extra: &str| {
        std::process::Command::new("script")
            .current_dir(root)
            .env("COLUMNS", "80")
            .env("NO_COLOR", "1")
            .args(["-qec", &format!("{bin} {args} {extra}"), "/dev/null"])
            .output()
    };
    let Ok(out) = on_tty("") else {
        eprintln!("SKIPPED a_terminal_gets_the_fitted_table: no `script` (util-linux) here");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    assert!(out.status.success(), "{text}");
    assert!(widest(&table_lines(&text)) <= 80, "{text}");
    assert!(text.contains("--wide shows all"), "{text}");
    let wide = on_tty("--wide").expect("script ran before");
    let wide = String::from_utf8_lossy(&wide.stdout).replace('\r', "");
    assert!(widest(&table_lines(&wide)) > 150, "{wide}");
}
