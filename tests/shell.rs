//! Shell conventions (issue 17): completion scripts, man pages, `--color`, grouped help
//! with examples, `--findings -` on stdout, exit 2 when nothing was audited, and messages
//! numbered from 1 for people while machine outputs keep 0-based indices.

use std::process::Command;

use serde_json::Value;

use crate::harness::{conversation, handoff, sample_data, TestDir};

#[test]
fn completions_are_scripts_each_shell_recognises() {
    for (shell, marker) in [
        ("bash", "complete -F _handoff"),
        ("zsh", "#compdef handoff"),
        ("fish", "complete -c handoff"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[handoff]"),
    ] {
        let out = handoff().args(["completions", shell]).ok();
        assert!(out.stdout.contains(marker), "{shell}: no {marker:?}");
        // Subcommands and their flags are completed, from the one clap definition.
        // (fish spells a long flag `-l findings`, the others `--findings`.)
        for word in ["audit", "gate", "findings", "baseline-filter", "color"] {
            assert!(out.stdout.contains(word), "{shell}: {word} missing");
        }
    }
    let out = handoff().args(["completions", "tcsh"]).run();
    assert_eq!(out.code, 2, "an unknown shell is a usage error");
    assert!(out.stderr.contains("bash"), "{}", out.stderr);
}

#[test]
fn the_bash_script_loads_and_completes_a_subcommand() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("SKIPPED the_bash_script_loads_and_completes_a_subcommand: no bash");
        return;
    }
    let dir = TestDir::new();
    let script = dir.write(
        "handoff.bash",
        &handoff().args(["completions", "bash"]).ok().stdout,
    );
    // What bash does on `handoff au<TAB>`: set the words and call the function.
    let probe = format!(
        "source '{}'; COMP_WORDS=(handoff au); COMP_CWORD=1; COMP_LINE='handoff au'; \
         COMP_POINT=10; _handoff handoff au handoff; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let out = Command::new("bash")
        .args(["--norc", "-c", &probe])
        .output()
        .expect("run bash");
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(words.trim(), "audit", "{words}");
}

#[test]
fn man_pages_for_handoff_and_each_command() {
    let top = handoff().arg("man").ok().stdout;
    assert!(
        top.contains(".TH handoff 1"),
        "{}",
        &top[..200.min(top.len())]
    );
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS", ".SH VERSION"] {
        assert!(top.contains(section), "{section} missing");
    }
    assert!(top.contains("completions") && top.contains("calibrate"));
    assert!(top.contains("Exit codes"), "after_help is part of the page");

    let audit = handoff().args(["man", "audit"]).ok().stdout;
    assert!(audit.contains(".TH handoff\\-audit 1") || audit.contains(".TH handoff-audit 1"));
    assert!(audit.contains("\\-\\-findings") && audit.contains("\\-\\-color"));
    assert!(
        audit.contains("handoff audit sample\\-data/"),
        "examples on the page"
    );

    let out = handoff().args(["man", "nope"]).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("audit, calibrate, gate"),
        "{}",
        out.stderr
    );
}

#[test]
fn help_groups_flags_and_ends_with_examples_that_name_real_files() {
    let help = handoff().args(["audit", "--help"]).ok().stdout;
    for heading in [
        "Input:",
        "Selection:",
        "Output:",
        "Settings:",
        "Terminal:",
        "Per-message CSV columns:",
        "Examples:",
    ] {
        assert!(help.contains(heading), "{heading} missing:\n{help}");
    }
    let gate = handoff().args(["gate", "--help"]).ok().stdout;
    assert!(gate.contains("Examples:") && gate.contains("--candidate-filter bot_version=4.2.0"));
    let top = handoff().arg("--help").ok().stdout;
    assert!(top.contains("Examples:") && top.contains("Exit codes:"));
    // The examples' inputs exist, so they run as pasted from a clone.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for text in [&help, &gate, &top] {
        for word in text.split_whitespace() {
            if word.starts_with("sample-data/") || word.starts_with("tests/fixtures/") {
                assert!(
                    root.join(word).exists(),
                    "{word} named in --help is missing"
                );
            }
        }
    }
}

/// A sample input small enough to audit in a moment, with one needs-human conversation.
fn small_input(dir: &TestDir) -> std::path::PathBuf {
    let lines = [
        conversation(
            "a",
            "cards",
            &[
                ("customer", "my card was declined at the shop"),
                ("bot", "Sorry, I didn't understand that."),
                ("customer", "get me a human please"),
            ],
        ),
        conversation(
            "b",
            "cards",
            &[
                ("customer", "where is my parcel"),
                ("bot", "It arrives tomorrow before noon, with the courier."),
                ("customer", "great, thanks!"),
            ],
        ),
    ];
    dir.write("in.jsonl", &(lines.join("\n") + "\n"))
}

#[test]
fn color_always_and_never_override_the_terminal_rule_and_no_color() {
    let dir = TestDir::new();
    let input = small_input(&dir);
    let esc = |out: &str| out.contains('\x1b');
    // Piped stdout: no colour by default...
    let plain = handoff().arg("audit").arg(&input).arg("-q").ok();
    assert!(!esc(&plain.stdout));
    // ...unless asked for, even with NO_COLOR set (the flag is the more specific wish).
    let always = handoff()
        .arg("audit")
        .arg(&input)
        .args(["-q", "--color", "always"])
        .env("NO_COLOR", "1")
        .ok();
    assert!(esc(&always.stdout), "--color always colours a pipe");
    let never = handoff()
        .arg("audit")
        .arg(&input)
        .args(["-q", "--color=never"])
        .ok();
    assert!(!esc(&never.stdout));
    // The gate's terminal report follows the same flag.
    let gate = handoff()
        .args(["gate", "--color", "always", "-q", "--baseline"])
        .arg(&input)
        .arg("--candidate")
        .arg(&input)
        .ok();
    assert!(esc(&gate.stdout));
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--color", "sometimes"])
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--color"), "{}", out.stderr);
}

#[test]
fn findings_dash_writes_json_lines_to_stdout_and_moves_the_report_away() {
    let dir = TestDir::new();
    let input = small_input(&dir);
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--findings", "-"])
        .ok();
    let rows: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each stdout line is a JSON object"))
        .collect();
    assert_eq!(rows.len(), 2, "one row per audited conversation");
    assert_eq!(rows[0]["id"], "a");
    assert_eq!(rows[0]["needs_human"], true);
    assert!(
        out.stderr
            .contains("handoff audit: where humans are needed, by category"),
        "the report went to stderr: {}",
        out.stderr
    );

    // With --output, the report goes there and stderr keeps only warnings.
    let report = dir.path("report.json");
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--findings", "-", "--format", "json", "-q", "--output"])
        .arg(&report)
        .ok();
    assert_eq!(out.stdout.lines().count(), 2);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    let summary: Value = serde_json::from_str(&dir.read("report.json")).expect("JSON report");
    assert_eq!(summary["input"]["audited"], 2);

    // The report and the findings cannot both own stdout.
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--findings", "-", "--output", "/dev/stdout"])
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--findings"), "{}", out.stderr);
}

#[test]
fn nothing_audited_exits_2_with_the_skip_summary_after_the_report() {
    let dir = TestDir::new();
    let bad = dir.write("bad.jsonl", "{\"id\": \"x\", \"messages\": []}\nnot json\n");
    let out = handoff()
        .arg("audit")
        .arg(&bad)
        .args(["--format", "json"])
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).expect("the report is still written");
    assert_eq!(report["input"]["audited"], 0);
    assert!(
        out.stderr
            .contains("nothing audited: 2 record(s) read from 1 file(s), 2 skipped"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("× invalid_json, first"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("bad.jsonl:2"),
        "locations: {}",
        out.stderr
    );

    let empty = dir.write("empty.jsonl", "");
    let out = handoff().arg("audit").arg(&empty).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("nothing audited: no record in 1 file(s)"),
        "{}",
        out.stderr
    );

    // A filter that selects nothing is nothing audited too, and says so.
    let out = handoff()
        .arg("audit")
        .arg(sample_data().join("messages.csv"))
        .args(["--filter", "bot_version=0.0.0", "-q"])
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("filtered out by"), "{}", out.stderr);

    // One good record is enough: exit 0 with the others skipped.
    let mixed = dir.write(
        "mixed.jsonl",
        &format!(
            "not json\n{}\n",
            conversation("ok", "cards", &[("customer", "hi"), ("bot", "Hello!")])
        ),
    );
    let out = handoff().arg("audit").arg(&mixed).arg("-q").run();
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn people_read_message_numbers_from_1_and_machines_read_indices_from_0() {
    let dir = TestDir::new();
    let input = small_input(&dir);
    let table = handoff().arg("audit").arg(&input).arg("-q").ok().stdout;
    // The request for a person is the third message: #3 and "message 3" for a reader.
    assert!(
        table.contains("in message 3 — customer #3: \"get me a human please\""),
        "{table}"
    );
    assert!(table.contains("first in message 2 — bot #2"), "{table}");
    let report = handoff().arg("audit").arg(&input).json();
    let example = &report["categories"][0]["examples"][0];
    let escalation = example["evidence"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["reason"] == "escalation_request"))
        .expect("escalation evidence");
    assert_eq!(escalation["messages"][0]["index"], 2, "0-based in JSON");
    assert!(escalation["detail"]
        .as_str()
        .is_some_and(|d| d.ends_with("in message 3")));
    let html = handoff()
        .arg("audit")
        .arg(&input)
        .args(["-q", "--format", "html"])
        .ok()
        .stdout;
    assert!(html.contains("#3 customer"), "HTML numbers from 1");
    assert!(!html.contains("#0 "), "no message #0 on the page");
}

#[test]
fn findings_dash_into_a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let dir = TestDir::new();
    let lines: Vec<String> = (0..3000)
        .map(|i| {
            conversation(
                &format!("c{i}"),
                "card",
                &[
                    ("customer", "help"),
                    ("bot", "Sorry, I didn't understand that."),
                ],
            )
        })
        .collect();
    let input = dir.write("in.jsonl", &lines.join("\n"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .arg("audit")
        .arg(&input)
        .args(["--findings", "-", "-q", "--output"])
        .arg(dir.path("report.txt"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // `| head -c0`: the reader is gone before the first row.
    drop(child.stdout.take());
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(stderr.is_empty(), "quiet: {stderr}");
}
