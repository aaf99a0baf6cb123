//! `handoff audit --compare-periods` and `--filter`: per-category trends inside one export,
//! and records selected on canonical fields, with the rest counted.

use serde_json::{json, Value};

use crate::harness::{category, handoff, sample_data, TestDir};

fn conversation(id: usize, category: &str, needs_human: bool, started_at: Option<&str>) -> String {
    let messages = crate::harness::messages(needs_human);
    let mut v = json!({"id": id, "category": category, "messages": messages});
    if let Some(ts) = started_at {
        v["started_at"] = json!(ts);
    }
    v.to_string()
}

/// card gets much worse from ISO week 10 to week 11 of 2025; delivery stays the same.
fn two_weeks(dir: &TestDir) -> std::path::PathBuf {
    let mut lines = Vec::new();
    let mut id = 0;
    for (day, card_needs) in [
        ("2025-03-05T10:00:00Z", 10),
        ("2025-03-12T10:00:00+01:00", 45),
    ] {
        for i in 0..100 {
            id += 1;
            lines.push(conversation(id, "card", i < card_needs, Some(day)));
            id += 1;
            lines.push(conversation(id, "delivery", i < 5, Some(day)));
        }
    }
    id += 1;
    lines.push(conversation(id, "card", false, Some("sometime in March")));
    id += 1;
    lines.push(conversation(id, "card", false, None));
    dir.write("weeks.jsonl", &lines.join("\n"))
}

fn row<'a>(trends: &'a Value, name: &str) -> &'a Value {
    trends["categories"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["category"] == name))
        .unwrap_or_else(|| panic!("no trend row for {name}"))
}

#[test]
fn latest_week_is_compared_with_the_previous_and_significant_rises_are_flagged() {
    let dir = TestDir::new();
    let input = two_weeks(&dir);
    let report = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--compare-periods", "week"])
        .json();
    let t = &report["trends"];
    assert_eq!(t["granularity"], "week");
    assert_eq!(t["latest"]["label"], "2025-W11");
    assert_eq!(t["latest"]["days"], json!(["2025-03-10", "2025-03-16"]));
    assert_eq!(t["previous"]["label"], "2025-W10");
    assert_eq!(t["undated"], 2);

    let card = row(t, "card");
    assert_eq!(card["previous_conversations"], 100);
    assert_eq!(card["latest_conversations"], 100);
    assert_eq!(card["needs_human"]["previous"], 0.1);
    assert_eq!(card["needs_human"]["latest"], 0.45);
    assert!(card["needs_human"]["interval"][0].as_f64().unwrap_or(0.0) > 0.0);
    assert_eq!(card["flags"], json!(["needs_human_rise"]));
    let delivery = row(t, "delivery");
    assert_eq!(delivery["flags"], json!([]));
    assert_eq!(delivery["judged"], true);
    // Flagged categories first.
    assert_eq!(t["categories"][0]["category"], "card");

    let table = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--compare-periods", "week", "--quiet"])
        .ok()
        .stdout;
    assert!(table.contains("Latest week 2025-W11 (2025-03-10 .. 2025-03-16) against 2025-W10"));
    assert!(table.contains("10.0% → 45.0% (+35.0 pp"), "{table}");
    assert!(table.contains("⚠ needs-human up"));
    assert!(table.contains("2 conversations without a readable started_at"));
}

#[test]
fn months_and_too_little_data() {
    let dir = TestDir::new();
    let input = two_weeks(&dir);
    let report = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--compare-periods", "month"])
        .json();
    let t = &report["trends"];
    // Both weeks fall in March: the previous month has no data, so nothing is judged.
    assert_eq!(t["latest"]["label"], "2025-03");
    assert_eq!(t["previous"]["label"], "2025-02");
    let card = row(t, "card");
    assert_eq!(card["previous_conversations"], 0);
    assert_eq!(card["judged"], false);
    assert_eq!(card["flags"], json!([]));
    // Without the flag the summary has no trends.
    let plain = handoff().arg("audit").arg(&input).json();
    assert_eq!(plain.get("trends"), None);
}

#[test]
fn filters_select_records_and_count_the_rest() {
    let data = sample_data().join("transcripts.jsonl");
    let all = handoff().arg("audit").arg(&data).json();
    let report = handoff()
        .arg("audit")
        .arg(&data)
        .args(["--filter", "bot_version=4.2.0"])
        .json();
    let input = &report["input"];
    assert_eq!(input["records_read"], 3000);
    assert_eq!(input["audited"], 1500);
    assert_eq!(input["filtered_out"], 1500);
    assert_eq!(input["filter"], "bot_version=4.2.0");

    // The category clause applies to the final category, taxonomy-assigned ones included.
    let fraud = handoff()
        .arg("audit")
        .arg(&data)
        .args([
            "--filter",
            "category=fraud",
            "--filter",
            "started_at>=2025-03-24",
        ])
        .json();
    let fraud_all = category(&all, "fraud")["conversations"]
        .as_u64()
        .unwrap_or(0);
    let audited = fraud["input"]["audited"].as_u64().unwrap_or(0);
    assert!(
        audited > 0 && audited < fraud_all,
        "{audited} of {fraud_all}"
    );
    assert_eq!(fraud["categories"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        fraud["input"]["filtered_out"].as_u64().unwrap_or(0) + audited,
        3000
    );

    let out = handoff()
        .arg("audit")
        .arg(&data)
        .args(["--filter", "started_at>=next week"])
        .run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("is not a date or timestamp"),
        "{}",
        out.stderr
    );
}
