//! `--findings FILE`: one row per audited conversation with its reasons and evidence.
//! The format follows the extension: .jsonl (nested evidence), .csv (evidence as a JSON
//! string column), .parquet (written by the aggregate stage, which owns polars).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::output::AtomicFile;
mod parquet;

use parquet::ParquetFindings;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
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
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
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
            w.out.write_record(CSV_HEADER).map_err(|e| w.csv_err(e))?;
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
            serde_json::to_writer(&mut self.out, row)
                .map_err(|e| self.file.err(std::io::Error::other(e)))?;
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

pub const CSV_HEADER: [&str; 15] = [
    "id",
    "location",
    "category",
    "needs_human",
    "score",
    "dissatisfaction",
    "dissatisfaction_turn",
    "unresolved",
    "escalation_request",
    "loop",
    "satisfaction_drop",
    "confirmed",
    "csat",
    "reasons",
    "evidence",
];

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
        for r in rows {
            let json_err = |e: serde_json::Error| self.file.err(std::io::Error::other(e));
            let evidence = serde_json::to_string(&r.evidence).map_err(json_err)?;
            let turn = match &r.dissatisfaction_turn {
                Some(t) => serde_json::to_string(t).map_err(json_err)?,
                None => String::new(),
            };
            let record = [
                r.id.clone(),
                r.location.clone(),
                r.category.clone(),
                r.needs_human.to_string(),
                r.score.to_string(),
                r.dissatisfaction.to_string(),
                turn,
                r.unresolved.to_string(),
                r.escalation_request.to_string(),
                r.is_loop.to_string(),
                r.satisfaction_drop.to_string(),
                r.confirmed.to_string(),
                r.csat.map(|c| c.to_string()).unwrap_or_default(),
                r.reasons.join(";"),
                evidence,
            ];
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
