//! Aggregate: assessed conversations in, the per-category `Summary` out. The only stage
//! that uses polars (the group-by in `frame`, the Parquet writer in `findings::parquet`).
//! Conversations arrive chunk by chunk in input order; state is one row per category plus
//! bounded samples, so memory does not grow with the input.
//!
//! Every piece of state merges exactly (`partial`, docs/scale-out.md): sums are integers,
//! samples are ordered by (file rank, record position) rather than arrival, and repeated
//! answers are summaries merged along a tree of file ranks. One run and any set of shards
//! of the same files therefore give the same report; a 100k-conversation corpus cut into
//! 16 shards merged to a byte-identical JSON report.

mod answers;
mod categories;
pub mod findings;
mod frame;
pub mod outcomes;
pub mod partial;
pub mod periods;
mod recommend;
mod trends;
mod weekly;

use std::collections::{BTreeMap, HashSet};

use crate::detect::Assessment;
use crate::error::Result;
use crate::ingest::{self, FileRead, PathSkip, PathSkipKind, Skip, SkipKind};
use crate::model::{Conversation, Location, Reason, Undated};
use crate::numfmt;
use crate::redact::Redactor;
use crate::time::{Granularity, Timestamp};

use crate::stats::{mean, rate, round, wilson, Moments};
use crate::summary::conversation::CONVERSATION_SCHEMA_VERSION;
use crate::summary::*;
pub use answers::DEFAULT_CAPACITY as DEFAULT_ANSWERS_CAPACITY;
use answers::{AnswerTree, Coverage, Position};
use categories::{Admit, Tracker, OTHER_KEY};
use findings::FindingRow;
use frame::{CategoryRow, CategorySums, ChunkRows, Counter, Total};
use outcomes::Outcomes;
use periods::{DayCounter, PeriodTest};
pub use recommend::RecommendConfig;

/// Examples kept per category for the report (the highest-scoring, earliest first).
const EXAMPLES_PER_CATEGORY: usize = 3;
/// Occurrences of each skip reason listed by location.
const SKIP_LOCATIONS: usize = 5;
/// Repeated answers listed per category.
const TOP_ANSWERS: usize = 5;
/// Messages shown of an example conversation; longer ones are elided around the evidence.
const EXAMPLE_MESSAGES: usize = 30;
/// Characters shown of one message of an example conversation.
const EXAMPLE_MESSAGE_CHARS: usize = 1000;

pub struct AggregateOptions {
    pub handle_minutes: f64,
    pub csat_scale: String,
    pub redact: bool,
    pub config_path: Option<String>,
    pub recommend: RecommendConfig,
    /// `Config::detection_fingerprint` of the run.
    pub detection_fingerprint: String,
    /// `--filter` as given.
    pub filter: Option<String>,
    /// How the weekly series and `--compare-periods` judge a period against the one before.
    pub periods: PeriodOptions,
    /// Keep per-conversation outcomes for the gate's release diff.
    pub collect_outcomes: bool,
    /// Answers kept per category by the repeated-answers summary (see `answers`).
    pub answers_capacity: usize,
}

/// Where the files an aggregator reads sit in the manifest (docs/scale-out.md): file `i`
/// of this run is the manifest's rank `first + i`, of `total` files. One `audit` reads
/// ranks 0 to total - 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranks {
    pub first: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct PeriodOptions {
    pub test: PeriodTest,
    /// `--compare-periods`: add the latest week or month against the one before.
    pub compare: Option<Granularity>,
}

pub struct Aggregator {
    opts: AggregateOptions,
    files: Vec<String>,
    redactor: Redactor,
    sums: CategorySums,
    /// Which categories keep their own state (see `categories`).
    tracker: Tracker,
    answers: BTreeMap<String, AnswerTree>,
    /// The best examples by score, ties by position (the same order for any split).
    examples: BTreeMap<String, Vec<(f64, Position, Example)>>,
    /// The first locations of each skip and undated reason, by position.
    skips: BTreeMap<SkipKind, (u64, Vec<(Position, String)>)>,
    paths_skipped: BTreeMap<PathSkipKind, (u64, Vec<String>)>,
    undated: BTreeMap<String, (u64, Vec<(Position, String)>)>,
    ranks: Ranks,
    /// The ranks read in full so far (for the answers' tree).
    read: Coverage,
    /// The rank of the file being read.
    current_rank: u64,
    audited: u64,
    filtered_out: u64,
    /// Earliest and latest `started_at`.
    period: Option<[Timestamp; 2]>,
    days: DayCounter,
    outcomes: Option<Outcomes>,
}

impl Aggregator {
    pub fn new(opts: AggregateOptions, files: Vec<String>) -> Aggregator {
        let ranks = Ranks {
            first: 0,
            total: files.len() as u64,
        };
        Aggregator::for_ranks(opts, files, ranks)
    }

    /// An aggregator of some of a manifest's files (`files` are their names, in rank order).
    pub fn for_ranks(opts: AggregateOptions, files: Vec<String>, ranks: Ranks) -> Aggregator {
        Aggregator {
            ranks,
            read: Coverage::new(ranks.total),
            current_rank: ranks.first,
            outcomes: opts.collect_outcomes.then(Outcomes::default),
            tracker: Tracker::new(opts.recommend.max_categories),
            filtered_out: 0,
            opts,
            files,
            redactor: Redactor::new(),
            sums: CategorySums::default(),
            answers: BTreeMap::new(),
            examples: BTreeMap::new(),
            skips: BTreeMap::new(),
            paths_skipped: BTreeMap::new(),
            undated: BTreeMap::new(),
            audited: 0,
            period: None,
            days: DayCounter::default(),
        }
    }

    pub fn redact(&self, text: &str) -> String {
        if self.opts.redact {
            self.redactor.redact(text).into_owned()
        } else {
            text.to_string()
        }
    }

    /// Counts a skipped record; the first few of each reason are kept by location, for
    /// the report. Their messages quote raw field values ("csat" is not a number: "call me
    /// on ..."), so they are redacted like any transcript text that is shown.
    pub fn skip(&mut self, skip: &Skip) {
        let at = self.position(skip.location);
        let wanted = self
            .skips
            .get(&skip.kind)
            .is_none_or(|(_, first)| first_few_wants(first, at));
        let entry_text = wanted.then(|| {
            format!(
                "{}: {}",
                skip.location.describe(&self.files),
                self.redact(&skip.message)
            )
        });
        let entry = self.skips.entry(skip.kind).or_default();
        entry.0 += 1;
        if let Some(text) = entry_text {
            keep_first_few(&mut entry.1, at, text);
        }
    }

    /// Where a record is in the manifest's order: (file rank, line, element).
    fn position(&self, location: Location) -> Position {
        (
            self.ranks.first + location.file as u64,
            location.line,
            location.element,
        )
    }

    /// Counts the paths expanding the inputs passed over.
    pub fn paths_skipped(&mut self, skipped: &[PathSkip]) {
        for s in skipped {
            let entry = self.paths_skipped.entry(s.kind).or_default();
            entry.0 += 1;
            if entry.1.len() < SKIP_LOCATIONS {
                entry.1.push(format!("{}: {}", s.path, s.message));
            }
        }
    }

    /// Counts records the filter did not select.
    pub fn filtered(&mut self, n: u64) {
        self.filtered_out += n;
    }

    /// The per-conversation outcomes, when `collect_outcomes` was set (take before `finish`).
    pub fn take_outcomes(&mut self) -> Option<Outcomes> {
        self.outcomes.take()
    }

    /// Adds one chunk of assessed conversations, in input order.
    pub fn add(&mut self, chunk: &[(Conversation, Assessment)]) -> Result<()> {
        let mut rows = ChunkRows::default();
        let mut folded = Vec::new();
        for (conv, a) in chunk {
            let at = self.position(conv.location);
            if at.0 != self.current_rank {
                // Files are read in rank order: every rank before this one is read in full.
                self.current_rank = at.0;
                self.read = Coverage::new(self.ranks.total);
                self.read.add(self.ranks.first, at.0);
            }
            self.audited += 1;
            let own = matches!(self.tracker.admit(&a.category, &mut folded), Admit::Own);
            let key = if own { a.category.as_str() } else { OTHER_KEY };
            rows.push(a, key);
            self.days.add_as(conv.started_at, key, a);

            // The folded row shows no samples: they would be of arbitrary categories.
            if own && !a.bot_answers.is_empty() {
                // Look up before inserting: cloning the category name for every
                // conversation would cost an allocation on the sequential path.
                if !self.answers.contains_key(&a.category) {
                    self.answers
                        .insert(a.category.clone(), AnswerTree::default());
                }
                let capacity = self.opts.answers_capacity;
                if let Some(tree) = self.answers.get_mut(&a.category) {
                    for &(key, i) in &a.bot_answers {
                        if let Some(m) = conv.messages.get(i) {
                            let text = || answers::kept(&m.text);
                            tree.add(key, text, a.needs_human, at, capacity, &self.read);
                        }
                    }
                }
            }
            if own && a.needs_human {
                self.keep_example(conv, a, at);
            }
            if let Some(u) = &conv.undated {
                self.count_undated(conv, u);
            }
            if let Some(mut o) = self.outcomes.take() {
                o.add(conv, a, |t| self.redact(t));
                self.outcomes = Some(o);
            }
            if let Some(t) = conv.started_at {
                self.period = Some(match self.period {
                    None => [t, t],
                    Some([lo, hi]) => [lo.min(t), hi.max(t)],
                });
            }
        }
        self.sums.add(rows)?;
        if !folded.is_empty() {
            // After adding the chunk: its earlier rows may name a category folded later in it.
            let folded: HashSet<String> = folded.into_iter().collect();
            self.sums.fold(&folded, OTHER_KEY)?;
            self.days.fold(&folded, OTHER_KEY);
            for name in &folded {
                self.answers.remove(name);
                self.examples.remove(name);
            }
        }
        Ok(())
    }

    fn count_undated(&mut self, conv: &Conversation, u: &Undated) {
        let at = self.position(conv.location);
        let wanted = self
            .undated
            .get(u.code())
            .is_none_or(|(_, first)| first_few_wants(first, at));
        let entry = self.undated.entry(u.code().to_string()).or_default();
        entry.0 += 1;
        if wanted {
            let why = match u {
                Undated::Unreadable(text) => {
                    format!("started_at {text:?} is not a timestamp handoff reads")
                }
                Undated::Implausible(t) => {
                    format!("started_at {t} is before 1990 or more than a year ahead")
                }
            };
            // The unreadable value is quoted raw from the export: redact it like a skip message.
            let why = self.redact(&why);
            let text = format!(
                "{}: conversation {}: {why}",
                conv.location.describe(&self.files),
                ingest::shown_id(&conv.id)
            );
            let entry = self.undated.entry(u.code().to_string()).or_default();
            keep_first_few(&mut entry.1, at, text);
        }
    }

    fn keep_example(&mut self, conv: &Conversation, a: &Assessment, seq: Position) {
        let list = self.examples.entry(a.category.clone()).or_default();
        let better = |s: f64, q: Position, other: &(f64, Position, Example)| {
            s > other.0 || (s == other.0 && q < other.1)
        };
        if list.len() >= EXAMPLES_PER_CATEGORY
            && !list.iter().any(|other| better(a.score, seq, other))
        {
            return;
        }
        let (messages, omitted_after) = self.example_messages(conv, a);
        let example = Example {
            id: conv.id.clone(),
            location: conv.location.describe(&self.files),
            score: a.score,
            evidence: self.evidence(conv, a),
            started_at: conv.started_at.map(|t| t.to_string()),
            csat: a.csat,
            total_messages: conv.messages.len(),
            messages,
            omitted_after,
        };
        let list = self.examples.entry(a.category.clone()).or_default();
        list.push((a.score, seq, example));
        sort_examples(list);
    }

    /// The conversation of an example, redacted, with each message's citing reasons. Up to
    /// `EXAMPLE_MESSAGES` are kept, chosen in this order: the cited messages, the opening
    /// message, the last one, the neighbours of cited messages, then from the start.
    fn example_messages(
        &self,
        conv: &Conversation,
        a: &Assessment,
    ) -> (Vec<ExampleMessage>, usize) {
        let n = conv.messages.len();
        let mut reasons: Vec<Vec<String>> = vec![Vec::new(); n];
        for f in &a.findings {
            for &i in &f.messages {
                if let Some(list) = reasons.get_mut(i) {
                    let code = f.reason.code().to_string();
                    if !list.contains(&code) {
                        list.push(code);
                    }
                }
            }
        }
        let mut keep = vec![false; n];
        let mut kept = 0;
        let cited: Vec<usize> = (0..n).filter(|&i| !reasons[i].is_empty()).collect();
        let neighbours = cited
            .iter()
            .flat_map(|&i| [i.checked_sub(1), Some(i + 1)])
            .flatten();
        let order = cited
            .iter()
            .copied()
            .chain([0, n.saturating_sub(1)])
            .chain(neighbours)
            .chain(0..n);
        for i in order {
            if kept == EXAMPLE_MESSAGES {
                break;
            }
            if i < n && !keep[i] {
                keep[i] = true;
                kept += 1;
            }
        }
        let mut out = Vec::with_capacity(kept);
        let mut gap = 0;
        for (i, m) in conv.messages.iter().enumerate() {
            if !keep[i] {
                gap += 1;
                continue;
            }
            out.push(ExampleMessage {
                index: i,
                role: m.role.as_str().to_string(),
                // Cut after redaction: cutting first could leave a fragment of an
                // address or number too short for the redactor to recognise.
                text: numfmt::cut(&self.redact(&m.text), EXAMPLE_MESSAGE_CHARS),
                reasons: std::mem::take(&mut reasons[i]),
                omitted_before: gap,
            });
            gap = 0;
        }
        (out, gap)
    }

    /// The findings of one conversation with the (redacted) messages that triggered them.
    pub fn evidence(&self, conv: &Conversation, a: &Assessment) -> Vec<Evidence> {
        a.findings
            .iter()
            .map(|f| Evidence {
                reason: f.reason.code().to_string(),
                detail: f.detail.clone(),
                messages: f
                    .messages
                    .iter()
                    .filter_map(|&i| conv.messages.get(i).map(|m| (i, m)))
                    .map(|(i, m)| EvidenceMessage {
                        index: i,
                        role: m.role.as_str().to_string(),
                        text: self.redact(&m.text),
                    })
                    .collect(),
            })
            .collect()
    }

    pub fn finding_row(&self, conv: &Conversation, a: &Assessment) -> FindingRow {
        FindingRow {
            id: conv.id.clone(),
            file: self
                .files
                .get(conv.location.file)
                .cloned()
                .unwrap_or_default(),
            location: conv.location.describe(&self.files),
            category: a.category.clone(),
            started_at: conv.started_at.map(|t| t.to_string()),
            bot_version: conv.bot_version.clone(),
            channel: conv.channel.clone(),
            status: conv.status.clone(),
            needs_human: a.needs_human,
            score: a.score,
            probability: a.probability,
            dissatisfaction: a.dissatisfaction,
            dissatisfaction_turn: a.dissatisfaction_turn.and_then(|i| {
                let m = conv.messages.get(i)?;
                Some(EvidenceMessage {
                    index: i,
                    role: m.role.as_str().to_string(),
                    text: self.redact(&m.text),
                })
            }),
            unresolved: a.unresolved,
            escalation_request: a.escalation_request,
            is_loop: a.is_loop,
            satisfaction_drop: a.satisfaction_drop,
            confirmed: a.confirmed,
            csat: a.csat,
            reasons: a
                .findings
                .iter()
                .map(|f| f.reason.code().to_string())
                .collect(),
            evidence: self.evidence(conv, a),
        }
    }

    /// One conversation for `handoff show`: every message (redacted, never cut) beside the
    /// findings that cite it; the reasons ordered by default weight, strongest first.
    pub fn conversation_report(&self, conv: &Conversation, a: &Assessment) -> ConversationReport {
        let row = self.finding_row(conv, a);
        let mut cited: Vec<Vec<String>> = vec![Vec::new(); conv.messages.len()];
        for f in &a.findings {
            for &i in &f.messages {
                if let Some(reasons) = cited.get_mut(i) {
                    if !reasons.iter().any(|r| r == f.reason.code()) {
                        reasons.push(f.reason.code().to_string());
                    }
                }
            }
        }
        let messages = conv
            .messages
            .iter()
            .zip(cited)
            .enumerate()
            .map(|(i, (m, reasons))| ShownMessage {
                number: i + 1,
                index: i,
                role: m.role.as_str().to_string(),
                text: self.redact(&m.text),
                reasons,
            })
            .collect();
        let mut reasons: Vec<Reason> = a.findings.iter().map(|f| f.reason).collect();
        reasons.dedup();
        reasons.sort_by(|x, y| y.default_weight().total_cmp(&x.default_weight()));
        ConversationReport {
            schema_version: CONVERSATION_SCHEMA_VERSION,
            id: row.id,
            file: row.file,
            location: row.location,
            category: row.category,
            started_at: row.started_at,
            bot_version: row.bot_version,
            channel: row.channel,
            status: row.status,
            needs_human: row.needs_human,
            score: row.score,
            probability: row.probability,
            dissatisfaction: row.dissatisfaction,
            csat: row.csat,
            reasons: reasons.iter().map(|r| r.code().to_string()).collect(),
            findings: row.evidence,
            messages,
            redacted: self.opts.redact,
        }
    }

    pub fn finish(mut self, file_reads: &[FileRead]) -> Result<Summary> {
        let files = self
            .files
            .iter()
            .zip(file_reads)
            .map(|(path, read)| FileAccount {
                path: path.clone(),
                format: read.format.map(str::to_string),
                records: read.records,
            })
            .collect();
        self.end_files();
        for tree in self.answers.values_mut() {
            tree.finish(self.opts.answers_capacity);
        }
        self.finish_with(files)
    }

    /// Ends the last file's answer summaries: every rank this run reads has been read.
    fn end_files(&mut self) {
        self.read = Coverage::new(self.ranks.total);
        self.read
            .add(self.ranks.first, self.ranks.first + self.files.len() as u64);
        for tree in self.answers.values_mut() {
            tree.end_file(self.opts.answers_capacity, &self.read);
        }
    }

    /// The report, given the files' accounting (read by this run, or by merged shards).
    fn finish_with(mut self, files: Vec<FileAccount>) -> Result<Summary> {
        let all = self.sums.rows()?;
        let overall = self.overall(&all);
        let tracker = std::mem::replace(&mut self.tracker, Tracker::new(1));
        let (beyond, folded_names) = tracker.finish();
        let (rows, folded_rows): (Vec<CategoryRow>, Vec<CategoryRow>) = all
            .into_iter()
            .partition(|r| r.category != OTHER_KEY && !beyond.contains(&r.category));
        let mut categories: Vec<CategoryStats> =
            rows.iter().map(|row| self.category_stats(row)).collect();
        categories.sort_by(|a, b| {
            let insufficient =
                |c: &CategoryStats| c.recommendation == Recommendation::InsufficientData;
            insufficient(a)
                .cmp(&insufficient(b))
                .then(b.needs_human_rate.total_cmp(&a.needs_human_rate))
                .then(b.conversations.cmp(&a.conversations))
                .then(a.category.cmp(&b.category))
        });
        let folded_categories = (!folded_rows.is_empty()).then(|| {
            let mut row_name = format!("other ({} categories)", numfmt::thousands(folded_names));
            if rows.iter().any(|r| r.category == row_name) {
                row_name.push_str(" (folded)");
            }
            let mut other = CategoryRow::empty(&row_name);
            for r in &folded_rows {
                other.add(r);
            }
            let mut names: HashSet<String> = beyond;
            names.insert(OTHER_KEY.to_string());
            self.days.fold(&names, &row_name);
            // Last whatever its rate: it is the rest, not a category to act on.
            categories.push(self.category_stats(&other));
            FoldedCategories {
                row: row_name,
                categories: folded_names,
                conversations: other.count(Counter::Conversations),
                max_categories: self.opts.recommend.max_categories,
            }
        });
        let order: Vec<String> = categories.iter().map(|c| c.category.clone()).collect();
        let test = self.opts.periods.test;
        let weekly = weekly::weekly(&self.days, &order, &test);

        let skipped: u64 = self.skips.values().map(|(n, _)| n).sum();
        let records_read: u64 = files.iter().map(|f| f.records).sum();
        let input = InputAccounting {
            files,
            records_read,
            audited: self.audited,
            skipped,
            filter: self.opts.filter.clone(),
            filtered_out: self.filtered_out,
            skip_reasons: self
                .skips
                .iter()
                .map(|(kind, (count, first))| SkipCount {
                    reason: kind.code().to_string(),
                    count: *count,
                    first: first.iter().map(|(_, text)| text.clone()).collect(),
                })
                .collect(),
            undated_reasons: self
                .undated
                .iter()
                .map(|(code, (count, first))| SkipCount {
                    reason: code.to_string(),
                    count: *count,
                    first: first.iter().map(|(_, text)| text.clone()).collect(),
                })
                .collect(),
            paths_skipped: self
                .paths_skipped
                .iter()
                .map(|(kind, (count, first))| SkipCount {
                    reason: kind.code().to_string(),
                    count: *count,
                    first: first.clone(),
                })
                .collect(),
        };
        let r = &self.opts.recommend;
        Ok(Summary {
            schema_version: SCHEMA_VERSION,
            tool: format!("handoff {}", env!("CARGO_PKG_VERSION")),
            settings: Settings {
                handle_minutes: self.opts.handle_minutes,
                csat_scale: self.opts.csat_scale.clone(),
                redacted: self.opts.redact,
                config: self.opts.config_path.clone(),
                route_to_humans: r.route_to_humans,
                human_review: r.human_review,
                min_conversations: r.min_conversations,
                detection_fingerprint: self.opts.detection_fingerprint.clone(),
            },
            input,
            period: self.period.map(|p| p.map(|t| t.to_string())),
            overall,
            categories,
            folded_categories,
            weekly,
            trends: self
                .opts
                .periods
                .compare
                .map(|g| trends::compare_periods(&self.days, g, &test)),
            // Set by the command, which chose the categories before the audit.
            category_source: None,
        })
    }

    fn overall(&self, rows: &[CategoryRow]) -> CategoryStats {
        let mut total = CategoryRow::empty(OVERALL);
        for row in rows {
            total.add(row);
        }
        let mut stats = self.category_stats(&total);
        // Corpus-wide samples would repeat the per-category ones.
        stats.repeated_answers.clear();
        stats.examples.clear();
        stats
    }

    fn category_stats(&self, row: &CategoryRow) -> CategoryStats {
        let n = row.count(Counter::Conversations);
        let needs_human = row.count(Counter::NeedsHuman);
        let csat_answered = row.count(Counter::CsatAnswered);
        let needs_human_rate = rate(needs_human, n);
        let r = &self.opts.recommend;
        let recommendation = if n < r.min_conversations {
            Recommendation::InsufficientData
        } else if needs_human_rate >= r.route_to_humans {
            Recommendation::RouteToHumans
        } else if needs_human_rate >= r.human_review {
            Recommendation::HumanReview
        } else {
            Recommendation::BotOk
        };
        let mut reasons: Vec<ReasonCount> = Reason::ALL
            .into_iter()
            .map(|reason| (reason, row.reason(reason)))
            .filter(|(_, c)| *c > 0)
            .map(|(reason, c)| ReasonCount {
                reason: reason.code().to_string(),
                kind: reason.kind(),
                conversations: c,
                rate: round(rate(c, n), 4),
            })
            .collect();
        // Causes first (what to fix), then outcomes and routing; by frequency within each.
        // Stable sort: ties keep the documented reason order.
        reasons.sort_by_key(|r| (r.kind, std::cmp::Reverse(r.conversations)));
        let ci = wilson(needs_human, n);
        let probability = Moments {
            n,
            sum: row.total(Total::Probability),
            sum_sq: row.total(Total::ProbabilitySquares),
        };
        let expected_ci = probability
            .mean_interval(0.95)
            .map_or([0.0, 0.0], |e| [e.low.max(0.0), e.high.min(1.0)]);
        CategoryStats {
            category: row.category.clone(),
            conversations: n,
            needs_human,
            needs_human_rate: round(needs_human_rate, 4),
            needs_human_ci: [round(ci[0], 4), round(ci[1], 4)],
            expected_rate: round(mean(probability.sum, n), 4),
            expected_rate_ci: [round(expected_ci[0], 4), round(expected_ci[1], 4)],
            unresolved_rate: round(rate(row.count(Counter::Unresolved), n), 4),
            escalation_request_rate: round(rate(row.count(Counter::EscalationRequest), n), 4),
            loop_rate: round(rate(row.count(Counter::Loop), n), 4),
            satisfaction_drop_rate: round(rate(row.count(Counter::SatisfactionDrop), n), 4),
            confirmed_rate: round(rate(row.count(Counter::Confirmed), n), 4),
            mean_score: round(mean(row.total(Total::Score), n), 4),
            mean_dissatisfaction: round(mean(row.total(Total::Dissatisfaction), n), 4),
            mean_csat: (csat_answered > 0)
                .then(|| round(row.total(Total::Csat) / csat_answered as f64, 2)),
            csat_answered,
            csat_sum: row.total(Total::Csat),
            csat_sum_squares: row.total(Total::CsatSquares),
            unresolved: row.count(Counter::Unresolved),
            escalation_request: row.count(Counter::EscalationRequest),
            loops: row.count(Counter::Loop),
            satisfaction_drop: row.count(Counter::SatisfactionDrop),
            confirmed: row.count(Counter::Confirmed),
            agent_hours: round(needs_human as f64 * self.opts.handle_minutes / 60.0, 1),
            recommendation,
            reasons,
            repeated_answers_error: self
                .answers
                .get(&row.category)
                .and_then(AnswerTree::root)
                .map_or(0, |s| s.error(self.opts.answers_capacity)),
            repeated_answers: self
                .answers
                .get(&row.category)
                .and_then(AnswerTree::root)
                .map(|c| {
                    c.by_lift(TOP_ANSWERS, (needs_human, n))
                        .into_iter()
                        .map(|l| RepeatedAnswer {
                            text: self.redact(&l.answer.text),
                            needs_human: l.answer.needs_human,
                            conversations: l.answer.conversations,
                            needs_human_share: round(
                                rate(l.answer.needs_human, l.answer.conversations),
                                4,
                            ),
                            lift: round(l.lift, 2),
                            lift_ci: [round(l.lift_ci[0], 2), round(l.lift_ci[1], 2)],
                        })
                        .collect()
                })
                .unwrap_or_default(),
            examples: self
                .examples
                .get(&row.category)
                .map(|v| v.iter().map(|(_, _, e)| e.clone()).collect())
                .unwrap_or_default(),
        }
    }
}

/// Whether a record at `at` belongs among the first few locations kept in `first`.
fn first_few_wants(first: &[(Position, String)], at: Position) -> bool {
    first.len() < SKIP_LOCATIONS || first.last().is_some_and(|(last, _)| at < *last)
}

/// Keeps the `SKIP_LOCATIONS` first locations by position (within a run records come in
/// order, so this appends; merged shards' lists interleave).
fn keep_first_few(first: &mut Vec<(Position, String)>, at: Position, text: String) {
    let i = first.partition_point(|(p, _)| *p < at);
    first.insert(i, (at, text));
    first.truncate(SKIP_LOCATIONS);
}

/// The best examples first (by score, ties by position), `EXAMPLES_PER_CATEGORY` of them.
fn sort_examples(list: &mut Vec<(f64, Position, Example)>) {
    list.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    list.truncate(EXAMPLES_PER_CATEGORY);
}
