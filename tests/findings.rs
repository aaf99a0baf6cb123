//! `--findings`: per-conversation rows with reasons and evidence, in every format.

use crate::harness::{conversation, handoff, TestDir};

fn input(dir: &TestDir) -> std::path::PathBuf {
    let lines = [
        conversation(
            "loop-1",
            "delivery",
            &[
                ("customer", "where is my parcel"),
                (
                    "bot",
                    "You can track your parcel from the Orders page using the tracking link.",
                ),
                ("customer", "the link is broken, call me on +44 7700 900123"),
                (
                    "bot",
                    "You can track your parcel from the Orders page using the tracking link.",
                ),
                ("customer", "still broken"),
                (
                    "bot",
                    "You can track your parcel from the Orders page using the tracking link.",
                ),
            ],
        ),
        conversation(
            "ok-1",
            "delivery",
            &[
                ("customer", "where is my parcel"),
                ("bot", "It arrives tomorrow."),
                ("customer", "great thanks"),
            ],
        ),
    ];
    dir.write("in.jsonl", &lines.join("\n"))
}

#[test]
fn jsonl_findings_cite_the_messages_behind_each_flag() {
    let dir = TestDir::new();
    handoff()
        .arg("audit")
        .arg(input(&dir))
        .arg("--findings")
        .arg(dir.path("f.jsonl"))
        .arg("-q")
        .ok();
    let rows: Vec<serde_json::Value> = dir
        .read("f.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(rows.len(), 2, "one row per audited conversation");
    let looped = &rows[0];
    assert_eq!(looped["id"], "loop-1");
    assert_eq!(looped["needs_human"], true);
    assert_eq!(looped["is_loop"], true);
    let evidence = looped["evidence"].as_array().expect("evidence");
    let bot_loop = evidence
        .iter()
        .find(|e| e["reason"] == "bot_loop")
        .expect("bot_loop evidence");
    let indices: Vec<u64> = bot_loop["messages"]
        .as_array()
        .map(|m| m.iter().filter_map(|x| x["index"].as_u64()).collect())
        .unwrap_or_default();
    assert_eq!(indices, [1, 3, 5]);
    assert!(looped["location"]
        .as_str()
        .unwrap_or("")
        .ends_with("in.jsonl:1"));
    let text = serde_json::to_string(looped).unwrap_or_default();
    assert!(
        !text.contains("7700 900123"),
        "phone numbers are masked in evidence"
    );
    assert_eq!(rows[1]["needs_human"], false);
    assert_eq!(rows[1]["reasons"].as_array().map(Vec::len), Some(0));
}

#[test]
fn csv_findings_have_one_row_per_conversation() {
    let dir = TestDir::new();
    handoff()
        .arg("audit")
        .arg(input(&dir))
        .arg("--findings")
        .arg(dir.path("f.csv"))
        .arg("-q")
        .ok();
    let mut rdr = csv::Reader::from_path(dir.path("f.csv")).expect("csv");
    let headers = rdr.headers().expect("header").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} column in {headers:?}"))
    };
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][col("id")], "loop-1");
    assert!(rows[0][col("reasons")].contains("bot_loop"));
    let evidence: serde_json::Value =
        serde_json::from_str(&rows[0][col("evidence")]).expect("evidence JSON");
    assert!(evidence.as_array().is_some_and(|e| !e.is_empty()));
    let d: f64 = rows[0][col("dissatisfaction")].parse().expect("a number");
    assert!((0.0..=1.0).contains(&d));
}

#[test]
fn parquet_findings_read_back() {
    use polars::prelude::*;
    let dir = TestDir::new();
    handoff()
        .arg("audit")
        .arg(input(&dir))
        .arg("--findings")
        .arg(dir.path("f.parquet"))
        .arg("-q")
        .ok();
    let file = std::fs::File::open(dir.path("f.parquet")).expect("parquet file");
    let df = ParquetReader::new(file).finish().expect("readable parquet");
    assert_eq!(df.height(), 2);
    let ids = df.column("id").and_then(|c| c.str()).expect("id column");
    assert_eq!(ids.get(0), Some("loop-1"));
    let needs = df
        .column("needs_human")
        .and_then(|c| c.bool())
        .expect("bool column");
    assert_eq!(needs.get(0), Some(true));
    assert_eq!(needs.get(1), Some(false));
    let reasons = df.column("reasons").and_then(|c| c.str()).expect("reasons");
    assert!(reasons.get(0).is_some_and(|r| r.contains("bot_loop")));
}

#[test]
fn the_dissatisfaction_score_cites_its_turn_in_every_format() {
    let dir = TestDir::new();
    let input = dir.write(
        "in.jsonl",
        &conversation(
            "corrected-1",
            "bookings",
            &[
                ("customer", "Book a table for 2 at Green Papaya on the 3rd"),
                (
                    "bot",
                    "Please confirm: a table for 2 at Allegro Romano on March 3rd.",
                ),
                (
                    "customer",
                    "No, that's wrong, I said Green Papaya. Email jane.doe@example.com",
                ),
                ("bot", "Done: a table for 2 at Green Papaya on March 3rd."),
                ("customer", "Great, thank you!"),
            ],
        ),
    );
    for ext in ["jsonl", "csv", "parquet"] {
        handoff()
            .arg("audit")
            .arg(&input)
            .arg("--findings")
            .arg(dir.path(&format!("f.{ext}")))
            .arg("-q")
            .ok();
    }
    let row: serde_json::Value =
        serde_json::from_str(dir.read("f.jsonl").trim()).expect("one json line");
    let turn = &row["dissatisfaction_turn"];
    assert_eq!(turn["index"], 2, "the correction, not the thanks: {turn}");
    assert_eq!(turn["role"], "customer");
    let text = turn["text"].as_str().unwrap_or("");
    assert!(text.starts_with("No, that's wrong"), "{text}");
    assert!(!text.contains("jane.doe@example.com"), "redacted: {text}");

    let mut rdr = csv::Reader::from_path(dir.path("f.csv")).expect("csv");
    let headers = rdr.headers().expect("header").clone();
    let col = headers
        .iter()
        .position(|h| h == "dissatisfaction_turn")
        .expect("dissatisfaction_turn column");
    let record = rdr.records().next().expect("a row").expect("valid row");
    let csv_turn: serde_json::Value = serde_json::from_str(&record[col]).expect("JSON cell");
    assert_eq!(&csv_turn, turn);

    use polars::prelude::*;
    let file = std::fs::File::open(dir.path("f.parquet")).expect("parquet file");
    let df = ParquetReader::new(file).finish().expect("readable parquet");
    let cell = df
        .column("dissatisfaction_turn")
        .and_then(|c| c.str())
        .expect("string column")
        .get(0)
        .map(|s| serde_json::from_str::<serde_json::Value>(s).expect("JSON cell"));
    assert_eq!(cell.as_ref(), Some(turn));
}
