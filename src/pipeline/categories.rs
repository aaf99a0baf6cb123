//! Where a run's categories come from, decided before the audit pass (issue 11). Most
//! exports outside consumer finance (social threads, chat logs, untagged messaging) carry no
//! category, and the keyword taxonomy that used to fill them in is a finance example: on
//! twitter-care without the brand it left 74% `uncategorized` and called YouTube and Apple
//! questions `fraud` or `card`. So by default (`Auto`) the export's categories are used when
//! most conversations have one, and otherwise topics are discovered: one bounded reading
//! pass samples the customers' requests (the reservoir of `topics`, at most
//! [`topics::SAMPLE_SIZE`]; the corpus is never held), the topics are learned from the
//! sample, and the audit pass then gives every conversation its nearest topic. The sample is
//! offered in input order whatever `--threads`, so the topics and the assignment are the
//! same for any thread count. Stdin cannot be read twice: there `Auto` keeps the export's
//! categories and the report says why nothing was discovered.

use std::path::PathBuf;
use std::sync::Arc;

use super::{sample_requests_until, thread_pool, RequestSample};
use crate::detect::CategorySource;
use crate::error::{Error, Result};
use crate::ingest::{self, IngestOptions, InputSource};
use crate::numfmt::thousands;
use crate::summary::{CategorySourceNote, Summary};
use crate::topics::{LearnOptions, TopicModel, MAX_TOPICS, SAMPLE_SIZE};

/// Fewer requests than this give topics of a handful of requests each: not worth a report
/// cut (`handoff topics` still learns from as few as 10, for trying it out).
pub const MIN_DISCOVERY_REQUESTS: usize = 50;

/// `Auto` decides after this many conversations whether most carry a category; when they
/// do, reading stops there, so an export with categories pays for a few chunks, not a
/// second pass.
const DECIDE_AFTER: u64 = 2_000;

/// How the run's categories are chosen (`--categories`, `--topics`, the config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryChoice {
    /// The export's when most conversations have one, else discovered topics.
    Auto,
    /// The export's category; `uncategorized` without one.
    Export,
    /// Topics learned from this input, for every conversation.
    Discover,
    /// The export's category, else the keyword taxonomy.
    Taxonomy,
    /// The topics of this file, for every conversation.
    File(PathBuf),
}

/// The choice made: what detection categorizes with, and what the reports say about it.
#[derive(Debug, Clone)]
pub struct ChosenCategories {
    pub source: CategorySource,
    pub note: Option<CategorySourceNote>,
    /// `Auto` on stdin or a pipe: whether categories were missing is only known after the
    /// audit.
    check_after: bool,
}

impl ChosenCategories {
    /// Puts the note into the summary; on stdin under `Auto`, notes that topics were not
    /// discovered when most audited conversations turned out `uncategorized`.
    pub fn annotate(&self, summary: &mut Summary) {
        summary.category_source = self.note.clone();
        if !self.check_after {
            return;
        }
        let missing = summary
            .categories
            .iter()
            .find(|c| c.category == crate::detect::category::UNCATEGORIZED)
            .map_or(0, |c| c.conversations);
        if missing * 2 > summary.overall.conversations {
            summary.category_source = Some(CategorySourceNote {
                source: "export".into(),
                labels: Vec::new(),
                topics_file: None,
                sample: None,
                note: format!(
                    "{} of {} conversations have no category, and topics were not \
                     discovered: stdin (or a pipe) is read once. Save the input to a file, or \
                     learn topics with handoff topics FILE -o topics.toml and pass --topics.",
                    thousands(missing),
                    thousands(summary.overall.conversations)
                ),
            });
        }
    }
}

/// Decides the categories of a run over `inputs`; `Auto` and `Discover` read the inputs
/// once for it (see the module header). `k` forces the number of discovered topics.
pub fn choose_categories(
    choice: &CategoryChoice,
    inputs: &[String],
    ingest_opts: &IngestOptions,
    threads: Option<usize>,
    k: Option<usize>,
    redact: bool,
) -> Result<ChosenCategories> {
    let chosen = |source, note| ChosenCategories {
        source,
        note,
        check_after: false,
    };
    match choice {
        CategoryChoice::Export => return Ok(chosen(CategorySource::Export, None)),
        CategoryChoice::Taxonomy => {
            let note = CategorySourceNote {
                source: "taxonomy".into(),
                labels: Vec::new(),
                topics_file: None,
                sample: None,
                note: "Categories: the export's, else the keyword taxonomy (--categories \
                       taxonomy or [taxonomy] in the config)."
                    .into(),
            };
            return Ok(chosen(CategorySource::Taxonomy, Some(note)));
        }
        CategoryChoice::File(path) => {
            let model = TopicModel::load(path)?;
            let labels = model.labels();
            let note = CategorySourceNote {
                source: "topics".into(),
                note: format!(
                    "Categories from the topics file {}: {}; conversations near none are \
                     'other'.",
                    path.display(),
                    labels.join("; ")
                ),
                labels,
                topics_file: Some(path.display().to_string()),
                sample: None,
            };
            return Ok(chosen(CategorySource::Topics(Arc::new(model)), Some(note)));
        }
        CategoryChoice::Auto | CategoryChoice::Discover => {}
    }
    let expanded = ingest::expand_inputs(inputs, ingest_opts.follow)?;
    // Stdin, a FIFO or a process substitution is gone once read.
    let once = expanded.files.iter().find(|f| match &f.source {
        InputSource::Stdin => true,
        InputSource::Path(p) => !std::fs::metadata(p).is_ok_and(|m| m.is_file()),
    });
    if let Some(once) = once {
        if *choice == CategoryChoice::Discover {
            return Err(Error::Usage(format!(
                "--categories discover reads the input twice (to learn, then to audit), and \
                 {} can be read only once: save it to a file, or learn topics with \
                 handoff topics FILE -o topics.toml and pass --topics",
                once.display()
            )));
        }
        return Ok(ChosenCategories {
            source: CategorySource::Export,
            note: None,
            check_after: true,
        });
    }
    let pool = thread_pool(threads)?;
    let auto = *choice == CategoryChoice::Auto;
    let sample = sample_requests_until(
        &expanded.files,
        ingest_opts,
        &pool,
        SAMPLE_SIZE,
        DECIDE_AFTER,
        |s: &RequestSample| auto && s.checked >= DECIDE_AFTER && s.categorized * 2 > s.checked,
    )?;
    if auto && (sample.checked == 0 || sample.categorized * 2 > sample.checked) {
        return Ok(chosen(CategorySource::Export, None));
    }
    if sample.requests.len() < MIN_DISCOVERY_REQUESTS {
        let why = format!(
            "{} customer requests in {} conversations: too few to discover topics from \
             (at least {MIN_DISCOVERY_REQUESTS})",
            sample.requests.len(),
            sample.sampled
        );
        if !auto {
            return Err(Error::Usage(format!("--categories discover: {why}")));
        }
        let note = CategorySourceNote {
            source: "export".into(),
            labels: Vec::new(),
            topics_file: None,
            sample: None,
            note: format!(
                "{} of {} conversations have no category; {why}.",
                thousands(sample.checked - sample.categorized),
                thousands(sample.checked)
            ),
        };
        return Ok(chosen(CategorySource::Export, Some(note)));
    }
    let opts = LearnOptions {
        max_topics: MAX_TOPICS,
        k,
        redact,
    };
    let model = pool.install(|| TopicModel::learn(&sample.requests, &opts));
    let labels = model.labels();
    let note = CategorySourceNote {
        source: "discovered".into(),
        note: format!(
            "Categories discovered: {} topics learned from {} customer requests ({} of {}{} \
             conversations have no category in the export): {}. Conversations near none \
             are 'other'. To review, rename or reuse them: handoff topics INPUT -o \
             topics.toml, then --topics topics.toml.",
            labels.len(),
            thousands(sample.requests.len() as u64),
            thousands(sample.checked - sample.categorized),
            // Only the first chunks are parsed for their categories on a large input.
            match sample.checked < sample.records {
                true => "the first ",
                false => "",
            },
            thousands(sample.checked),
            labels.join("; ")
        ),
        labels,
        topics_file: None,
        sample: Some(sample.requests.len() as u64),
    };
    Ok(chosen(CategorySource::Topics(Arc::new(model)), Some(note)))
}
