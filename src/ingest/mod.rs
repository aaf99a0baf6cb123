//! Ingest: inputs (files, directories, stdin) in, canonical `Conversation`s out.
//!
//! Reading is sequential and cheap (split the byte stream into records); parsing is the
//! expensive part and runs in parallel on whole chunks. So readers emit `Batch::Raw` chunks
//! of record byte ranges that `parse_record` turns into conversations on worker threads.
//! Formats that must see a whole file before a conversation is complete (per-message CSV)
//! emit `Batch::Parsed`.

mod canonical;
mod csv_messages;
mod inputs;
mod json_array;
mod jsonl;

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub use canonical::parse_record;
pub use csv_messages::CsvColumns;
pub use inputs::{expand_inputs, Format, InputFile, InputSource};

use crate::error::{Error, Result};
use crate::model::{Conversation, Location};

/// Records per raw chunk: large enough to amortise scheduling, small enough that a chunk of
/// long conversations stays a few MB.
pub const CHUNK_RECORDS: usize = 2048;
/// Bytes per raw chunk, whichever limit comes first.
pub const CHUNK_BYTES: usize = 4 << 20;

#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// `--category-field a.b.c`: where the category lives when the record has no `category`.
    pub category_field: Option<Vec<String>>,
    pub csv: CsvColumns,
}

/// One record's bytes inside a chunk buffer, and where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: u64,
    /// Element number in a JSON array, 0 for line-based formats.
    pub element: u64,
}

#[derive(Debug, Default)]
pub struct RawChunk {
    pub file: usize,
    pub buf: Vec<u8>,
    pub spans: Vec<Span>,
}

impl RawChunk {
    fn new(file: usize) -> RawChunk {
        RawChunk {
            file,
            buf: Vec::with_capacity(CHUNK_BYTES + (64 << 10)),
            spans: Vec::with_capacity(CHUNK_RECORDS),
        }
    }

    fn is_full(&self) -> bool {
        self.spans.len() >= CHUNK_RECORDS || self.buf.len() >= CHUNK_BYTES
    }

    pub fn record(&self, i: usize) -> (&[u8], Location) {
        let s = self.spans[i];
        (
            &self.buf[s.start..s.end],
            Location {
                file: self.file,
                line: s.line,
                element: s.element,
            },
        )
    }
}

pub enum Batch {
    Raw(RawChunk),
    Parsed(Vec<std::result::Result<Conversation, Skip>>),
}

/// Why a record was not audited. The codes appear in the report's input accounting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipKind {
    InvalidJson,
    MissingId,
    NoMessages,
    UnknownRole,
    InvalidField,
    InvalidCsvRow,
}

impl SkipKind {
    pub fn code(self) -> &'static str {
        match self {
            SkipKind::InvalidJson => "invalid_json",
            SkipKind::MissingId => "missing_id",
            SkipKind::NoMessages => "no_messages",
            SkipKind::UnknownRole => "unknown_role",
            SkipKind::InvalidField => "invalid_field",
            SkipKind::InvalidCsvRow => "invalid_csv_row",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Skip {
    pub kind: SkipKind,
    pub location: Location,
    pub message: String,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.message)
    }
}

/// Counts bytes as they are read so the progress bar can follow the run.
struct Counting<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads every input in order, handing chunks to `sink`. Returns the number of records read
/// per file (a CSV record is a conversation).
pub fn read_inputs(
    files: &[InputFile],
    opts: &IngestOptions,
    bytes_read: Arc<AtomicU64>,
    mut sink: impl FnMut(Batch) -> Result<()>,
) -> Result<Vec<u64>> {
    let mut records = Vec::with_capacity(files.len());
    for (index, file) in files.iter().enumerate() {
        let reader = file.open().map_err(|source| Error::Input {
            path: file.display(),
            source,
        })?;
        let mut reader = BufReader::with_capacity(
            256 << 10,
            Counting {
                inner: reader,
                counter: bytes_read.clone(),
            },
        );
        let format = match file.format {
            Some(f) => f,
            None => sniff(&mut reader).map_err(|source| Error::Input {
                path: file.display(),
                source,
            })?,
        };
        let n = match format {
            Format::Jsonl => jsonl::read(index, file, &mut reader, &mut sink)?,
            Format::JsonArray => json_array::read(index, file, &mut reader, &mut sink)?,
            Format::Json => {
                // .json files hold either one array or JSON lines; look at the first byte.
                match first_byte(&mut reader).map_err(|source| Error::Input {
                    path: file.display(),
                    source,
                })? {
                    Some(b'[') => json_array::read(index, file, &mut reader, &mut sink)?,
                    _ => jsonl::read(index, file, &mut reader, &mut sink)?,
                }
            }
            Format::Csv => csv_messages::read(index, file, &mut reader, &opts.csv, &mut sink)?,
        };
        records.push(n);
    }
    Ok(records)
}

/// The first byte that is not white space or a byte-order mark, without consuming it (so
/// line numbers stay right), as long as it lies within the reader's buffer.
fn first_byte<R: BufRead>(reader: &mut R) -> io::Result<Option<u8>> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        if let Some(b) = buf
            .iter()
            .find(|b| !(b.is_ascii_whitespace() || matches!(b, 0xEF | 0xBB | 0xBF)))
        {
            return Ok(Some(*b));
        }
        // A buffer of nothing but white space: drop it and look further.
        let n = buf.len();
        reader.consume(n);
    }
}

/// Decides the format of a stream with no telling extension (stdin).
fn sniff<R: BufRead>(reader: &mut R) -> io::Result<Format> {
    Ok(match first_byte(reader)? {
        Some(b'[') => Format::JsonArray,
        Some(b'{') | None => Format::Jsonl,
        Some(_) => Format::Csv,
    })
}
