//! handoff: audit chatbot transcripts and show, per category, where humans are needed.
//!
//! The pipeline reads as data flows: [`ingest`] (export formats -> canonical
//! [`Conversation`]) -> detect ([`Detectors`]: pure functions from a conversation to an
//! [`Assessment`] with evidence) -> aggregate (polars, per category) -> [`Summary`] (the
//! versioned JSON contract) -> [`report`] renderers and the release [`gate`].
//! [`pipeline`] wires the stages as the `handoff audit` command runs them: a reader
//! thread, a rayon pool assessing chunks in parallel, and an in-order fold.
//!
//! The crate is the engine behind the `handoff` binary, not a published library
//! (`publish = false`): its surface follows the binary's needs and may change between
//! versions. What a caller needs is re-exported here; the modules below hold the rest
//! of the public types (each module's own header says what it is for). Stage internals
//! (text normalisation, lexicons, the polars frames, statistics, number formatting,
//! redaction) are private to the crate.
//!
//! Assess one conversation:
//!
//! ```
//! use handoff::ingest::{parse_record, IngestOptions};
//! use handoff::{CsatScale, DetectionSettings, Detectors, Location, Reason};
//!
//! let record = br#"{"id": "c-1", "messages": [
//!     {"role": "customer", "text": "My card was charged twice"},
//!     {"role": "bot", "text": "Sorry, I didn't understand that."},
//!     {"role": "customer", "text": "I want to talk to a human"}]}"#;
//! let conversation = parse_record(record, Location::default(), &IngestOptions::default())
//!     .expect("a valid record");
//! let detectors = Detectors::new(DetectionSettings::default(), CsatScale::default());
//! let assessment = detectors.assess(&conversation);
//! assert!(assessment.needs_human);
//! assert!(assessment.has(Reason::EscalationRequest));
//! // Every finding cites the messages behind it.
//! let asked = assessment
//!     .findings
//!     .iter()
//!     .find(|f| f.reason == Reason::EscalationRequest)
//!     .expect("the request for a person");
//! assert_eq!(asked.messages, vec![2]);
//! ```
//!
//! A whole audit is [`pipeline::run`] with an [`AuditRequest`]; its [`Summary`] renders
//! through [`report::renderer`].

pub(crate) mod aggregate;
pub mod calibrate;
pub mod config;
pub(crate) mod detect;
pub mod error;
pub mod filter;
pub mod gate;
pub mod ingest;
pub mod model;
pub(crate) mod numfmt;
pub mod output;
pub mod pipeline;
pub(crate) mod redact;
pub mod report;
pub mod rng;
pub(crate) mod stats;
pub mod summary;
pub mod time;
pub mod topics;

pub use config::Config;
pub use detect::verdict;
pub use detect::{
    normalize, Assessment, CategorySource, DetectConfig, DetectionSettings, Detectors,
    PhraseConfig, ScoreConfig, Signals, DISSATISFACTION_SIGNALS,
};
pub use error::{Error, Result};
pub use model::{Conversation, CsatScale, Finding, Location, Message, Reason, Role};
/// Text from the data made safe for a terminal (control characters shown escaped), for the
/// binary's messages on stderr as well as the renderers.
pub use numfmt::{terminal, terminal_lines};
pub use pipeline::{AuditRequest, PeriodOptions};
pub use report::{RenderOptions, Renderer, ReportFormat};
pub use summary::Summary;

/// Entry points for the cargo-fuzz targets in `fuzz/` (nightly only, never built by CI):
/// crate-private stages and a whole audit of one file with the default settings.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    use std::path::Path;

    pub fn redact(text: &str) -> String {
        crate::redact::Redactor::new().redact(text).into_owned()
    }

    pub fn html_to_text(html: &str) -> String {
        crate::ingest::html::to_text(html)
    }

    pub fn audit(path: &Path) -> crate::Result<crate::Summary> {
        let config = crate::Config::default();
        crate::pipeline::run(crate::AuditRequest {
            inputs: vec![path.display().to_string()],
            ingest: crate::ingest::IngestOptions::default(),
            detection: config.detection(),
            recommend: config.recommend.clone(),
            config_path: None,
            csat_scale: crate::CsatScale::default(),
            csat_scale_text: "1-5".into(),
            handle_minutes: 8.0,
            redact: true,
            findings: None,
            outputs: Vec::new(),
            threads: Some(1),
            progress: false,
            filter: None,
            periods: crate::PeriodOptions {
                test: config.gate.period_test(),
                compare: None,
            },
            collect_outcomes: false,
            answers_capacity: crate::pipeline::DEFAULT_ANSWERS_CAPACITY,
            shard: None,
        })
    }

    pub fn table(s: &crate::Summary) -> String {
        crate::report::renderer(crate::ReportFormat::Table)
            .render(s, &crate::RenderOptions::default())
            .unwrap_or_default()
    }
}
