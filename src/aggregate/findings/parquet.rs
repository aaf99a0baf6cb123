//! `--findings FILE.parquet`: findings rows written in row groups as chunks arrive, so the
//! file can hold millions of conversations without holding them in memory.
//!
//! polars features used here: `parquet` (ParquetWriter::batched).

use std::fs::File;
use std::io::BufWriter;

use polars::io::parquet::write::BatchedWriter;
use polars::prelude::{Column, DataFrame, ParquetCompression, ParquetWriter, PolarsError};

use super::{FindingRow, FindingsWriter, Values, COLUMNS};
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
        let json_err = |e: serde_json::Error| self.file.err(std::io::Error::other(e));
        let columns = COLUMNS
            .iter()
            .map(|c| column(c, rows))
            .collect::<serde_json::Result<Vec<Column>>>()
            .map_err(json_err)?;
        DataFrame::new(rows.len(), columns).map_err(internal)
    }
}

/// One findings column of `rows`, typed by how its values are taken.
fn column(c: &super::Column, rows: &[FindingRow]) -> serde_json::Result<Column> {
    let name = c.name.into();
    Ok(match c.values {
        Values::Text(f) => Column::new(name, rows.iter().map(f).collect::<Vec<String>>()),
        Values::Json(f) => Column::new(
            name,
            rows.iter()
                .map(f)
                .collect::<serde_json::Result<Vec<String>>>()?,
        ),
        Values::OptionalJson(f) => Column::new(
            name,
            rows.iter()
                .map(f)
                .collect::<serde_json::Result<Vec<Option<String>>>>()?,
        ),
        Values::Flag(f) => Column::new(name, rows.iter().map(f).collect::<Vec<bool>>()),
        Values::Number(f) => Column::new(name, rows.iter().map(f).collect::<Vec<f64>>()),
        Values::OptionalNumber(f) => {
            Column::new(name, rows.iter().map(f).collect::<Vec<Option<f64>>>())
        }
    })
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
