//! Command-line arguments. This layer only parses and wires stages (see `main`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "handoff",
    version,
    about = "Audit chatbot transcripts and show, per category, where humans are needed",
    after_help = "Exit codes: 0 ok (gate passed); 1 gate failed; 2 usage error, bad config, \
                  unreadable input or undetectable input format, or (with --strict) skipped \
                  records."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Audit transcripts and report, per category, where the bot fails and humans are needed.
    Audit(AuditArgs),
    /// Measure how well each signal predicts low CSAT on conversations that carry a survey
    /// score, and suggest thresholds for this data.
    Calibrate(CalibrateArgs),
    /// Compare a candidate release against a baseline; exit 1 when a rule fails.
    Gate(GateArgs),
    /// Write a commented starter configuration (handoff.toml) with the gate rules.
    Init(InitArgs),
    /// List the input formats `audit`, `calibrate` and `gate` read, one line each.
    Formats,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalibrateFormat {
    Table,
    Json,
}

#[derive(Args, Debug)]
pub struct CalibrateArgs {
    /// Transcript files or directories, as for `audit`; only conversations with CSAT are measured.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CalibrateFormat::Table)]
    pub format: CalibrateFormat,

    /// TOML configuration whose thresholds are measured.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Write the suggested thresholds into this config file (created if missing; other
    /// settings and comments are kept). Often the same file as --config.
    #[arg(long, value_name = "FILE")]
    pub write_config: Option<PathBuf>,

    /// Minimum conversations with CSAT for a category to get its own table.
    #[arg(long, value_name = "N", default_value_t = 50)]
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
    /// .transcript, .csv, each also .gz or .zst); `-` reads stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Report format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write the report as a self-contained HTML page to FILE (atomically), whatever
    /// --format says.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Write per-conversation findings with reasons and evidence: .jsonl, .csv or .parquet.
    #[arg(long, value_name = "FILE")]
    pub findings: Option<PathBuf>,

    /// TOML configuration (thresholds, weights, phrase lists, taxonomy).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Agent minutes per needs-human conversation, for the estimated agent hours.
    #[arg(long, value_name = "MINUTES", default_value_t = 8.0)]
    pub handle_minutes: f64,

    /// Show transcript text without masking e-mail addresses, phone, card and IBAN numbers.
    #[arg(long)]
    pub no_redact: bool,

    /// Exit with status 2 when any record was skipped.
    #[arg(long)]
    pub strict: bool,

    /// Audit only matching conversations: FIELD=VALUE[|VALUE...], FIELD!=VALUE, or
    /// started_at>=DATE (also >, <, <=); fields bot_version, channel, category, status,
    /// started_at. Repeat (or separate with commas) to require several.
    #[arg(long, value_name = "CLAUSE")]
    pub filter: Vec<String>,

    /// Compare each category's latest week or month with the previous one (needs
    /// started_at) and flag significant rises in needs-human rate or drops in satisfaction.
    #[arg(long, value_enum, value_name = "PERIOD")]
    pub compare_periods: Option<PeriodArg>,

    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Args, Debug)]
pub struct GateArgs {
    /// Baseline: transcript files or directories, or one summary saved with
    /// `handoff audit --format json`.
    #[arg(long, required = true, num_args = 1.., value_name = "INPUT")]
    pub baseline: Vec<String>,

    /// Candidate: transcript files or directories, or one saved summary.
    #[arg(long, required = true, num_args = 1.., value_name = "INPUT")]
    pub candidate: Vec<String>,

    /// Select baseline conversations, e.g. bot_version=4.1.0 (syntax as audit --filter).
    #[arg(long, value_name = "CLAUSE")]
    pub baseline_filter: Vec<String>,

    /// Select candidate conversations, e.g. bot_version=4.2.0.
    #[arg(long, value_name = "CLAUSE")]
    pub candidate_filter: Vec<String>,

    /// TOML configuration: the [gate] rules, and the detection settings for transcripts.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Format of the report on stdout.
    #[arg(long, value_enum, default_value_t = GateFormatArg::Table)]
    pub format: GateFormatArg,

    /// Also write a JUnit XML report (one test case per rule and category).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Also write a Markdown report (for a pull-request comment).
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,

    /// Show transcript text (looping answers) without masking personal data.
    #[arg(long)]
    pub no_redact: bool,

    /// Exit with status 2 when any record was skipped.
    #[arg(long)]
    pub strict: bool,

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

/// How inputs are read: their format and, for unknown exports, a field mapping.
/// How transcripts are read and assessed: shared by audit, calibrate and gate.
#[derive(Args, Debug)]
pub struct ReadArgs {
    /// Dotted path to the category, e.g. metadata.intent: used when a canonical record has no
    /// `category`, and before a vendor format's own category.
    #[arg(long, value_name = "PATH")]
    pub category_field: Option<String>,

    /// Survey scale of `csat` values, e.g. 1-5, 0-10, 1-7.
    #[arg(long, value_name = "MIN-MAX", default_value = "1-5")]
    pub csat_scale: String,

    /// No progress bar and no warnings on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub csv: CsvArgs,
}

#[derive(Args, Debug)]
pub struct InputArgs {
    /// Read every input as this format instead of detecting it (see `handoff formats`).
    #[arg(long, value_name = "NAME")]
    pub input_format: Option<String>,

    /// TOML file naming the fields of an export no built-in format reads (docs/formats.md).
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
}

/// Column names of per-message CSV input.
#[derive(Args, Debug)]
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
