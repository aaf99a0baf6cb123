//! Ingest: inputs (files, directories, stdin; plain, gzip or zstd; UTF-8, or UTF-16/32
//! with a byte-order mark) in, canonical `Conversation`s out. No record larger than
//! `--max-record-bytes` is read into memory.
//!
//! Reading is sequential and cheap (decompress, split the byte stream into records); parsing is
//! the expensive part and runs in parallel on whole chunks. So readers emit `Batch::Raw` chunks
//! of record byte ranges, each chunk carrying the parser of the format it was read as, which
//! worker threads run. Formats whose conversations span many records (per-message CSV, Twitter
//! threads, Bot Framework activities, Rasa events) group a file's records first and emit
//! `Batch::Parsed`.
//!
//! Each export format is one file under `formats/` plus one line in `formats::FORMATS`;
//! `sniff` decides the framing (JSON lines, JSON array, JSON document, CSV) and the format of
//! each input from its first record or header.

mod decompress;
mod encoding;
mod events;
pub mod formats;
pub(crate) mod html;
mod inputs;
mod json_array;
mod json_doc;
mod jsonl;
mod label;
mod manifest;
mod sniff;
pub(crate) mod time;

use std::fmt;
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

pub use formats::canonical::parse_record;
pub use formats::csv::CsvColumns;
pub use formats::mapping::Mapping;
pub use formats::FormatSpec;
pub use inputs::{
    expand_inputs, Container, Expanded, InputFile, InputSource, PathSkip, PathSkipKind,
};
pub use label::LabelField;
pub use manifest::{parse_ranks, Manifest};

use crate::error::{Error, Result};
use crate::model::{Conversation, CsatScale, Location, Undated};
use crate::time::DateWindow;

/// Records per raw chunk: large enough to amortise scheduling, small enough that a chunk of
/// long conversations stays a few MB.
pub const CHUNK_RECORDS: usize = 2048;
/// Bytes per raw chunk, whichever limit comes first.
pub const CHUNK_BYTES: usize = 4 << 20;

/// `--max-record-bytes` when not given: far above any real conversation (the largest in
/// the vendor samples here are a few hundred KB), low enough that one record parsed into
/// memory (about 20 times its size as JSON values) stays well under a gigabyte.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 32 << 20;

#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// `--category-field a.b.c`: where the category lives when the record has no `category`
    /// (canonical records); for vendor formats it takes precedence over their own category.
    pub category_field: Option<Vec<String>>,
    pub csv: CsvColumns,
    /// `--input-format NAME`: read every input as this format instead of detecting it.
    pub input_format: Option<&'static FormatSpec>,
    /// `--mapping FILE`: the generic JSON format's field paths.
    pub mapping: Option<Arc<Mapping>>,
    /// The run's `--csat-scale`; vendor ratings on other scales are mapped onto it.
    pub csat_scale: CsatScale,
    /// `--follow`: walk symbolic links to directories.
    pub follow: bool,
    /// `--max-record-bytes`: a record (a line, an array element, a document or a list
    /// element in one, a CSV line) larger than this is skipped, not read into memory.
    pub max_record_bytes: usize,
    /// Start times outside this window are not used (see [`check`]).
    pub dates: DateWindow,
    /// `calibrate --label-field`: the team's own outcome, read beside each record's parser.
    pub label_field: Option<Arc<LabelField>>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            category_field: None,
            csv: CsvColumns::default(),
            input_format: None,
            mapping: None,
            csat_scale: CsatScale::default(),
            follow: false,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            dates: DateWindow::now(),
            label_field: None,
        }
    }
}

/// Turns one record's bytes into a conversation.
pub type RecordParser = fn(&[u8], &Ctx) -> std::result::Result<Conversation, Skip>;

/// What a parser knows about the record besides its bytes.
pub struct Ctx<'a> {
    pub location: Location,
    /// The input's display name, for ids made from the location when a record has none.
    pub file: &'a str,
    pub opts: &'a IngestOptions,
}

impl Ctx<'_> {
    pub fn skip(&self, kind: SkipKind, message: impl Into<String>) -> Skip {
        Skip {
            kind,
            location: self.location,
            message: message.into(),
        }
    }

    /// "name.jsonl:12" or "name.json#3": an id for records that carry none.
    pub fn location_id(&self) -> String {
        let base = base_name(self.file);
        if self.location.element > 0 {
            format!("{base}#{}", self.location.element)
        } else {
            format!("{base}:{}", self.location.line)
        }
    }
}

fn base_name(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// Whether `id` is the one [`Ctx::location_id`] makes for a record of `file` at `location`:
/// an id the record did not carry, which says nothing about the conversation (two files
/// of the same name in different folders make the same ones).
pub fn is_location_id(id: &str, file: &str, location: Location) -> bool {
    let Some(rest) = id.strip_prefix(base_name(file)) else {
        return false;
    };
    if location.element > 0 {
        rest.strip_prefix('#') == Some(location.element.to_string().as_str())
    } else {
        rest.strip_prefix(':') == Some(location.line.to_string().as_str())
    }
}

/// What every conversation must satisfy whatever its format, checked once after parsing:
/// a CSAT score is a finite number on the run's `--csat-scale` (else the record is skipped:
/// NaN or an infinite value would poison every mean, and the gate could not read back the
/// summary it was written into), and a start time lies in the plausible window (else the
/// conversation is undated, with the reason kept for the report).
pub fn check(
    mut conv: Conversation,
    opts: &IngestOptions,
) -> std::result::Result<Conversation, Skip> {
    if let Some(v) = conv.csat {
        let scale = opts.csat_scale;
        let why = if !v.is_finite() {
            Some("is not a finite number")
        } else if v < scale.min || v > scale.max {
            Some("is outside the --csat-scale")
        } else {
            None
        };
        if let Some(why) = why {
            return Err(Skip {
                kind: SkipKind::InvalidField,
                location: conv.location,
                message: format!(
                    "conversation {}: csat {v} {why} ({}-{})",
                    shown_id(&conv.id),
                    scale.min,
                    scale.max
                ),
            });
        }
    }
    if let Some(t) = conv.started_at.filter(|t| !opts.dates.contains(*t)) {
        conv.started_at = None;
        conv.undated = Some(Undated::Implausible(t));
    }
    Ok(conv)
}

/// An id as quoted in a skip message: a hostile one can be long.
pub fn shown_id(id: &str) -> String {
    const MAX: usize = 80;
    if id.chars().count() <= MAX {
        id.to_string()
    } else {
        let cut: String = id.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// One record's bytes inside a chunk buffer, and where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: u64,
    /// Element number in a JSON array or document, 0 for line-based formats.
    pub element: u64,
}

pub struct RawChunk {
    pub file: usize,
    pub file_name: Arc<str>,
    pub parser: RecordParser,
    pub buf: Vec<u8>,
    pub spans: Vec<Span>,
}

/// Chunk buffers handed back after assessment. A fresh 4 MB buffer per chunk would cost the
/// kernel a page fault and a zeroed page every 4 KB (measured: about 5% of a run); only a few
/// chunks are alive at once, so a few buffers go round.
static SPARE_BUFFERS: std::sync::Mutex<Vec<(Vec<u8>, Vec<Span>)>> =
    std::sync::Mutex::new(Vec::new());
const SPARE_LIMIT: usize = 8;

impl RawChunk {
    fn new(input: &Input, parser: RecordParser) -> RawChunk {
        let spare = SPARE_BUFFERS.lock().ok().and_then(|mut spare| spare.pop());
        let (buf, spans) = spare.unwrap_or_else(|| {
            (
                Vec::with_capacity(CHUNK_BYTES + (64 << 10)),
                Vec::with_capacity(CHUNK_RECORDS),
            )
        });
        RawChunk {
            file: input.index,
            file_name: input.name.clone(),
            parser,
            buf,
            spans,
        }
    }

    /// Hands this chunk on (when it holds records) and then a record skipped while framing
    /// (too large, cut off), so that the skip keeps its place in input order.
    fn then_skip(
        &mut self,
        input: &Input,
        skip: Skip,
        sink: &mut dyn FnMut(Batch) -> Result<()>,
    ) -> Result<()> {
        if !self.spans.is_empty() {
            let fresh = RawChunk::new(input, self.parser);
            sink(Batch::Raw(std::mem::replace(self, fresh)))?;
        }
        sink(Batch::Parsed(vec![Err(skip)]))
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

    /// Parses record `i` with the chunk's format.
    pub fn parse(&self, i: usize, opts: &IngestOptions) -> std::result::Result<Conversation, Skip> {
        let (bytes, location) = self.record(i);
        let ctx = Ctx {
            location,
            file: &self.file_name,
            opts,
        };
        let mut conv = (self.parser)(bytes, &ctx)?;
        if let Some(field) = &opts.label_field {
            conv.label = field.read_json(bytes);
        }
        Ok(conv)
    }
}

impl Drop for RawChunk {
    fn drop(&mut self) {
        let mut buf = std::mem::take(&mut self.buf);
        let mut spans = std::mem::take(&mut self.spans);
        if buf.capacity() >= CHUNK_BYTES {
            if let Ok(mut spare) = SPARE_BUFFERS.lock() {
                if spare.len() < SPARE_LIMIT {
                    buf.clear();
                    spans.clear();
                    spare.push((buf, spans));
                }
            }
        }
    }
}

pub enum Batch {
    Raw(RawChunk),
    Parsed(Vec<std::result::Result<Conversation, Skip>>),
}

/// Why a record was not audited. The codes appear in the report's input accounting
/// (documented in docs/formats.md).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum SkipKind {
    /// Not JSON at all (or cut off).
    InvalidJson,
    MissingId,
    /// No message with text: nothing, or only empty bodies, attachments, internal notes.
    NoMessages,
    UnknownRole,
    /// A field has the wrong type or an unusable value.
    InvalidField,
    InvalidCsvRow,
    /// Messages, but none from the customer (a brand reply whose customer tweet is missing).
    NoCustomer,
    /// A platform test run, not a customer (Copilot Studio's test pane).
    TestConversation,
    /// Larger than `--max-record-bytes`: not read into memory.
    RecordTooLarge,
    /// A conversation id read before (in this file or an earlier one): the first record
    /// with an id is audited, later ones are not.
    DuplicateId,
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
            SkipKind::NoCustomer => "no_customer",
            SkipKind::TestConversation => "test_conversation",
            SkipKind::RecordTooLarge => "record_too_large",
            SkipKind::DuplicateId => "duplicate_id",
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

/// One input being read: its index in the run's file list, display name and what its name
/// says about the framing.
pub struct Input {
    pub index: usize,
    pub name: Arc<str>,
    pub container: Container,
    /// CSV lines cut at `--max-record-bytes` while reading (see `sniff::LineLimit`): the
    /// rows holding them are skipped.
    pub long_lines: Arc<Mutex<Vec<u64>>>,
}

impl Input {
    pub fn new(index: usize, name: &str, container: Container) -> Input {
        Input {
            index,
            name: Arc::from(name),
            container,
            long_lines: Arc::default(),
        }
    }

    /// The first line cut for length among lines `from..to`.
    pub fn long_line_in(&self, from: u64, to: u64) -> Option<u64> {
        let lines = self.long_lines.lock().ok()?;
        lines.iter().copied().find(|l| (from..to).contains(l))
    }

    pub fn io_error(&self, source: io::Error) -> Error {
        Error::Input {
            path: self.name.to_string(),
            source,
        }
    }

    pub fn format_error(&self, message: impl Into<String>) -> Error {
        Error::InputFormat {
            path: self.name.to_string(),
            message: message.into(),
        }
    }
}

/// Counts bytes as they are read so the progress bar can follow the run (compressed bytes
/// for compressed inputs, matching the file sizes the bar was sized with).
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

/// What reading one input found.
#[derive(Debug, Clone, Copy)]
pub struct FileRead {
    /// Records read (for formats that group records, a record is a conversation).
    pub records: u64,
    /// The format it was read as; None for an empty input.
    pub format: Option<&'static str>,
}

/// Reads every input in order, handing chunks to `sink`.
pub fn read_inputs(
    files: &[InputFile],
    opts: &IngestOptions,
    bytes_read: Arc<AtomicU64>,
    mut sink: impl FnMut(Batch) -> Result<()>,
) -> Result<Vec<FileRead>> {
    let mut records = Vec::with_capacity(files.len());
    for (index, file) in files.iter().enumerate() {
        let input = Input::new(index, &file.display(), file.container);
        let raw = file.open().map_err(|e| input.io_error(e))?;
        let counted = Counting {
            inner: raw,
            counter: bytes_read.clone(),
        };
        let decoded = decompress::open(counted)
            .and_then(encoding::open)
            .map_err(|e| input.io_error(e))?;
        records.push(sniff::read(&input, decoded, opts, &mut sink)?);
    }
    Ok(records)
}
