//! JSON lines: one conversation object per line; blank lines are ignored. A line longer than
//! `--max-record-bytes` is not held in memory: it is skipped (counted, with its line) and
//! reading resumes at the next line, so a file of one endless line (gigabytes of zeros from
//! a small compressed input) costs one skipped record, not the machine's memory.

use std::io::{BufRead, Read};

use super::{Batch, IngestOptions, Input, RawChunk, RecordParser, Skip, SkipKind, Span};
use crate::error::Result;
use crate::model::Location;

pub fn read<R: BufRead>(
    input: &Input,
    reader: &mut R,
    parser: RecordParser,
    opts: &IngestOptions,
    sink: &mut dyn FnMut(Batch) -> Result<()>,
) -> Result<u64> {
    let max = opts.max_record_bytes;
    // The line, its newline and a byte-order mark.
    let limit = max.saturating_add(4) as u64;
    let mut chunk = RawChunk::new(input, parser);
    let mut line = 0u64;
    let mut records = 0u64;
    loop {
        let start = chunk.buf.len();
        let n = Read::take(&mut *reader, limit)
            .read_until(b'\n', &mut chunk.buf)
            .map_err(|e| input.io_error(e))?;
        if n == 0 {
            break;
        }
        line += 1;
        if n as u64 == limit && chunk.buf.last() != Some(&b'\n') {
            chunk.buf.truncate(start);
            let rest = reader.skip_until(b'\n').map_err(|e| input.io_error(e))?;
            records += 1;
            chunk.then_skip(input, too_large(input, line, n + rest, max), sink)?;
            continue;
        }
        let bytes = &chunk.buf[start..];
        let mut s = 0;
        if line == 1 && bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            s = 3;
        }
        let mut e = bytes.len();
        while s < e && bytes[s].is_ascii_whitespace() {
            s += 1;
        }
        while e > s && bytes[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        if s == e {
            chunk.buf.truncate(start);
            continue;
        }
        if e - s > max {
            chunk.buf.truncate(start);
            records += 1;
            chunk.then_skip(input, too_large(input, line, e - s, max), sink)?;
            continue;
        }
        chunk.spans.push(Span {
            start: start + s,
            end: start + e,
            line,
            element: 0,
        });
        records += 1;
        if chunk.is_full() {
            sink(Batch::Raw(std::mem::replace(
                &mut chunk,
                RawChunk::new(input, parser),
            )))?;
        }
    }
    if !chunk.spans.is_empty() {
        sink(Batch::Raw(chunk))?;
    }
    Ok(records)
}

fn too_large(input: &Input, line: u64, bytes: usize, max: usize) -> Skip {
    Skip {
        kind: SkipKind::RecordTooLarge,
        location: Location {
            file: input.index,
            line,
            element: 0,
        },
        message: format!(
            "a line of {bytes} bytes, over --max-record-bytes ({max} bytes); \
             reading resumed at the next line"
        ),
    }
}
