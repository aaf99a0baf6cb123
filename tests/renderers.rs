//! Every renderer's output, byte for byte, on one small fixed input: the audit (table,
//! Markdown, CSV, JSON, HTML and the `--compare-periods` sections), the gate (terminal,
//! Markdown, JUnit, JSON) and `calibrate` (table, JSON). The binary runs end to end on
//! `tests/data/snapshots/` (see its `make.py` for what each conversation is there to show);
//! the expected outputs are the reviewed files in `tests/snapshots/`.
//!
//! A change to any output fails here with a diff. When the change is intended, rewrite the
//! snapshots with `INSTA_UPDATE=always cargo test renderers`, then review `git diff
//! tests/snapshots/` before committing.

use std::path::{Path, PathBuf};

use crate::harness::{handoff, Handoff, TestDir};

/// A fixed clock for the HTML report's "generated at".
const EPOCH: &str = "1741000000";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// `handoff ARGS` from the repository root with the snapshot inputs' configuration, so the
/// report quotes the same relative paths on every machine.
fn run(command: &str) -> Handoff {
    handoff().current_dir(root()).arg(command).args([
        "--config",
        "tests/data/snapshots/handoff.toml",
        "--quiet",
    ])
}

fn audit(args: &[&str]) -> String {
    run("audit")
        .arg("tests/data/snapshots/baseline.jsonl")
        .args(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .ok()
        .stdout
}

/// The gate fails (exit 1) on this input: billing gets much worse.
fn gate(args: &[&str]) -> String {
    let out = run("gate")
        .args([
            "--baseline",
            "tests/data/snapshots/baseline.jsonl",
            "--candidate",
            "tests/data/snapshots/candidate.jsonl",
        ])
        .args(args)
        .run();
    assert_eq!(out.code, 1, "the gate should fail:\n{}", out.stderr);
    out.stdout
}

fn calibrate(args: &[&str]) -> String {
    run("calibrate")
        .arg("tests/data/snapshots/baseline.jsonl")
        // Billing and orders have 7 rated conversations each and get their own tables.
        .args(["--min-conversations", "7"])
        .args(args)
        .ok()
        .stdout
}

/// The part of `text` from the line starting with `start` up to (not including) the first
/// line after it that starts with `end`, or to the end.
fn section<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(&format!("\n{start}"))
        .map(|at| at + 1)
        .unwrap_or_else(|| panic!("no line starting with {start:?} in:\n{text}"));
    let rest = &text[from..];
    let to = rest[1..]
        .find(&format!("\n{end}"))
        .map(|at| at + 2)
        .unwrap_or(rest.len());
    &rest[..to]
}

/// The page without the bodies of its inline stylesheet and script: those are fixed files
/// (`src/report/templates/report.{css,js}`), reviewed as source, and the script's hash in
/// the Content-Security-Policy (kept) changes with it.
fn without_style_and_script(html: &str) -> String {
    let mut out = html.to_string();
    for (open, close) in [("<style>", "</style>"), ("<script>", "</script>")] {
        let start = out.find(open).expect("inline block") + open.len();
        let end = start + out[start..].find(close).expect("closed block");
        out.replace_range(start..end, "/* elided: see src/report/templates */");
    }
    out
}

#[test]
fn audit_table() {
    insta::assert_snapshot!(audit(&[]));
}

#[test]
fn audit_markdown() {
    insta::assert_snapshot!(audit(&["--format", "markdown"]));
}

#[test]
fn audit_csv() {
    insta::assert_snapshot!(audit(&["--format", "csv"]));
}

#[test]
fn audit_json() {
    insta::assert_snapshot!(audit(&["--format", "json"]));
}

#[test]
fn audit_html() {
    let html = audit(&["--format", "html"]);
    // `--html FILE` writes the same page as `--format html`.
    let dir = TestDir::new();
    let file = dir.path("report.html");
    audit(&["--html", &file.display().to_string()]);
    assert_eq!(dir.read("report.html"), html);
    insta::assert_snapshot!(without_style_and_script(&html));
}

#[test]
fn compare_periods_table() {
    let out = audit(&["--compare-periods", "week"]);
    insta::assert_snapshot!(section(&out, "Latest week", "\n"));
}

#[test]
fn compare_periods_markdown() {
    let out = audit(&["--compare-periods", "week", "--format", "markdown"]);
    insta::assert_snapshot!(section(&out, "## Trend:", "## "));
}

#[test]
fn gate_terminal() {
    insta::assert_snapshot!(gate(&[]));
}

#[test]
fn gate_markdown() {
    let stdout = gate(&["--format", "markdown"]);
    // `--markdown FILE` and `$GITHUB_STEP_SUMMARY` get the same text (the summary file one
    // more newline, as other steps append to it).
    let dir = TestDir::new();
    let file = dir.path("gate.md");
    let summary = dir.path("step-summary.md");
    let out = run("gate")
        .args([
            "--baseline",
            "tests/data/snapshots/baseline.jsonl",
            "--candidate",
            "tests/data/snapshots/candidate.jsonl",
            "--markdown",
        ])
        .arg(&file)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(dir.read("gate.md"), stdout);
    assert_eq!(dir.read("step-summary.md"), format!("{stdout}\n"));
    insta::assert_snapshot!(stdout);
}

#[test]
fn gate_junit() {
    let dir = TestDir::new();
    let file = dir.path("gate.xml");
    gate(&["--junit", &file.display().to_string()]);
    insta::assert_snapshot!(dir.read("gate.xml"));
}

#[test]
fn gate_json() {
    insta::assert_snapshot!(gate(&["--format", "json"]));
}

#[test]
fn calibration_table() {
    insta::assert_snapshot!(calibrate(&[]));
}

#[test]
fn calibration_json() {
    insta::assert_snapshot!(calibrate(&["--format", "json"]));
}
