//! `handoff show ID INPUT...` and `handoff list INPUT...`: the drill-down from the report
//! to one conversation, and the list of ids that feeds it.

use crate::harness::{conversation, handoff, TestDir};

/// A looping conversation (bot messages 2, 4 and 6 repeat; a phone number in message 3),
/// a healthy one, and one that asks for a person in another category.
fn input(dir: &TestDir) -> std::path::PathBuf {
    let answer = "You can track your parcel from the Orders page using the tracking link.";
    let lines = [
        conversation(
            "ok-1",
            "delivery",
            &[
                ("customer", "where is my parcel"),
                ("bot", "It arrives tomorrow."),
                ("customer", "great thanks"),
            ],
        ),
        conversation(
            "loop-1",
            "delivery",
            &[
                ("customer", "where is my parcel"),
                ("bot", answer),
                ("customer", "the link is broken, call me on +44 7700 900123"),
                ("bot", answer),
                ("customer", "still broken \u{1b}[31mred"),
                ("bot", answer),
            ],
        ),
        conversation(
            "ask-1",
            "refunds",
            &[
                ("customer", "I want a refund for order 5521"),
                ("bot", "Sorry, I didn't understand that."),
                ("customer", "let me talk to a human agent"),
            ],
        ),
    ];
    dir.write("in.jsonl", &(lines.join("\n") + "\n"))
}

#[test]
fn show_numbers_messages_from_1_with_each_finding_beside_its_message() {
    let dir = TestDir::new();
    let out = handoff()
        .arg("show")
        .arg("loop-1")
        .arg(input(&dir))
        .ok()
        .stdout;
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].contains("loop-1") && lines[0].contains("delivery"),
        "{out}"
    );
    assert!(
        lines[0].contains("needs a human") && lines[0].contains("score"),
        "{out}"
    );
    assert!(
        out.contains("Reasons: ") && out.contains("bot_loop"),
        "{out}"
    );
    let at = |prefix: &str| {
        lines
            .iter()
            .position(|l| l.trim_start_matches(['>', ' ']).starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix}:\n{out}"))
    };
    // Numbered from 1: the opening customer message is #1, the last bot answer #6.
    assert!(
        lines[at("#1 ")].contains("customer") && lines[at("#1 ")].contains("where is my parcel")
    );
    let last = at("#6 ");
    assert!(
        lines[last].starts_with('>'),
        "cited messages are marked: {out}"
    );
    assert!(
        !lines[at("#3 ")].starts_with('>'),
        "uncited ones are not: {out}"
    );
    // The loop's detail sits under the last answer it cites; earlier ones point there.
    assert!(
        lines[last + 1].contains("↳ bot_loop:"),
        "finding under its message:\n{out}"
    );
    let second = at("#2 ");
    assert!(lines[second + 1].contains("↳ bot_loop (see #6)"), "{out}");
    // Redacted and escaped as every other output.
    assert!(
        out.contains("[phone]") && !out.contains("7700 900123"),
        "{out}"
    );
    assert!(
        out.contains("\\u{1b}[31m") && !out.contains('\u{1b}'),
        "{out}"
    );
}

#[test]
fn show_json_keeps_0_based_indices_beside_the_1_based_numbers() {
    let dir = TestDir::new();
    let out = handoff()
        .args(["show", "loop-1"])
        .arg(input(&dir))
        .args(["--format", "json"])
        .ok()
        .stdout;
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["id"], "loop-1");
    assert_eq!(doc["category"], "delivery");
    assert_eq!(doc["needs_human"], true);
    assert_eq!(doc["messages"][0]["number"], 1);
    assert_eq!(doc["messages"][0]["index"], 0);
    assert_eq!(doc["messages"][5]["reasons"][0], "bot_loop");
    assert!(doc["messages"][2]["reasons"]
        .as_array()
        .is_some_and(Vec::is_empty));
    let finding = doc["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["reason"] == "bot_loop"))
        .expect("bot_loop finding");
    let cited: Vec<u64> = finding["messages"]
        .as_array()
        .map(|m| m.iter().filter_map(|m| m["index"].as_u64()).collect())
        .unwrap_or_default();
    assert_eq!(cited, [1, 3, 5]);
    assert!(!out.contains("7700 900123"), "redacted");
    assert_eq!(doc["redacted"], true);
}

#[test]
fn show_stops_at_the_match_and_an_unknown_id_is_an_error() {
    let dir = TestDir::new();
    let good = input(&dir);
    // A gzip header, then a corrupt stream: a run that reached it would fail.
    let broken = dir.path("later.jsonl.gz");
    let bytes = [
        0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, b'x',
    ];
    std::fs::write(&broken, bytes).expect("write the corrupt file");
    handoff()
        .arg("show")
        .arg("ok-1")
        .arg(&good)
        .arg(&broken)
        .ok();
    let audit = handoff()
        .arg("audit")
        .arg(&good)
        .arg(&broken)
        .arg("-q")
        .run();
    assert_eq!(
        audit.code, 2,
        "the second input is unreadable: {}",
        audit.stderr
    );

    let missing = handoff().arg("show").arg("nope-7").arg(&good).run();
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("nope-7") && missing.stderr.contains("3 records read"),
        "{}",
        missing.stderr
    );
}

#[test]
fn list_prints_the_ids_that_need_a_human_with_their_top_reason() {
    let dir = TestDir::new();
    let path = input(&dir);
    let out = handoff().arg("list").arg(&path).ok().stdout;
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    let ids: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(
        ids,
        ["loop-1", "ask-1"],
        "input order, healthy ones left out:\n{out}"
    );
    assert!(rows.iter().all(|r| r.len() == 4), "{out}");
    assert_eq!(rows[1][1], "refunds");
    assert_eq!(
        rows[1][3], "escalation_request",
        "the strongest reason: {out}"
    );

    let refunds = handoff()
        .arg("list")
        .arg(&path)
        .args(["--category", "refunds"])
        .ok()
        .stdout;
    assert_eq!(refunds.lines().count(), 1);
    assert!(refunds.starts_with("ask-1\t"), "{refunds}");
    let looped = handoff()
        .arg("list")
        .arg(&path)
        .args(["--reason", "bot_loop"])
        .ok()
        .stdout;
    assert!(
        looped.starts_with("loop-1\t") && looped.lines().count() == 1,
        "{looped}"
    );
    let all = handoff().arg("list").arg(&path).arg("--all").ok().stdout;
    assert_eq!(all.lines().count(), 3);
    assert!(all.starts_with("ok-1\t"), "{all}");
    let bad = handoff()
        .arg("list")
        .arg(&path)
        .args(["--reason", "bored"])
        .run();
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("bot_loop"),
        "lists the known codes: {}",
        bad.stderr
    );

    // What list prints is what show takes.
    let first = refunds.split('\t').next().unwrap_or_default();
    let shown = handoff().arg("show").arg(first).arg(&path).ok().stdout;
    assert!(
        shown.contains("ask-1") && shown.contains("refunds"),
        "{shown}"
    );
}
