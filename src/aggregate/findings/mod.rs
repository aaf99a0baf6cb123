//! `--findings FILE`: one row per audited conversation with its reasons and evidence.
//! The format follows the extension: .jsonl (nested evidence), .csv (evidence as a JSON
//! string column), .parquet (written by the aggregate stage, which owns polars). The CSV
//! and Parquet writers take their columns from one table, `COLUMNS`.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::output::AtomicFile;
mod parquet;

use parquet::ParquetFindings;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::numfmt::spreadsheet_cell;
use crate::summary::{Evidence, EvidenceMessage};

/// One audited conversation in the `--findings` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FindingRow {
    pub id: String,
    pub location: String,
    pub category: String,
    pub needs_human: bool,
    pub score: f64,
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
        for row in rows {
            // Keep the I/O error's kind: a closed pipe (`--findings - | head`) must stay
            // recognisable as one, so `main` ends quietly.
            serde_json::to_writer(&mut self.out, row).map_err(|e| {
                let kind = e.io_error_kind().unwrap_or(std::io::ErrorKind::Other);
                self.file.err(std::io::Error::new(kind, e))
            })?;
            self.out.write_all(b"\n").map_err(|e| self.file.err(e))?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.out.flush().map_err(|e| self.file.err(e))?;
        drop(self.out);
        self.file.commit()
    }
}

/// How a column's values are taken from a row; the variant decides the column's type in
/// each writer (CSV writes every value as text, empty for none; Parquet keeps the type,
/// with nulls).
#[derive(Clone, Copy)]
pub enum Values {
    Text(fn(&FindingRow) -> String),
    /// A nested value, as JSON text.
    Json(fn(&FindingRow) -> serde_json::Result<String>),
    OptionalJson(fn(&FindingRow) -> serde_json::Result<Option<String>>),
    Flag(fn(&FindingRow) -> bool),
    Number(fn(&FindingRow) -> f64),
    OptionalNumber(fn(&FindingRow) -> Option<f64>),
}

/// One column of the CSV and Parquet findings files.
pub struct Column {
    pub name: &'static str,
    pub values: Values,
}

/// The columns of the CSV and Parquet findings files, in order. JSONL writes `FindingRow`
/// through serde, with the same names and order except `is_loop` for `loop` (checked by
/// a test, which names that one difference).
pub const COLUMNS: [Column; 15] = [
    Column {
        name: "id",
        values: Values::Text(|r| r.id.clone()),
    },
    Column {
        name: "location",
        values: Values::Text(|r| r.location.clone()),
    },
    Column {
        name: "category",
        values: Values::Text(|r| r.category.clone()),
    },
    Column {
        name: "needs_human",
        values: Values::Flag(|r| r.needs_human),
    },
    Column {
        name: "score",
        values: Values::Number(|r| r.score),
    },
    Column {
        name: "dissatisfaction",
        values: Values::Number(|r| r.dissatisfaction),
    },
    Column {
        name: "dissatisfaction_turn",
        values: Values::OptionalJson(|r| {
            r.dissatisfaction_turn
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
        }),
    },
    Column {
        name: "unresolved",
        values: Values::Flag(|r| r.unresolved),
    },
    Column {
        name: "escalation_request",
        values: Values::Flag(|r| r.escalation_request),
    },
    Column {
        name: "loop",
        values: Values::Flag(|r| r.is_loop),
    },
    Column {
        name: "satisfaction_drop",
        values: Values::Flag(|r| r.satisfaction_drop),
    },
    Column {
        name: "confirmed",
        values: Values::Flag(|r| r.confirmed),
    },
    Column {
        name: "csat",
        values: Values::OptionalNumber(|r| r.csat),
    },
    Column {
        name: "reasons",
        values: Values::Text(|r| r.reasons.join(";")),
    },
    Column {
        name: "evidence",
        values: Values::Json(|r| serde_json::to_string(&r.evidence)),
    },
];

impl Column {
    /// The row's value as CSV text. Text cells (ids, file names, category names) go through
    /// `numfmt::spreadsheet_cell`: one starting with `=`, `+`, `-` or `@` gets a leading `'`
    /// so that a spreadsheet does not run it as a formula. JSON cells start with `{` or `[`.
    fn csv_value(&self, row: &FindingRow) -> serde_json::Result<String> {
        Ok(match self.values {
            Values::Text(f) => {
                let text = f(row);
                match spreadsheet_cell(&text) {
                    Cow::Borrowed(_) => text,
                    Cow::Owned(safe) => safe,
                }
            }
            Values::Json(f) => f(row)?,
            Values::OptionalJson(f) => f(row)?.unwrap_or_default(),
            Values::Flag(f) => f(row).to_string(),
            Values::Number(f) => f(row).to_string(),
            Values::OptionalNumber(f) => f(row).map(|v| v.to_string()).unwrap_or_default(),
        })
    }
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

#[cfg(test)]
mod tests {
    use std::fmt;

    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

    use super::*;

    /// The keys of a JSON object, in order.
    struct Keys(Vec<String>);

    impl<'de> Deserialize<'de> for Keys {
        fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Keys, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Keys;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> std::result::Result<Keys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some((k, IgnoredAny)) = map.next_entry::<String, IgnoredAny>()? {
                        keys.push(k);
                    }
                    Ok(Keys(keys))
                }
            }
            d.deserialize_map(V)
        }
    }

    fn row() -> FindingRow {
        FindingRow {
            id: "c1".into(),
            location: "in.jsonl:3".into(),
            category: "card".into(),
            needs_human: true,
            score: 0.75,
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

    #[test]
    fn jsonl_fields_are_the_columns_but_for_is_loop() {
        let json = serde_json::to_string(&row()).expect("serialises");
        let Keys(keys) = serde_json::from_str(&json).expect("an object");
        // Today's one inconsistency, kept until a release may rename it.
        let expected: Vec<&str> = COLUMNS
            .iter()
            .map(|c| if c.name == "loop" { "is_loop" } else { c.name })
            .collect();
        assert_eq!(keys, expected);
    }

    #[test]
    fn csv_values_follow_the_column_types() {
        let r = row();
        let values: Vec<String> = COLUMNS
            .iter()
            .map(|c| c.csv_value(&r).expect("serialises"))
            .collect();
        assert_eq!(
            values[..6],
            ["c1", "in.jsonl:3", "card", "true", "0.75", "0.5"]
        );
        assert_eq!(
            values[6],
            r#"{"index":2,"role":"customer","text":"no, that's wrong"}"#
        );
        assert_eq!(values[7..12], ["false", "true", "true", "false", "false"]);
        assert_eq!(values[12], "", "no CSAT is an empty cell");
        assert_eq!(values[13], "escalation_request;bot_loop");
        assert_eq!(
            values[14],
            r#"[{"reason":"bot_loop","detail":"d","messages":[]}]"#
        );
        let mut none = r;
        none.dissatisfaction_turn = None;
        none.csat = Some(4.0);
        assert_eq!(COLUMNS[6].csv_value(&none).expect("serialises"), "");
        assert_eq!(COLUMNS[12].csv_value(&none).expect("serialises"), "4");
    }

    #[test]
    fn csv_text_cells_never_start_a_formula() {
        let mut r = row();
        r.id = "=HYPERLINK(\"http://x\")".into();
        r.location = "@evil.jsonl:1".into();
        r.category = "-2+3".into();
        r.csat = Some(-1.0);
        let value = |name: &str| {
            let c = COLUMNS.iter().find(|c| c.name == name).expect("a column");
            c.csv_value(&r).expect("serialises")
        };
        assert_eq!(value("id"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(value("location"), "'@evil.jsonl:1");
        assert_eq!(value("category"), "'-2+3");
        // Numbers are numbers, not text: untouched.
        assert_eq!(value("csat"), "-1");
    }
}
