//! JSON documents: one or more white-space separated JSON values that are not one per line,
//! typically one pretty-printed API response per file. Each document is a record, or a
//! wrapper whose list holds the records (`{"value": [...]}` from the Dataverse Web API,
//! `{"conversations": [...]}` from a list endpoint, `{"transcript": [...]}` from Bot
//! Framework). [`plan`] decides which from the first documents; [`read`] then streams.
//!
//! Streaming, like a JSON array: a scanner tracks strings, escapes and nesting, and in a
//! wrapper the keys of its top level, and copies each record's bytes into raw chunks that
//! are parsed in parallel. So memory stays at a chunk plus one record however large the
//! document, a record that is not valid JSON (a bad UTF-8 byte, nesting too deep) costs only
//! itself, the documents after a broken one are still read, and a document cut off keeps
//! the records before the cut, the cut one counted as skipped. Text between documents that
//! is not JSON is one skipped record. A document that only breaks after its wrapper's list
//! is closed loses nothing and is not counted again.

use std::io::BufRead;
use std::ops::Range;

use serde_json::Value;

use super::formats::{self, FormatSpec, Shape};
use super::sniff::{array_elements, is_blank, members, recognise, undetected, value_end};
use super::{Batch, IngestOptions, Input, RawChunk, RecordParser, Skip, SkipKind, Span};
use crate::error::Result;
use crate::model::Location;

/// Keys of wrapper objects whose array holds the records.
pub const WRAPPERS: &[&str] = &[
    "conversations",
    "tickets",
    "value",
    "data",
    "items",
    "results",
    "records",
    "transcripts",
    "trackers",
    // Bot Framework's documented `.transcript` object form: {"transcript": [activities]}.
    "transcript",
];

/// Values looked at to recognise the format.
const PROBE: usize = 16;

/// Whether each document is a record, or holds its records under a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unwrap {
    Whole,
    Key(&'static str),
}

/// The complete top-level values at the start of `head` (at most `max`).
fn documents(head: &[u8], max: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while out.len() < max {
        while i < head.len() && is_blank(head[i]) {
            i += 1;
        }
        if i >= head.len() || !matches!(head[i], b'{' | b'[') {
            break;
        }
        match value_end(head, i) {
            Some(end) => {
                out.push(i..end);
                i = end;
            }
            None => break,
        }
    }
    out
}

/// The first complete elements of the wrapper list under `key` in the object starting at
/// `head[start]` (which need not be complete), when it has one.
fn wrapped(head: &[u8], start: usize, key: &str) -> Option<Vec<Range<usize>>> {
    let (_, value) = members(head, start).into_iter().find(|(k, _)| k == key)?;
    if head.get(value) != Some(&b'[') {
        return None;
    }
    let (elements, _) = array_elements(&head[value..], PROBE);
    Some(
        elements
            .into_iter()
            .map(|r| r.start + value..r.end + value)
            .collect(),
    )
}

/// The format, the shape of its records and how they are wrapped, from the head of the
/// input (the first documents, or the start of the first one when it is large).
pub fn plan(
    input: &Input,
    head: &[u8],
    opts: &IngestOptions,
) -> Result<(&'static FormatSpec, Shape, Unwrap)> {
    let parse = |r: &Range<usize>| -> Option<Value> {
        (r.len() <= opts.max_record_bytes)
            .then(|| serde_json::from_slice(&head[r.clone()]).ok())
            .flatten()
    };
    let docs = documents(head, PROBE);
    let values: Vec<Value> = docs.iter().filter_map(parse).collect();
    let first_start = head.iter().position(|&b| !is_blank(b)).unwrap_or(0);
    // The wrapper of the first document and its first records.
    let wrapper = || {
        WRAPPERS.iter().find_map(|key| {
            let items: Vec<Value> = wrapped(head, first_start, key)?
                .iter()
                .filter_map(parse)
                .collect();
            Some((*key, items))
        })
    };
    if let Some(format) = opts.input_format {
        let json = format.json().ok_or_else(|| {
            input.format_error(format!(
                "--input-format {} reads CSV, but this input is JSON",
                format.name
            ))
        })?;
        if values
            .first()
            .is_some_and(|v| (json.sniff)(v, opts).is_some())
        {
            let shape = values
                .first()
                .and_then(|v| (json.sniff)(v, opts))
                .unwrap_or(Shape::Conversation);
            return Ok((format, shape, Unwrap::Whole));
        }
        if let Some((key, items)) = wrapper() {
            let shape = items
                .iter()
                .find_map(|v| (json.sniff)(v, opts))
                .unwrap_or(Shape::Conversation);
            return Ok((format, shape, Unwrap::Key(key)));
        }
        return Ok((format, Shape::Conversation, Unwrap::Whole));
    }
    if let Some((format, shape)) = values.iter().find_map(|v| recognise(v, opts)) {
        return Ok((format, shape, Unwrap::Whole));
    }
    for key in WRAPPERS {
        let starts = std::iter::once(first_start).chain(docs.iter().skip(1).map(|r| r.start));
        for start in starts.take(PROBE) {
            let Some(items) = wrapped(head, start, key) else {
                continue;
            };
            if let Some((format, shape)) = items
                .iter()
                .filter_map(parse)
                .find_map(|item| recognise(&item, opts))
            {
                return Ok((format, shape, Unwrap::Key(key)));
            }
        }
    }
    if values.is_empty() {
        // Not one document is JSON, so there is no format to tell; read them as canonical,
        // which reports each broken one, as for any other malformed input.
        return Ok((
            &formats::canonical::FORMAT,
            Shape::Conversation,
            Unwrap::Whole,
        ));
    }
    Err(undetected(input, values.first(), opts))
}

/// Whether the head holds enough to plan: a complete document, or the start of a large
/// one with a complete record in one of its lists.
pub fn plannable(head: &[u8]) -> bool {
    if !documents(head, 1).is_empty() {
        return true;
    }
    let start = head.iter().position(|&b| !is_blank(b)).unwrap_or(0);
    WRAPPERS
        .iter()
        .any(|key| wrapped(head, start, key).is_some_and(|items| !items.is_empty()))
}

/// Where the scanner is, at the top level of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Top {
    /// Between documents.
    Between,
    /// Inside a document (`depth` > 0).
    Document,
    /// Text that is not JSON, up to the next `{` or `[` at the top level.
    Junk,
}

/// Where the scanner is inside a wrapper document's top-level object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Member {
    /// Expecting a key (after `{` or `,`).
    Key,
    /// Inside the key string.
    InKey,
    /// After the key, until its value starts.
    BeforeValue,
    /// Inside a value that is not the wrapper's list.
    Value,
    /// Inside the wrapper's list: between its elements.
    List,
    /// Inside the wrapper's list: inside an element.
    Element,
}

/// The record being copied, if any.
struct Capture {
    /// Where it starts in the chunk buffer.
    start: usize,
    line: u64,
    /// Its number in the wrapper's list; 0 for a document or junk.
    element: u64,
    /// Bytes seen so far (copied or not).
    len: usize,
    /// Over `max_record_bytes`: no longer copied, skipped at its end.
    oversized: bool,
    /// The element is a scalar in a list (ends at `,` or `]` rather than a closing bracket).
    scalar: bool,
}

struct Framer<'a> {
    input: &'a Input,
    parser: RecordParser,
    unwrap: Unwrap,
    max: usize,
    chunk: RawChunk,
    records: u64,
    element: u64,
    line: u64,
    /// Line where the current document starts.
    doc_line: u64,
    top: Top,
    member: Member,
    depth: u32,
    in_string: bool,
    escape: bool,
    key: Vec<u8>,
    /// The current document is an object (not an array), so it may be a wrapper.
    object: bool,
    /// The first bytes of the junk being skipped, for its message.
    junk_head: String,
    /// The current document turned out to be a wrapper: its own bytes are not a record.
    is_wrapper: bool,
    capture: Option<Capture>,
}

/// Keys longer than this cannot be a wrapper's.
const KEY_CAP: usize = 64;

impl Framer<'_> {
    fn skip(&self, kind: SkipKind, line: u64, element: u64, message: String) -> Skip {
        Skip {
            kind,
            location: Location {
                file: self.input.index,
                line,
                element,
            },
            message,
        }
    }

    fn emit_skip(&mut self, skip: Skip, sink: &mut dyn FnMut(Batch) -> Result<()>) -> Result<()> {
        self.records += 1;
        self.chunk.then_skip(self.input, skip, sink)
    }

    /// A record starts with the byte being scanned; `numbered`: it is an element of a
    /// wrapper's list (or a document that may be one), numbered as records are in a JSON
    /// array. A record's line is its document's, as a document's records share it.
    fn start_capture(&mut self, numbered: bool, scalar: bool) {
        if numbered {
            self.element += 1;
        }
        self.capture = Some(Capture {
            start: self.chunk.buf.len(),
            line: self.doc_line,
            element: if numbered { self.element } else { 0 },
            len: 1,
            oversized: false,
            scalar,
        });
    }

    /// The captured record is complete (its bytes are in the chunk unless oversized).
    fn end_capture(&mut self, sink: &mut dyn FnMut(Batch) -> Result<()>) -> Result<()> {
        let Some(c) = self.capture.take() else {
            return Ok(());
        };
        if c.oversized {
            let message = format!(
                "a record of {} bytes, over --max-record-bytes ({} bytes)",
                c.len, self.max
            );
            let skip = self.skip(SkipKind::RecordTooLarge, c.line, c.element, message);
            return self.emit_skip(skip, sink);
        }
        let mut end = self.chunk.buf.len();
        while end > c.start && self.chunk.buf[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        self.chunk.spans.push(Span {
            start: c.start,
            end,
            line: c.line,
            element: c.element,
        });
        self.records += 1;
        if self.chunk.is_full() {
            let full = std::mem::replace(&mut self.chunk, RawChunk::new(self.input, self.parser));
            sink(Batch::Raw(full))?;
        }
        Ok(())
    }

    /// Drops the captured bytes: the document is a wrapper, not a record.
    fn drop_capture(&mut self) {
        if let Some(c) = self.capture.take() {
            self.chunk.buf.truncate(c.start);
            if c.element > 0 {
                self.element -= 1;
            }
        }
    }

    /// Scans one buffer. Bytes of the record being captured are copied in runs.
    fn scan(&mut self, buf: &[u8], sink: &mut dyn FnMut(Batch) -> Result<()>) -> Result<()> {
        let mut copy_from = self.capture.as_ref().filter(|c| !c.oversized).map(|_| 0);
        let mut i = 0;
        while i < buf.len() {
            let b = buf[i];
            // Where the byte stands: a capture that ends *before* it (a scalar element at
            // `,` or `]`, junk at `{`) is closed first.
            match self.top {
                Top::Between => {
                    if matches!(b, b'{' | b'[') {
                        self.top = Top::Document;
                        self.doc_line = self.line;
                        self.depth = 1;
                        self.object = b == b'{';
                        self.member = Member::Key;
                        self.is_wrapper = false;
                        self.start_capture(self.unwrap != Unwrap::Whole, false);
                        copy_from = Some(i);
                    } else if !is_blank(b) {
                        self.top = Top::Junk;
                        self.doc_line = self.line;
                        let end = buf[i..]
                            .iter()
                            .take(40)
                            .position(|&c| matches!(c, b'{' | b'[' | b'\n'))
                            .map_or(buf.len().min(i + 40), |k| i + k);
                        self.junk_head = String::from_utf8_lossy(&buf[i..end]).into_owned();
                        self.start_capture(false, false);
                        copy_from = Some(i);
                    }
                }
                Top::Junk => {
                    if matches!(b, b'{' | b'[') {
                        self.flush_copy(buf, &mut copy_from, i);
                        self.end_junk(sink)?;
                        copy_from = None;
                        continue;
                    }
                }
                Top::Document => self.advance(b, i, buf, &mut copy_from, sink)?,
            }
            if b == b'\n' {
                self.line += 1;
            }
            i += 1;
        }
        self.flush_copy(buf, &mut copy_from, buf.len());
        Ok(())
    }

    /// Copies `buf[from..to]` into the chunk for the capture, watching its size.
    fn flush_copy(&mut self, buf: &[u8], copy_from: &mut Option<usize>, to: usize) {
        let Some(from) = copy_from.take() else {
            return;
        };
        let Some(c) = self.capture.as_mut() else {
            return;
        };
        if c.oversized {
            return;
        }
        self.chunk.buf.extend_from_slice(&buf[from..to]);
        if self.chunk.buf.len() - c.start > self.max {
            c.oversized = true;
            self.chunk.buf.truncate(c.start);
        }
    }

    /// Junk ended (at a document or the end of the input): one skipped record.
    fn end_junk(&mut self, sink: &mut dyn FnMut(Batch) -> Result<()>) -> Result<()> {
        self.top = Top::Between;
        let Some(c) = self.capture.take() else {
            return Ok(());
        };
        self.chunk.buf.truncate(c.start);
        let shown: String = self.junk_head.chars().take(20).collect();
        let message = format!("not a JSON document: text starting {:?}", shown.trim());
        let skip = self.skip(SkipKind::InvalidJson, c.line, 0, message);
        self.emit_skip(skip, sink)
    }

    /// One byte inside a document.
    fn advance(
        &mut self,
        b: u8,
        i: usize,
        buf: &[u8],
        copy_from: &mut Option<usize>,
        sink: &mut dyn FnMut(Batch) -> Result<()>,
    ) -> Result<()> {
        if let Some(c) = self.capture.as_mut() {
            c.len += 1;
        }
        // Keys and the wrapper's list are looked for only at the top of an object.
        let wrapper_key = match self.unwrap {
            Unwrap::Key(k) if self.object => Some(k),
            _ => None,
        };
        if self.in_string {
            if self.escape {
                self.escape = false;
            } else if b == b'\\' {
                self.escape = true;
            } else if b == b'"' {
                self.in_string = false;
                if self.depth == 1 && self.member == Member::InKey {
                    self.member = Member::BeforeValue;
                }
            } else if self.depth == 1 && self.member == Member::InKey && self.key.len() <= KEY_CAP {
                self.key.push(b);
            }
            return Ok(());
        }
        let element_start = self.depth == 2 && self.member == Member::List;
        match b {
            b'"' => {
                self.in_string = true;
                if self.depth == 1 && self.member == Member::Key {
                    self.member = Member::InKey;
                    self.key.clear();
                } else if self.depth == 1 && self.member == Member::BeforeValue {
                    self.member = Member::Value;
                } else if element_start {
                    self.start_element(i, copy_from, true);
                }
            }
            b'{' | b'[' => {
                if self.depth == 1 && self.member == Member::BeforeValue {
                    let is_list = b == b'['
                        && wrapper_key.is_some_and(|k| self.key.as_slice() == k.as_bytes());
                    if is_list {
                        // A wrapper: its own bytes are not a record; its list's are.
                        self.flush_copy(buf, copy_from, i);
                        self.drop_capture();
                        self.is_wrapper = true;
                        self.member = Member::List;
                    } else {
                        self.member = Member::Value;
                    }
                } else if element_start {
                    self.start_element(i, copy_from, false);
                }
                self.depth += 1;
            }
            b'}' | b']' => {
                let scalar_ends = self.depth == 2
                    && self.member == Member::Element
                    && self.capture.as_ref().is_some_and(|c| c.scalar);
                if scalar_ends {
                    self.flush_copy(buf, copy_from, i);
                    self.end_capture(sink)?;
                    self.member = Member::List;
                }
                self.depth = self.depth.saturating_sub(1);
                if self.depth == 2 && self.member == Member::Element {
                    // A container element closed.
                    self.flush_copy(buf, copy_from, i + 1);
                    self.end_capture(sink)?;
                    self.member = Member::List;
                } else if self.depth == 1 && self.member == Member::List {
                    // The wrapper's list closed.
                    self.member = Member::Value;
                } else if self.depth == 1 && self.member == Member::Value {
                    // A nested value of the top-level object closed.
                } else if self.depth == 0 {
                    self.top = Top::Between;
                    if self.is_wrapper {
                        self.capture = None;
                    } else {
                        self.flush_copy(buf, copy_from, i + 1);
                        self.end_capture(sink)?;
                    }
                }
            }
            b',' => {
                if self.depth == 1 {
                    self.member = Member::Key;
                } else if self.depth == 2 && self.member == Member::Element {
                    // The end of a scalar element.
                    self.flush_copy(buf, copy_from, i);
                    self.end_capture(sink)?;
                    self.member = Member::List;
                }
            }
            b':' => {}
            _ if is_blank(b) => {}
            _ => {
                if self.depth == 1 && self.member == Member::BeforeValue {
                    self.member = Member::Value;
                } else if element_start {
                    self.start_element(i, copy_from, true);
                }
            }
        }
        Ok(())
    }

    /// An element of the wrapper's list starts at `buf[i]`.
    fn start_element(&mut self, i: usize, copy_from: &mut Option<usize>, scalar: bool) {
        self.member = Member::Element;
        self.start_capture(true, scalar);
        *copy_from = Some(i);
    }

    /// The end of the input: a record cut off is skipped, complete ones are handed on.
    fn finish(mut self, sink: &mut dyn FnMut(Batch) -> Result<()>) -> Result<u64> {
        match self.top {
            Top::Junk => self.end_junk(sink)?,
            Top::Document => {
                if let Some(c) = self.capture.take() {
                    self.chunk.buf.truncate(c.start);
                    let what = if self.is_wrapper {
                        "the list's last record"
                    } else {
                        "this document"
                    };
                    let message = format!(
                        "the input ends inside {what} (the file is cut off); \
                         the records before it are read"
                    );
                    let skip = self.skip(SkipKind::InvalidJson, c.line, c.element, message);
                    self.emit_skip(skip, sink)?;
                }
            }
            Top::Between => {}
        }
        if !self.chunk.spans.is_empty() {
            sink(Batch::Raw(self.chunk))?;
        }
        Ok(self.records)
    }
}

/// Reads JSON documents from `reader` as `unwrap` says, handing records to `sink`; returns
/// the records read (skipped ones included).
pub fn read(
    input: &Input,
    reader: &mut dyn BufRead,
    parser: RecordParser,
    unwrap: Unwrap,
    opts: &IngestOptions,
    sink: &mut dyn FnMut(Batch) -> Result<()>,
) -> Result<u64> {
    let mut framer = Framer {
        input,
        parser,
        unwrap,
        max: opts.max_record_bytes,
        chunk: RawChunk::new(input, parser),
        records: 0,
        element: 0,
        line: 1,
        doc_line: 1,
        top: Top::Between,
        member: Member::Key,
        depth: 0,
        in_string: false,
        escape: false,
        key: Vec::new(),
        object: false,
        junk_head: String::new(),
        is_wrapper: false,
        capture: None,
    };
    loop {
        let buf = reader.fill_buf().map_err(|e| input.io_error(e))?;
        if buf.is_empty() {
            break;
        }
        let len = buf.len();
        framer.scan(buf, sink)?;
        reader.consume(len);
    }
    framer.finish(sink)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::formats::canonical;
    use crate::ingest::Container;

    /// Frames `text` as documents; the records' text (or the skip's reason code), in order.
    fn frame(text: &str, unwrap: Unwrap, max: usize) -> (Vec<String>, u64) {
        let input = Input::new(0, "t.json", Container::Json);
        let opts = IngestOptions {
            max_record_bytes: max,
            ..IngestOptions::default()
        };
        let mut out = Vec::new();
        // A small buffer, so records and keys cross buffer ends.
        let mut reader = std::io::BufReader::with_capacity(7, text.as_bytes());
        let n = read(
            &input,
            &mut reader,
            canonical::parse,
            unwrap,
            &opts,
            &mut |b| {
                match b {
                    Batch::Raw(c) => {
                        for i in 0..c.spans.len() {
                            let (bytes, loc) = c.record(i);
                            let text = String::from_utf8_lossy(bytes);
                            out.push(format!("{}@{}#{}", text, loc.line, loc.element));
                        }
                    }
                    Batch::Parsed(items) => out.extend(
                        items
                            .into_iter()
                            .filter_map(|r| r.err())
                            .map(|s| format!("skip:{}#{}", s.kind.code(), s.location.element)),
                    ),
                }
                Ok(())
            },
        )
        .expect("reads");
        (out, n)
    }

    #[test]
    fn whole_documents_are_records() {
        let (r, n) = frame(
            "{\"a\": 1}\n\n{\n \"b\": [1, {\"c\": \"}\"}]\n}\n",
            Unwrap::Whole,
            1000,
        );
        assert_eq!(n, 2);
        assert_eq!(
            r,
            ["{\"a\": 1}@1#0", "{\n \"b\": [1, {\"c\": \"}\"}]\n}@3#0"]
        );
    }

    #[test]
    fn a_wrapper_list_is_unwrapped_only_at_the_top_of_the_object() {
        let text = r#"{"meta": {"conversations": [9]}, "conversations": [{"id": 1}, "x", 7, [2]], "n": 1}
{"conversations": 5}
{"other": []}"#;
        let (r, n) = frame(text, Unwrap::Key("conversations"), 1000);
        assert_eq!(
            r,
            [
                "{\"id\": 1}@1#1",
                "\"x\"@1#2",
                "7@1#3",
                "[2]@1#4",
                // Not a list: the document is a record itself, as is one without the key.
                "{\"conversations\": 5}@2#5",
                "{\"other\": []}@3#6",
            ]
        );
        assert_eq!(n, 6);
    }

    #[test]
    fn oversized_and_cut_off_records_are_skips_in_their_place() {
        let text = r#"{"items": [{"id": 1}, {"id": "a long record here"}, {"id": 3}, {"id": 4"#;
        let (r, n) = frame(text, Unwrap::Key("items"), 12);
        assert_eq!(
            r,
            [
                "{\"id\": 1}@1#1",
                "skip:record_too_large#2",
                "{\"id\": 3}@1#3",
                "skip:invalid_json#4",
            ]
        );
        assert_eq!(n, 4);
    }

    #[test]
    fn junk_between_documents_is_one_skipped_record() {
        let (r, n) = frame("{\"a\": 1} junk ] here {\"b\": 2}", Unwrap::Whole, 1000);
        assert_eq!(
            r,
            ["{\"a\": 1}@1#0", "skip:invalid_json#0", "{\"b\": 2}@1#0"]
        );
        assert_eq!(n, 3);
    }

    #[test]
    fn members_and_wrapped_read_a_partial_object() {
        let head = br#"{"total": 3, "next": "x", "tickets": [{"id": 1}, {"id": 2}, {"id"#;
        let keys: Vec<String> = members(head, 0).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["total", "next", "tickets"]);
        let items = wrapped(head, 0, "tickets").expect("a list");
        assert_eq!(items.len(), 2);
        assert_eq!(&head[items[1].clone()], br#"{"id": 2}"#);
        assert!(wrapped(head, 0, "next").is_none());
        assert!(plannable(head));
        assert!(!plannable(br#"{"tickets": [{"id"#));
    }
}
