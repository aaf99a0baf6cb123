//! The command line, declared with clap's derive. A flag whose check needs nothing but its
//! own text (`--threads`, `--csat-scale`, `--handle-minutes`, `--input-format`,
//! `--category-field`) is turned here, by a value parser, into the type the library takes:
//! clap then reports a bad value like any other usage error (naming the flag, exit 2) before
//! an input is opened, and the commands never see an unchecked value. Checks that need a
//! file or another flag (`--mapping`, filters, the config) stay in `commands`. The arguments
//! belong to the binary, not the library: they are the shape of this CLI, not an API.
//! `--help` groups the flags under headings (input, selection, output, ...) and ends each
//! command's help with examples that run as pasted from a clone, on `sample-data/` and
//! `tests/fixtures/`, in the manner of ripgrep's and fd's help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use handoff::ingest::formats::{self, FormatSpec};
use handoff::ingest::LabelField;
use handoff::model::CsatScale;
use handoff::pipeline::DEFAULT_ANSWERS_CAPACITY;

/// Agent minutes per needs-human conversation when `--handle-minutes` is not given (`gate`
/// has no such flag and always uses it).
pub const HANDLE_MINUTES: f64 = 8.0;

#[derive(Parser, Debug)]
#[command(
    name = "handoff",
    version,
    about = "Audit chatbot transcripts and show, per category, where humans are needed",
    after_help = "Examples:
  handoff audit sample-data/
  handoff audit tests/fixtures/zendesk/ --html scratch/report.html
  handoff gate --baseline sample-data/ --baseline-filter bot_version=4.1.0 \\
      --candidate sample-data/ --candidate-filter bot_version=4.2.0
  handoff completions bash > ~/.local/share/bash-completion/completions/handoff

Exit codes: 0 ok (gate passed); 1 gate failed; 2 usage error, bad config, unreadable input \
or undetectable input format, nothing audited (every record skipped, or no record), or (with \
--strict) skipped records."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Audit transcripts and report, per category, where the bot fails and humans are needed.
    #[command(after_help = AUDIT_EXAMPLES)]
    Audit(AuditArgs),
    /// Measure how well each signal predicts low CSAT on conversations that carry a survey
    /// score, and suggest thresholds for this data.
    #[command(after_help = CALIBRATE_EXAMPLES)]
    Calibrate(CalibrateArgs),
    /// Compare a candidate release against a baseline; exit 1 when a rule fails.
    #[command(after_help = GATE_EXAMPLES)]
    Gate(GateArgs),
    /// Write a commented starter configuration (handoff.toml) with the gate rules.
    #[command(after_help = "Examples:
  handoff init scratch/handoff.toml
  handoff init - | less")]
    Init(InitArgs),
    /// List the input formats `audit`, `calibrate` and `gate` read, one line each.
    Formats,
    /// Show one conversation: messages numbered from 1, each finding beside the message it
    /// cites, with its category, score and reasons.
    Show(ShowArgs),
    /// Print the conversations that need a human, one per line (id, category, score, top
    /// reason, tab-separated), for piping into `handoff show`.
    List(ListArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) on stdout.
    #[command(after_help = "Examples:
  handoff completions bash > ~/.local/share/bash-completion/completions/handoff
  handoff completions zsh > ~/.zfunc/_handoff    # with fpath+=(~/.zfunc) before compinit
  handoff completions fish > ~/.config/fish/completions/handoff.fish
  handoff completions powershell >> $PROFILE")]
    Completions(CompletionsArgs),
    /// Print the man page (roff) of handoff, or of one of its commands, on stdout.
    #[command(after_help = "Examples:
  handoff man > ~/.local/share/man/man1/handoff.1
  handoff man audit > ~/.local/share/man/man1/handoff-audit.1
  handoff man | man -l -")]
    Man(ManArgs),
    /// Learn the topics customers ask about (for exports without categories) and print them;
    /// --output saves them for `audit --topics`.
    Topics(TopicsArgs),
    /// Print the input files in the order `audit` reads them, one `rank<TAB>name` a line:
    /// the manifest of a sharded audit (docs/scale-out.md).
    #[command(after_help = "Examples:
  handoff manifest sample-data/ > scratch/manifest.tsv
  aws s3 ls --recursive s3://bucket/exports/ | awk '{print \"s3://bucket/\" $4}' \\
      | handoff manifest --from-list - > scratch/manifest.tsv")]
    Manifest(ManifestArgs),
    /// Merge partials (`audit --emit-partial`) into the report one `audit` of all their
    /// files gives, or into one partial (--emit-partial) for a tree of merges.
    #[command(after_help = "Examples:
  handoff audit --manifest scratch/m.tsv --ranks 0-0 --emit-partial scratch/p0.json
  handoff audit --manifest scratch/m.tsv --ranks 1-1 --emit-partial scratch/p1.json
  handoff merge scratch/p0.json scratch/p1.json --format json")]
    Merge(MergeArgs),
}

#[derive(Args, Debug)]
pub struct ManifestArgs {
    /// Transcript files or directories, as for `audit`.
    #[arg(
        value_name = "INPUT",
        required_unless_present = "from_list",
        conflicts_with = "from_list"
    )]
    pub inputs: Vec<String>,

    /// Canonicalise a listing of names (one a line; `-` reads stdin), e.g. an object store's,
    /// into the order a directory walk reads them.
    #[arg(long, value_name = "FILE")]
    pub from_list: Option<String>,

    /// Follow symbolic links to directories while walking input directories.
    #[arg(long)]
    pub follow: bool,
}

/// The report flags of `audit` and `merge`: one struct, so a merged report takes exactly the
/// flags a single audit does.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Report format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table, help_heading = OUTPUT)]
    pub format: FormatArg,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE", help_heading = OUTPUT)]
    pub output: Option<PathBuf>,

    /// Also write the report as a self-contained HTML page to FILE (atomically), whatever
    /// --format says.
    #[arg(long, value_name = "FILE", help_heading = OUTPUT)]
    pub html: Option<PathBuf>,

    /// The full table on a terminal too (by default the table is fitted to the terminal's
    /// width; written to a file or a pipe it is always full).
    #[arg(long, help_heading = OUTPUT)]
    pub wide: bool,
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Partials written by `audit --emit-partial` (or `merge --emit-partial`), in any order.
    #[arg(required = true, value_name = "PARTIAL")]
    pub partials: Vec<PathBuf>,

    #[command(flatten)]
    pub report: ReportArgs,

    /// Exit with status 2 when any record was skipped.
    #[arg(long)]
    pub strict: bool,

    /// Write the merged partial to FILE (`-`: stdout) instead of a report; the partials
    /// need not cover every rank.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["output", "html", "strict"], help_heading = OUTPUT)]
    pub emit_partial: Option<PathBuf>,

    /// No warnings on stderr.
    #[arg(long, short = 'q', help_heading = TERMINAL)]
    pub quiet: bool,

    /// Colour in the report: auto, always, never (as for `audit`).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorArg::Auto,
          help_heading = TERMINAL)]
    pub color: ColorArg,
}

#[derive(Args, Debug)]
pub struct TopicsArgs {
    /// Transcript files or directories, as for `audit`.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Save the topics to FILE (TOML; edit names to rename, give two the same name to merge).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// At most this many topics (5 to 40) when their number is chosen automatically.
    #[arg(long, value_name = "N", default_value_t = 40, value_parser = clap::value_parser!(u16).range(2..=40))]
    pub max_topics: u16,

    /// Exactly this many topics (before tiny ones are folded into `other`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=200))]
    pub topics_k: Option<u16>,

    /// Show example requests without masking personal data.
    #[arg(long)]
    pub no_redact: bool,

    #[command(flatten)]
    pub read: ReadArgs,
}

const AUDIT_EXAMPLES: &str = "Examples:
  handoff audit sample-data/
  handoff audit tests/fixtures/intercom/ tests/fixtures/zendesk/tickets.jsonl
  handoff audit sample-data/ --format json --output scratch/summary.json
  handoff audit sample-data/ --html scratch/report.html --findings scratch/findings.parquet
  handoff audit sample-data/ --findings - --output scratch/report.txt | jq -c 'select(.needs_human)'
  handoff audit sample-data/ --filter bot_version=4.2.0 --compare-periods week
  zcat export.jsonl.gz | handoff audit -";

const CALIBRATE_EXAMPLES: &str = "Examples:
  handoff calibrate sample-data/
  handoff calibrate sample-data/ --csat-scale 1-5 --format json
  handoff calibrate sample-data/ --config scratch/handoff.toml --write-config scratch/handoff.toml";

const GATE_EXAMPLES: &str = "Examples:
  handoff gate --baseline sample-data/ --baseline-filter bot_version=4.1.0 \\
      --candidate sample-data/ --candidate-filter bot_version=4.2.0 \\
      --junit scratch/gate.xml --markdown scratch/gate.md
  handoff audit sample-data/ --filter bot_version=4.1.0 --format json -o scratch/baseline.json
  handoff gate --baseline scratch/baseline.json --candidate sample-data/transcripts.jsonl \\
      --candidate-filter bot_version=4.2.0";

/// `handoff completions SHELL`.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `handoff man [COMMAND]`.
#[derive(Args, Debug)]
pub struct ManArgs {
    /// A command (audit, gate, ...) for its own page, handoff-COMMAND(1); none for handoff(1).
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// `--color`: `auto` colours only a terminal (and not with `NO_COLOR`); `always` and
/// `never` decide regardless, `always` also over `NO_COLOR` (no-color.org lets a
/// command-line flag override it).
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorArg {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalibrateFormat {
    Table,
    Json,
}

#[derive(Args, Debug)]
pub struct CalibrateArgs {
    /// Transcript files or directories, as for `audit`; only conversations with CSAT (or
    /// with a --label-field value) are measured.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CalibrateFormat::Table, help_heading = OUTPUT)]
    pub format: CalibrateFormat,

    /// TOML configuration whose thresholds are measured.
    #[arg(long, value_name = "FILE", help_heading = SETTINGS)]
    pub config: Option<PathBuf>,

    /// Write the suggested thresholds into this config file (created if missing; other
    /// settings and comments, inline ones too, are kept). Often the same file as --config.
    #[arg(long, value_name = "FILE", help_heading = OUTPUT)]
    pub write_config: Option<PathBuf>,

    /// Measure against the team's own outcome instead of low CSAT: a yes/no field of each
    /// record (dotted path, e.g. metadata.escalated; a column of a per-message CSV), or
    /// PATH=VALUE for a field whose value VALUE means yes (status=reopened).
    #[arg(long, value_name = "PATH[=VALUE]", value_parser = label_field, help_heading = SETTINGS)]
    pub label_field: Option<LabelField>,

    /// Minimum labelled conversations for a category to get its own table.
    #[arg(long, value_name = "N", default_value_t = 50, help_heading = SETTINGS)]
    pub min_conversations: u64,

    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodArg {
    Week,
    Month,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateFormatArg {
    Table,
    Json,
    Markdown,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatArg {
    Table,
    Json,
    Csv,
    Markdown,
    /// A self-contained HTML page with charts and per-category drill-down.
    Html,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Transcript files or directories (searched recursively for .jsonl, .ndjson, .json,
    /// .transcript, .csv, each also .gz or .zst); `-` reads stdin. With --manifest: local
    /// copies of the files of --ranks, in rank order (default: the manifest's names).
    #[arg(required_unless_present = "manifest", value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Audit files of this manifest (`handoff manifest`); locations use its names.
    #[arg(long, value_name = "FILE", help_heading = SHARDING)]
    pub manifest: Option<PathBuf>,

    /// The manifest ranks to audit, A-B inclusive (default: all).
    #[arg(long, value_name = "A-B", requires = "manifest", help_heading = SHARDING)]
    pub ranks: Option<String>,

    /// Write the run's mergeable state (a partial, for `handoff merge`) to FILE (`-`:
    /// stdout) instead of a report.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["output", "html", "strict"],
          help_heading = SHARDING)]
    pub emit_partial: Option<PathBuf>,

    /// Bot answers kept per category by the repeated-answers summary; when a category has
    /// more distinct answers, rare ones are dropped and the report states by how much its
    /// counts may be low.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_ANSWERS_CAPACITY as u64,
          value_parser = clap::value_parser!(u64).range(1..=10_000_000), help_heading = SETTINGS)]
    pub answers_capacity: u64,

    #[command(flatten)]
    pub report: ReportArgs,

    /// Write per-conversation findings with reasons and evidence: .jsonl, .csv or .parquet;
    /// `-` writes JSON lines to stdout, and the report then goes to --output, or to stderr.
    #[arg(long, value_name = "FILE", help_heading = OUTPUT)]
    pub findings: Option<PathBuf>,

    /// TOML configuration (thresholds, weights, phrase lists, taxonomy).
    #[arg(long, value_name = "FILE", help_heading = SETTINGS)]
    pub config: Option<PathBuf>,

    /// Agent minutes per needs-human conversation, for the estimated agent hours.
    #[arg(long, value_name = "MINUTES", default_value_t = HANDLE_MINUTES, value_parser = minutes,
          help_heading = SETTINGS)]
    pub handle_minutes: f64,

    /// Show transcript text without masking e-mail addresses, phone, card and IBAN numbers.
    #[arg(long, help_heading = OUTPUT)]
    pub no_redact: bool,

    /// Exit with status 2 when any record was skipped.
    #[arg(long, help_heading = INPUT)]
    pub strict: bool,

    /// Audit only matching conversations: FIELD=VALUE[|VALUE...], FIELD!=VALUE, or
    /// started_at>=DATE (also >, <, <=); fields bot_version, channel, category, status,
    /// started_at. Repeat (or separate with commas) to require several.
    #[arg(long, value_name = "CLAUSE", help_heading = SELECTION)]
    pub filter: Vec<String>,

    #[command(flatten)]
    pub categories: CategoryArgs,

    /// Compare each category's latest week or month with the previous one (needs
    /// started_at) and flag significant rises in needs-human rate or drops in satisfaction.
    #[arg(long, value_enum, value_name = "PERIOD", help_heading = OUTPUT)]
    pub compare_periods: Option<PeriodArg>,

    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Args, Debug)]
pub struct GateArgs {
    /// Baseline: transcript files or directories, or one summary saved with
    /// `handoff audit --format json`.
    #[arg(long, required = true, num_args = 1.., value_name = "INPUT", help_heading = INPUT)]
    pub baseline: Vec<String>,

    /// Candidate: transcript files or directories, or one saved summary.
    #[arg(long, required = true, num_args = 1.., value_name = "INPUT", help_heading = INPUT)]
    pub candidate: Vec<String>,

    /// Select baseline conversations, e.g. bot_version=4.1.0 (syntax as audit --filter).
    #[arg(long, value_name = "CLAUSE", help_heading = SELECTION)]
    pub baseline_filter: Vec<String>,

    /// Select candidate conversations, e.g. bot_version=4.2.0.
    #[arg(long, value_name = "CLAUSE", help_heading = SELECTION)]
    pub candidate_filter: Vec<String>,

    /// TOML configuration: the [gate] rules, and the detection settings for transcripts.
    #[arg(long, value_name = "FILE", help_heading = SETTINGS)]
    pub config: Option<PathBuf>,

    /// Format of the report on stdout.
    #[arg(long, value_enum, default_value_t = GateFormatArg::Table, help_heading = OUTPUT)]
    pub format: GateFormatArg,

    /// Also write a JUnit XML report (one test case per rule and category).
    #[arg(long, value_name = "FILE", help_heading = OUTPUT)]
    pub junit: Option<PathBuf>,

    /// Also write a Markdown report (for a pull-request comment).
    #[arg(long, value_name = "FILE", help_heading = OUTPUT)]
    pub markdown: Option<PathBuf>,

    /// Show transcript text (looping answers) without masking personal data.
    #[arg(long, help_heading = OUTPUT)]
    pub no_redact: bool,

    /// Exit with status 2 when any record was skipped.
    #[arg(long, help_heading = INPUT)]
    pub strict: bool,

    /// Categories for both sides, chosen on the baseline (topics discovered on it are used
    /// for the candidate too, so both are cut the same way).
    #[command(flatten)]
    pub categories: CategoryArgs,

    #[command(flatten)]
    pub read: ReadArgs,
}

/// `--categories`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoriesArg {
    /// The export's category (or --category-field); `uncategorized` without one.
    Export,
    /// Topics learned from the input's customer requests, for every conversation.
    Discover,
    /// The export's category, else the keyword taxonomy ([taxonomy], or the built-in
    /// consumer-finance example).
    Taxonomy,
}

/// Where categories come from (audit and gate).
#[derive(Args, Debug)]
#[command(next_help_heading = "Categories")]
pub struct CategoryArgs {
    /// Where categories come from. Default: a topics file or taxonomy in the config if
    /// any, else the export's when most conversations have one, else discovered topics.
    #[arg(long, value_enum, value_name = "SOURCE", conflicts_with = "topics")]
    pub categories: Option<CategoriesArg>,

    /// Categories from a topics file (`handoff topics --output`): each conversation gets its
    /// nearest topic, or `other` when none is close.
    #[arg(long, value_name = "FILE")]
    pub topics: Option<PathBuf>,

    /// Discover exactly this many topics (before tiny ones are folded into `other`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=200))]
    pub topics_k: Option<u16>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowFormat {
    Table,
    Json,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Example: handoff list exports/ --category refunds | head -1 | cut -f1 \
                        | xargs -I{} handoff show {} exports/"
)]
pub struct ShowArgs {
    /// The conversation id, as in the report and the findings file.
    #[arg(value_name = "ID")]
    pub id: String,

    /// Transcript files or directories, as for `audit`; read in order until the id is found.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Output format (json: messages keep their 0-based index beside the 1-based number).
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,

    /// TOML configuration (thresholds, weights, phrase lists, taxonomy).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Show transcript text without masking e-mail addresses, phone, card and IBAN numbers.
    #[arg(long)]
    pub no_redact: bool,

    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Transcript files or directories, as for `audit`.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Only conversations in this category (the final category, as the report names it).
    #[arg(long, value_name = "NAME")]
    pub category: Option<String>,

    /// Only conversations with this reason code (e.g. bot_loop; see the README).
    #[arg(long, value_name = "CODE")]
    pub reason: Option<String>,

    /// Every audited conversation, not only those that need a human.
    #[arg(long)]
    pub all: bool,

    /// TOML configuration (thresholds, weights, phrase lists, taxonomy).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Where to write the configuration; `-` prints it.
    #[arg(value_name = "FILE", default_value = "handoff.toml")]
    pub path: PathBuf,

    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

// `--help` headings; clap lists the groups in the order their first flag is declared.
const INPUT: &str = "Input";
const SELECTION: &str = "Selection";
const OUTPUT: &str = "Output";
const SETTINGS: &str = "Settings";
const TERMINAL: &str = "Terminal";
const SHARDING: &str = "Sharding (docs/scale-out.md)";
const CSV_COLUMNS: &str = "Per-message CSV columns";

/// How transcripts are read and assessed: shared by audit, calibrate and gate.
#[derive(Args, Debug)]
#[command(next_help_heading = INPUT)]
pub struct ReadArgs {
    /// Dotted path to the category, e.g. metadata.intent: used when a canonical record has no
    /// `category`, and before a vendor format's own category.
    #[arg(long, value_name = "PATH", value_parser = field_path)]
    pub category_field: Option<FieldPath>,

    /// Survey scale of `csat` values, e.g. 1-5, 0-10, 1-7.
    #[arg(long, value_name = "MIN-MAX", default_value = "1-5", value_parser = csat_scale)]
    pub csat_scale: CsatScaleArg,

    /// No progress bar and no warnings on stderr.
    #[arg(long, short = 'q', help_heading = TERMINAL)]
    pub quiet: bool,

    /// Colour in the report: auto (only on a terminal, and not when NO_COLOR is set),
    /// always (also into pipes and files, and over NO_COLOR), never.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorArg::Auto,
          help_heading = TERMINAL)]
    pub color: ColorArg,

    /// Worker threads (default: one per core; at most 1024).
    #[arg(long, value_name = "N", value_parser = threads, help_heading = TERMINAL)]
    pub threads: Option<usize>,

    /// Skip any record larger than SIZE (a JSON line, an array element, a JSON document or
    /// an element of its list, a CSV line) instead of reading it into memory; reading
    /// resumes after it. Bytes, or with K, M or G (powers of 1024), e.g. 64M.
    #[arg(long, value_name = "SIZE", default_value = "32M", value_parser = byte_size)]
    pub max_record_bytes: usize,

    /// Show at most N categories, the largest by conversations (ties by name); the rest
    /// are folded into one `other (M categories)` row. Default: `[recommend]
    /// max_categories` in the config, else 1000.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub max_categories: Option<u64>,

    /// Follow symbolic links to directories while walking input directories (each
    /// directory is walked once, so a link loop ends). Links to files are always read.
    #[arg(long)]
    pub follow: bool,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub csv: CsvArgs,
}

/// How inputs are read: their format and, for unknown exports, a field mapping.
#[derive(Args, Debug)]
#[command(next_help_heading = INPUT)]
pub struct InputArgs {
    /// Read every input as this format instead of detecting it (see `handoff formats`).
    #[arg(long, value_name = "NAME", value_parser = input_format)]
    pub input_format: Option<&'static FormatSpec>,

    /// TOML file naming the fields of an export no built-in format reads (docs/formats.md).
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
}

/// Column names of per-message CSV input.
#[derive(Args, Debug)]
#[command(next_help_heading = CSV_COLUMNS)]
pub struct CsvArgs {
    /// CSV column holding the conversation id.
    #[arg(long, value_name = "COLUMN", default_value = "conversation_id")]
    pub csv_id: String,
    /// CSV column holding the role.
    #[arg(long, value_name = "COLUMN", default_value = "role")]
    pub csv_role: String,
    /// CSV column holding the message text.
    #[arg(long, value_name = "COLUMN", default_value = "text")]
    pub csv_text: String,
    /// CSV column holding the message timestamp.
    #[arg(long, value_name = "COLUMN", default_value = "ts")]
    pub csv_ts: String,
    /// CSV column holding the category.
    #[arg(long, value_name = "COLUMN", default_value = "category")]
    pub csv_category: String,
    /// CSV column holding the CSAT score.
    #[arg(long, value_name = "COLUMN", default_value = "csat")]
    pub csv_csat: String,
}

/// `--csat-scale` parsed, with the text as given: the summary and the detection fingerprint
/// quote the user's spelling (`1..7`), not a normalised one.
#[derive(Debug, Clone)]
pub struct CsatScaleArg {
    pub scale: CsatScale,
    pub text: String,
}

/// `--category-field a.b.c`, split at the dots. A newtype, as clap's derive would read a bare
/// `Option<Vec<String>>` as a flag taking several values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath(pub Vec<String>);

// Value parsers. clap prints "invalid value '<TEXT>' for '<FLAG>': <message>", so the
// messages say only what was expected.

/// Most worker threads `--threads` takes: far more than any machine's cores, few enough
/// that a typo (`--threads 100000`) does not try to start a hundred thousand threads.
pub const MAX_THREADS: usize = 1024;

/// `--threads`: a pool without workers would never finish.
fn threads(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) if n > MAX_THREADS => Err(format!("must be at most {MAX_THREADS}")),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("expected a whole number from 1 to {MAX_THREADS}")),
    }
}

/// `--max-record-bytes`: `1048576`, `512K`, `64M`, `1G` (also `KiB`, `MB`...: every
/// multiple is a power of 1024).
fn byte_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => return Err("expected a size such as 1048576, 512K, 64M or 1G".into()),
    };
    let n: usize = number
        .parse()
        .map_err(|_| "expected a size such as 1048576, 512K, 64M or 1G".to_string())?;
    match n.checked_mul(1 << shift) {
        Some(0) => Err("must be at least 1 byte".into()),
        Some(bytes) => Ok(bytes),
        None => Err("too large".into()),
    }
}

fn csat_scale(text: &str) -> Result<CsatScaleArg, String> {
    match CsatScale::parse(text) {
        Some(scale) => Ok(CsatScaleArg {
            scale,
            text: text.to_string(),
        }),
        None => Err("expected MIN-MAX with MIN < MAX, e.g. 1-5 or 0-10".into()),
    }
}

/// `--handle-minutes`: agent hours from NaN, infinite or negative minutes mean nothing.
fn minutes(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(m) if m.is_finite() && m >= 0.0 => Ok(m),
        _ => Err("expected a non-negative number of minutes".into()),
    }
}

fn input_format(name: &str) -> Result<&'static FormatSpec, String> {
    formats::find(name)
        .ok_or_else(|| format!("unknown format; known: {}", formats::names().join(", ")))
}

fn label_field(text: &str) -> Result<LabelField, String> {
    LabelField::parse(text)
}

fn field_path(text: &str) -> Result<FieldPath, String> {
    let parts: Vec<String> = text.split('.').map(str::to_string).collect();
    if parts.iter().any(String::is_empty) {
        return Err("expected a dotted path such as metadata.intent".into());
    }
    Ok(FieldPath(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `handoff audit in.jsonl EXTRA...` and returns clap's error text, if any.
    fn audit_error(extra: &[&str]) -> Option<String> {
        let args = ["handoff", "audit", "in.jsonl"].iter().chain(extra);
        Cli::try_parse_from(args).err().map(|e| e.to_string())
    }

    fn audit(extra: &[&str]) -> AuditArgs {
        let args = ["handoff", "audit", "in.jsonl"].iter().chain(extra);
        match Cli::try_parse_from(args) {
            Ok(Cli {
                command: Command::Audit(a),
            }) => a,
            other => panic!("expected audit arguments, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_parsed_like_given_values() {
        let a = audit(&[]);
        assert_eq!(a.read.csat_scale.scale, CsatScale { min: 1.0, max: 5.0 });
        assert_eq!(a.read.csat_scale.text, "1-5");
        assert_eq!(a.handle_minutes, HANDLE_MINUTES);
        assert_eq!(a.read.threads, None);
        assert!(a.read.input.input_format.is_none());
        assert!(a.read.category_field.is_none());
    }

    #[test]
    fn threads_must_be_between_1_and_1024() {
        assert_eq!(audit(&["--threads", "3"]).read.threads, Some(3));
        let e = audit_error(&["--threads", "0"]).expect("0 is refused");
        assert!(e.contains("--threads") && e.contains("at least 1"), "{e}");
        let e = audit_error(&["--threads", "two"]).expect("a word is refused");
        assert!(e.contains("--threads") && e.contains("whole number"), "{e}");
        assert_eq!(audit(&["--threads", "1024"]).read.threads, Some(1024));
        let e = audit_error(&["--threads", "1025"]).expect("too many");
        assert!(e.contains("--threads") && e.contains("at most 1024"), "{e}");
        let e = audit_error(&["--threads", "99999999999999999999999"]).expect("overflow");
        assert!(e.contains("--threads"), "{e}");
    }

    #[test]
    fn max_record_bytes_takes_sizes_with_binary_units() {
        assert_eq!(
            audit(&[]).read.max_record_bytes,
            handoff::ingest::DEFAULT_MAX_RECORD_BYTES,
            "the default is the library's"
        );
        assert_eq!(
            audit(&["--max-record-bytes", "1000"]).read.max_record_bytes,
            1000
        );
        assert_eq!(
            audit(&["--max-record-bytes", "64M"]).read.max_record_bytes,
            64 << 20
        );
        assert_eq!(
            audit(&["--max-record-bytes", "2kib"]).read.max_record_bytes,
            2048
        );
        for bad in ["0", "-5", "1T", "lots", "99999999999999999999G"] {
            let arg = format!("--max-record-bytes={bad}");
            let e = audit_error(&[&arg]).expect("refused");
            assert!(e.contains("--max-record-bytes"), "{bad}: {e}");
        }
    }

    #[test]
    fn csat_scale_keeps_the_text_as_given() {
        let s = audit(&["--csat-scale", "0..10"]).read.csat_scale;
        assert_eq!(
            s.scale,
            CsatScale {
                min: 0.0,
                max: 10.0
            }
        );
        assert_eq!(s.text, "0..10");
        for bad in ["5-1", "3-3", "five", "", "0-inf", "NaN-5", "1-nan"] {
            let e = audit_error(&["--csat-scale", bad]).expect("refused");
            assert!(
                e.contains("--csat-scale") && e.contains("MIN < MAX"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn handle_minutes_must_be_finite_and_not_negative() {
        assert_eq!(audit(&["--handle-minutes", "0"]).handle_minutes, 0.0);
        assert_eq!(audit(&["--handle-minutes", "12.5"]).handle_minutes, 12.5);
        for bad in [
            "--handle-minutes=-1",
            "--handle-minutes=NaN",
            "--handle-minutes=inf",
        ] {
            let e = audit_error(&[bad]).expect("refused");
            assert!(
                e.contains("--handle-minutes") && e.contains("non-negative"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn input_format_is_a_known_name_and_the_error_lists_them() {
        let f = audit(&["--input-format", "Zendesk"])
            .read
            .input
            .input_format;
        assert_eq!(f.map(|f| f.name), Some("zendesk"));
        let e = audit_error(&["--input-format", "freshdesk"]).expect("refused");
        assert!(
            e.contains("--input-format") && e.contains("freshdesk"),
            "{e}"
        );
        for name in formats::names() {
            assert!(e.contains(name), "{name} missing: {e}");
        }
    }

    #[test]
    fn category_field_is_a_dotted_path_without_empty_parts() {
        let p = audit(&["--category-field", "metadata.intent"])
            .read
            .category_field;
        assert_eq!(p, Some(FieldPath(vec!["metadata".into(), "intent".into()])));
        for bad in ["", "a..b", ".a", "a."] {
            let e = audit_error(&["--category-field", bad]).expect("refused");
            assert!(
                e.contains("--category-field") && e.contains("dotted path"),
                "{bad:?}: {e}"
            );
        }
    }
}
