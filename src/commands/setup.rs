//! What audit, calibrate and gate share before they read a transcript: the configuration,
//! the ingest options and the audit request, built from `ReadArgs` once. The flags arrive
//! checked by clap (see `cli`); what is left needs a file or two flags together.

use std::path::Path;
use std::sync::Arc;

use handoff::config::Config;
use handoff::error::{Error, Result};
use handoff::ingest::{CsvColumns, IngestOptions, Mapping};
use handoff::pipeline::AuditRequest;
use handoff::time::DateWindow;
use handoff::PeriodOptions;

use super::Ui;
use crate::cli::{CsatScaleArg, CsvArgs, ReadArgs, HANDLE_MINUTES};

/// The checked settings for reading and assessing transcripts.
pub struct Setup {
    pub config: Config,
    /// `--config` as the summary names it.
    pub config_path: Option<String>,
    pub ingest: IngestOptions,
    pub csat_scale: CsatScaleArg,
    pub threads: Option<usize>,
    pub ui: Ui,
}

impl Setup {
    /// `to_file`: the command's report goes to a file rather than stdout (see [`Ui::new`]).
    pub fn new(read: &ReadArgs, config: Option<&Path>, to_file: bool) -> Result<Setup> {
        let config_path = config.map(|p| p.display().to_string());
        let mut config = match config {
            Some(path) => Config::load(path)?,
            None => Config::default(),
        };
        if let Some(n) = read.max_categories {
            config.recommend.max_categories = usize::try_from(n).unwrap_or(usize::MAX);
        }
        Ok(Setup {
            config,
            config_path,
            ingest: ingest_options(read)?,
            csat_scale: read.csat_scale.clone(),
            threads: read.threads,
            ui: Ui::new(read.quiet, to_file).color_choice(read.color),
        })
    }

    /// An audit of `inputs` with this setup; callers set what only they decide (findings,
    /// filter, period comparison, outcomes, handle minutes) with struct update syntax.
    pub fn request(&self, inputs: Vec<String>, redact: bool) -> AuditRequest {
        AuditRequest {
            inputs,
            ingest: self.ingest.clone(),
            detection: self.config.detection(),
            recommend: self.config.recommend.clone(),
            config_path: self.config_path.clone(),
            csat_scale: self.csat_scale.scale,
            csat_scale_text: self.csat_scale.text.clone(),
            handle_minutes: HANDLE_MINUTES,
            redact,
            findings: None,
            outputs: Vec::new(),
            threads: self.threads,
            progress: self.ui.progress,
            filter: None,
            periods: PeriodOptions {
                test: self.config.gate.period_test(),
                compare: None,
            },
            collect_outcomes: false,
            answers_capacity: handoff::pipeline::DEFAULT_ANSWERS_CAPACITY,
            shard: None,
        }
    }
}

fn ingest_options(read: &ReadArgs) -> Result<IngestOptions> {
    let input_format = read.input.input_format;
    let mapping = read
        .input
        .mapping
        .as_deref()
        .map(Mapping::load)
        .transpose()?;
    if input_format.is_some_and(|f| f.name == "mapping") && mapping.is_none() {
        return Err(Error::Usage(
            "--input-format mapping needs --mapping FILE (see docs/formats.md)".into(),
        ));
    }
    Ok(IngestOptions {
        category_field: read.category_field.clone().map(|p| p.0),
        csv: csv_columns(&read.csv),
        input_format,
        mapping: mapping.map(Arc::new),
        csat_scale: read.csat_scale.scale,
        follow: read.follow,
        max_record_bytes: read.max_record_bytes,
        dates: DateWindow::now(),
    })
}

fn csv_columns(csv: &CsvArgs) -> CsvColumns {
    CsvColumns {
        id: csv.csv_id.clone(),
        role: csv.csv_role.clone(),
        text: csv.csv_text.clone(),
        ts: csv.csv_ts.clone(),
        category: csv.csv_category.clone(),
        csat: csv.csv_csat.clone(),
        ..CsvColumns::default()
    }
}
