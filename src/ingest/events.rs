//! Grouping event-shaped records (one activity, event or turn per record) into
//! conversations. A file's events are held until it ends, since a conversation's events need
//! not be adjacent; each group is then built by the format and emitted in order of first
//! appearance.

use std::collections::HashMap;

use serde_json::Value;

use super::formats::{EventFormat, FormatSpec, Keyless};
use super::{Batch, Ctx, IngestOptions, Input, RawChunk, Skip, SkipKind, CHUNK_RECORDS};
use crate::error::Result;
use crate::model::Location;

struct Group {
    key: Option<String>,
    location: Location,
    events: Vec<Value>,
}

pub struct Grouper<'a> {
    input: &'a Input,
    opts: &'a IngestOptions,
    events: &'static EventFormat,
    groups: Vec<Group>,
    by_key: HashMap<Option<String>, usize>,
    skips: Vec<Skip>,
}

impl<'a> Grouper<'a> {
    pub fn new(
        input: &'a Input,
        format: &'static FormatSpec,
        opts: &'a IngestOptions,
    ) -> Result<Grouper<'a>> {
        let events = format
            .json()
            .and_then(|j| j.events.as_ref())
            .ok_or_else(|| {
                input.format_error(format!(
                    "{} records are whole conversations, not events",
                    format.name
                ))
            })?;
        Ok(Grouper {
            input,
            opts,
            events,
            groups: Vec::new(),
            by_key: HashMap::new(),
            skips: Vec::new(),
        })
    }

    /// Adds what a framing reader hands on: raw records, or records it skipped itself
    /// (too large, cut off), which are counted with the file's other skips.
    pub fn add_batch(&mut self, batch: Batch) {
        match batch {
            Batch::Raw(chunk) => self.add_chunk(&chunk),
            Batch::Parsed(items) => self.skips.extend(items.into_iter().filter_map(|r| r.err())),
        }
    }

    pub fn add_chunk(&mut self, chunk: &RawChunk) {
        for i in 0..chunk.spans.len() {
            let (bytes, location) = chunk.record(i);
            match serde_json::from_slice::<Value>(bytes) {
                Ok(v) => self.add(v, location),
                Err(e) => self.skips.push(Skip {
                    kind: SkipKind::InvalidJson,
                    location,
                    message: format!("not a valid JSON event: {e}"),
                }),
            }
        }
    }

    pub fn add(&mut self, event: Value, location: Location) {
        let key = match ((self.events.key)(&event), self.events.keyless) {
            (Some(k), _) => Some(k),
            (None, Keyless::FileGroup) => None,
            (None, Keyless::Skip(message)) => {
                self.skips.push(Skip {
                    kind: SkipKind::MissingId,
                    location,
                    message: message.to_string(),
                });
                return;
            }
        };
        let groups = &mut self.groups;
        let slot = *self.by_key.entry(key.clone()).or_insert_with(|| {
            groups.push(Group {
                key,
                location,
                events: Vec::new(),
            });
            groups.len() - 1
        });
        self.groups[slot].events.push(event);
    }

    /// Builds every conversation and hands them on; returns the records read (conversations
    /// plus events that could not be used).
    pub fn finish(self, sink: &mut dyn FnMut(Batch) -> Result<()>) -> Result<u64> {
        let records = (self.groups.len() + self.skips.len()) as u64;
        let mut batch: Vec<std::result::Result<_, Skip>> =
            self.skips.into_iter().map(Err).collect();
        for g in self.groups {
            let ctx = Ctx {
                location: g.location,
                file: &self.input.name,
                opts: self.opts,
            };
            batch.push((self.events.build)(g.key.as_deref(), g.events, &ctx));
            if batch.len() >= CHUNK_RECORDS {
                sink(Batch::Parsed(std::mem::take(&mut batch)))?;
            }
        }
        if !batch.is_empty() {
            sink(Batch::Parsed(batch))?;
        }
        Ok(records)
    }
}
