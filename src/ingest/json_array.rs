//! A JSON array of conversation objects, streamed: a small scanner finds where each
//! top-level element starts and ends (tracking strings, escapes and nesting) so elements are
//! parsed in parallel like JSON lines, without holding the whole array in memory.
//! Locations are element numbers (1-based); the line where the element starts is kept too.
//! An element larger than `--max-record-bytes` is scanned past, not copied, and skipped; an
//! array cut off keeps the elements before the cut (the cut one is skipped).

use std::io::BufRead;

use super::{Batch, IngestOptions, Input, RawChunk, RecordParser, Skip, SkipKind, Span};
use crate::error::Result;
use crate::model::Location;

enum State {
    /// Before the opening '['.
    Start,
    /// Between elements (after '[' or ',').
    Between,
    /// Inside an element.
    Element {
        depth: u32,
        in_string: bool,
        escape: bool,
    },
    /// After the closing ']'.
    Done,
}

pub fn read<R: BufRead>(
    input: &Input,
    reader: &mut R,
    parser: RecordParser,
    opts: &IngestOptions,
    sink: &mut dyn FnMut(Batch) -> Result<()>,
) -> Result<u64> {
    let max = opts.max_record_bytes;
    let bad = |message: String| input.format_error(message);
    let skip = |kind, line, element, message| Skip {
        kind,
        location: Location {
            file: input.index,
            line,
            element,
        },
        message,
    };
    // Bytes of the current element, and whether it outgrew `max` (then it is not copied).
    let mut element_len = 0usize;
    let mut oversized = false;
    let mut chunk = RawChunk::new(input, parser);
    let mut state = State::Start;
    let mut line = 1u64;
    let mut element_line = 1u64;
    let mut elements = 0u64;
    let mut element_start = 0usize;
    // Scalars at top level (`[1, "x"]`) end at ',' or ']' rather than at a closing brace.
    let mut scalar = false;

    loop {
        let buf = reader.fill_buf().map_err(|e| input.io_error(e))?;
        if buf.is_empty() {
            break;
        }
        let len = buf.len();
        let mut copy_from = None;
        if matches!(state, State::Element { .. }) && !oversized {
            copy_from = Some(0);
        }
        let mut i = 0;
        while i < len {
            let b = buf[i];
            match &mut state {
                State::Start => {
                    if b == b'[' {
                        state = State::Between;
                    } else if !(b.is_ascii_whitespace() || matches!(b, 0xEF | 0xBB | 0xBF)) {
                        return Err(bad(format!(
                            "line {line}: expected a JSON array starting with '['"
                        )));
                    }
                }
                State::Between => {
                    if b == b']' {
                        state = State::Done;
                    } else if b == b',' || b.is_ascii_whitespace() {
                    } else {
                        element_start = chunk.buf.len();
                        element_line = line;
                        element_len = 0;
                        oversized = false;
                        copy_from = Some(i);
                        scalar = b != b'{' && b != b'[';
                        let (depth, in_string) = match b {
                            b'{' | b'[' => (1, false),
                            b'"' => (0, true),
                            _ => (0, false),
                        };
                        state = State::Element {
                            depth,
                            in_string,
                            escape: false,
                        };
                    }
                }
                State::Element {
                    depth,
                    in_string,
                    escape,
                } => {
                    element_len += 1;
                    let mut ended_before = false;
                    if *in_string {
                        if *escape {
                            *escape = false;
                        } else if b == b'\\' {
                            *escape = true;
                        } else if b == b'"' {
                            *in_string = false;
                        }
                    } else {
                        match b {
                            b'"' => *in_string = true,
                            b'{' | b'[' => *depth += 1,
                            b'}' | b']' if *depth > 0 => *depth -= 1,
                            b',' | b']' if *depth == 0 => ended_before = true,
                            _ => {}
                        }
                    }
                    let complete_here = !scalar && *depth == 0 && !*in_string;
                    if complete_here || ended_before {
                        let end_in_buf = if ended_before { i } else { i + 1 };
                        if let Some(from) = copy_from.take() {
                            chunk.buf.extend_from_slice(&buf[from..end_in_buf]);
                        }
                        let mut end = chunk.buf.len();
                        while end > element_start && chunk.buf[end - 1].is_ascii_whitespace() {
                            end -= 1;
                        }
                        elements += 1;
                        state = if ended_before && b == b']' {
                            State::Done
                        } else {
                            State::Between
                        };
                        if oversized || end - element_start > max {
                            chunk.buf.truncate(element_start);
                            let message = format!(
                                "an element of {element_len} bytes, over --max-record-bytes \
                                 ({max} bytes)"
                            );
                            let s = skip(SkipKind::RecordTooLarge, element_line, elements, message);
                            chunk.then_skip(input, s, sink)?;
                        } else {
                            chunk.spans.push(Span {
                                start: element_start,
                                end,
                                line: element_line,
                                element: elements,
                            });
                        }
                        if chunk.is_full() {
                            sink(Batch::Raw(std::mem::replace(
                                &mut chunk,
                                RawChunk::new(input, parser),
                            )))?;
                        }
                    }
                }
                State::Done => {
                    if !b.is_ascii_whitespace() {
                        return Err(bad(format!("line {line}: unexpected data after the array")));
                    }
                }
            }
            if b == b'\n' {
                line += 1;
            }
            i += 1;
        }
        if let Some(from) = copy_from {
            chunk.buf.extend_from_slice(&buf[from..len]);
            if chunk.buf.len() - element_start > max {
                chunk.buf.truncate(element_start);
                oversized = true;
            }
        }
        reader.consume(len);
    }
    match state {
        State::Done | State::Start | State::Between => {}
        State::Element { .. } => {
            // Cut off inside an element: the elements before it are kept.
            chunk.buf.truncate(element_start);
            elements += 1;
            let message = format!(
                "the input ends inside this element (line {line}): the JSON array is cut off; \
                 the elements before it are read"
            );
            let s = skip(SkipKind::InvalidJson, element_line, elements, message);
            chunk.then_skip(input, s, sink)?;
        }
    }
    if !chunk.spans.is_empty() {
        sink(Batch::Raw(chunk))?;
    }
    Ok(elements)
}
