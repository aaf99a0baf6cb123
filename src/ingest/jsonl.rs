//! JSON lines: one conversation object per line; blank lines are ignored.

use std::io::BufRead;

use super::{Batch, Input, RawChunk, RecordParser, Span};
use crate::error::Result;

pub fn read<R: BufRead>(
    input: &Input,
    reader: &mut R,
    parser: RecordParser,
    sink: &mut dyn FnMut(Batch) -> Result<()>,
) -> Result<u64> {
    let mut chunk = RawChunk::new(input, parser);
    let mut line = 0u64;
    let mut records = 0u64;
    loop {
        let start = chunk.buf.len();
        let n = reader
            .read_until(b'\n', &mut chunk.buf)
            .map_err(|e| input.io_error(e))?;
        if n == 0 {
            break;
        }
        line += 1;
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
