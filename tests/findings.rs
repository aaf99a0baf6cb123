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
    assert_eq!(looped["loop"], true, "loop, as in CSV and Parquet");
    assert!(
        looped.get("is_loop").is_none(),
        "renamed in schema version 2"
    );
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
    assert!(rows[1]["reasons"].is_null(), "no reasons is null, not []");
    assert!(rows[1]["evidence"].is_null());
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
    // Native lists: reasons list<string>, evidence list<struct>; none is null.
    let reasons = df.column("reasons").and_then(|c| c.list()).expect("a list");
    let first = reasons.get_as_series(0).expect("reasons of row 0");
    let first = first.str().expect("strings");
    let first: Vec<&str> = (0..first.len()).filter_map(|i| first.get(i)).collect();
    assert!(first.contains(&"bot_loop"), "{first:?}");
    assert!(reasons.get_as_series(1).is_none(), "no reasons is null");
    let evidence = df
        .column("evidence")
        .and_then(|c| c.list())
        .expect("a list");
    let items = evidence.get_as_series(0).expect("evidence of row 0");
    let items = items.struct_().expect("a list of structs");
    let reason = items.field_by_name("reason").expect("reason field");
    let reason = reason.str().expect("strings");
    let loop_at = (0..reason.len())
        .position(|i| reason.get(i) == Some("bot_loop"))
        .expect("bot_loop evidence");
    let cited = items.field_by_name("messages").expect("messages field");
    let cited = cited
        .list()
        .expect("a list")
        .get_as_series(loop_at)
        .expect("cited");
    let index = cited
        .struct_()
        .expect("structs")
        .field_by_name("index")
        .expect("index");
    let index: Vec<u64> = index.u64().expect("u64").into_no_null_iter().collect();
    assert_eq!(index, [1, 3, 5]);
    assert!(evidence.get_as_series(1).is_none(), "no evidence is null");
    let looped = df
        .column("loop")
        .and_then(|c| c.bool())
        .expect("loop column");
    assert_eq!(looped.get(0), Some(true));
}

/// The attributes people slice findings by, and the layout version, in all three files
/// alike: one column table drives the writers.
#[test]
fn every_format_has_the_same_columns_and_slicing_attributes() {
    use polars::prelude::*;
    let dir = TestDir::new();
    let dated = serde_json::json!({
        "id": "d-1", "category": "billing", "started_at": "2025-03-24T09:15:00+01:00",
        "bot_version": "4.2.0", "channel": "web", "status": "open",
        "messages": [{"role": "customer", "text": "refund please"},
                     {"role": "bot", "text": "Sorry, I didn't understand that."}]
    });
    let bare = conversation("b-1", "billing", &[("customer", "hi"), ("bot", "Hello!")]);
    let input = dir.write("in.jsonl", &format!("{dated}\n{bare}\n"));
    for ext in ["jsonl", "csv", "parquet"] {
        handoff()
            .arg("audit")
            .arg(&input)
            .arg("--findings")
            .arg(dir.path(&format!("f.{ext}")))
            .arg("-q")
            .ok();
    }
    let line = dir.read("f.jsonl");
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = line
        .lines()
        .map(|l| serde_json::from_str(l).expect("json object"))
        .collect();
    let keys: Vec<&str> = rows[0].keys().map(String::as_str).collect();
    let mut rdr = csv::Reader::from_path(dir.path("f.csv")).expect("csv");
    let headers: Vec<String> = rdr
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let file = std::fs::File::open(dir.path("f.parquet")).expect("parquet file");
    let df = ParquetReader::new(file).finish().expect("readable parquet");
    let parquet: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(headers, parquet, "CSV and Parquet columns");
    let mut sorted_keys = keys.clone();
    sorted_keys.sort_unstable();
    let mut sorted_headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    sorted_headers.sort_unstable();
    assert_eq!(
        sorted_keys, sorted_headers,
        "JSONL fields are the same columns"
    );

    let d = &rows[0];
    assert_eq!(d["schema_version"], 3);
    assert_eq!(d["started_at"], "2025-03-24T08:15:00Z", "ISO 8601 in UTC");
    assert_eq!(d["bot_version"], "4.2.0");
    assert_eq!(d["channel"], "web");
    assert_eq!(d["status"], "open");
    assert!(d["file"].as_str().is_some_and(|f| f.ends_with("in.jsonl")));
    let b = &rows[1];
    for none in ["started_at", "bot_version", "channel", "status", "csat"] {
        assert!(b[none].is_null(), "{none}: {}", b[none]);
    }
    let records: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
    assert_eq!(&records[0][col("started_at")], "2025-03-24T08:15:00Z");
    assert_eq!(&records[1][col("channel")], "", "none is an empty cell");
    let started = df
        .column("started_at")
        .and_then(|c| c.str())
        .expect("strings");
    assert_eq!(started.get(0), Some("2025-03-24T08:15:00Z"));
    assert_eq!(started.get(1), None, "none is null");
    let version = df
        .column("schema_version")
        .and_then(|c| c.u32())
        .expect("u32");
    assert_eq!(version.get(1), Some(3));
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
        .and_then(|c| c.struct_())
        .expect("a struct column");
    let index = cell.field_by_name("index").expect("index field");
    assert_eq!(index.u64().expect("u64").get(0), Some(2));
    let parquet_text = cell.field_by_name("text").expect("text field");
    assert_eq!(parquet_text.str().expect("string").get(0), Some(text));
}
