//! Wires the stages for `handoff audit`: a reader thread streams chunks from the inputs
//! (ingest), a rayon pool parses and assesses each chunk in parallel (detect), and the
//! calling thread folds the results, in input order, into the aggregate and the findings
//! file. Only two chunks wait in the channel, so memory stays flat however large the input.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::aggregate::summary::Summary;
use crate::aggregate::{AggregateOptions, Aggregator};
use crate::config::Config;
use crate::detect::{Assessment, Detectors};
use crate::error::{Error, Result};
use crate::ingest::{self, Batch, IngestOptions, InputFile, Skip};
use crate::model::{Conversation, CsatScale};
use crate::report::findings;

pub struct AuditRequest {
    pub inputs: Vec<String>,
    pub ingest: IngestOptions,
    pub config: Config,
    pub config_path: Option<String>,
    pub csat_scale: CsatScale,
    pub csat_scale_text: String,
    pub handle_minutes: f64,
    pub redact: bool,
    pub findings: Option<PathBuf>,
    pub threads: Option<usize>,
    pub progress: bool,
}

type Assessed = std::result::Result<(Conversation, Assessment), Skip>;

pub fn run(req: AuditRequest) -> Result<Summary> {
    let files = ingest::expand_inputs(&req.inputs)?;
    let names: Vec<String> = files.iter().map(InputFile::display).collect();
    let mut findings_out = req.findings.as_deref().map(findings::create).transpose()?;
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = req.threads {
        builder = builder.num_threads(n);
    }
    let pool = builder
        .build()
        .map_err(|e| Error::Internal(format!("thread pool: {e}")))?;

    let recommend = req.config.recommend.clone();
    let detectors = Detectors::new(req.config, req.csat_scale);
    let mut aggregator = Aggregator::new(
        AggregateOptions {
            handle_minutes: req.handle_minutes,
            csat_scale: req.csat_scale_text,
            redact: req.redact,
            config_path: req.config_path,
            recommend,
        },
        names,
    );

    let progress = progress_bar(&files, req.progress);
    let bytes_read = Arc::new(AtomicU64::new(0));
    let (tx, rx) = sync_channel::<Batch>(2);
    let reader = {
        let bytes_read = bytes_read.clone();
        let ingest_opts = req.ingest.clone();
        let files = files.clone();
        std::thread::spawn(move || {
            ingest::read_inputs(&files, &ingest_opts, bytes_read, |batch| {
                tx.send(batch)
                    .map_err(|_| Error::Internal("the pipeline stopped early".into()))
            })
        })
    };

    let mut outcome: Result<()> = Ok(());
    for batch in rx.iter() {
        let assessed: Vec<Assessed> = pool.install(|| assess_batch(batch, &req.ingest, &detectors));
        let step = fold(&mut aggregator, &pool, assessed, findings_out.as_mut());
        if let Err(e) = step {
            outcome = Err(e);
            break;
        }
        progress.set_position(bytes_read.load(Ordering::Relaxed));
    }
    drop(rx);
    let read = reader
        .join()
        .map_err(|_| Error::Internal("the input reader panicked".into()))?;
    // An error in this thread explains a reader that stopped early, so it goes first.
    outcome?;
    let file_reads = read?;
    progress.finish_and_clear();

    if let Some(w) = findings_out {
        w.finish()?;
    }
    aggregator.finish(&file_reads)
}

fn assess_batch(batch: Batch, opts: &IngestOptions, detectors: &Detectors) -> Vec<Assessed> {
    match batch {
        Batch::Raw(chunk) => (0..chunk.spans.len())
            .into_par_iter()
            .map(|i| {
                let conv = chunk.parse(i, opts)?;
                let assessment = detectors.assess(&conv);
                Ok((conv, assessment))
            })
            .collect(),
        Batch::Parsed(records) => records
            .into_par_iter()
            .map(|r| {
                r.map(|conv| {
                    let assessment = detectors.assess(&conv);
                    (conv, assessment)
                })
            })
            .collect(),
    }
}

fn fold(
    aggregator: &mut Aggregator,
    pool: &rayon::ThreadPool,
    assessed: Vec<Assessed>,
    findings_out: Option<&mut Box<dyn findings::FindingsWriter>>,
) -> Result<()> {
    let mut ok = Vec::with_capacity(assessed.len());
    for item in assessed {
        match item {
            Ok(pair) => ok.push(pair),
            Err(skip) => aggregator.skip(&skip),
        }
    }
    if let Some(w) = findings_out {
        let agg = &*aggregator;
        let rows: Vec<_> =
            pool.install(|| ok.par_iter().map(|(c, a)| agg.finding_row(c, a)).collect());
        w.write(&rows)?;
    }
    aggregator.add(&ok)
}

fn progress_bar(files: &[InputFile], enabled: bool) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let total: Option<u64> = files
        .iter()
        .map(|f| match &f.source {
            ingest::InputSource::Path(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            ingest::InputSource::Stdin => None,
        })
        .sum();
    let bar = match total {
        Some(t) => ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let template = if total.is_some() {
        "{spinner} auditing [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})"
    } else {
        "{spinner} auditing {bytes} ({bytes_per_sec})"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
