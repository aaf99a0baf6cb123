//! `handoff gate` end to end: verdicts, significance, insufficient data, the report files,
//! saved summaries, the release diff, exit codes and determinism; and `handoff init`.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::harness::{handoff, sample_data, TestDir};

/// One conversation: healthy (the customer confirms the answer) or one that needs a human
/// (the bot falls back, the customer asks for a person).
fn conversation(id: &str, category: &str, needs_human: bool, version: &str) -> Value {
    let messages = crate::harness::messages(needs_human);
    json!({"id": id, "category": category, "bot_version": version, "messages": messages})
}

/// Writes a JSONL file with, per `(category, conversations, needing a human)`, that many
/// conversations (the ones needing a human first); ids are `category-N`.
fn corpus(dir: &TestDir, name: &str, version: &str, groups: &[(&str, usize, usize)]) -> PathBuf {
    let mut lines = Vec::new();
    for (category, n, needs) in groups {
        for i in 0..*n {
            lines.push(
                conversation(&format!("{category}-{i}"), category, i < *needs, version).to_string(),
            );
        }
    }
    dir.write(name, &(lines.join("\n") + "\n"))
}

fn gate(baseline: &PathBuf, candidate: &PathBuf) -> crate::harness::Handoff {
    handoff()
        .arg("gate")
        .arg("--baseline")
        .arg(baseline)
        .arg("--candidate")
        .arg(candidate)
        .arg("--quiet")
}

fn json_report(out: &crate::harness::Output) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("gate JSON: {e}\n{}", out.stdout))
}

fn check<'a>(report: &'a Value, scope: &str, metric: &str, rule: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .and_then(|cs| {
            cs.iter()
                .find(|c| c["scope"] == scope && c["metric"] == metric && c["rule"] == rule)
        })
        .unwrap_or_else(|| panic!("no check {scope} {metric} {rule}"))
}

#[test]
fn identical_inputs_pass() {
    let dir = TestDir::new();
    let input = corpus(
        &dir,
        "a.jsonl",
        "1",
        &[("card", 60, 12), ("delivery", 80, 4)],
    );
    let out = gate(&input, &input).run();
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.starts_with("handoff gate passed: 24 checks"),
        "{}",
        out.stdout
    );
    // Same conversations on both sides: every id shared, nothing flipped.
    assert!(out
        .stdout
        .contains("Release diff: 140 conversation ids in both"));
    assert!(out.stdout.contains("Now need a human: 0"));
}

#[test]
fn an_absolute_limit_fails_the_gate() {
    let dir = TestDir::new();
    let base = corpus(&dir, "b.jsonl", "1", &[("card", 100, 30)]);
    let cand = corpus(&dir, "c.jsonl", "2", &[("card", 100, 30)]);
    let config = dir.write("handoff.toml", "[gate.needs_human]\nlimit = 25\n");
    let out = gate(&base, &cand)
        .arg("--config")
        .arg(&config)
        .args(["--format", "json"])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("handoff: gate failed: 2 of 18 checks failed"),
        "{}",
        out.stderr
    );
    // A failed gate is a verdict, not an error.
    assert!(!out.stderr.contains("error"), "{}", out.stderr);
    let report = json_report(&out);
    assert_eq!(report["passed"], false);
    let c = check(&report, "overall", "needs_human", "limit");
    assert_eq!(c["status"], "fail");
    assert_eq!(c["threshold"], 0.25);
    assert_eq!(c["candidate"]["value"], 0.3);
    let msg = c["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("30.0% (95% CI 21.9%–39.6%, 30 of 100)"),
        "{msg}"
    );
    assert!(msg.contains("breaks the limit of at most 25.0%"), "{msg}");
    // The regression rule on the same metric passes: nothing changed.
    assert_eq!(
        check(&report, "overall", "needs_human", "regression")["status"],
        "pass"
    );
    // Failures come first.
    assert_eq!(report["checks"][0]["status"], "fail");
    assert_eq!(report["checks"][1]["status"], "fail");
}

#[test]
fn a_significant_regression_fails_and_names_the_category() {
    let dir = TestDir::new();
    let base = corpus(
        &dir,
        "b.jsonl",
        "1",
        &[("card", 200, 20), ("delivery", 200, 20)],
    );
    let cand = corpus(
        &dir,
        "c.jsonl",
        "2",
        &[("card", 200, 60), ("delivery", 200, 22)],
    );
    let out = gate(&base, &cand).args(["--format", "json"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = json_report(&out);
    let c = check(&report, "card", "needs_human", "regression");
    assert_eq!(c["status"], "fail");
    assert_eq!(c["difference"]["value"], 0.2);
    assert_eq!(c["difference"]["significant"], true);
    let lo = c["difference"]["interval"][0].as_f64().unwrap_or(0.0);
    assert!(
        lo > 0.03,
        "interval lower bound {lo} above the 3 pp tolerance"
    );
    let msg = c["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("baseline 10.0% -> candidate 30.0% (+20.0 pp, 95% CI"),
        "{msg}"
    );
    assert!(msg.contains("significant at 95%"), "{msg}");
    // +1 pp in delivery is within the tolerance.
    assert_eq!(
        check(&report, "delivery", "needs_human", "regression")["status"],
        "pass"
    );
    // The terminal report lists the failure before the table.
    let out = gate(&base, &cand).run();
    assert_eq!(out.code, 1);
    let failures = out.stdout.find("Failures:").expect("failures section");
    let table = out.stdout.find("┌").expect("table");
    assert!(failures < table);
    assert!(out.stdout.contains("✗ card needs-human rate regression"));
}

#[test]
fn a_large_but_insignificant_change_on_a_small_sample_passes() {
    let dir = TestDir::new();
    // 1 of 12 -> 4 of 12: +25 pp, far above the 3 pp tolerance, but 12 conversations
    // cannot tell it from chance.
    let base = corpus(&dir, "b.jsonl", "1", &[("card", 12, 1)]);
    let cand = corpus(&dir, "c.jsonl", "2", &[("card", 12, 4)]);
    let config = dir.write("handoff.toml", "[gate]\nmin_conversations = 10\n");
    let out = gate(&base, &cand)
        .arg("--config")
        .arg(&config)
        .args(["--format", "json"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stdout);
    let report = json_report(&out);
    let c = check(&report, "card", "needs_human", "regression");
    assert_eq!(c["status"], "pass");
    assert_eq!(c["difference"]["significant"], false);
    let [lo, hi] = [0, 1].map(|i| c["difference"]["interval"][i].as_f64().unwrap_or(0.0));
    assert!(lo < 0.0 && hi > 0.25, "[{lo}, {hi}]");
    assert!(c["message"]
        .as_str()
        .unwrap_or("")
        .contains("but not significant at 95% family-wise (one-sided p "));
}

#[test]
fn too_little_data_is_reported_and_fails_only_when_configured() {
    let dir = TestDir::new();
    let base = corpus(&dir, "b.jsonl", "1", &[("card", 100, 10), ("fraud", 8, 1)]);
    let cand = corpus(&dir, "c.jsonl", "2", &[("card", 100, 10), ("fraud", 8, 6)]);
    let out = gate(&base, &cand).args(["--format", "json"]).run();
    assert_eq!(out.code, 0, "{}", out.stdout);
    let report = json_report(&out);
    let c = check(&report, "fraud", "needs_human", "regression");
    assert_eq!(c["status"], "insufficient_data");
    assert_eq!(c["passed"], true);
    let msg = c["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("candidate 75.0% (95% CI 40.9%–92.9%, 6 of 8)"),
        "{msg}"
    );
    assert!(msg.contains("at least 30 conversations needed"), "{msg}");
    // fraud's eight metrics, and mean CSAT everywhere (no conversation has a CSAT).
    assert_eq!(report["totals"]["insufficient_data"], 10);
    assert_eq!(
        check(&report, "card", "mean_csat", "regression")["status"],
        "insufficient_data"
    );

    let config = dir.write(
        "strict.toml",
        "[gate.categories.fraud]\ninsufficient_data = \"fail\"\n",
    );
    let out = gate(&base, &cand).arg("--config").arg(&config).run();
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("FAIL (insufficient data)"));
}

#[test]
fn junit_report_is_well_formed_xml_with_one_case_per_rule_and_category() {
    use quick_xml::events::Event;
    use quick_xml::Reader;

    let dir = TestDir::new();
    // A category name with XML markup characters must come out escaped.
    let base = corpus(
        &dir,
        "b.jsonl",
        "1",
        &[("card", 200, 20), ("<gift & \"cards\">", 100, 10)],
    );
    let cand = corpus(
        &dir,
        "c.jsonl",
        "2",
        &[("card", 200, 60), ("<gift & \"cards\">", 100, 10)],
    );
    let config = dir.write("handoff.toml", "[gate.needs_human]\nlimit = 50\n");
    let junit = dir.path("gate.xml");
    let out = gate(&base, &cand)
        .arg("--config")
        .arg(&config)
        .arg("--junit")
        .arg(&junit)
        .run();
    assert_eq!(out.code, 1);
    let xml = dir.read("gate.xml");

    let mut reader = Reader::from_str(&xml);
    let (mut suites, mut cases, mut failures, mut depth) = (Vec::new(), 0, 0, 0i32);
    let mut declared: Option<(String, String)> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                depth += 1;
                let attr = |name: &str| -> String {
                    e.try_get_attribute(name)
                        .ok()
                        .flatten()
                        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                        .unwrap_or_default()
                };
                match e.name().as_ref() {
                    b"testsuites" => declared = Some((attr("tests"), attr("failures"))),
                    b"testsuite" => suites.push(attr("name")),
                    b"testcase" => cases += 1,
                    b"failure" => {
                        failures += 1;
                        assert!(
                            attr("message").contains("pp"),
                            "failure carries the numbers"
                        );
                    }
                    _ => {}
                }
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(_) => {}
            Err(e) => panic!("JUnit is not well-formed XML: {e}\n{xml}"),
        }
    }
    assert_eq!(depth, 0);
    // 3 scopes x (8 regression rules + 1 limit) = 27 test cases. The added needs-human
    // conversations are also unresolved escalation requests, so card and overall fail
    // three regressions each.
    assert_eq!(cases, 27);
    assert_eq!(failures, 6);
    assert_eq!(declared, Some(("27".to_string(), "6".to_string())));
    assert_eq!(suites, ["overall", "<gift & \"cards\">", "card"]);
}

#[test]
fn markdown_goes_to_the_file_and_is_appended_to_the_step_summary() {
    let dir = TestDir::new();
    let base = corpus(&dir, "b.jsonl", "1", &[("card", 200, 20)]);
    let cand = corpus(&dir, "c.jsonl", "2", &[("card", 200, 60)]);
    let summary = dir.write("step-summary.md", "# Earlier step\n");
    let md = dir.path("gate.md");
    let out = gate(&base, &cand)
        .arg("--markdown")
        .arg(&md)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .run();
    assert_eq!(out.code, 1);
    let written = dir.read("gate.md");
    assert!(
        written.starts_with("## ❌ handoff gate FAILED: 6 of 16 checks failed"),
        "{written}"
    );
    assert!(written.contains("### Failures"));
    let step = dir.read("step-summary.md");
    assert!(
        step.starts_with("# Earlier step\n## ❌ handoff gate FAILED"),
        "appended: {step}"
    );
}

#[test]
fn a_saved_summary_serves_as_the_baseline() {
    let dir = TestDir::new();
    let base = corpus(
        &dir,
        "b.jsonl",
        "1",
        &[("card", 200, 20), ("delivery", 100, 5)],
    );
    let cand = corpus(
        &dir,
        "c.jsonl",
        "2",
        &[("card", 200, 60), ("delivery", 100, 5)],
    );
    let saved = dir.path("baseline.json");
    handoff()
        .arg("audit")
        .arg(&base)
        .args(["--format", "json", "--quiet", "--output"])
        .arg(&saved)
        .ok();
    let from_summary = json_report(&gate(&saved, &cand).args(["--format", "json"]).run());
    let from_transcripts = json_report(&gate(&base, &cand).args(["--format", "json"]).run());
    assert_eq!(from_summary["checks"], from_transcripts["checks"]);
    assert_eq!(from_summary["baseline"]["saved_summary"], true);
    // A release diff needs transcripts on both sides.
    assert_eq!(from_summary["release_diff"], Value::Null);
    assert!(from_transcripts["release_diff"].is_object());
}

#[test]
fn a_summary_of_another_schema_version_is_a_clear_input_error() {
    let dir = TestDir::new();
    let cand = corpus(&dir, "c.jsonl", "2", &[("card", 40, 4)]);
    let saved = dir.path("baseline.json");
    handoff()
        .arg("audit")
        .arg(&cand)
        .args(["--format", "json", "--quiet", "--output"])
        .arg(&saved)
        .ok();
    let mut summary: Value = serde_json::from_str(&dir.read("baseline.json")).expect("JSON");
    summary["schema_version"] = json!(99);
    std::fs::write(&saved, summary.to_string()).expect("write");
    let out = gate(&saved, &cand).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("a summary of schema version 99"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("reads version 2"), "{}", out.stderr);
    assert!(
        !out.stderr.contains("since then"),
        "a newer version has no changes to list: {}",
        out.stderr
    );

    // A version-1 summary (before the needs-human probability) is refused with the reason.
    summary["schema_version"] = json!(1);
    std::fs::write(&saved, summary.to_string()).expect("write");
    let out = gate(&saved, &cand).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("since then: needs_human now also counts"),
        "{}",
        out.stderr
    );

    if let Some(map) = summary.as_object_mut() {
        map.remove("schema_version");
    }
    std::fs::write(&saved, summary.to_string()).expect("write");
    let out = gate(&saved, &cand).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("without a schema version"),
        "{}",
        out.stderr
    );
}

#[test]
fn release_diff_lists_flipped_conversations_and_new_loops() {
    let dir = TestDir::new();
    let looping =
        "You can reset your password from the login page with the reset link we email you.";
    let mut base = Vec::new();
    let mut cand = Vec::new();
    for i in 0..40 {
        let id = format!("t-{i:02}");
        base.push(conversation(&id, "account", i == 5, "1"));
        let mut c = conversation(&id, "account", i == 7, "2");
        if i == 9 {
            c["messages"] = json!([
                {"role": "customer", "text": "I cannot log in"},
                {"role": "bot", "text": looping},
                {"role": "customer", "text": "the link never arrives"},
                {"role": "bot", "text": looping},
                {"role": "customer", "text": "still nothing"},
                {"role": "bot", "text": looping}
            ]);
        }
        cand.push(c);
    }
    let lines = |v: &[Value]| {
        v.iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let b = dir.write("b.jsonl", &lines(&base));
    let c = dir.write("c.jsonl", &lines(&cand));
    let out = gate(&b, &c).args(["--format", "json"]).run();
    let report = json_report(&out);
    let d = &report["release_diff"];
    assert_eq!(d["shared_conversations"], 40);
    let ids = |key: &str| -> Vec<String> {
        d[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f["id"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(ids("now_needs_human"), ["t-07", "t-09"]);
    assert_eq!(ids("no_longer_needs_human"), ["t-05"]);
    assert_eq!(d["now_needs_human"][1]["reasons"], json!(["bot_loop"]));
    assert_eq!(d["new_loops"][0]["text"], looping);
    assert_eq!(d["new_loops"][0]["examples"], json!(["t-09"]));

    let out = gate(&b, &c).run();
    assert!(
        out.stdout
            .contains("Now need a human: 2\n    t-07 (account): "),
        "{}",
        out.stdout
    );
}

#[test]
fn usage_and_input_errors_exit_2_and_say_what_is_wrong() {
    let dir = TestDir::new();
    let input = corpus(&dir, "a.jsonl", "1", &[("card", 40, 4)]);
    let missing = dir.path("missing.jsonl");
    let out = gate(&missing, &input).run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("missing.jsonl"), "{}", out.stderr);

    for (config, expected) in [
        ("[gate]\nconfidnce = 0.9\n", "confidnce"),
        (
            "[gate.needs_human]\nlimit = 120\n",
            "gate.needs_human.limit = 120",
        ),
        (
            "[gate.categories.card.mean_csat]\nmax_regression = -0.5\n",
            "gate.categories.card.mean_csat.max_regression",
        ),
        ("[gate]\ninsufficient_data = \"skip\"\n", "skip"),
    ] {
        let path = dir.write("bad.toml", config);
        let out = gate(&input, &input).arg("--config").arg(&path).run();
        assert_eq!(out.code, 2, "{config}");
        assert!(out.stderr.contains(expected), "{config}: {}", out.stderr);
    }

    let out = gate(&input, &input)
        .args(["--baseline-filter", "version=4"])
        .run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("--baseline-filter: filter \"version=4\": unknown field"),
        "{}",
        out.stderr
    );

    // Filters select transcripts; a saved summary cannot be filtered.
    let saved = dir.path("s.json");
    handoff()
        .arg("audit")
        .arg(&input)
        .args(["--format", "json", "-q", "-o"])
        .arg(&saved)
        .ok();
    let out = gate(&saved, &input)
        .args(["--baseline-filter", "bot_version=1"])
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("is a saved summary"), "{}", out.stderr);

    // A filter that matches nothing must not make every check "insufficient data" and pass.
    let out = gate(&input, &input)
        .args(["--candidate-filter", "bot_version=2"])
        .run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--candidate: no conversation to compare (40 of 40 records filtered out by bot_version=2)"),
        "{}",
        out.stderr
    );

    let out = handoff().args(["gate", "--baseline"]).arg(&input).run();
    assert_eq!(out.code, 2, "missing --candidate is a usage error");
}

#[test]
fn filters_pick_both_sides_from_one_export_and_output_is_identical_across_threads() {
    let data = sample_data().join("transcripts.jsonl");
    let run = |threads: &str, format: &str| {
        handoff()
            .arg("gate")
            .arg("--baseline")
            .arg(&data)
            .args(["--baseline-filter", "bot_version=4.1.0"])
            .arg("--candidate")
            .arg(&data)
            .args(["--candidate-filter", "bot_version=4.2.0"])
            .args(["--threads", threads, "--format", format, "--quiet"])
            .run()
    };
    let one = run("1", "json");
    assert_eq!(one.code, 0, "{}", one.stdout);
    let report = json_report(&one);
    // README of sample-data: the two versions have 1,500 conversations each.
    assert_eq!(report["baseline"]["conversations"], 1500);
    assert_eq!(report["candidate"]["conversations"], 1500);
    assert_eq!(report["baseline"]["filtered_out"], 1500);
    assert_eq!(report["release_diff"]["shared_conversations"], 0);
    assert_eq!(one.stdout, run("2", "json").stdout);
    assert_eq!(run("1", "table").stdout, run("2", "table").stdout);
}

#[test]
fn init_writes_a_starter_that_the_gate_loads() {
    let dir = TestDir::new();
    let path = dir.path("handoff.toml");
    let out = handoff().arg("init").arg(&path).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = dir.read("handoff.toml");
    assert!(text.contains("[gate.needs_human]"));
    let input = corpus(&dir, "a.jsonl", "1", &[("card", 40, 4)]);
    let out = gate(&input, &input).arg("--config").arg(&path).run();
    assert_eq!(out.code, 0, "{}", out.stderr);

    let out = handoff().arg("init").arg(&path).run();
    assert_eq!(out.code, 2, "an existing file is not overwritten");
    assert!(out.stderr.contains("--force"));
    assert_eq!(
        handoff().arg("init").arg(&path).arg("--force").run().code,
        0
    );
    assert_eq!(handoff().args(["init", "-"]).ok().stdout, text);
}

/// Ten categories of 300 conversations, 30 needing a human on both sides, except `fraud` in
/// the candidate with 52 (+7.3 pp: one-sided p about 0.005, significant alone, not among
/// the run's 77 regression checks).
fn ten_categories(dir: &TestDir) -> (PathBuf, PathBuf) {
    let names = [
        "card", "delivery", "disputes", "fraud", "payments", "refunds", "account", "orders",
        "billing", "returns",
    ];
    let groups = |risen: usize| -> Vec<(&str, usize, usize)> {
        names
            .iter()
            .map(|n| (*n, 300, if *n == "fraud" { risen } else { 30 }))
            .collect()
    };
    (
        corpus(dir, "b.jsonl", "1", &groups(30)),
        corpus(dir, "c.jsonl", "2", &groups(52)),
    )
}

#[test]
fn the_correction_keeps_a_lone_chance_sized_rise_among_many_checks_from_failing() {
    let dir = TestDir::new();
    let (base, cand) = ten_categories(&dir);
    // Holm by default: the family is every regression check with data (11 scopes x 7 rates;
    // no CSAT in these conversations).
    let out = gate(&base, &cand).args(["--format", "json"]).run();
    assert_eq!(out.code, 0, "{}", out.stdout);
    let report = json_report(&out);
    assert_eq!(report["correction"], "holm");
    assert_eq!(report["family"], 77);
    assert_eq!(report["significance_level"], 0.025);
    let c = check(&report, "fraud", "needs_human", "regression");
    assert_eq!(c["status"], "pass");
    let p = c["difference"]["p_value"].as_f64().unwrap_or(1.0);
    let adjusted = c["difference"]["adjusted_p_value"].as_f64().unwrap_or(0.0);
    assert!(p < 0.025 && adjusted > 0.025, "p {p}, adjusted {adjusted}");
    let msg = c["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("not significant at 95% family-wise")
            && msg.contains("Holm-adjusted over 77 checks"),
        "{msg}"
    );
    // The terminal and Markdown outputs say how significance was judged.
    let out = gate(&base, &cand).run();
    assert!(
        out.stdout.contains(
            "Significance: 95% family-wise over 77 regression checks (Holm): a regression is \
             significant when its adjusted one-sided p-value is below 0.025"
        ),
        "{}",
        out.stdout
    );

    // correction = "none" is the gate before corrections: the interval excludes zero, so
    // the same rise fails.
    let config = dir.write("none.toml", "[gate]\ncorrection = \"none\"\n");
    let out = gate(&base, &cand)
        .arg("--config")
        .arg(&config)
        .args(["--format", "json"])
        .run();
    assert_eq!(out.code, 1, "{}", out.stdout);
    let report = json_report(&out);
    let c = check(&report, "fraud", "needs_human", "regression");
    assert_eq!(c["status"], "fail");
    assert!(c["message"]
        .as_str()
        .unwrap_or("")
        .contains("significant at 95% (the interval excludes 0)"));
    // The added needs-human conversations are also unresolved escalation requests.
    assert_eq!(report["totals"]["failed"], 3);
    for metric in ["unresolved", "escalation_request"] {
        assert_eq!(
            check(&report, "fraud", metric, "regression")["status"],
            "fail"
        );
    }
    // An unknown method is refused, naming the key's value.
    let config = dir.write("bad.toml", "[gate]\ncorrection = \"sidak\"\n");
    let out = gate(&base, &cand).arg("--config").arg(&config).run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("sidak"), "{}", out.stderr);
}

#[test]
fn handoff_rate_is_a_gate_metric() {
    let dir = TestDir::new();
    let write = |name: &str, handed_over: usize| {
        let lines: Vec<String> = (0..200)
            .map(|i| {
                let messages = if i < handed_over {
                    json!([
                        {"role": "customer", "text": "my card was declined at the shop"},
                        {"role": "bot", "text": "Let me check that for you right away."},
                        {"role": "agent", "text": "Hi, Sam here from the cards team, I can see the decline."},
                        {"role": "customer", "text": "great, thanks!"}
                    ])
                } else {
                    crate::harness::messages(false)
                };
                json!({"id": format!("h-{i}"), "category": "card", "messages": messages})
                    .to_string()
            })
            .collect();
        dir.write(name, &(lines.join("\n") + "\n"))
    };
    let (base, cand) = (write("b.jsonl", 10), write("c.jsonl", 60));
    let out = gate(&base, &cand).args(["--format", "json"]).run();
    assert_eq!(out.code, 1, "{}", out.stdout);
    let report = json_report(&out);
    let c = check(&report, "card", "handoff_rate", "regression");
    assert_eq!(c["status"], "fail", "{c}");
    assert_eq!(c["candidate"]["count"], 60);
    assert_eq!(c["baseline"]["count"], 10);
    // Nobody left after a fallback on either side: the abandon rate passes.
    let a = check(&report, "card", "abandon_rate", "regression");
    assert_eq!(
        (a["status"].as_str(), a["candidate"]["count"].as_u64()),
        (Some("pass"), Some(0))
    );
    // Identical sides pass it.
    let out = gate(&cand, &cand).args(["--format", "json"]).run();
    assert_eq!(out.code, 0, "{}", out.stdout);
}
