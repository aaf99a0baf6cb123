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
    let all = handoff()
        .arg("audit")
        .arg(&data)
        .args(["--categories", "taxonomy"])
        .json();
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
            "--categories",
            "taxonomy",
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

/// One time model: a conversation begun late on Sunday 2025-03-09 five hours behind UTC
/// (04:30 UTC on Monday the 10th) is in ISO week 2025-W11 in the weekly series, in
/// `--compare-periods week` and for `--filter started_at>=2025-03-10`, whatever way its
/// time is written; the period is the earliest and latest instant in UTC.
#[test]
fn a_late_sunday_west_of_utc_is_in_the_next_utc_week_everywhere() {
    let dir = TestDir::new();
    let starts = [
        // 2025-03-10T04:30:00Z, as written by the exporter, thrice, and as epoch seconds.
        ("2025-03-09T23:30:00-05:00", true),
        ("2025-03-09T23:30:00-05:00", true),
        ("2025-03-09T23:30:00-05:00", true),
        ("1741581000", false),
        // Neighbours in week 10: Sunday evening in UTC, and Monday 01:00 two hours ahead
        // of UTC (Sunday 23:00 UTC).
        ("2025-03-09T22:00:00Z", false),
        ("2025-03-10T01:00:00+02:00", false),
    ];
    let lines: Vec<String> = starts
        .iter()
        .enumerate()
        .map(|(i, (at, needs_human))| conversation(i, "card", *needs_human, Some(at)))
        .collect();
    let input = dir.write("sunday.jsonl", &lines.join("\n"));

    let report = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--compare-periods", "week"])
        .json();
    let weekly = &report["weekly"];
    assert_eq!(
        weekly["weeks"],
        json!([
            {"week": "2025-W10", "start": "2025-03-03"},
            {"week": "2025-W11", "start": "2025-03-10"}
        ])
    );
    let counts: Vec<u64> = weekly["overall"]["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| p["conversations"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(counts, [2, 4]);
    assert_eq!(weekly["undated"], 0);

    let t = &report["trends"];
    assert_eq!(t["latest"]["label"], "2025-W11");
    assert_eq!(t["overall"]["latest_conversations"], 4);
    assert_eq!(t["overall"]["previous_conversations"], 2);

    // Instants in UTC, not text: the epoch does not sort before the dates.
    assert_eq!(
        report["period"],
        json!(["2025-03-09T22:00:00Z", "2025-03-10T04:30:00Z"])
    );
    let example = &category(&report, "card")["examples"][0];
    assert_eq!(example["started_at"], "2025-03-10T04:30:00Z");

    let selected = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--filter", "started_at>=2025-03-10"])
        .json();
    assert_eq!(selected["input"]["audited"], 4);
    assert_eq!(selected["input"]["filtered_out"], 2);
    let weeks = selected["weekly"]["weeks"].as_array().map(Vec::len);
    assert_eq!(weeks, Some(1));
    assert_eq!(selected["weekly"]["weeks"][0]["week"], "2025-W11");

    // The per-message CSV reads the same time the same way.
    let csv = dir.write(
        "sunday.csv",
        "conversation_id,role,text,ts,category\n\
         c1,customer,where is my card,2025-03-09T23:30:00-05:00,card\n\
         c1,bot,It is on its way.,2025-03-09T23:30:05-05:00,card\n",
    );
    let from_csv = handoff().arg("audit").arg(&csv).json();
    assert_eq!(from_csv["weekly"]["weeks"][0]["week"], "2025-W11");
    assert_eq!(from_csv["period"][0], "2025-03-10T04:30:00Z");
}

/// A `started_at` that cannot be read leaves the conversation undated, not skipped: it is
/// audited and counted as undated in the weekly series and the period comparison.
#[test]
fn an_unreadable_started_at_is_undated_not_skipped() {
    let dir = TestDir::new();
    let lines = [
        conversation(1, "card", true, Some("last tuesday")),
        conversation(2, "card", false, Some("2025-03-04T10:00:00Z")),
    ];
    let input = dir.write("undated.jsonl", &lines.join("\n"));
    let report = handoff()
        .arg("audit")
        .arg(&input)
        .args(["--compare-periods", "week"])
        .json();
    assert_eq!(report["input"]["audited"], 2);
    assert_eq!(report["input"]["skipped"], 0);
    assert_eq!(report["weekly"]["undated"], 1);
    assert_eq!(report["trends"]["undated"], 1);
    assert_eq!(
        report["period"],
        json!(["2025-03-04T10:00:00Z", "2025-03-04T10:00:00Z"])
    );
    let example = &category(&report, "card")["examples"][0];
    assert_eq!(example["id"], "1");
    assert!(example["started_at"].is_null());
}
