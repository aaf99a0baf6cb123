//! What audit, calibrate and gate share before they read a transcript: the configuration,
//! the ingest options and the audit request, built from `ReadArgs` once. The flags arrive
//! checked by clap (see `cli`); what is left needs a file or two flags together.

use std::path::Path;
use std::sync::Arc;

use handoff::config::Config;
use handoff::error::{Error, Result};
use handoff::ingest::{CsvColumns, IngestOptions, Mapping};
use handoff::pipeline::{self, AuditRequest, CategoryChoice, ChosenCategories};
use handoff::time::DateWindow;
use handoff::topics::TopicModel;
use handoff::CategorySource;
use handoff::PeriodOptions;

use super::Ui;
use crate::cli::{CategoriesArg, CategoryArgs, CsatScaleArg, CsvArgs, ReadArgs, HANDLE_MINUTES};

/// The checked settings for reading and assessing transcripts.
pub struct Setup {
    pub config: Config,
    /// `--config` as the summary names it.
    pub config_path: Option<String>,
    pub ingest: IngestOptions,
    pub csat_scale: CsatScaleArg,
    pub threads: Option<usize>,
    pub ui: Ui,
    /// The categories the config gives (`[topics] file`, `[taxonomy]`, else the export's):
    /// what `show`, `list` and `calibrate` use; `audit` and `gate` choose with
    /// [`Setup::choose_categories`].
    pub categories: CategorySource,
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
        let categories = match &config.topics.file {
            Some(file) => CategorySource::Topics(Arc::new(TopicModel::load(file)?)),
            None => config.detection().categories,
        };
        Ok(Setup {
            categories,
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
            detection: handoff::DetectionSettings {
                categories: self.categories.clone(),
                ..self.config.detection()
            },
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

impl Setup {
    /// How an `audit` or `gate` run chooses its categories: the flags first, then the
    /// config (`[topics] file`, `[taxonomy]`), else `Auto`.
    pub fn category_choice(&self, args: &CategoryArgs) -> CategoryChoice {
        match (&args.topics, args.categories) {
            (Some(file), _) => CategoryChoice::File(file.clone()),
            (None, Some(CategoriesArg::Export)) => CategoryChoice::Export,
            (None, Some(CategoriesArg::Discover)) => CategoryChoice::Discover,
            (None, Some(CategoriesArg::Taxonomy)) => CategoryChoice::Taxonomy,
            (None, None) => match (&self.config.topics.file, &self.config.taxonomy) {
                (Some(file), _) => CategoryChoice::File(file.clone()),
                (None, Some(_)) => CategoryChoice::Taxonomy,
                (None, None) => CategoryChoice::Auto,
            },
        }
    }

    /// The categories of a run over `inputs` (see `handoff::pipeline::choose_categories`,
    /// which may read the inputs once to discover topics).
    pub fn choose_categories(
        &self,
        args: &CategoryArgs,
        choice: &CategoryChoice,
        inputs: &[String],
        redact: bool,
    ) -> Result<ChosenCategories> {
        let k = args.topics_k.map(usize::from).or(self.config.topics.k);
        pipeline::choose_categories(choice, inputs, &self.ingest, self.threads, k, redact)
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
        label_field: None,
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
