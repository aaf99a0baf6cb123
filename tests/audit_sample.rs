//! End-to-end on the committed sample corpus: the problems planted by
//! `sample-data/generate.py` (counted in `tests/data/sample-truth.json`) come back.
//!
//! Tolerance: each category's needs-human rate within 5 percentage points of the planted
//! rate, and the planted ranking of categories reproduced exactly (the planted rates are at
//! least 5 points apart). Per-reason rates within 4 points where the detector and the
//! generator define the problem the same way.

use crate::harness::{category, handoff, sample_data};

fn truth() -> serde_json::Value {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample-truth.json");
    let text = std::fs::read_to_string(&path).expect("tests/data/sample-truth.json");
    serde_json::from_str(&text).expect("truth is JSON")
}

/// The generator omits the category of some conversations whose first message names it
/// unambiguously (`category_omitted` in the truth): the sample is a consumer-finance bot, so
/// it opts into the keyword taxonomy to get them back, as such an export would.
fn audit_transcripts() -> serde_json::Value {
    handoff()
        .arg("audit")
        .arg(sample_data().join("transcripts.jsonl"))
        .args(["--categories", "taxonomy"])
        .json()
}

#[test]
fn planted_ranking_and_needs_human_rates_come_back() {
    let truth = truth();
    let report = audit_transcripts();
    let planted = truth["categories"].as_object().expect("categories");

    let mut expected: Vec<(&str, f64)> = planted
        .iter()
        .map(|(name, t)| (name.as_str(), t["needs_human_rate"].as_f64().unwrap_or(0.0)))
        .collect();
    expected.sort_by(|a, b| b.1.total_cmp(&a.1));
    let ranked: Vec<&str> = report["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .filter_map(|c| c["category"].as_str())
        .collect();
    let expected_names: Vec<&str> = expected.iter().map(|(n, _)| *n).collect();
    assert_eq!(ranked, expected_names, "ranking by needs-human rate");

    for (name, planted_rate) in expected {
        let got = category(&report, name)["needs_human_rate"]
            .as_f64()
            .unwrap_or(-1.0);
        assert!(
            (got - planted_rate).abs() <= 0.05,
            "{name}: needs-human rate {got:.3}, planted {planted_rate:.3}"
        );
    }
    assert_eq!(report["input"]["skipped"], 0);
    assert_eq!(
        report["input"]["audited"], truth["overall"]["conversations"],
        "every conversation is audited"
    );
}

#[test]
fn planted_reason_rates_come_back() {
    let truth = truth();
    let report = audit_transcripts();
    for (name, t) in truth["categories"].as_object().expect("categories") {
        let n = t["conversations"].as_f64().unwrap_or(1.0);
        let c = category(&report, name);
        let checks = [
            ("escalation_request", c["escalation_request_rate"].as_f64()),
            ("low_csat", reason_rate(c, "low_csat")),
            ("handoff", reason_rate(c, "handoff")),
            ("explicit_status", reason_rate(c, "explicit_status")),
        ];
        for (planted, got) in checks {
            let want = t[planted].as_f64().unwrap_or(0.0) / n;
            let got = got.unwrap_or(0.0);
            assert!(
                (got - want).abs() <= 0.04,
                "{name}/{planted}: {got:.3} vs planted {want:.3}"
            );
        }
        let mean = c["mean_csat"].as_f64().unwrap_or(0.0);
        assert!((1.0..=5.0).contains(&mean), "{name}: mean CSAT {mean}");
    }
}

/// A reason's rate in a category (absent from the list: never found).
fn reason_rate(c: &serde_json::Value, reason: &str) -> Option<f64> {
    Some(
        c["reasons"]
            .as_array()?
            .iter()
            .find(|r| r["reason"] == reason)
            .and_then(|r| r["rate"].as_f64())
            .unwrap_or(0.0),
    )
}

#[test]
fn whole_sample_directory_reads_jsonl_and_csv() {
    let truth = truth();
    let report = handoff().arg("audit").arg(sample_data()).json();
    let files: Vec<&str> = report["input"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files[0].ends_with("messages.csv") && files[1].ends_with("transcripts.jsonl"));
    let expected = truth["overall"]["conversations"].as_u64().unwrap_or(0)
        + truth["csv_sample"]["overall"]["conversations"]
            .as_u64()
            .unwrap_or(0);
    assert_eq!(report["input"]["audited"].as_u64(), Some(expected));
    assert_eq!(report["input"]["skipped"], 0);
}

#[test]
fn repeated_answers_and_examples_carry_evidence() {
    let report = audit_transcripts();
    let top = &report["categories"][0];
    let answers = top["repeated_answers"]
        .as_array()
        .expect("repeated answers");
    assert!(!answers.is_empty());
    for a in answers {
        assert!(a["needs_human"].as_u64() <= a["conversations"].as_u64());
    }
    let examples = top["examples"].as_array().expect("examples");
    assert!(!examples.is_empty());
    for e in examples {
        let evidence = e["evidence"].as_array().expect("evidence");
        assert!(
            !evidence.is_empty(),
            "a needs-human example cites its reasons"
        );
    }
}
