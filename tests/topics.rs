//! `handoff topics` and `audit --topics`: learning topics from an export without categories,
//! the topics file round trip (learn, save, edit, audit with it), determinism, `other`.

use crate::harness::{category, handoff, TestDir};

fn conv(id: usize, messages: &[(&str, &str)]) -> String {
    let msgs: Vec<serde_json::Value> = messages
        .iter()
        .map(|(role, text)| serde_json::json!({"role": role, "text": text}))
        .collect();
    serde_json::json!({"id": format!("c-{id}"), "messages": msgs}).to_string()
}

/// 90 conversations on three themes without a category; a third open with a greeting, and
/// two say nothing beyond hello.
fn corpus(dir: &TestDir) -> std::path::PathBuf {
    let themes = [
        ["card not arrived", "new card delivery", "card never came"],
        ["forgot password", "password reset", "reset login password"],
        ["refund my order", "refund returned item", "refund status"],
    ];
    let mut lines = Vec::new();
    for i in 0..90 {
        let request = themes[i % 3][(i / 3) % 3];
        let msgs: Vec<(&str, &str)> = if i % 3 == 0 {
            vec![
                ("customer", "hello?"),
                ("bot", "Hi! How can I help?"),
                ("customer", request),
                ("bot", "Done."),
            ]
        } else {
            vec![("customer", request), ("bot", "Done.")]
        };
        lines.push(conv(i, &msgs));
    }
    lines.push(conv(90, &[("customer", "hi"), ("bot", "Hello!")]));
    lines.push(conv(91, &[("customer", "hello?"), ("bot", "Hello!")]));
    dir.write("chats.jsonl", &(lines.join("\n") + "\n"))
}

#[test]
fn topics_are_learned_saved_edited_and_used_by_audit() {
    let dir = TestDir::new();
    let input = corpus(&dir);
    let file = dir.path("topics.toml");
    let out = handoff()
        .args(["topics", "--topics-k", "3", "--threads", "1", "-o"])
        .arg(&file)
        .arg(&input)
        .ok();
    assert!(
        out.stdout.contains("3 topics from 90 requests"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("2 without a request"), "{}", out.stdout);
    let saved = dir.read("topics.toml");
    assert!(saved.contains("version = 1"));

    // Same input, other thread count: the same file byte for byte.
    let again = dir.path("again.toml");
    handoff()
        .args(["topics", "--topics-k", "3", "--threads", "4", "-o"])
        .arg(&again)
        .arg(&input)
        .ok();
    assert_eq!(saved, dir.read("again.toml"));

    // Rename the first topic by editing the file; audit assigns with it.
    let first = saved
        .lines()
        .find_map(|l| l.strip_prefix("name = "))
        .expect("a topic name")
        .to_string();
    let edited = saved.replacen(&format!("name = {first}"), "name = \"renamed\"", 1);
    let edited_path = dir.write("edited.toml", &edited);
    let report = handoff()
        .arg("audit")
        .arg(&input)
        .arg("--topics")
        .arg(&edited_path)
        .json();
    assert!(
        category(&report, "renamed")["conversations"]
            .as_u64()
            .unwrap_or(0)
            >= 20
    );
    // Greetings only: no request, so no topic; with them the least typical requests, below
    // the file's similarity floor.
    let other = category(&report, "other")["conversations"]
        .as_u64()
        .unwrap_or(0);
    assert!((2..=15).contains(&other), "{other}");
    let names: Vec<&str> = report["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .filter_map(|c| c["category"].as_str())
        .collect();
    assert!(!names.contains(&"uncategorized"), "{names:?}");
}

#[test]
fn a_broken_topics_file_is_an_error_naming_it() {
    let dir = TestDir::new();
    let input = corpus(&dir);
    let bad = dir.write("bad.toml", "version = 7\n");
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .arg("--topics")
        .arg(&bad)
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("bad.toml"), "{}", out.stderr);
}

#[test]
fn too_few_requests_is_a_clear_error() {
    let dir = TestDir::new();
    let input = dir.write(
        "one.jsonl",
        &(conv(1, &[("customer", "where is my card")]) + "\n"),
    );
    let out = handoff().arg("topics").arg(&input).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("too few to learn topics"),
        "{}",
        out.stderr
    );
}
