//! Deciding how to read one input: the framing (JSON lines, a JSON array, JSON document(s),
//! CSV) from the name and the first byte, then the format from the first records or the
//! header, then handing the stream to the right reader. The bytes looked at are read into a
//! head buffer and replayed, so nothing is read twice from the source and line numbers stay
//! right.

use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::ops::Range;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::formats::{self, FormatSpec, JsonFormat, Shape};
use super::json_doc::Unwrap;
use super::{
    events, json_array, json_doc, jsonl, Batch, Container, FileRead, IngestOptions, Input,
};
use crate::error::{Error, Result};

const BUF: usize = 256 << 10;
/// Bytes read per step while looking for the first records.
const STEP: usize = 64 << 10;
/// Records looked at to recognise a format (the first may be malformed).
const PROBE_RECORDS: usize = 16;
/// Enough to recognise a format once at least one record is complete.
const PROBE_BYTES: usize = 1 << 20;
/// A first record larger than this cannot be used for detection.
const HEAD_CAP: usize = 64 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Lines,
    Array,
    Document(Unwrap),
}

/// Reads one decoded input to the end.
pub fn read(
    input: &Input,
    decoded: Box<dyn Read + Send>,
    opts: &IngestOptions,
    sink: &mut dyn FnMut(Batch) -> Result<()>,
) -> Result<FileRead> {
    let mut reader = BufReader::with_capacity(BUF, decoded);
    let Some(first) = first_byte(&mut reader).map_err(|e| input.io_error(e))? else {
        return Ok(FileRead {
            records: 0,
            format: None,
        });
    };
    match (input.container, first) {
        (Container::Csv, _) => read_csv(input, reader, opts, sink),
        (Container::Lines, _) => read_stream(input, reader, Framing::Lines, opts, sink),
        (_, b'[') => read_stream(input, reader, Framing::Array, opts, sink),
        (_, b'{') => read_object_stream(input, reader, opts, sink),
        _ => read_csv(input, reader, opts, sink),
    }
}

/// The first byte that is not white space or a byte-order mark, without consuming it (so
/// line numbers stay right), as long as it lies within the reader's buffer.
fn first_byte<R: BufRead>(reader: &mut R) -> io::Result<Option<u8>> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        if let Some(b) = buf.iter().find(|b| !is_blank(**b)) {
            return Ok(Some(*b));
        }
        // A buffer of nothing but white space: drop it and look further.
        let n = buf.len();
        reader.consume(n);
    }
}

pub(super) fn is_blank(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, 0xEF | 0xBB | 0xBF)
}

/// Appends what one read returns (up to `STEP`, or as much as `head` already holds, so a
/// large first record takes few rescans) to `head`; false at the end of the input or the cap.
fn grow<R: Read>(input: &Input, reader: &mut R, head: &mut Vec<u8>) -> Result<bool> {
    if head.len() >= HEAD_CAP {
        return Ok(false);
    }
    let start = head.len();
    head.resize(start + STEP.max(start), 0);
    let n = loop {
        match reader.read(&mut head[start..]) {
            Ok(n) => break n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(input.io_error(e)),
        }
    };
    head.truncate(start + n);
    Ok(n > 0)
}

/// Where the object or array starting at `b[start]` ends (exclusive), if it does in `b`.
pub(super) fn value_end(b: &[u8], start: usize) -> Option<usize> {
    let (mut depth, mut in_string, mut escape) = (0u32, false, false);
    for (i, &c) in b.iter().enumerate().skip(start) {
        if in_string {
            if escape {
                escape = false;
            } else if c == b'\\' {
                escape = true;
            } else if c == b'"' {
                in_string = false;
            }
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// The complete elements of the top-level array at the start of `b` (at most `max`), and
/// whether the array closed within `b`.
pub(super) fn array_elements(b: &[u8], max: usize) -> (Vec<Range<usize>>, bool) {
    let mut out = Vec::new();
    let mut i = b.iter().position(|&c| !is_blank(c)).unwrap_or(b.len());
    if b.get(i) != Some(&b'[') {
        return (out, true);
    }
    i += 1;
    while out.len() < max {
        while i < b.len() && (is_blank(b[i]) || b[i] == b',') {
            i += 1;
        }
        match b.get(i) {
            None => return (out, false),
            Some(b']') => return (out, true),
            Some(b'{') | Some(b'[') => match value_end(b, i) {
                Some(end) => {
                    out.push(i..end);
                    i = end;
                }
                None => return (out, false),
            },
            // A scalar element: not a record of any format, but keep the count honest.
            Some(_) => {
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b',' || c == b']')
                    .map(|k| i + k);
                match end {
                    Some(end) => {
                        out.push(i..end);
                        i = end;
                    }
                    None => return (out, false),
                }
            }
        }
    }
    (out, false)
}

/// Where the string starting at `b[start]` (a `"`) ends (exclusive), if it does in `b`.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut escape = false;
    for (i, &c) in b.iter().enumerate().skip(start + 1) {
        if escape {
            escape = false;
        } else if c == b'\\' {
            escape = true;
        } else if c == b'"' {
            return Some(i + 1);
        }
    }
    None
}

/// The top-level members of the object starting at `b[start]`, as far as `b` holds them:
/// each key (as written) with where its value starts. Stops at the first value that does
/// not end within `b`, or at anything that is not an object member.
pub(super) fn members(b: &[u8], start: usize) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    if b.get(start) != Some(&b'{') {
        return out;
    }
    let skip_blank = |mut i: usize| {
        while i < b.len() && is_blank(b[i]) {
            i += 1;
        }
        i
    };
    let mut i = start + 1;
    loop {
        while i < b.len() && (is_blank(b[i]) || b[i] == b',') {
            i += 1;
        }
        if b.get(i) != Some(&b'"') {
            return out;
        }
        let Some(key_end) = string_end(b, i) else {
            return out;
        };
        let key = String::from_utf8_lossy(&b[i + 1..key_end - 1]).into_owned();
        i = skip_blank(key_end);
        if b.get(i) != Some(&b':') {
            return out;
        }
        i = skip_blank(i + 1);
        if i >= b.len() {
            return out;
        }
        out.push((key, i));
        let end = match b[i] {
            b'{' | b'[' => value_end(b, i),
            b'"' => string_end(b, i),
            _ => b[i..]
                .iter()
                .position(|&c| c == b',' || c == b'}')
                .map(|k| i + k),
        };
        match end {
            Some(end) => i = end,
            None => return out,
        }
    }
}

/// The complete non-blank lines of `b` (at most `max`); the last line counts as complete
/// at the end of the input.
fn lines(b: &[u8], max: usize, at_end: bool) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < b.len() && out.len() < max {
        let end = match b[start..].iter().position(|&c| c == b'\n') {
            Some(k) => start + k,
            None if at_end => b.len(),
            None => break,
        };
        let line = &b[start..end];
        if let (Some(s), Some(e)) = (
            line.iter().position(|&c| !is_blank(c)),
            line.iter().rposition(|&c| !is_blank(c)),
        ) {
            out.push(start + s..start + e + 1);
        }
        start = end + 1;
    }
    out
}

/// Reads the head of the input until `enough` says the records in it suffice; also says
/// whether the input ended.
fn read_head<R: Read>(
    input: &Input,
    reader: &mut R,
    mut enough: impl FnMut(&[u8]) -> bool,
) -> Result<(Vec<u8>, bool)> {
    let mut head = Vec::new();
    loop {
        let more = grow(input, reader, &mut head)?;
        if !more || enough(&head) {
            return Ok((head, !more));
        }
    }
}

fn replay<R: Read + Send + 'static>(head: Vec<u8>, rest: R) -> BufReader<Box<dyn Read + Send>> {
    BufReader::with_capacity(BUF, Box::new(Cursor::new(head).chain(rest)))
}

/// JSON lines or a JSON array: probe the first records, pick the format, stream.
fn read_stream<R: Read + Send + 'static>(
    input: &Input,
    mut reader: R,
    framing: Framing,
    opts: &IngestOptions,
    sink: &mut dyn FnMut(Batch) -> Result<()>,
) -> Result<FileRead> {
    let probe = |head: &[u8], at_end: bool| -> Vec<Range<usize>> {
        match framing {
            Framing::Array => array_elements(head, PROBE_RECORDS).0,
            _ => lines(head, PROBE_RECORDS, at_end),
        }
    };
    let (head, at_end) = read_head(input, &mut reader, |head| {
        let found = probe(head, false).len();
        found >= PROBE_RECORDS
            || (found > 0 && head.len() >= PROBE_BYTES)
            || (framing == Framing::Array && array_elements(head, PROBE_RECORDS).1)
    })?;
    // A record over the size limit is skipped when read, and not parsed to detect a format.
    let records: Vec<&[u8]> = probe(&head, at_end)
        .into_iter()
        .filter(|r| r.len() <= opts.max_record_bytes)
        .map(|r| &head[r])
        .collect();
    if records.is_empty() && framing == Framing::Array && array_elements(&head, 1).1 {
        // `[]`: nothing to read, nothing to detect.
        return Ok(FileRead {
            records: 0,
            format: None,
        });
    }
    let (format, shape) = choose(input, &records, opts)?;
    let mut reader = replay(head, reader);
    let records = stream_records(input, &mut reader, framing, format, shape, opts, sink)?;
    Ok(FileRead {
        records,
        format: Some(format.name),
    })
}

/// Reads records framed as lines, an array or documents with `format`.
fn stream_records(
    input: &Input,
    reader: &mut dyn BufRead,
    framing: Framing,
    format: &'static FormatSpec,
    shape: Shape,
    opts: &IngestOptions,
    sink: &mut dyn FnMut(Batch) -> Result<()>,
) -> Result<u64> {
    let json = json_of(input, format)?;
    let frame = |reader: &mut dyn BufRead, sink: &mut dyn FnMut(Batch) -> Result<()>| {
        let mut reader = reader;
        match framing {
            Framing::Array => json_array::read(input, &mut reader, json.parse, opts, sink),
            Framing::Lines => jsonl::read(input, &mut reader, json.parse, opts, sink),
            Framing::Document(unwrap) => {
                json_doc::read(input, reader, json.parse, unwrap, opts, sink)
            }
        }
    };
    match shape {
        Shape::Conversation => frame(reader, sink),
        Shape::Event => {
            let mut grouper = events::Grouper::new(input, format, opts)?;
            frame(reader, &mut |batch| {
                grouper.add_batch(batch);
                Ok(())
            })?;
            grouper.finish(sink)
        }
    }
}

/// A stream starting with `{`: JSON lines when the first object ends on its first line,
/// otherwise pretty-printed (or wrapped) JSON document(s). A first value that is not JSON
/// (cut off, or broken) is the first line of JSON lines when the next line is a whole JSON
/// object, and a broken document otherwise.
fn read_object_stream<R: Read + Send + 'static>(
    input: &Input,
    mut reader: R,
    opts: &IngestOptions,
    sink: &mut dyn FnMut(Batch) -> Result<()>,
) -> Result<FileRead> {
    let start = |head: &[u8]| head.iter().position(|&c| !is_blank(c)).unwrap_or(0);
    let (mut head, mut at_end) = read_head(input, &mut reader, |head| {
        value_end(head, start(head)).is_some()
    })?;
    let s = start(&head);
    let end = value_end(&head, s);
    let first = end
        .filter(|end| end - s <= opts.max_record_bytes)
        .and_then(|end| serde_json::from_slice::<Value>(&head[s..end]).ok());
    let one_line = end.is_some_and(|end| !head[s..end].contains(&b'\n'));
    let lines = if one_line {
        // One object per line streams, unless the first line is a valid object no format
        // recognises: then it may be a minified wrapper (`{"value": [...]}`), which the
        // document reader unwraps.
        opts.input_format.is_some() || first.as_ref().is_none_or(|v| recognise(v, opts).is_some())
    } else {
        first.is_none() && second_line_is_an_object(&head, at_end)
    };
    if lines {
        return read_stream(
            input,
            Cursor::new(head).chain(reader),
            Framing::Lines,
            opts,
            sink,
        );
    }
    // Documents: read on until the head shows the first records (or ends).
    while !at_end
        && head.len() < HEAD_CAP
        && !(head.len() >= PROBE_BYTES && json_doc::plannable(&head))
    {
        at_end = !grow(input, &mut reader, &mut head)?;
    }
    let (format, shape, unwrap) = json_doc::plan(input, &head, opts)?;
    let mut reader = replay(head, reader);
    let records = stream_records(
        input,
        &mut reader,
        Framing::Document(unwrap),
        format,
        shape,
        opts,
        sink,
    )?;
    Ok(FileRead {
        records,
        format: Some(format.name),
    })
}

/// Whether the second non-blank line of `head` is complete and a JSON object on its own:
/// JSON lines, where a pretty-printed document's second line is a fragment.
fn second_line_is_an_object(head: &[u8], at_end: bool) -> bool {
    lines(head, 2, at_end).get(1).is_some_and(|r| {
        serde_json::from_slice::<Value>(&head[r.clone()]).is_ok_and(|v| v.is_object())
    })
}

fn json_of(input: &Input, format: &'static FormatSpec) -> Result<&'static JsonFormat> {
    format.json().ok_or_else(|| {
        input.format_error(format!(
            "--input-format {} reads CSV, but this input is JSON",
            format.name
        ))
    })
}

/// The format and shape of the records of a JSON input, from its first records.
pub fn choose(
    input: &Input,
    records: &[&[u8]],
    opts: &IngestOptions,
) -> Result<(&'static FormatSpec, Shape)> {
    let values = records
        .iter()
        .filter_map(|r| serde_json::from_slice::<Value>(r).ok());
    if let Some(format) = opts.input_format {
        let json = json_of(input, format)?;
        let shape = values
            .into_iter()
            .find_map(|v| (json.sniff)(&v, opts))
            .unwrap_or(Shape::Conversation);
        return Ok((format, shape));
    }
    let mut first = None;
    for v in values {
        if let Some(hit) = recognise(&v, opts) {
            return Ok(hit);
        }
        first.get_or_insert(v);
    }
    match first {
        Some(v) => Err(undetected(input, Some(&v), opts)),
        // Not one record is JSON, so there is no format to tell; read it as canonical, which
        // reports each broken record with its line, as for any other malformed input.
        None => Ok((&formats::canonical::FORMAT, Shape::Conversation)),
    }
}

/// The first JSON format that recognises `record`.
pub fn recognise(record: &Value, opts: &IngestOptions) -> Option<(&'static FormatSpec, Shape)> {
    formats::json_candidates(opts).find_map(|f| {
        let json = f.json()?;
        (json.sniff)(record, opts).map(|shape| (f, shape))
    })
}

/// The detection failure: what was seen, the candidates, and how to force one.
pub fn undetected(input: &Input, first: Option<&Value>, opts: &IngestOptions) -> Error {
    let seen = match first {
        Some(Value::Object(map)) => {
            let keys: Vec<&str> = map.keys().map(String::as_str).take(12).collect();
            format!("its first record has the keys: {}", keys.join(", "))
        }
        Some(other) => format!(
            "its first record is not an object but {}",
            match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                _ => "a scalar",
            }
        ),
        None => "none of its first records is valid JSON".to_string(),
    };
    let candidates: Vec<&str> = formats::json_candidates(opts).map(|f| f.name).collect();
    input.format_error(format!(
        "cannot tell which export format this is: {seen}. Known JSON formats: {}. \
         Force one with --input-format NAME (`handoff formats` lists them), or describe \
         the export with --mapping FILE (see docs/formats.md)",
        candidates.join(", ")
    ))
}

/// CSV: recognise the header, then let the format read the file.
fn read_csv<R: Read + Send + 'static>(
    input: &Input,
    mut reader: R,
    opts: &IngestOptions,
    sink: &mut dyn FnMut(Batch) -> Result<()>,
) -> Result<FileRead> {
    let (head, _) = read_head(input, &mut reader, |head| head.contains(&b'\n'))?;
    let headers = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(head.as_slice())
        .headers()
        .cloned()
        .unwrap_or_default();
    let limited = LineLimit {
        inner: Cursor::new(head).chain(reader),
        max: opts.max_record_bytes,
        line: 1,
        length: 0,
        dropping: false,
        long: input.long_lines.clone(),
    };
    let mut reader = BufReader::with_capacity(BUF, limited);
    let format = match opts.input_format {
        Some(f) => f,
        None => formats::csv_candidates()
            .find(|f| f.csv().is_some_and(|c| (c.sniff)(&headers, opts)))
            .ok_or_else(|| {
                let names: Vec<&str> = formats::csv_candidates().map(|f| f.name).collect();
                let why = formats::csv::missing_column(&headers, opts).unwrap_or_default();
                input.format_error(format!(
                    "{why}, or force a format with --input-format NAME (CSV formats: {})",
                    names.join(", ")
                ))
            })?,
    };
    let csv = format.csv().ok_or_else(|| {
        input.format_error(format!(
            "--input-format {} reads JSON, but this input looks like CSV",
            format.name
        ))
    })?;
    let records = (csv.read)(input, &mut reader, opts, sink)?;
    Ok(FileRead {
        records,
        format: Some(format.name),
    })
}

/// A CSV stream with each line cut at `max` bytes: the rest of a longer line is dropped
/// as it streams by, never held, and the line's number is noted so that the row holding it
/// is skipped (`formats::csv::next_row`). A CSV row may span lines inside quotes, so lines,
/// not rows, are what can be bounded while reading.
struct LineLimit<R> {
    inner: R,
    max: usize,
    /// The line being read (1-based) and its length so far.
    line: u64,
    length: usize,
    dropping: bool,
    long: Arc<Mutex<Vec<u64>>>,
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(out)?;
            if n == 0 {
                return Ok(0);
            }
            let mut kept = 0;
            for i in 0..n {
                let b = out[i];
                if b == b'\n' {
                    self.line += 1;
                    self.length = 0;
                    self.dropping = false;
                } else if self.dropping {
                    continue;
                } else {
                    self.length += 1;
                    if self.length > self.max {
                        self.dropping = true;
                        if let Ok(mut long) = self.long.lock() {
                            long.push(self.line);
                        }
                        continue;
                    }
                }
                out[kept] = b;
                kept += 1;
            }
            // A read whose bytes were all dropped is not the end of the input.
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_end_skips_brackets_in_strings() {
        let b = br#"  {"a": "}{\"]", "b": [1, {"c": 2}]} tail"#;
        let end = value_end(b, 2).expect("closes");
        assert_eq!(&b[end..], b" tail");
        assert_eq!(value_end(br#"{"a": "unterminated}"#, 0), None);
    }

    #[test]
    fn array_probe_finds_complete_elements_only() {
        let (els, closed) = array_elements(b"\xEF\xBB\xBF [ {\"a\":1}, {\"b\":[2]} , {\"c\"", 16);
        assert_eq!(els.len(), 2);
        assert!(!closed);
        let (els, closed) = array_elements(b"[{\"a\":1}, 7]", 16);
        assert_eq!(els.len(), 2);
        assert!(closed);
        let (els, closed) = array_elements(b"[]", 16);
        assert!(els.is_empty() && closed);
    }

    #[test]
    fn line_probe_needs_the_end_of_input_for_an_unterminated_last_line() {
        let b = b"{\"a\":1}\n\n  {\"b\":2}  \n{\"c\"";
        assert_eq!(lines(b, 16, false).len(), 2);
        assert_eq!(lines(b, 16, true).len(), 3);
        assert_eq!(lines(b, 1, true).len(), 1);
    }
}
