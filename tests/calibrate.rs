//! `handoff calibrate` on labelled data: the sample corpus plants low CSAT on conversations
//! with problems (sample-data/README.md), so transcript signals must predict it.

use crate::harness::{conversation, handoff, sample_data, TestDir};

fn signal<'a>(group: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    group["signals"]
        .as_array()
        .and_then(|s| s.iter().find(|x| x["signal"] == name))
        .unwrap_or_else(|| panic!("signal {name} missing"))
}

/// `calibrate --write-config CONFIG` on the sample transcripts: its JSON output.
fn calibrate_writing(config: &std::path::Path) -> serde_json::Value {
    let out = handoff()
        .arg("calibrate")
        .arg(sample_data().join("transcripts.jsonl"))
        .args(["--format", "json", "-q", "--write-config"])
        .arg(config)
        .ok();
    serde_json::from_str(&out.stdout).expect("JSON")
}

#[test]
fn signals_predict_planted_low_csat() {
    let out = handoff()
        .arg("calibrate")
        .arg(sample_data().join("transcripts.jsonl"))
        .args(["--format", "json", "-q"])
        .ok();
    let c: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample-truth.json"),
        )
        .expect("truth"),
    )
    .expect("truth JSON");
    assert_eq!(c["with_csat"], truth["overall"]["csat_answered"]);
    assert_eq!(c["low_csat"], truth["overall"]["low_csat"]);
    let needs_human = signal(&c["overall"], "needs_human");
    assert!(
        needs_human["auc"].as_f64().unwrap_or(0.0) > 0.75,
        "{needs_human}"
    );
    // Flags never use the survey itself: recall below 1 proves low_csat is not leaking in.
    assert!(needs_human["recall"].as_f64().unwrap_or(1.0) < 1.0);
    // Every category with enough CSAT answers gets its own table.
    let categories = c["categories"].as_array().expect("categories");
    assert!(categories.len() >= 5, "{}", categories.len());
    for g in categories {
        assert!(g["conversations"].as_u64().unwrap_or(0) >= 50);
    }
}

/// A declined card: fixed when `bad` is false; when true the bot falls back and the
/// customer closes with `complaint`.
fn card_conversation(id: &str, category: &str, bad: bool, complaint: &str) -> serde_json::Value {
    let messages: &[(&str, &str)] = if bad {
        &[
            ("customer", "my card was declined"),
            ("bot", "Sorry, I didn't understand that."),
            ("customer", complaint),
        ]
    } else {
        &[
            ("customer", "my card was declined"),
            ("bot", "I have unblocked it, please try again."),
            ("customer", "that worked, thanks"),
        ]
    };
    serde_json::from_str(&conversation(id, category, messages)).expect("json")
}

#[test]
fn small_categories_are_pooled_only_overall_and_no_csat_is_an_error() {
    let dir = TestDir::new();
    let mut lines = Vec::new();
    for i in 0..12 {
        let bad = i % 3 == 0;
        let category = if i < 6 { "cards" } else { "loans" };
        let mut v = card_conversation(&format!("c{i}"), category, bad, "useless, get me a human");
        v["csat"] = serde_json::json!(if bad { 1 } else { 5 });
        lines.push(v.to_string());
    }
    let input = dir.write("labelled.jsonl", &lines.join("\n"));
    let out = handoff()
        .arg("calibrate")
        .arg(&input)
        .args(["--format", "json", "--min-conversations", "10"])
        .ok();
    let c: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(c["with_csat"], 12);
    assert_eq!(c["low_csat"], 4);
    assert_eq!(c["categories"].as_array().map(Vec::len), Some(0));
    let nh = signal(&c["overall"], "needs_human");
    assert_eq!(nh["precision"], 1.0);
    assert_eq!(nh["recall"], 1.0);
    assert_eq!(nh["auc"], 1.0);
    // The dissatisfaction score's turn signals, with the weight each carries.
    let turn = |name: &str| {
        c["turn_signals"]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["signal"] == name))
            .cloned()
            .unwrap_or_else(|| panic!("no turn signal {name} in {}", c["turn_signals"]))
    };
    let failure = turn("after_bot_failure");
    assert_eq!(
        failure["weight_key"],
        "detect.dissatisfaction.after_bot_failure"
    );
    assert!(failure["weight"].as_f64().is_some_and(|w| w > 0.0));
    assert_eq!(
        failure["auc"], 1.0,
        "only the bad conversations follow a failure"
    );
    assert_eq!(turn("negative_emotion")["auc"], 1.0, "\"useless\"");
    assert_eq!(turn("closing")["auc"], 0.0, "only the good ones say thanks");
    assert_eq!(turn("doubt")["auc"], 0.5, "fires nowhere");

    let unlabelled = dir.write(
        "none.jsonl",
        &conversation("x", "cards", &[("customer", "hi"), ("bot", "Hello!")]),
    );
    let out = handoff().arg("calibrate").arg(&unlabelled).run();
    assert_eq!(out.code, 2);
    assert!(out
        .stderr
        .contains("no audited conversation carries a CSAT"));
}

#[test]
fn suggestions_are_written_into_the_config_and_load_back() {
    let dir = TestDir::new();
    let config = dir.write(
        "handoff.toml",
        "# team settings\n[recommend]\nmin_conversations = 10 # keep me\n",
    );
    let c = calibrate_writing(&config);
    let written = dir.read("handoff.toml");
    assert!(written.contains("# team settings") && written.contains("# keep me"));
    for s in c["suggestions"].as_array().expect("suggestions") {
        let key = s["key"]
            .as_str()
            .unwrap_or("")
            .trim_start_matches("detect.");
        assert!(
            written.contains(&format!("{key} = ")),
            "{key} missing:\n{written}"
        );
    }
    // The lines rewritten keep their inline comments (README: "keeping its comments").
    let starter = dir.path("starter.toml");
    handoff().arg("init").arg(&starter).ok();
    let c = calibrate_writing(&starter);
    let suggestions = c["suggestions"].as_array().expect("suggestions");
    assert!(
        !suggestions.is_empty(),
        "the sample data moves some threshold"
    );
    let written = dir.read("starter.toml");
    for s in suggestions {
        let key = s["key"].as_str().unwrap_or("");
        let (_, name) = key.split_once('.').expect("section.key");
        let line = written
            .lines()
            .find(|l| l.starts_with(&format!("{name} = ")))
            .unwrap_or_else(|| panic!("{key} missing:\n{written}"));
        assert!(
            line.contains(&format!("= {}", s["suggested"])) && line.contains(" # "),
            "{key}: value not written or comment lost: {line}"
        );
    }
    // The audit accepts the updated file.
    handoff()
        .arg("audit")
        .arg(sample_data().join("transcripts.jsonl"))
        .arg("--config")
        .arg(&config)
        .arg("-q")
        .ok();
}

#[test]
fn the_needs_human_probability_is_refitted_written_and_used_by_audit() {
    let dir = TestDir::new();
    let config = dir.write("handoff.toml", "");
    let c = calibrate_writing(&config);
    let v = &c["verdict"];
    let refit = v["auc_refit"].as_f64().expect("a refit AUC");
    assert!(refit > 0.5, "cross-validated AUC {refit}");
    assert_eq!(v["reliability"].as_array().map(Vec::len), Some(10));
    let written = dir.read("handoff.toml");
    assert!(written.contains("[score.verdict]"), "{written}");
    let threshold = v["threshold"].as_f64().expect("threshold");
    assert!(
        written.contains(&format!("threshold = {threshold}")),
        "{written}"
    );
    // `audit --config` reads the refitted weights: its expected rate moves with them.
    let expected = |args: &[&std::ffi::OsStr]| {
        handoff()
            .arg("audit")
            .arg(sample_data().join("transcripts.jsonl"))
            .args(args)
            .json()["overall"]["expected_rate"]
            .as_f64()
            .unwrap_or(-1.0)
    };
    let default = expected(&[]);
    let refitted = expected(&["--config".as_ref(), config.as_os_str()]);
    assert!(
        (0.0..=1.0).contains(&refitted) && refitted != default,
        "{default} vs {refitted}"
    );
}

/// A team's export whose outcome is its own `metadata.escalated` flag, not a survey: one
/// conversation in three went to a person after a fallback; one value is unreadable and
/// one record has none.
fn escalated_export(dir: &TestDir) -> std::path::PathBuf {
    let mut lines = Vec::new();
    for i in 0..40 {
        let bad = i % 3 == 0;
        let mut v = card_conversation(&format!("c{i}"), "cards", bad, "useless");
        v["metadata"] = match i {
            5 => serde_json::json!({"escalated": "maybe"}),
            7 => serde_json::json!({}),
            _ => serde_json::json!({"escalated": if bad { "yes" } else { "no" }}),
        };
        lines.push(v.to_string());
    }
    dir.write("escalated.jsonl", &lines.join("\n"))
}

#[test]
fn a_label_field_replaces_low_csat_as_the_outcome() {
    let dir = TestDir::new();
    let input = escalated_export(&dir);
    let config = dir.write("handoff.toml", "");
    let out = handoff()
        .arg("calibrate")
        .arg(&input)
        .args(["--format", "json", "--label-field", "metadata.escalated"])
        .arg("--write-config")
        .arg(&config)
        .ok();
    let c: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    // 40 read: 14 escalated, 24 not, one unreadable, one without the field.
    assert_eq!(c["audited"], 40);
    assert_eq!(c["labelled"], 38);
    assert_eq!(c["positive"], 14);
    assert_eq!(c["unreadable_labels"], 1);
    assert_eq!(c["with_csat"], 0);
    assert_eq!(c["outcome"], "metadata.escalated is true");
    assert!(
        out.stderr.contains("escalated.jsonl:6") && out.stderr.contains("\"maybe\""),
        "the unreadable value is named with its line: {}",
        out.stderr
    );
    // The survey is not the label, so low_csat is measured like any other signal.
    assert_eq!(signal(&c["overall"], "low_csat")["flagged"], 0);
    assert_eq!(signal(&c["overall"], "bot_fallback")["auc"], 1.0);
    // Enough of both outcomes: the probability is refitted on the team's label and stored.
    assert!(c["verdict"]["auc_refit"].as_f64().is_some_and(|a| a > 0.9));
    let written = dir.read("handoff.toml");
    assert!(written.contains("[score.verdict]"), "{written}");
    handoff()
        .arg("audit")
        .arg(&input)
        .arg("--config")
        .arg(&config)
        .arg("-q")
        .ok();

    let table = handoff()
        .arg("calibrate")
        .arg(&input)
        .args(["--label-field", "metadata.escalated", "-q"])
        .ok();
    assert!(
        table.stdout.starts_with(
            "handoff calibrate: 38 of 40 audited conversations carry metadata.escalated; \
             14 are positive (metadata.escalated is true); 1 more have a value"
        ),
        "{}",
        table.stdout
    );
}

#[test]
fn a_label_value_and_a_csv_column_are_read_and_a_missing_field_is_an_error() {
    let dir = TestDir::new();
    // PATH=VALUE: positive when the field says so; another value is negative.
    let input = escalated_export(&dir);
    let c = handoff()
        .arg("calibrate")
        .arg(&input)
        .args(["--label-field", "metadata.escalated=YES"])
        .json();
    assert_eq!(
        (c["labelled"].as_u64(), c["positive"].as_u64()),
        (Some(39), Some(14))
    );
    assert_eq!(c["outcome"], "metadata.escalated = YES");

    // A per-message CSV: the label is a column, given on any row of the conversation.
    let mut csv = String::from("conversation_id,role,text,reopened\n");
    for i in 0..24 {
        let bad = i % 2 == 0;
        let answer = if bad {
            "\"Sorry, I didn't understand that.\""
        } else {
            "Done: your card is unblocked."
        };
        csv += &format!("k{i},customer,my card was declined,\n");
        csv += &format!("k{i},bot,{answer},{}\n", if bad { 1 } else { 0 });
    }
    let csv = dir.write("messages.csv", &csv);
    let c = handoff()
        .arg("calibrate")
        .arg(&csv)
        .args(["--label-field", "reopened"])
        .json();
    assert_eq!(
        (c["labelled"].as_u64(), c["positive"].as_u64()),
        (Some(24), Some(12))
    );
    assert_eq!(signal(&c["overall"], "bot_fallback")["auc"], 1.0);

    let out = handoff()
        .arg("calibrate")
        .arg(&input)
        .args(["--label-field", "metadata.reopened"])
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("no audited conversation carries a yes/no metadata.reopened"),
        "{}",
        out.stderr
    );
    let out = handoff()
        .arg("calibrate")
        .arg(&input)
        .args(["--label-field", "metadata..x"])
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("dotted path"), "{}", out.stderr);
}
