//! `--findings FILE.parquet`: findings rows written in row groups as chunks arrive, so the
//! file can hold millions of conversations without holding them in memory. Lists and
//! records are native Parquet columns (`reasons` a `list<string>`, `evidence` a
//! `list<struct>`, `dissatisfaction_turn` a `struct`), so DuckDB, pandas and Spark read
//! them without parsing JSON; none is null.
//!
//! polars features used here: `parquet` (ParquetWriter::batched). Struct columns need
//! polars-core's `dtype-struct`, which `parquet` already enables through polars' streaming
//! engine (polars-stream), so no feature is added.

use std::fs::File;
use std::io::BufWriter;

use polars::chunked_array::builder::get_list_builder;
use polars::io::parquet::write::BatchedWriter;
use polars::prelude::{
    BooleanChunked, Column, DataFrame, DataType, Field, IntoColumn, IntoSeries, NamedFrom,
    ParquetCompression, ParquetWriter, PolarsError, PolarsResult, Series, StructChunked,
};

use super::{FindingRow, FindingsWriter, Values, COLUMNS};
use crate::error::{Error, Result};
use crate::output::AtomicFile;
use crate::summary::{Evidence, EvidenceMessage};

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
        let columns = COLUMNS
            .iter()
            .map(|c| column(c, rows))
            .collect::<PolarsResult<Vec<Column>>>()
            .map_err(internal)?;
        DataFrame::new(rows.len(), columns).map_err(internal)
    }
}

/// `struct<index: u64, role: string, text: string>`: a cited message.
fn message_dtype() -> DataType {
    DataType::Struct(vec![
        Field::new("index".into(), DataType::UInt64),
        Field::new("role".into(), DataType::String),
        Field::new("text".into(), DataType::String),
    ])
}

/// The messages as one struct series, every one valid.
fn messages<'a>(
    name: &str,
    all: impl Iterator<Item = &'a EvidenceMessage> + Clone,
) -> PolarsResult<Series> {
    let index: Vec<u64> = all.clone().map(|m| m.index as u64).collect();
    let role: Vec<&str> = all.clone().map(|m| m.role.as_str()).collect();
    let text: Vec<&str> = all.map(|m| m.text.as_str()).collect();
    let fields = [
        Series::new("index".into(), index),
        Series::new("role".into(), role),
        Series::new("text".into(), text),
    ];
    let n = fields[0].len();
    Ok(StructChunked::from_series(name.into(), n, fields.iter())?.into_series())
}

/// `list<struct<reason, detail, messages: list<message>>>`, null for a row without
/// evidence. The records of the whole chunk are built once as flat struct series and each
/// row takes a slice of them (no series per row).
fn evidence_column(name: &str, rows: &[&[Evidence]]) -> PolarsResult<Series> {
    let items: Vec<&Evidence> = rows.iter().flat_map(|e| e.iter()).collect();
    let flat_messages = messages("", items.iter().flat_map(|e| e.messages.iter()))?;
    let mut cited = get_list_builder(
        &message_dtype(),
        flat_messages.len(),
        items.len(),
        "messages".into(),
    );
    let mut at = 0;
    for e in &items {
        cited.append_series(&flat_messages.slice(at as i64, e.messages.len()))?;
        at += e.messages.len();
    }
    let fields = [
        Series::new(
            "reason".into(),
            items.iter().map(|e| e.reason.as_str()).collect::<Vec<_>>(),
        ),
        Series::new(
            "detail".into(),
            items.iter().map(|e| e.detail.as_str()).collect::<Vec<_>>(),
        ),
        cited.finish().into_series(),
    ];
    let flat = StructChunked::from_series("".into(), items.len(), fields.iter())?.into_series();
    let mut list = get_list_builder(flat.dtype(), items.len(), rows.len(), name.into());
    let mut at = 0;
    for e in rows {
        if e.is_empty() {
            list.append_null();
        } else {
            list.append_series(&flat.slice(at as i64, e.len()))?;
            at += e.len();
        }
    }
    Ok(list.finish().into_series())
}

/// One findings column of `rows`, typed by how its values are taken.
fn column(c: &super::Column, rows: &[FindingRow]) -> PolarsResult<Column> {
    let name = c.name;
    Ok(match c.values {
        Values::Text(f) => Column::new(name.into(), rows.iter().map(f).collect::<Vec<&str>>()),
        Values::OptionalText(f) => Column::new(
            name.into(),
            rows.iter().map(f).collect::<Vec<Option<&str>>>(),
        ),
        Values::Integer(f) => Column::new(name.into(), rows.iter().map(f).collect::<Vec<u32>>()),
        Values::Flag(f) => Column::new(name.into(), rows.iter().map(f).collect::<Vec<bool>>()),
        Values::Number(f) => Column::new(name.into(), rows.iter().map(f).collect::<Vec<f64>>()),
        Values::OptionalNumber(f) => Column::new(
            name.into(),
            rows.iter().map(f).collect::<Vec<Option<f64>>>(),
        ),
        Values::TextList(f) => {
            let values = rows.iter().map(|r| f(r).len()).sum();
            let mut list = get_list_builder(&DataType::String, values, rows.len(), name.into());
            for r in rows {
                let texts = f(r);
                if texts.is_empty() {
                    list.append_null();
                } else {
                    let strs: Vec<&str> = texts.iter().map(String::as_str).collect();
                    list.append_series(&Series::new("".into(), strs))?;
                }
            }
            list.finish().into_column()
        }
        Values::Message(f) => {
            let given: Vec<Option<&EvidenceMessage>> = rows.iter().map(f).collect();
            // Absent messages hold a placeholder under a null mask: one struct series
            // for the chunk, then the rows without a message made null.
            let placeholder = EvidenceMessage {
                index: 0,
                role: String::new(),
                text: String::new(),
            };
            let all = messages(name, given.iter().map(|m| m.unwrap_or(&placeholder)))?;
            let present = BooleanChunked::new(
                "".into(),
                given.iter().map(Option::is_some).collect::<Vec<bool>>(),
            );
            let nulls = Series::full_null(name.into(), rows.len(), &message_dtype());
            all.zip_with(&present, &nulls)?.into_column()
        }
        Values::Evidence(f) => {
            let per_row: Vec<&[Evidence]> = rows.iter().map(f).collect();
            evidence_column(name, &per_row)?.into_column()
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
