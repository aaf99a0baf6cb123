//! `--findings FILE.parquet`: findings rows written in row groups as chunks arrive, so the
//! file can hold millions of conversations without holding them in memory.
//!
//! polars features used here: `parquet` (ParquetWriter::batched).

use std::fs::File;
use std::io::BufWriter;

use polars::io::parquet::write::BatchedWriter;
use polars::prelude::{Column, DataFrame, ParquetCompression, ParquetWriter, PolarsError};

use super::FindingRow;
use super::FindingsWriter;
use crate::error::{Error, Result};
use crate::output::AtomicFile;

pub struct ParquetFindings {
    file: AtomicFile,
    writer: Option<BatchedWriter<BufWriter<File>>>,
}

fn internal(e: PolarsError) -> Error {
    Error::Internal(format!("parquet findings: {e}"))
}

impl ParquetFindings {
    pub fn new(file: AtomicFile) -> Result<ParquetFindings> {
        Ok(ParquetFindings { file, writer: None })
    }

    fn frame(&self, rows: &[FindingRow]) -> Result<DataFrame> {
        let s = |f: fn(&FindingRow) -> String| rows.iter().map(f).collect::<Vec<String>>();
        let b = |f: fn(&FindingRow) -> bool| rows.iter().map(f).collect::<Vec<bool>>();
        let json_err = |e: serde_json::Error| self.file.err(std::io::Error::other(e));
        let evidence: Vec<String> = rows
            .iter()
            .map(|r| serde_json::to_string(&r.evidence))
            .collect::<std::result::Result<_, _>>()
            .map_err(json_err)?;
        let turns: Vec<Option<String>> = rows
            .iter()
            .map(|r| {
                r.dissatisfaction_turn
                    .as_ref()
                    .map(serde_json::to_string)
                    .transpose()
            })
            .collect::<std::result::Result<_, _>>()
            .map_err(json_err)?;
        let columns = vec![
            Column::new("id".into(), s(|r| r.id.clone())),
            Column::new("location".into(), s(|r| r.location.clone())),
            Column::new("category".into(), s(|r| r.category.clone())),
            Column::new("needs_human".into(), b(|r| r.needs_human)),
            Column::new(
                "score".into(),
                rows.iter().map(|r| r.score).collect::<Vec<f64>>(),
            ),
            Column::new(
                "dissatisfaction".into(),
                rows.iter().map(|r| r.dissatisfaction).collect::<Vec<f64>>(),
            ),
            Column::new("dissatisfaction_turn".into(), turns),
            Column::new("unresolved".into(), b(|r| r.unresolved)),
            Column::new("escalation_request".into(), b(|r| r.escalation_request)),
            Column::new("loop".into(), b(|r| r.is_loop)),
            Column::new("satisfaction_drop".into(), b(|r| r.satisfaction_drop)),
            Column::new("confirmed".into(), b(|r| r.confirmed)),
            Column::new(
                "csat".into(),
                rows.iter().map(|r| r.csat).collect::<Vec<Option<f64>>>(),
            ),
            Column::new("reasons".into(), s(|r| r.reasons.join(";"))),
            Column::new("evidence".into(), evidence),
        ];
        DataFrame::new(rows.len(), columns).map_err(internal)
    }
}

impl FindingsWriter for ParquetFindings {
    fn write(&mut self, rows: &[FindingRow]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let df = self.frame(rows)?;
        if self.writer.is_none() {
            let out = self.file.writer()?;
            self.writer = Some(
                ParquetWriter::new(out)
                    .with_compression(ParquetCompression::Snappy)
                    .batched(df.schema())
                    .map_err(internal)?,
            );
        }
        if let Some(w) = self.writer.as_mut() {
            w.write_batch(&df).map_err(internal)?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        if self.writer.is_none() {
            // No audited conversation: still write a valid file with the columns.
            let df = self.frame(&[])?;
            let out = self.file.writer()?;
            self.writer = Some(
                ParquetWriter::new(out)
                    .batched(df.schema())
                    .map_err(internal)?,
            );
        }
        if let Some(w) = self.writer.take() {
            w.finish().map_err(internal)?;
        }
        self.file.commit()
    }
}
