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
    assert!(saved.contains("version = 2"));

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

/// `n` conversations on three themes without a category; `needs` of each theme's
/// conversations need a human (the bot falls back, the customer asks for a person).
fn uncategorized(dir: &TestDir, name: &str, n: usize, needs: usize) -> std::path::PathBuf {
    let themes = [
        ["card not arrived", "new card delivery", "card never came"],
        ["forgot password", "password reset", "reset login password"],
        ["refund my order", "refund returned item", "refund status"],
    ];
    let mut lines = Vec::new();
    for i in 0..n {
        let request = themes[i % 3][(i / 3) % 3];
        let msgs: Vec<(&str, &str)> = if i / 3 < needs {
            vec![
                ("customer", request),
                ("bot", "Sorry, I didn't understand that."),
                ("customer", "get me a human please"),
            ]
        } else {
            vec![
                ("customer", request),
                ("bot", "Done, it is sorted."),
                ("customer", "thanks, that worked"),
            ]
        };
        lines.push(conv(i, &msgs));
    }
    dir.write(name, &(lines.join("\n") + "\n"))
}

fn names(report: &serde_json::Value) -> Vec<String> {
    let mut names: Vec<String> = report["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .filter_map(|c| c["category"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

#[test]
fn audit_discovers_topics_when_the_export_has_no_categories() {
    let dir = TestDir::new();
    let input = corpus(&dir);
    let report = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--topics-k", "3"])
        .json();
    let source = &report["category_source"];
    assert_eq!(source["source"], "discovered", "{source}");
    assert_eq!(source["sample"], 90);
    let labels: Vec<&str> = source["labels"]
        .as_array()
        .expect("labels")
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    assert_eq!(labels.len(), 3, "{labels:?}");
    assert!(labels.iter().all(|l| l.contains(" · ")), "{labels:?}");
    // Every conversation has a topic or is other; nothing is left uncategorized, and no
    // keyword category of the finance taxonomy appears.
    let got = names(&report);
    for n in &got {
        assert!(
            n == "other" || labels.contains(&n.as_str()),
            "{n} in {got:?}"
        );
    }
    assert!(got.contains(&"other".to_string()), "the greetings-only two");

    // The same topics as `handoff topics` learns from the same input.
    let file = dir.path("topics.toml");
    handoff()
        .args(["topics", "--topics-k", "3", "-o"])
        .arg(&file)
        .arg(&input)
        .ok();
    let saved = dir.read("topics.toml");
    for l in &labels {
        assert!(saved.contains(&format!("name = \"{l}\"")), "{l}");
    }

    // Every report format but CSV (category rows only) says so, with the label words.
    for format in ["table", "markdown", "html"] {
        let out = handoff()
            .arg("audit")
            .arg(&input)
            .args(["--topics-k", "3", "--format", format])
            .ok();
        assert!(
            out.stdout
                .contains("Categories discovered: 3 topics learned from 90"),
            "{format}: {}",
            out.stdout
        );
        for l in &labels {
            assert!(out.stdout.contains(l), "{format}: {l}");
        }
    }
}

#[test]
fn discovery_is_the_same_for_any_thread_count() {
    let dir = TestDir::new();
    let input = uncategorized(&dir, "chats.jsonl", 600, 20);
    let run = |threads: &str, findings: &str| {
        let path = dir.path(findings);
        let report = handoff()
            .arg("audit")
            .arg(&input)
            .args(["--threads", threads, "--findings"])
            .arg(&path)
            .json();
        (report, dir.read(findings))
    };
    let (one, one_rows) = run("1", "one.jsonl");
    let (two, two_rows) = run("2", "two.jsonl");
    assert_eq!(one["category_source"]["source"], "discovered");
    assert_eq!(one["category_source"], two["category_source"]);
    assert_eq!(one["categories"], two["categories"]);
    assert_eq!(one_rows, two_rows, "each conversation gets the same topic");
}

#[test]
fn categories_flag_makes_the_choice_explicit() {
    let dir = TestDir::new();
    let input = corpus(&dir);
    // The export's only: no category means uncategorized, and nothing is said.
    let export = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--categories", "export"])
        .json();
    assert_eq!(names(&export), ["uncategorized"]);
    assert_eq!(export.get("category_source"), None);
    // The finance taxonomy is opt-in, and says so.
    let taxonomy = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--categories", "taxonomy"])
        .json();
    let got = names(&taxonomy);
    assert!(got.contains(&"account_access".to_string()), "{got:?}");
    assert!(got.contains(&"refunds".to_string()), "{got:?}");
    assert_eq!(taxonomy["category_source"]["source"], "taxonomy");
    // --topics and --categories together are a usage error.
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--categories", "export", "--topics", "t.toml"])
        .run();
    assert_eq!(out.code, 2);
}

#[test]
fn an_export_with_categories_keeps_them() {
    let dir = TestDir::new();
    let mut lines = Vec::new();
    for i in 0..60 {
        let category = if i % 10 == 0 { None } else { Some("billing") };
        let mut v = serde_json::json!({"id": format!("b-{i}"), "messages": [
            {"role": "customer", "text": "my parcel has not arrived"},
            {"role": "bot", "text": "It is with the courier."}]});
        if let Some(c) = category {
            v["category"] = c.into();
        }
        lines.push(v.to_string());
    }
    let input = dir.write("mostly.jsonl", &(lines.join("\n") + "\n"));
    let report = handoff().arg("audit").arg(&input).json();
    // Not discovered, and the keyword taxonomy does not fill in the rest (it would say
    // "delivery"): they are uncategorized.
    assert_eq!(names(&report), ["billing", "uncategorized"]);
    assert_eq!(report.get("category_source"), None);
}

#[test]
fn too_few_requests_or_stdin_keep_the_exports_categories_and_say_why() {
    let dir = TestDir::new();
    let lines: Vec<String> = (0..5)
        .map(|i| {
            conv(
                i,
                &[("customer", "where is my card"), ("bot", "On its way.")],
            )
        })
        .collect();
    let text = lines.join("\n") + "\n";
    let input = dir.write("few.jsonl", &text);
    let report = handoff().arg("audit").arg(&input).json();
    assert_eq!(names(&report), ["uncategorized"]);
    let note = report["category_source"]["note"].as_str().unwrap_or("");
    assert!(note.contains("too few to discover topics"), "{note}");
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--categories", "discover"])
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("too few"), "{}", out.stderr);

    // Stdin is read once: nothing is discovered, and the report says why.
    let piped = handoff().args(["audit", "-"]).stdin(&text).json();
    assert_eq!(names(&piped), ["uncategorized"]);
    let note = piped["category_source"]["note"].as_str().unwrap_or("");
    assert!(note.contains("is read once"), "{note}");
    let out = handoff()
        .args(["audit", "-", "--categories", "discover"])
        .stdin(&text)
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("stdin"), "{}", out.stderr);
}

#[test]
fn config_topics_file_is_relative_to_the_config() {
    let dir = TestDir::new();
    let input = corpus(&dir);
    let config = dir.write("conf/handoff.toml", "[topics]\nfile = \"topics.toml\"\n");
    handoff()
        .args(["topics", "--topics-k", "3", "-o"])
        .arg(dir.path("conf/topics.toml"))
        .arg(&input)
        .ok();
    let report = handoff()
        .arg("audit")
        .arg(&input)
        .arg("--config")
        .arg(&config)
        .json();
    assert_eq!(report["category_source"]["source"], "topics");
    assert!(!names(&report).contains(&"uncategorized".to_string()));
    let bad = dir.write("conf/bad.toml", "[topics]\nk = 0\n");
    let out = handoff()
        .arg("audit")
        .arg(&input)
        .arg("--config")
        .arg(&bad)
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("topics.k"), "{}", out.stderr);
}

#[test]
fn gate_cuts_both_sides_with_the_topics_of_the_baseline() {
    let dir = TestDir::new();
    // The candidate fails more often: 40 of each theme's 100 against 10.
    let baseline = uncategorized(&dir, "baseline.jsonl", 300, 10);
    let candidate = uncategorized(&dir, "candidate.jsonl", 300, 40);
    let out = handoff()
        .args(["gate", "--format", "json", "--quiet", "--topics-k", "3"])
        .arg("--baseline")
        .arg(&baseline)
        .arg("--candidate")
        .arg(&candidate)
        .run();
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("gate JSON");
    let scopes: std::collections::BTreeSet<&str> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["scope"].as_str())
        .collect();
    // Three topics (and perhaps other), each judged on both sides.
    assert!((4..=5).contains(&scopes.len()), "{scopes:?}");
    assert!(!scopes.contains("uncategorized"), "{scopes:?}");

    // With the topics saved from the baseline, the same cut.
    let file = dir.path("topics.toml");
    handoff()
        .args(["topics", "--topics-k", "3", "-o"])
        .arg(&file)
        .arg(&baseline)
        .ok();
    // The scopes judged are the baseline's topics (a category of one side only is not
    // judged on rates, so a candidate cut another way would show fewer).
    let saved = dir.read("topics.toml");
    for s in scopes.iter().filter(|s| !["overall", "other"].contains(s)) {
        assert!(saved.contains(&format!("name = \"{s}\"")), "{s}");
    }
    let again = handoff()
        .args(["gate", "--format", "json", "--quiet", "--topics"])
        .arg(&file)
        .arg("--baseline")
        .arg(&baseline)
        .arg("--candidate")
        .arg(&candidate)
        .run();
    assert_eq!(again.code, 1);
    let again: serde_json::Value = serde_json::from_str(&again.stdout).expect("gate JSON");
    assert_eq!(report["checks"], again["checks"]);
}
