//! `--findings FILE`: one row per audited conversation with its reasons and evidence.
//! The format follows the extension: .jsonl, .csv, .parquet (written by the aggregate
//! stage, which owns polars). All three writers take their columns, names, order and
//! types from one table, `COLUMNS`: JSONL and Parquet keep lists and records as arrays
//! and list/struct columns, CSV writes them as JSON text (reasons joined with `;`); a
//! value that is absent (no CSAT, no start time, no reasons) is `null`, or an empty CSV
//! cell. `SCHEMA_VERSION` is in every row; docs/formats.md lists the changes.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::output::AtomicFile;
mod parquet;

use parquet::ParquetFindings;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::numfmt::spreadsheet_cell;
use crate::summary::{Evidence, EvidenceMessage};

/// The findings files' layout version, written in every row. 3: the `probability` column
/// (the needs-human probability) after `score`. 2: `is_loop` became `loop`
/// in JSONL, reasons and evidence are lists (Parquet) and null when empty, and the
/// `schema_version`, `file`, `started_at`, `bot_version`, `channel`, `status` columns
/// were added. 1 (unversioned): the layout before.
pub const SCHEMA_VERSION: u32 = 3;

/// One audited conversation in the `--findings` file.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub id: String,
    /// The input file, as the run names it (`-` for stdin).
    pub file: String,
    pub location: String,
    pub category: String,
    /// ISO 8601 in UTC (`2025-03-24T09:15:00Z`); `None` when undated.
    pub started_at: Option<String>,
    pub bot_version: Option<String>,
    pub channel: Option<String>,
    pub status: Option<String>,
    pub needs_human: bool,
    pub score: f64,
    /// The needs-human probability (`detect/verdict.rs`).
    pub probability: f64,
    pub dissatisfaction: f64,
    /// The customer message that weighed most in `dissatisfaction` (redacted).
    pub dissatisfaction_turn: Option<EvidenceMessage>,
    pub unresolved: bool,
    pub escalation_request: bool,
    pub is_loop: bool,
    pub satisfaction_drop: bool,
    pub confirmed: bool,
    pub csat: Option<f64>,
    pub reasons: Vec<String>,
    pub evidence: Vec<Evidence>,
}

pub trait FindingsWriter: Send {
    fn write(&mut self, rows: &[FindingRow]) -> Result<()>;
    fn finish(self: Box<Self>) -> Result<()>;
}

pub fn create(path: &Path) -> Result<Box<dyn FindingsWriter>> {
    // `--findings -` arrives as /dev/stdout: JSON lines, the format that pipes into jq.
    let ext = match crate::output::is_standard_stream(path) {
        true => "jsonl".to_string(),
        false => path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .unwrap_or_default(),
    };
    let file = AtomicFile::create(path)?;
    Ok(match ext.as_str() {
        "jsonl" | "ndjson" => Box::new(JsonlFindings {
            out: file.writer()?,
            file,
        }),
        "csv" => {
            let mut w = CsvFindings {
                out: csv::Writer::from_writer(file.writer()?),
                file,
            };
            w.out
                .write_record(COLUMNS.iter().map(|c| c.name))
                .map_err(|e| w.csv_err(e))?;
            Box::new(w)
        }
        "parquet" => Box::new(ParquetFindings::new(file)?),
        _ => {
            return Err(Error::Usage(format!(
                "--findings {}: use a .jsonl, .csv or .parquet file name",
                path.display()
            )))
        }
    })
}

struct JsonlFindings {
    out: BufWriter<File>,
    file: AtomicFile,
}

impl FindingsWriter for JsonlFindings {
    fn write(&mut self, rows: &[FindingRow]) -> Result<()> {
        let mut line = Vec::with_capacity(1024);
        for row in rows {
            line.clear();
            json_line(row, &mut line).map_err(|e| self.file.err(std::io::Error::other(e)))?;
            self.out.write_all(&line).map_err(|e| self.file.err(e))?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.out.flush().map_err(|e| self.file.err(e))?;
        drop(self.out);
        self.file.commit()
    }
}

/// One JSONL line: the columns in order, each value as JSON.
fn json_line(row: &FindingRow, out: &mut Vec<u8>) -> serde_json::Result<()> {
    out.push(b'{');
    for (i, c) in COLUMNS.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, c.name)?;
        out.push(b':');
        c.write_json(row, out)?;
    }
    out.extend_from_slice(b"}\n");
    Ok(())
}

/// How a column's values are taken from a row; the variant decides the column's type in
/// each writer (see the module header).
#[derive(Clone, Copy)]
pub enum Values {
    Text(fn(&FindingRow) -> &str),
    OptionalText(fn(&FindingRow) -> Option<&str>),
    Integer(fn(&FindingRow) -> u32),
    Flag(fn(&FindingRow) -> bool),
    Number(fn(&FindingRow) -> f64),
    OptionalNumber(fn(&FindingRow) -> Option<f64>),
    /// A list of text, null when empty (Parquet `list<string>`).
    TextList(fn(&FindingRow) -> &[String]),
    /// A cited message (Parquet `struct<index, role, text>`), or null.
    Message(fn(&FindingRow) -> Option<&EvidenceMessage>),
    /// The evidence records, null when empty (Parquet `list<struct<reason, detail,
    /// messages: list<struct<index, role, text>>>>`).
    Evidence(fn(&FindingRow) -> &[Evidence]),
}

/// One column of the findings files.
pub struct Column {
    pub name: &'static str,
    pub values: Values,
    /// What the column holds, for docs/schema/findings.schema.json.
    #[cfg_attr(not(test), allow(dead_code))]
    pub description: &'static str,
}

/// The columns of every findings file, in order.
pub const COLUMNS: [Column; 22] = [
    Column {
        name: "schema_version",
        values: Values::Integer(|_| SCHEMA_VERSION),
        description: "Layout version of the findings file",
    },
    Column {
        name: "id",
        values: Values::Text(|r| &r.id),
        description: "Conversation id",
    },
    Column {
        name: "file",
        values: Values::Text(|r| &r.file),
        description: "Input file the conversation was read from (- for stdin)",
    },
    Column {
        name: "location",
        values: Values::Text(|r| &r.location),
        description: "File and 1-based line (and array element) of the record",
    },
    Column {
        name: "category",
        values: Values::Text(|r| &r.category),
        description: "Final category",
    },
    Column {
        name: "started_at",
        values: Values::OptionalText(|r| r.started_at.as_deref()),
        description: "Start time, ISO 8601 in UTC; null when undated",
    },
    Column {
        name: "bot_version",
        values: Values::OptionalText(|r| r.bot_version.as_deref()),
        description: "Bot version from the export, or null",
    },
    Column {
        name: "channel",
        values: Values::OptionalText(|r| r.channel.as_deref()),
        description: "Channel from the export, or null",
    },
    Column {
        name: "status",
        values: Values::OptionalText(|r| r.status.as_deref()),
        description: "Conversation status from the export, or null",
    },
    Column {
        name: "needs_human",
        values: Values::Flag(|r| r.needs_human),
        description: "Flagged as needing a human",
    },
    Column {
        name: "score",
        values: Values::Number(|r| r.score),
        description: "Needs-human score (0 to 1): noisy-OR of the reasons' weights",
    },
    Column {
        name: "probability",
        values: Values::Number(|r| r.probability),
        description: "Needs-human probability (0 to 1), calibrated on labelled dialogues",
    },
    Column {
        name: "dissatisfaction",
        values: Values::Number(|r| r.dissatisfaction),
        description: "Dissatisfaction score (0 to 1)",
    },
    Column {
        name: "dissatisfaction_turn",
        values: Values::Message(|r| r.dissatisfaction_turn.as_ref()),
        description: "Customer message that weighed most in dissatisfaction, or null",
    },
    Column {
        name: "unresolved",
        values: Values::Flag(|r| r.unresolved),
        description: "The bot did not resolve the request",
    },
    Column {
        name: "escalation_request",
        values: Values::Flag(|r| r.escalation_request),
        description: "The customer asked for a person",
    },
    Column {
        name: "loop",
        values: Values::Flag(|r| r.is_loop),
        description: "The bot repeated an answer",
    },
    Column {
        name: "satisfaction_drop",
        values: Values::Flag(|r| r.satisfaction_drop),
        description: "The customer's sentiment dropped",
    },
    Column {
        name: "confirmed",
        values: Values::Flag(|r| r.confirmed),
        description: "The customer confirmed a fix at the end (discounts the score)",
    },
    Column {
        name: "csat",
        values: Values::OptionalNumber(|r| r.csat),
        description: "Survey score on the run's --csat-scale, or null",
    },
    Column {
        name: "reasons",
        values: Values::TextList(|r| &r.reasons),
        description: "Reason codes found; null when none",
    },
    Column {
        name: "evidence",
        values: Values::Evidence(|r| &r.evidence),
        description:
            "Per reason, its detail and the cited messages (0-based index); null when none",
    },
];

impl Column {
    /// The row's value as JSON (a JSONL field).
    fn write_json(&self, row: &FindingRow, out: &mut Vec<u8>) -> serde_json::Result<()> {
        match self.values {
            Values::Text(f) => serde_json::to_writer(out, f(row)),
            Values::OptionalText(f) => serde_json::to_writer(out, &f(row)),
            Values::Integer(f) => serde_json::to_writer(out, &f(row)),
            Values::Flag(f) => serde_json::to_writer(out, &f(row)),
            Values::Number(f) => serde_json::to_writer(out, &f(row)),
            Values::OptionalNumber(f) => serde_json::to_writer(out, &f(row)),
            Values::TextList(f) => serde_json::to_writer(out, &non_empty(f(row))),
            Values::Message(f) => serde_json::to_writer(out, &f(row)),
            Values::Evidence(f) => serde_json::to_writer(out, &non_empty(f(row))),
        }
    }

    /// The row's value as CSV text: lists and records as JSON (reasons joined with `;`),
    /// none as an empty cell. Text cells (ids, file names, category names) go through
    /// `numfmt::spreadsheet_cell`: one starting with `=`, `+`, `-` or `@` gets a leading `'`
    /// so that a spreadsheet does not run it as a formula. JSON cells start with `{` or `[`.
    fn csv_value(&self, row: &FindingRow) -> serde_json::Result<String> {
        let safe = |text: &str| match spreadsheet_cell(text) {
            Cow::Borrowed(t) => t.to_string(),
            Cow::Owned(safe) => safe,
        };
        Ok(match self.values {
            Values::Text(f) => safe(f(row)),
            Values::OptionalText(f) => f(row).map(safe).unwrap_or_default(),
            Values::Integer(f) => f(row).to_string(),
            Values::Flag(f) => f(row).to_string(),
            Values::Number(f) => f(row).to_string(),
            Values::OptionalNumber(f) => f(row).map(|v| v.to_string()).unwrap_or_default(),
            Values::TextList(f) => safe(&f(row).join(";")),
            Values::Message(f) => f(row)
                .map(serde_json::to_string)
                .transpose()?
                .unwrap_or_default(),
            Values::Evidence(f) => match non_empty(f(row)) {
                Some(e) => serde_json::to_string(e)?,
                None => String::new(),
            },
        })
    }
}

/// A list that is empty is written as null: "no reasons", not a list holding nothing, so
/// that `count(reasons)` in SQL counts flagged rows.
fn non_empty<T>(list: &[T]) -> Option<&[T]> {
    (!list.is_empty()).then_some(list)
}

struct CsvFindings {
    out: csv::Writer<BufWriter<File>>,
    file: AtomicFile,
}

impl CsvFindings {
    fn csv_err(&self, e: csv::Error) -> Error {
        self.file.err(std::io::Error::other(e))
    }
}

impl FindingsWriter for CsvFindings {
    fn write(&mut self, rows: &[FindingRow]) -> Result<()> {
        let json_err = |e: serde_json::Error| self.file.err(std::io::Error::other(e));
        for r in rows {
            let record: Vec<String> = COLUMNS
                .iter()
                .map(|c| c.csv_value(r))
                .collect::<serde_json::Result<_>>()
                .map_err(json_err)?;
            self.out
                .write_record(&record)
                .map_err(|e| self.csv_err(e))?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.out.flush().map_err(|e| self.file.err(e))?;
        drop(self.out);
        self.file.commit()
    }
}

/// The JSON Schema of one findings JSONL line (docs/schema/findings.schema.json), made
/// from `COLUMNS` so that it cannot drift from what the writer does. Only the test that
/// writes and checks that file calls it.
#[cfg(test)]
fn json_schema() -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let message = json!({
        "type": "object",
        "properties": {
            "index": {"type": "integer", "minimum": 0, "description": "0-based message index"},
            "role": {"type": "string", "enum": ["customer", "bot", "agent", "system"]},
            "text": {"type": "string", "description": "Message text, redacted unless --no-redact"}
        },
        "required": ["index", "role", "text"],
        "additionalProperties": false
    });
    let mut properties = Map::new();
    for c in &COLUMNS {
        let mut schema = match c.values {
            Values::Text(_) => json!({"type": "string"}),
            Values::OptionalText(_) => json!({"type": ["string", "null"]}),
            Values::Integer(_) => json!({"type": "integer", "minimum": 0}),
            Values::Flag(_) => json!({"type": "boolean"}),
            Values::Number(_) => json!({"type": "number"}),
            Values::OptionalNumber(_) => json!({"type": ["number", "null"]}),
            Values::TextList(_) => json!({
                "type": ["array", "null"], "minItems": 1, "items": {"type": "string"}
            }),
            Values::Message(_) => json!({"anyOf": [message, {"type": "null"}]}),
            Values::Evidence(_) => json!({
                "type": ["array", "null"],
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "reason": {"type": "string"},
                        "detail": {"type": "string"},
                        "messages": {"type": "array", "items": message}
                    },
                    "required": ["reason", "detail", "messages"],
                    "additionalProperties": false
                }
            }),
        };
        if let Value::Object(m) = &mut schema {
            m.insert("description".into(), c.description.into());
        }
        if c.name == "schema_version" {
            schema["const"] = SCHEMA_VERSION.into();
        }
        properties.insert(c.name.into(), schema);
    }
    let required: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "handoff findings (one JSONL line)",
        "description": "One audited conversation in a --findings FILE.jsonl. Generated from src/aggregate/findings/mod.rs (COLUMNS); CSV and Parquet files have the same columns.",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> FindingRow {
        FindingRow {
            id: "c1".into(),
            file: "in.jsonl".into(),
            location: "in.jsonl:3".into(),
            category: "card".into(),
            started_at: Some("2025-03-24T09:15:00Z".into()),
            bot_version: Some("4.2.0".into()),
            channel: None,
            status: None,
            needs_human: true,
            score: 0.75,
            probability: 0.6,
            dissatisfaction: 0.5,
            dissatisfaction_turn: Some(EvidenceMessage {
                index: 2,
                role: "customer".into(),
                text: "no, that's wrong".into(),
            }),
            unresolved: false,
            escalation_request: true,
            is_loop: true,
            satisfaction_drop: false,
            confirmed: false,
            csat: None,
            reasons: vec!["escalation_request".into(), "bot_loop".into()],
            evidence: vec![Evidence {
                reason: "bot_loop".into(),
                detail: "d".into(),
                messages: vec![],
            }],
        }
    }

    fn json(r: &FindingRow) -> serde_json::Map<String, serde_json::Value> {
        let mut line = Vec::new();
        json_line(r, &mut line).expect("serialises");
        assert!(line.ends_with(b"}\n"), "one line");
        serde_json::from_slice(&line).expect("an object")
    }

    #[test]
    fn jsonl_lines_have_the_columns_in_order() {
        let mut line = Vec::new();
        json_line(&row(), &mut line).expect("serialises");
        let text = String::from_utf8(line).expect("utf-8");
        let mut at = 0;
        for c in &COLUMNS {
            let key = format!("\"{}\":", c.name);
            let found = text[at..]
                .find(&key)
                .unwrap_or_else(|| panic!("{key} in order"));
            at += found + key.len();
        }
        let obj = json(&row());
        assert_eq!(obj.len(), COLUMNS.len());
        assert_eq!(obj["loop"], true, "loop, not is_loop");
        assert_eq!(obj["schema_version"], SCHEMA_VERSION);
        assert_eq!(obj["reasons"][1], "bot_loop", "an array");
        assert_eq!(obj["evidence"][0]["reason"], "bot_loop");
        assert_eq!(obj["dissatisfaction_turn"]["index"], 2);
        assert!(obj["channel"].is_null() && obj["csat"].is_null());
        assert_eq!(obj["started_at"], "2025-03-24T09:15:00Z");
    }

    #[test]
    fn jsonl_writes_null_for_no_reasons_and_no_evidence() {
        let mut none = row();
        none.reasons.clear();
        none.evidence.clear();
        none.dissatisfaction_turn = None;
        let obj = json(&none);
        assert!(obj["reasons"].is_null(), "{:?}", obj["reasons"]);
        assert!(obj["evidence"].is_null());
        assert!(obj["dissatisfaction_turn"].is_null());
    }

    #[test]
    fn csv_values_follow_the_column_types() {
        let r = row();
        let value = |r: &FindingRow, name: &str| {
            let c = COLUMNS.iter().find(|c| c.name == name).expect("a column");
            c.csv_value(r).expect("serialises")
        };
        assert_eq!(value(&r, "schema_version"), SCHEMA_VERSION.to_string());
        assert_eq!(value(&r, "id"), "c1");
        assert_eq!(value(&r, "needs_human"), "true");
        assert_eq!(value(&r, "score"), "0.75");
        assert_eq!(
            value(&r, "dissatisfaction_turn"),
            r#"{"index":2,"role":"customer","text":"no, that's wrong"}"#
        );
        assert_eq!(value(&r, "loop"), "true");
        assert_eq!(value(&r, "csat"), "", "no CSAT is an empty cell");
        assert_eq!(value(&r, "channel"), "", "no channel is an empty cell");
        assert_eq!(value(&r, "bot_version"), "4.2.0");
        assert_eq!(value(&r, "reasons"), "escalation_request;bot_loop");
        assert_eq!(
            value(&r, "evidence"),
            r#"[{"reason":"bot_loop","detail":"d","messages":[]}]"#
        );
        let mut none = r;
        none.dissatisfaction_turn = None;
        none.csat = Some(4.0);
        none.reasons.clear();
        none.evidence.clear();
        assert_eq!(value(&none, "dissatisfaction_turn"), "");
        assert_eq!(value(&none, "csat"), "4");
        assert_eq!(value(&none, "reasons"), "");
        assert_eq!(value(&none, "evidence"), "", "no evidence is an empty cell");
    }

    #[test]
    fn csv_text_cells_never_start_a_formula() {
        let mut r = row();
        r.id = "=HYPERLINK(\"http://x\")".into();
        r.location = "@evil.jsonl:1".into();
        r.category = "-2+3".into();
        r.channel = Some("+web".into());
        r.csat = Some(-1.0);
        let value = |name: &str| {
            let c = COLUMNS.iter().find(|c| c.name == name).expect("a column");
            c.csv_value(&r).expect("serialises")
        };
        assert_eq!(value("id"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(value("location"), "'@evil.jsonl:1");
        assert_eq!(value("category"), "'-2+3");
        assert_eq!(value("channel"), "'+web");
        // Numbers are numbers, not text: untouched.
        assert_eq!(value("csat"), "-1");
    }

    /// `docs/schema/findings.schema.json` is made from `COLUMNS` by [`json_schema`]; a
    /// column change fails here until the file is regenerated with
    /// `UPDATE_SCHEMAS=1 cargo test --lib schema`.
    #[test]
    fn the_published_findings_schema_is_generated_from_the_columns() {
        let text = serde_json::to_string_pretty(&json_schema()).expect("serialises") + "\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs")
            .join("schema")
            .join("findings.schema.json");
        if std::env::var_os("UPDATE_SCHEMAS").is_some() {
            std::fs::write(&path, &text).expect("write the schema");
        }
        let published = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            published == text,
            "{} is out of date: run UPDATE_SCHEMAS=1 cargo test --lib schema",
            path.display()
        );
    }

    #[test]
    fn the_schema_names_every_column_and_requires_it() {
        let schema = json_schema();
        let props = schema["properties"].as_object().expect("properties");
        let names: Vec<&str> = props.keys().map(String::as_str).collect();
        let mut expected: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        expected.sort_unstable();
        assert_eq!(sorted, expected);
        assert_eq!(
            schema["required"].as_array().map(Vec::len),
            Some(COLUMNS.len())
        );
        assert_eq!(
            props["reasons"]["type"],
            serde_json::json!(["array", "null"])
        );
    }
}
