//! Wires the stages for `handoff audit` (and `calibrate`, `gate`): a reader thread streams
//! chunks from the inputs (ingest), a rayon pool parses and assesses each chunk in parallel
//! (detect), and the calling thread folds the results, in input order, into the aggregate
//! and the findings file. Only two chunks wait in the channel, so memory stays flat however
//! large the input.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::aggregate::findings;
pub use crate::aggregate::outcomes::Outcomes;
pub use crate::aggregate::partial::{finish as finish_partial, merge as merge_partials};
pub use crate::aggregate::partial::{ManifestId, Partial};
pub use crate::aggregate::periods::PeriodTest;
use crate::aggregate::{AggregateOptions, Aggregator};
pub use crate::aggregate::{PeriodOptions, RecommendConfig};
pub use crate::aggregate::{Ranks, DEFAULT_ANSWERS_CAPACITY};
use crate::detect::settings::DetectionSettings;
use crate::detect::{Assessment, Detectors};
use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::ingest::{self, Batch, FileRead, IngestOptions, InputFile, PathSkip, Skip, SkipKind};
use crate::model::{Conversation, CsatScale, Location};
use crate::output;
use crate::summary::{ConversationReport, Summary};
use crate::topics;

mod categories;
pub use categories::{choose_categories, CategoryChoice, ChosenCategories};

pub struct AuditRequest {
    pub inputs: Vec<String>,
    pub ingest: IngestOptions,
    pub detection: DetectionSettings,
    pub recommend: RecommendConfig,
    pub config_path: Option<String>,
    pub csat_scale: CsatScale,
    pub csat_scale_text: String,
    pub handle_minutes: f64,
    pub redact: bool,
    pub findings: Option<PathBuf>,
    /// Files the command writes, with the flag naming each (`--findings` is added here):
    /// reading one of them as an input is an error, as the run would replace it.
    pub outputs: Vec<(String, PathBuf)>,
    pub threads: Option<usize>,
    pub progress: bool,
    /// Only conversations matching this are audited; the rest are counted as filtered out.
    pub filter: Option<Filter>,
    /// The test of the weekly series and, with `--compare-periods`, the period comparison.
    pub periods: PeriodOptions,
    /// Keep per-conversation outcomes (for `handoff gate`'s release diff).
    pub collect_outcomes: bool,
    /// Answers kept per category by the repeated-answers summary (`--answers-capacity`).
    pub answers_capacity: usize,
    /// Set when the inputs are some ranks of a manifest (`audit --manifest --ranks`).
    pub shard: Option<Shard>,
}

/// The manifest ranks an audit reads (docs/scale-out.md): `inputs` are these files, in
/// rank order, and locations name them by their manifest `names`.
#[derive(Debug, Clone)]
pub struct Shard {
    pub names: Vec<String>,
    pub ranks: Ranks,
    /// The paths the manifest's walk passed over: reported by the shard of rank 0 only.
    pub paths_skipped: Vec<PathSkip>,
}

// Boxing the large variant would cost an allocation per conversation; these only live for
// one chunk.
#[allow(clippy::large_enum_variant)]
pub enum Assessed {
    Audited(Conversation, Assessment),
    /// Read and valid, not selected by the filter: its id and location, as it still
    /// counts for duplicate ids.
    Filtered(String, Location),
    Skipped(Skip),
}

/// Conversation ids read so far in a run, for the duplicate rule: the first record with an
/// id is audited, a later one with the same id is skipped (`duplicate_id`), whether it is
/// in the same file or another, and whether or not the filter selects either. Kept as
/// 64-bit hashes (SipHash-1-3 with fixed keys, so runs are reproducible). Two different ids
/// share a hash with a chance of about n²/2⁶⁵ (one in 300,000 for 10 million ids), and a
/// guessed collision needs about 2⁶⁴ tries. Ids a format made from the record's location
/// (the record has none) are not ids of the conversation and are not checked.
///
/// Memory is the one part of an audit that grows with the input, so the hashes are held
/// compactly: 64 shards by the hash's top bits, each a sorted vector (8 bytes an id, no
/// slack) and a small hash set of recent ids merged into it when full. A plain `HashSet`
/// took 9-18 bytes an id and doubled at once when it grew: on 10 million conversations the
/// audit peaked at 370 MB, about 225 MB of it the set in the middle of its last resize.
#[derive(Default)]
pub struct SeenIds {
    shards: Vec<IdShard>,
}

#[derive(Default)]
struct IdShard {
    sorted: Vec<u64>,
    recent: HashSet<u64>,
}

/// Recent ids a shard holds before merging them into its sorted vector: merging costs a
/// pass over the vector, so about 20 moves an id at 10 million ids.
const RECENT_IDS: usize = 4096;
const ID_SHARDS: usize = 64;

impl IdShard {
    /// Whether `h` is new (and now held).
    fn insert(&mut self, h: u64) -> bool {
        if self.sorted.binary_search(&h).is_ok() || !self.recent.insert(h) {
            return false;
        }
        if self.recent.len() >= RECENT_IDS {
            let mut fresh: Vec<u64> = self.recent.drain().collect();
            fresh.sort_unstable();
            let mut merged = Vec::with_capacity(self.sorted.len() + fresh.len());
            let (mut a, mut b) = (self.sorted.iter().peekable(), fresh.iter().peekable());
            while let (Some(&&x), Some(&&y)) = (a.peek(), b.peek()) {
                if x < y {
                    merged.push(x);
                    a.next();
                } else {
                    merged.push(y);
                    b.next();
                }
            }
            merged.extend(a);
            merged.extend(b);
            self.sorted = merged;
        }
        true
    }
}

impl SeenIds {
    /// Turns conversations whose id was read before into skips.
    pub fn check(&mut self, assessed: &mut [Assessed], files: &[String]) {
        for item in assessed.iter_mut() {
            let (id, location) = match item {
                Assessed::Audited(conv, _) => (conv.id.as_str(), conv.location),
                Assessed::Filtered(id, location) => (id.as_str(), *location),
                Assessed::Skipped(_) => continue,
            };
            let file = files.get(location.file).map(String::as_str).unwrap_or("");
            if ingest::is_location_id(id, file, location) {
                continue;
            }
            let mut h = DefaultHasher::new();
            id.hash(&mut h);
            let h = h.finish();
            if self.shards.is_empty() {
                self.shards.resize_with(ID_SHARDS, IdShard::default);
            }
            if self.shards[(h >> 58) as usize].insert(h) {
                continue;
            }
            let skip = Skip {
                kind: SkipKind::DuplicateId,
                location,
                message: format!(
                    "conversation {} was read before; only its first record is audited",
                    ingest::shown_id(id)
                ),
            };
            *item = Assessed::Skipped(skip);
        }
    }
}

#[cfg(test)]
mod seen_ids_tests {
    use super::*;

    #[test]
    fn a_shard_knows_every_id_it_was_given_across_merges() {
        let mut shard = IdShard::default();
        let ids: Vec<u64> = (0..3 * RECENT_IDS as u64 + 17)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        for &h in &ids {
            assert!(shard.insert(h), "{h} is new");
        }
        assert_eq!(shard.sorted.len(), 3 * RECENT_IDS);
        assert!(
            shard.sorted.windows(2).all(|w| w[0] < w[1]),
            "sorted, no repeats"
        );
        for &h in ids.iter().rev() {
            assert!(!shard.insert(h), "{h} was seen");
        }
        assert!(shard.insert(1), "a new one after all that");
    }
}

pub fn run(req: AuditRequest) -> Result<Summary> {
    run_with_outcomes(req).map(|(summary, _)| summary)
}

/// Like `run`, also returning the per-conversation outcomes when `collect_outcomes` is set.
pub fn run_with_outcomes(req: AuditRequest) -> Result<(Summary, Option<Outcomes>)> {
    let (mut aggregator, file_reads) = aggregate(req)?;
    let outcomes = aggregator.take_outcomes();
    Ok((aggregator.finish(&file_reads)?, outcomes))
}

/// The audit's mergeable state instead of its report (`audit --emit-partial`).
pub fn run_partial(req: AuditRequest, manifest: ManifestId) -> Result<Partial> {
    let (aggregator, file_reads) = aggregate(req)?;
    aggregator.into_partial(&file_reads, manifest)
}

/// Reads, assesses and aggregates the inputs; returns the aggregate before its report.
fn aggregate(req: AuditRequest) -> Result<(Aggregator, Vec<FileRead>)> {
    let expanded = ingest::expand_inputs(&req.inputs, req.ingest.follow)?;
    let files = expanded.files;
    if let Some(shard) = &req.shard {
        if files.len() != shard.names.len() {
            return Err(Error::Usage(format!(
                "{} input file(s) for the {} file(s) of ranks {}-{}",
                files.len(),
                shard.names.len(),
                shard.ranks.first,
                shard.ranks.first + shard.names.len() as u64 - 1
            )));
        }
    }
    let findings_flag = req
        .findings
        .iter()
        .map(|p| ("--findings".to_string(), p.clone()));
    not_an_output(&files, req.outputs.iter().cloned().chain(findings_flag))?;
    let names: Vec<String> = match &req.shard {
        Some(shard) => shard.names.clone(),
        None => files.iter().map(InputFile::display).collect(),
    };
    let mut findings_out = req.findings.as_deref().map(findings::create).transpose()?;
    let pool = thread_pool(req.threads)?;

    let detection_fingerprint = req.detection.fingerprint(&format!(
        "csat {}|category field {:?}",
        req.csat_scale_text, req.ingest.category_field
    ));
    let detectors = Detectors::new(req.detection, req.csat_scale);
    let ranks = req.shard.as_ref().map_or(
        Ranks {
            first: 0,
            total: names.len() as u64,
        },
        |s| s.ranks,
    );
    let mut aggregator = Aggregator::for_ranks(
        AggregateOptions {
            handle_minutes: req.handle_minutes,
            csat_scale: req.csat_scale_text,
            redact: req.redact,
            config_path: req.config_path,
            recommend: req.recommend,
            detection_fingerprint,
            filter: req.filter.as_ref().map(|f| f.describe().to_string()),
            periods: req.periods,
            collect_outcomes: req.collect_outcomes,
            answers_capacity: req.answers_capacity,
        },
        names,
        ranks,
    );
    match &req.shard {
        Some(shard) => aggregator.paths_skipped(&shard.paths_skipped),
        None => aggregator.paths_skipped(&expanded.skipped),
    }
    let file_reads = stream(
        &files,
        &req.ingest,
        &detectors,
        req.filter.as_ref(),
        &pool,
        req.progress,
        |assessed| fold(&mut aggregator, &pool, assessed, findings_out.as_mut()),
    )?;
    if let Some(w) = findings_out {
        w.finish()?;
    }
    Ok((aggregator, file_reads))
}

/// An input that is also an output file would be replaced by its own report (or read
/// half-written, for findings).
fn not_an_output(
    files: &[InputFile],
    outputs: impl Iterator<Item = (String, PathBuf)>,
) -> Result<()> {
    for (flag, out) in outputs {
        if !output::replaces_existing_file(&out) {
            continue;
        }
        let input = files.iter().find(|f| match &f.source {
            ingest::InputSource::Path(p) => output::same_file(p, &out),
            ingest::InputSource::Stdin => false,
        });
        if let Some(input) = input {
            return Err(Error::Usage(format!(
                "{flag} {} is also an input ({}); its report would replace it",
                out.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    builder
        .build()
        .map_err(|e| Error::Internal(format!("thread pool: {e}")))
}

/// Streams the inputs through ingest and detect, handing each assessed chunk, in input
/// order, to `fold` on the calling thread, with the records whose id was read before
/// turned into skips (see [`SeenIds`]). Returns what was read from each file.
pub fn stream(
    files: &[InputFile],
    ingest_opts: &IngestOptions,
    detectors: &Detectors,
    filter: Option<&Filter>,
    pool: &rayon::ThreadPool,
    progress: bool,
    mut fold: impl FnMut(Vec<Assessed>) -> Result<()> + Send,
) -> Result<Vec<FileRead>> {
    let read = stream_until(
        files,
        ingest_opts,
        detectors,
        filter,
        pool,
        progress,
        |assessed| fold(assessed).map(|()| Flow::Continue),
    )?;
    // Never stopped early, so every file was read to its end.
    Ok(read.unwrap_or_default())
}

/// Whether [`stream_until`] reads on after a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// [`stream`] that ends as soon as `fold` returns [`Flow::Stop`] (`handoff show` stops at
/// the conversation it looks for), returning `None` for what was read when it stopped.
pub fn stream_until(
    files: &[InputFile],
    ingest_opts: &IngestOptions,
    detectors: &Detectors,
    filter: Option<&Filter>,
    pool: &rayon::ThreadPool,
    progress: bool,
    mut fold: impl FnMut(Vec<Assessed>) -> Result<Flow> + Send,
) -> Result<Option<Vec<FileRead>>> {
    let progress = progress_bar(files, progress);
    let bytes_read = Arc::new(AtomicU64::new(0));
    let (tx, rx) = sync_channel::<Batch>(2);
    let reader = {
        let bytes_read = bytes_read.clone();
        let ingest_opts = ingest_opts.clone();
        let files = files.to_vec();
        std::thread::spawn(move || {
            ingest::read_inputs(&files, &ingest_opts, bytes_read, |batch| {
                tx.send(batch)
                    .map_err(|_| Error::Internal("the pipeline stopped early".into()))
            })
        })
    };

    // The fold runs on its own thread so the workers assess chunk k+1 while chunk k is
    // folded (aggregation and findings writing are sequential by design: input order).
    let mut outcome: Result<Flow> = Ok(Flow::Continue);
    std::thread::scope(|scope| {
        let (assessed_tx, assessed_rx) = sync_channel::<Vec<Assessed>>(1);
        let names: Vec<String> = files.iter().map(InputFile::display).collect();
        let folder = scope.spawn(move || -> Result<Flow> {
            let mut seen = SeenIds::default();
            for mut assessed in assessed_rx {
                seen.check(&mut assessed, &names);
                if fold(assessed)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
            Ok(Flow::Continue)
        });
        for batch in rx.iter() {
            let assessed: Vec<Assessed> =
                pool.install(|| assess_batch(batch, ingest_opts, detectors, filter));
            if assessed_tx.send(assessed).is_err() {
                // The fold stopped (on an error, reported below, or asked to).
                break;
            }
            progress.set_position(bytes_read.load(Ordering::Relaxed));
        }
        drop(assessed_tx);
        outcome = folder
            .join()
            .unwrap_or_else(|_| Err(Error::Internal("the aggregation thread panicked".into())));
    });
    drop(rx);
    let read = reader
        .join()
        .map_err(|_| Error::Internal("the input reader panicked".into()))?;
    // An error in this thread explains a reader that stopped early, so it goes first.
    if outcome? == Flow::Stop {
        // The reader's "stopped early" error is the stop asked for; an input error after
        // the match does not matter to what was found.
        progress.finish_and_clear();
        return Ok(None);
    }
    let file_reads = read?;
    progress.finish_and_clear();
    Ok(Some(file_reads))
}

/// The conversation with id `id` in `req.inputs` for `handoff show`: inputs are read in
/// order and reading stops at the first audited record with that id (a later duplicate is
/// skipped by every command, so the first is the one audited). `None` when no audited
/// record has it; also returns the records read, for that message.
pub fn find(req: AuditRequest, id: &str) -> Result<(Option<ConversationReport>, u64)> {
    let expanded = ingest::expand_inputs(&req.inputs, req.ingest.follow)?;
    let files = expanded.files;
    let names: Vec<String> = files.iter().map(InputFile::display).collect();
    let pool = thread_pool(req.threads)?;
    let detectors = Detectors::new(req.detection, req.csat_scale);
    let aggregator = Aggregator::new(
        AggregateOptions {
            handle_minutes: req.handle_minutes,
            csat_scale: req.csat_scale_text,
            redact: req.redact,
            config_path: req.config_path,
            recommend: req.recommend,
            detection_fingerprint: String::new(),
            filter: None,
            periods: req.periods,
            collect_outcomes: false,
            answers_capacity: req.answers_capacity,
        },
        names,
    );
    let mut found = None;
    let mut records = 0u64;
    stream_until(
        &files,
        &req.ingest,
        &detectors,
        None,
        &pool,
        req.progress,
        |assessed| {
            for item in assessed {
                records += 1;
                if let Assessed::Audited(conv, a) = item {
                    if conv.id == id {
                        found = Some(aggregator.conversation_report(&conv, &a));
                        return Ok(Flow::Stop);
                    }
                }
            }
            Ok(Flow::Continue)
        },
    )?;
    Ok((found, records))
}

/// What `handoff topics` and discovery learn from: a bounded sample of the customers'
/// requests (see [`topics::Reservoir`]), read without assessing anything.
pub struct RequestSample {
    pub requests: Vec<topics::Request>,
    /// Records read (conversations, and records that turn out not to be one).
    pub records: u64,
    /// Conversations parsed to see whether the export has categories (the first chunks,
    /// at least `check_first`), and those of them with a category from the export or
    /// `--category-field`.
    pub checked: u64,
    pub categorized: u64,
    /// Conversations sampled, and those whose customer said nothing beyond a greeting.
    pub sampled: u64,
    pub without_request: u64,
}

/// Reads the inputs once and samples the requests, in input order (deterministic for any
/// thread count: records are offered to the reservoir in order).
pub fn sample_requests(
    files: &[InputFile],
    ingest_opts: &IngestOptions,
    pool: &rayon::ThreadPool,
    capacity: usize,
) -> Result<RequestSample> {
    sample_requests_until(files, ingest_opts, pool, capacity, 0, |_| false)
}

/// A record in the reservoir: its bytes, parsed only once reading is over (most records
/// offered to a reservoir are replaced later, and parsing all of them was most of the
/// sampling pass), or what parsing it gave when it was parsed already.
enum Sampled {
    Raw {
        bytes: Vec<u8>,
        parser: ingest::RecordParser,
        file_name: Arc<str>,
        location: Location,
    },
    /// `None`: not a conversation (skipped); `Some(None)`: no request beyond a greeting.
    Done(Option<Option<topics::Request>>),
}

/// Records longer than this are parsed when sampled rather than kept as bytes: the
/// reservoir's memory stays bounded by the requests, not by the largest records.
const RAW_SAMPLE_BYTES: usize = 64 << 10;

/// [`sample_requests`] that parses every conversation of the first chunks until at least
/// `check_first` are counted, and stops reading after the first chunk where `stop` holds
/// (the sample is then of what was read).
pub fn sample_requests_until(
    files: &[InputFile],
    ingest_opts: &IngestOptions,
    pool: &rayon::ThreadPool,
    capacity: usize,
    check_first: u64,
    stop: impl Fn(&RequestSample) -> bool,
) -> Result<RequestSample> {
    let mut stopped = false;
    let mut reservoir: topics::Reservoir<Sampled> = topics::Reservoir::new(capacity);
    let mut sample = RequestSample {
        requests: Vec::new(),
        records: 0,
        checked: 0,
        categorized: 0,
        sampled: 0,
        without_request: 0,
    };
    let extract = |parsed: std::result::Result<Conversation, Skip>| {
        parsed
            .and_then(|conv| ingest::check(conv, ingest_opts))
            .ok()
            .map(|conv| {
                let categorized = conv
                    .category
                    .as_deref()
                    .is_some_and(|c| !c.trim().is_empty());
                (categorized, topics::request_and_reply(&conv))
            })
    };
    let read = ingest::read_inputs(files, ingest_opts, Arc::new(AtomicU64::new(0)), |batch| {
        let checking = sample.checked < check_first;
        let parsed: Vec<Option<(bool, Option<topics::Request>)>> = match &batch {
            Batch::Raw(chunk) if checking => pool.install(|| {
                (0..chunk.spans.len())
                    .into_par_iter()
                    .map(|i| extract(chunk.parse(i, ingest_opts)))
                    .collect()
            }),
            Batch::Raw(_) => Vec::new(),
            Batch::Parsed(_) => Vec::new(),
        };
        match batch {
            Batch::Raw(chunk) => {
                let mut parsed = parsed.into_iter();
                for i in 0..chunk.spans.len() {
                    sample.records += 1;
                    let done = parsed.next().map(|p| {
                        if let Some((categorized, _)) = &p {
                            sample.checked += 1;
                            sample.categorized += u64::from(*categorized);
                        }
                        p.map(|(_, r)| r)
                    });
                    reservoir.offer_with(|| {
                        if let Some(done) = done {
                            return Sampled::Done(done);
                        }
                        let (bytes, location) = chunk.record(i);
                        if bytes.len() > RAW_SAMPLE_BYTES {
                            return Sampled::Done(
                                extract(chunk.parse(i, ingest_opts)).map(|p| p.1),
                            );
                        }
                        Sampled::Raw {
                            bytes: bytes.to_vec(),
                            parser: chunk.parser,
                            file_name: chunk.file_name.clone(),
                            location,
                        }
                    });
                }
            }
            Batch::Parsed(records) => {
                let found: Vec<_> = pool.install(|| records.into_par_iter().map(extract).collect());
                for p in found {
                    sample.records += 1;
                    if let Some((categorized, _)) = &p {
                        sample.checked += 1;
                        sample.categorized += u64::from(*categorized);
                    }
                    reservoir.offer(Sampled::Done(p.map(|(_, r)| r)));
                }
            }
        }
        if stop(&sample) {
            stopped = true;
            return Err(Error::Internal("sampling stopped".into()));
        }
        Ok(())
    });
    match read {
        Err(_) if stopped => {}
        other => {
            other?;
        }
    }
    let kept: Vec<Option<Option<topics::Request>>> = pool.install(|| {
        reservoir
            .into_sample()
            .into_par_iter()
            .map(|s| match s {
                Sampled::Done(done) => done,
                Sampled::Raw {
                    bytes,
                    parser,
                    file_name,
                    location,
                } => {
                    let ctx = ingest::Ctx {
                        location,
                        file: &file_name,
                        opts: ingest_opts,
                    };
                    extract(parser(&bytes, &ctx)).map(|p| p.1)
                }
            })
            .collect()
    });
    for conversation in kept.into_iter().flatten() {
        sample.sampled += 1;
        match conversation {
            Some(r) => sample.requests.push(r),
            None => sample.without_request += 1,
        }
    }
    Ok(sample)
}

fn assess_batch(
    batch: Batch,
    opts: &IngestOptions,
    detectors: &Detectors,
    filter: Option<&Filter>,
) -> Vec<Assessed> {
    let assess = |parsed: std::result::Result<Conversation, Skip>| match parsed
        .and_then(|conv| ingest::check(conv, opts))
    {
        Err(skip) => Assessed::Skipped(skip),
        Ok(conv) if filter.is_some_and(|f| !f.matches_record(&conv)) => {
            Assessed::Filtered(conv.id, conv.location)
        }
        Ok(conv) => {
            let a = detectors.assess(&conv);
            // The category is known only now (the taxonomy may have assigned it).
            if filter.is_some_and(|f| !f.matches_category(&a.category)) {
                Assessed::Filtered(conv.id, conv.location)
            } else {
                Assessed::Audited(conv, a)
            }
        }
    };
    match batch {
        Batch::Raw(chunk) => (0..chunk.spans.len())
            .into_par_iter()
            .map(|i| assess(chunk.parse(i, opts)))
            .collect(),
        Batch::Parsed(records) => records.into_par_iter().map(assess).collect(),
    }
}

fn fold(
    aggregator: &mut Aggregator,
    pool: &rayon::ThreadPool,
    assessed: Vec<Assessed>,
    findings_out: Option<&mut Box<dyn findings::FindingsWriter>>,
) -> Result<()> {
    let mut ok = Vec::with_capacity(assessed.len());
    let mut filtered = 0;
    for item in assessed {
        match item {
            Assessed::Audited(conv, a) => ok.push((conv, a)),
            Assessed::Filtered(..) => filtered += 1,
            Assessed::Skipped(skip) => aggregator.skip(&skip),
        }
    }
    aggregator.filtered(filtered);
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
