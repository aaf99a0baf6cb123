//! JSON documents: one or more white-space separated JSON values that are not one-per-line,
//! typically one pretty-printed API response per file. A document is read whole (memory
//! grows with the file; JSON lines and top-level arrays stream). Each value is a record, or
//! a wrapper whose list holds the records (`{"value": [...]}` from the Dataverse Web API,
//! `{"conversations": [...]}` from a list endpoint); records are re-serialised into raw
//! chunks so they are still parsed in parallel.

use serde_json::Value;

use super::formats::{FormatSpec, Shape};
use super::sniff::{recognise, undetected};
use super::{events, Batch, FileRead, IngestOptions, Input, RawChunk, Skip, SkipKind, Span};
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
];

/// Values looked at to recognise the format.
const PROBE: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unwrap {
    Whole,
    Key(&'static str),
}

fn wrapped(v: &Value) -> Option<(&'static str, &Vec<Value>)> {
    WRAPPERS
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_array).map(|a| (*k, a)))
}

fn plan(
    input: &Input,
    values: &[(Value, u64)],
    opts: &IngestOptions,
) -> Result<(&'static FormatSpec, Shape, Unwrap)> {
    let first = values.first().map(|(v, _)| v);
    if let Some(format) = opts.input_format {
        let json = format.json().ok_or_else(|| {
            input.format_error(format!(
                "--input-format {} reads CSV, but this input is JSON",
                format.name
            ))
        })?;
        let Some(first) = first else {
            return Ok((format, Shape::Conversation, Unwrap::Whole));
        };
        if let Some(shape) = (json.sniff)(first, opts) {
            return Ok((format, shape, Unwrap::Whole));
        }
        if let Some((key, items)) = wrapped(first) {
            let shape = items
                .iter()
                .find_map(|v| (json.sniff)(v, opts))
                .unwrap_or(Shape::Conversation);
            return Ok((format, shape, Unwrap::Key(key)));
        }
        return Ok((format, Shape::Conversation, Unwrap::Whole));
    }
    let probe = || values.iter().take(PROBE).map(|(v, _)| v);
    if let Some((format, shape)) = probe().find_map(|v| recognise(v, opts)) {
        return Ok((format, shape, Unwrap::Whole));
    }
    for v in probe() {
        if let Some((key, items)) = wrapped(v) {
            if let Some((format, shape)) = items
                .iter()
                .take(PROBE)
                .find_map(|item| recognise(item, opts))
            {
                return Ok((format, shape, Unwrap::Key(key)));
            }
        }
    }
    Err(undetected(input, first, opts))
}

fn newlines(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| c == b'\n').count() as u64
}

/// Reads the documents in `bytes`. None: the first value is not JSON although later lines
/// start objects, i.e. a JSON-lines file with a broken first line, to be read as lines.
pub fn read(
    input: &Input,
    bytes: &[u8],
    opts: &IngestOptions,
    sink: &mut dyn FnMut(Batch) -> Result<()>,
) -> Result<Option<FileRead>> {
    let text = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let mut values: Vec<(Value, u64)> = Vec::new();
    let mut failure: Option<(String, u64)> = None;
    let mut stream = serde_json::Deserializer::from_slice(text).into_iter::<Value>();
    let (mut line, mut counted) = (1u64, 0usize);
    loop {
        let offset = stream.byte_offset();
        let blank = text[offset..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        line += newlines(&text[counted..offset + blank]);
        counted = offset + blank;
        match stream.next() {
            None => break,
            Some(Ok(v)) => values.push((v, line)),
            Some(Err(e)) => {
                failure = Some((e.to_string(), line));
                break;
            }
        }
    }
    if values.is_empty() && failure.is_some() {
        let second_starts_object = text
            .split(|&b| b == b'\n')
            .filter(|l| l.iter().any(|b| !b.is_ascii_whitespace()))
            .nth(1)
            .and_then(|l| l.iter().find(|b| !b.is_ascii_whitespace()))
            == Some(&b'{');
        if second_starts_object {
            return Ok(None);
        }
    }

    let mut records = 0u64;
    let mut format_name = None;
    if !values.is_empty() {
        let (format, shape, unwrap) = plan(input, &values, opts)?;
        format_name = Some(format.name);
        let json = format
            .json()
            .ok_or_else(|| input.format_error("not a JSON format"))?;
        let mut grouper = match shape {
            Shape::Event => Some(events::Grouper::new(input, format, opts)?),
            Shape::Conversation => None,
        };
        let mut chunk = RawChunk::new(input, json.parse);
        let mut element = 0u64;
        for (value, line) in values {
            let items = match (unwrap, value) {
                (Unwrap::Key(key), Value::Object(mut map)) => match map.remove(key) {
                    Some(Value::Array(items)) => items,
                    Some(other) => {
                        map.insert(key.to_string(), other);
                        vec![Value::Object(map)]
                    }
                    None => vec![Value::Object(map)],
                },
                (_, value) => vec![value],
            };
            for item in items {
                if unwrap != Unwrap::Whole {
                    element += 1;
                }
                let location = Location {
                    file: input.index,
                    line,
                    element,
                };
                if let Some(g) = grouper.as_mut() {
                    g.add(item, location);
                    continue;
                }
                let start = chunk.buf.len();
                if serde_json::to_writer(&mut chunk.buf, &item).is_err() {
                    chunk.buf.truncate(start);
                    continue;
                }
                chunk.spans.push(Span {
                    start,
                    end: chunk.buf.len(),
                    line,
                    element,
                });
                records += 1;
                if chunk.is_full() {
                    sink(Batch::Raw(std::mem::replace(
                        &mut chunk,
                        RawChunk::new(input, json.parse),
                    )))?;
                }
            }
        }
        if !chunk.spans.is_empty() {
            sink(Batch::Raw(chunk))?;
        }
        if let Some(g) = grouper {
            records += g.finish(sink)?;
        }
    }
    if let Some((message, line)) = failure {
        records += 1;
        sink(Batch::Parsed(vec![Err(Skip {
            kind: SkipKind::InvalidJson,
            location: Location {
                file: input.index,
                line,
                element: 0,
            },
            message: format!(
                "not valid JSON from here on, the rest of the file is unread: {message}"
            ),
        })]))?;
    }
    Ok(Some(FileRead {
        records,
        format: format_name,
    }))
}
