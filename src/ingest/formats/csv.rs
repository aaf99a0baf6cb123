//! Per-message CSV: one row per message, grouped into conversations by the id column.
//! Rows of one conversation need not be adjacent, so a CSV file's conversations are held
//! until the file ends (memory grows with the CSV file; JSONL streams).
//! A conversation is one record: it is skipped (with the line of the offending row) when
//! any of its rows has an unknown role; a row that cannot be read at all is its own skip.

use std::collections::HashMap;
use std::io::BufRead;

use super::{CsvFormat, FormatSpec, Reader};
use crate::error::Result;
use crate::ingest::{Batch, IngestOptions, Input, Skip, SkipKind, CHUNK_RECORDS};
use crate::model::{Conversation, Location, Message, Role};

pub static FORMAT: FormatSpec = FormatSpec {
    name: "csv",
    summary: "one row per message: conversation_id, role, text [, ts, category, csat, \
              bot_version, status] (rename with --csv-*)",
    reader: Reader::Csv(CsvFormat { sniff, read }),
};

fn sniff(headers: &csv::StringRecord, opts: &IngestOptions) -> bool {
    let cols = &opts.csv;
    [&cols.id, &cols.role, &cols.text]
        .iter()
        .all(|name| headers.iter().any(|h| h.trim() == name.as_str()))
}

/// The first of the required columns the header lacks, with the flag that renames it.
pub fn missing_column(headers: &csv::StringRecord, opts: &IngestOptions) -> Option<String> {
    let cols = &opts.csv;
    [
        (&cols.id, "--csv-id"),
        (&cols.role, "--csv-role"),
        (&cols.text, "--csv-text"),
    ]
    .into_iter()
    .find(|(name, _)| !headers.iter().any(|h| h.trim() == name.as_str()))
    .map(|(name, flag)| {
        format!(
            "CSV header has no column \"{name}\" (columns: {}); name it with {flag}",
            headers.iter().collect::<Vec<_>>().join(", ")
        )
    })
}

/// The next row of a CSV file, read by [`next_row`].
pub(super) enum Row {
    End,
    /// Read into the record; where it starts.
    Read(Location),
    /// A row the CSV parser cannot read: the caller counts it as skipped and goes on.
    Unreadable(Skip),
}

/// Reads the next row into `record`. An I/O error ends the file (exit 2); a malformed row is
/// a skip located at its line.
pub(super) fn next_row<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    record: &mut csv::StringRecord,
    input: &Input,
) -> Result<Row> {
    let line = rdr.position().line();
    let location = Location {
        file: input.index,
        line,
        element: 0,
    };
    match rdr.read_record(record) {
        Ok(false) => Ok(Row::End),
        Ok(true) => {
            // The row ends where the next one starts.
            let end = rdr.position().line().max(line + 1);
            match input.long_line_in(line, end) {
                Some(long) => Ok(Row::Unreadable(Skip {
                    kind: SkipKind::RecordTooLarge,
                    location,
                    message: format!(
                        "line {long} is longer than --max-record-bytes; the row holding it \
                         (and any it runs into) is skipped"
                    ),
                })),
                None => Ok(Row::Read(location)),
            }
        }
        Err(e) if e.is_io_error() => {
            Err(input.format_error(format!("read error at line {line}: {e}")))
        }
        Err(e) => Ok(Row::Unreadable(Skip {
            kind: SkipKind::InvalidCsvRow,
            location,
            message: format!("unreadable CSV row: {e}"),
        })),
    }
}

/// Column names; each can be changed with a `--csv-*` flag.
#[derive(Debug, Clone)]
pub struct CsvColumns {
    pub id: String,
    pub role: String,
    pub text: String,
    pub ts: String,
    pub category: String,
    pub csat: String,
    pub bot_version: String,
    pub status: String,
}

impl Default for CsvColumns {
    fn default() -> Self {
        CsvColumns {
            id: "conversation_id".into(),
            role: "role".into(),
            text: "text".into(),
            ts: "ts".into(),
            category: "category".into(),
            csat: "csat".into(),
            bot_version: "bot_version".into(),
            status: "status".into(),
        }
    }
}

struct Pending {
    conversation: Conversation,
    error: Option<Skip>,
}

fn read(
    input: &Input,
    reader: &mut dyn BufRead,
    opts: &IngestOptions,
    sink: &mut dyn FnMut(Batch) -> Result<()>,
) -> Result<u64> {
    let cols = &opts.csv;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = rdr
        .headers()
        .map_err(|e| input.format_error(format!("cannot read the CSV header: {e}")))?
        .clone();
    let find = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(id_col), Some(role_col), Some(text_col)) =
        (find(&cols.id), find(&cols.role), find(&cols.text))
    else {
        return Err(input.format_error(missing_column(&headers, opts).unwrap_or_default()));
    };
    let ts_col = find(&cols.ts);
    let category_col = find(&cols.category);
    let csat_col = find(&cols.csat);
    let version_col = find(&cols.bot_version);
    let status_col = find(&cols.status);
    // `--label-field`: a column named by the path as written (`escalated`, `qa.outcome`).
    let label = opts.label_field.as_deref();
    let label_col = label.and_then(|l| find(&l.name()));

    let mut order: Vec<Pending> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut row_errors: Vec<Skip> = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let location = match next_row(&mut rdr, &mut record, input)? {
            Row::End => break,
            Row::Read(location) => location,
            Row::Unreadable(skip) => {
                row_errors.push(skip);
                continue;
            }
        };
        let get = |col: Option<usize>| {
            col.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let Some(id) = get(Some(id_col)) else {
            row_errors.push(Skip {
                kind: SkipKind::InvalidCsvRow,
                location,
                message: format!("row has no {} value", cols.id),
            });
            continue;
        };
        let slot = *by_id.entry(id.clone()).or_insert_with(|| {
            order.push(Pending {
                conversation: Conversation {
                    id: id.clone(),
                    location,
                    ..Default::default()
                },
                error: None,
            });
            order.len() - 1
        });
        let pending = &mut order[slot];
        let conv = &mut pending.conversation;
        let role_name = record.get(role_col).unwrap_or("").trim();
        match Role::parse(role_name) {
            Some(role) => conv.messages.push(Message {
                role,
                text: record.get(text_col).unwrap_or("").to_string(),
                ts: get(ts_col),
            }),
            None => {
                pending.error.get_or_insert(Skip {
                    kind: SkipKind::UnknownRole,
                    location,
                    message: format!("conversation {id}: unknown role \"{role_name}\""),
                });
            }
        }
        if conv.category.is_none() {
            conv.category = get(category_col);
        }
        if conv.bot_version.is_none() {
            conv.bot_version = get(version_col);
        }
        if conv.status.is_none() {
            conv.status = get(status_col);
        }
        if conv.label.is_none() {
            conv.label = label.zip(get(label_col)).and_then(|(l, v)| l.read_text(&v));
        }
        if conv.started_at.is_none() {
            // The first row with a readable time; an unreadable one is kept as the reason
            // until one is found.
            let start = super::common::Start::parse(get(ts_col).as_deref());
            conv.started_at = start.at;
            conv.undated = match start.at {
                Some(_) => None,
                None => conv.undated.take().or(start.undated),
            };
        }
        if let Some(csat) = get(csat_col) {
            match csat.parse::<f64>() {
                Ok(v) => conv.csat = Some(v),
                Err(_) => {
                    pending.error.get_or_insert(Skip {
                        kind: SkipKind::InvalidField,
                        location,
                        message: format!("conversation {id}: csat is not a number: {csat:?}"),
                    });
                }
            }
        }
    }

    let records = (order.len() + row_errors.len()) as u64;
    let mut batch: Vec<std::result::Result<Conversation, Skip>> =
        row_errors.into_iter().map(Err).collect();
    for p in order {
        batch.push(match p.error {
            Some(e) => Err(e),
            None => Ok(p.conversation),
        });
        if batch.len() >= CHUNK_RECORDS {
            sink(Batch::Parsed(std::mem::take(&mut batch)))?;
        }
    }
    if !batch.is_empty() {
        sink(Batch::Parsed(batch))?;
    }
    Ok(records)
}
