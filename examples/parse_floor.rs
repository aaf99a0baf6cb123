//! The parse floor (issue 15): the least work any audit of a JSONL corpus must do, to compare
//! `handoff audit` against on the same file, threads and machine (`benches/run.sh` prints
//! both and their ratio).
//!
//!     cargo run --release --example parse_floor -- FILE.jsonl [THREADS]
//!
//! A reader thread reads blocks of about 4 MB cut at a line end (as the audit's reader
//! does); rayon parses the lines of each block with serde_json into borrowed structs (`&str`
//! where the JSON has no escape, an owned string only where it has) and touches every byte
//! of every message text, so nothing can be optimised away. No detection, no aggregation:
//! what is left of the audit's time above this is what handoff itself costs.

use std::borrow::Cow;
use std::io::Read;
use std::sync::mpsc::sync_channel;

use rayon::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct Conversation<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, default)]
    messages: Vec<Message<'a>>,
}

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow)]
    role: Cow<'a, str>,
    #[serde(borrow, default)]
    text: Cow<'a, str>,
}

const BLOCK: usize = 4 << 20;

/// (conversations, messages, text bytes, a checksum of the text) of one line.
fn touch(line: &[u8]) -> (u64, u64, u64, u64) {
    // The line's UTF-8 checked once and parsed from &str, as the audit does
    // (`ingest::formats::common::from_json`): the floor is the fastest parse, not a slower one.
    let Ok(text) = std::str::from_utf8(line) else {
        return (0, 0, 0, 0);
    };
    let Ok(c) = serde_json::from_str::<Conversation>(text) else {
        return (0, 0, 0, 0);
    };
    let mut sum = c.id.len() as u64;
    let mut bytes = 0;
    for m in &c.messages {
        bytes += m.text.len() as u64;
        sum = sum.wrapping_add(m.role.len() as u64);
        sum = m
            .text
            .bytes()
            .fold(sum, |s, b| s.wrapping_mul(31).wrapping_add(b as u64));
    }
    (1, c.messages.len() as u64, bytes, sum)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: parse_floor FILE.jsonl [THREADS]");
        std::process::exit(2);
    };
    if let Some(t) = args.next().and_then(|t| t.parse::<usize>().ok()) {
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global()
        {
            eprintln!("parse_floor: {e}");
            std::process::exit(2);
        }
    }
    let mut file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("parse_floor: {path}: {e}");
            std::process::exit(2);
        }
    };
    let (tx, rx) = sync_channel::<Vec<u8>>(2);
    let reader = std::thread::spawn(move || -> std::io::Result<()> {
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let mut block = std::mem::take(&mut carry);
            let start = block.len();
            block.resize(start + BLOCK, 0);
            let n = file.read(&mut block[start..])?;
            block.truncate(start + n);
            if n == 0 {
                if !block.is_empty() && tx.send(block).is_err() {
                    return Ok(());
                }
                return Ok(());
            }
            // Cut at the last line end; the rest starts the next block.
            match block.iter().rposition(|&b| b == b'\n') {
                Some(end) => carry = block.split_off(end + 1),
                None => {
                    carry = block;
                    continue;
                }
            }
            if tx.send(block).is_err() {
                return Ok(());
            }
        }
    });
    let mut total = (0u64, 0u64, 0u64, 0u64);
    for block in rx {
        let t = block
            .par_split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(touch)
            .reduce(
                || (0, 0, 0, 0),
                |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2, a.3.wrapping_add(b.3)),
            );
        total = (
            total.0 + t.0,
            total.1 + t.1,
            total.2 + t.2,
            total.3.wrapping_add(t.3),
        );
    }
    if let Err(e) = reader.join().unwrap_or(Ok(())) {
        eprintln!("parse_floor: {path}: {e}");
        std::process::exit(2);
    }
    println!(
        "{} conversations, {} messages, {} text bytes (checksum {:016x})",
        total.0, total.1, total.2, total.3
    );
}
