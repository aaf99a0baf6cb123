//! handoff: audit chatbot transcripts and show, per category, where humans are needed.
//!
//! The pipeline reads as data flows: [`ingest`] (export formats -> canonical
//! [`model::Conversation`]) -> [`detect`] (pure functions: conversation -> findings with
//! evidence) -> [`aggregate`] (polars, per category) -> [`report`] (renderers).
//! [`audit`] wires the stages for the `audit` command.

pub mod aggregate;
pub mod calibrate;
pub mod config;
pub mod detect;
pub mod error;
pub mod filter;
pub mod gate;
pub mod ingest;
pub mod model;
pub mod numfmt;
pub mod output;
pub mod pipeline;
pub mod redact;
pub mod report;
pub mod stats;
pub mod summary;
pub mod time;
