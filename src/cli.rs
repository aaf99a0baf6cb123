//! Command-line arguments. This layer only parses and wires stages (see `main`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "handoff",
    version,
    about = "Audit chatbot transcripts and show, per category, where humans are needed",
    after_help = "Exit codes: 0 ok; 2 usage error, unreadable input or undetectable input format, or (with --strict) skipped records."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Audit transcripts and report, per category, where the bot fails and humans are needed.
    Audit(Box<AuditArgs>),
    /// List the input formats `audit` reads, one line each.
    Formats,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatArg {
    Table,
    Json,
    Csv,
    Markdown,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Transcript files or directories (searched recursively for .jsonl, .ndjson, .json,
    /// .transcript, .csv, each also .gz or .zst); `-` reads stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Read every input as this format instead of detecting it (see `handoff formats`).
    #[arg(long, value_name = "NAME")]
    pub input_format: Option<String>,

    /// TOML file naming the fields of an export no built-in format reads (docs/formats.md).
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,

    /// Report format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write per-conversation findings with reasons and evidence: .jsonl, .csv or .parquet.
    #[arg(long, value_name = "FILE")]
    pub findings: Option<PathBuf>,

    /// TOML configuration (thresholds, weights, phrase lists, taxonomy).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Dotted path to the category, e.g. metadata.intent: used when a canonical record has no
    /// `category`, and before a vendor format's own category.
    #[arg(long, value_name = "PATH")]
    pub category_field: Option<String>,

    /// Survey scale of `csat` values, e.g. 1-5, 0-10, 1-7.
    #[arg(long, value_name = "MIN-MAX", default_value = "1-5")]
    pub csat_scale: String,

    /// Agent minutes per needs-human conversation, for the estimated agent hours.
    #[arg(long, value_name = "MINUTES", default_value_t = 8.0)]
    pub handle_minutes: f64,

    /// Show transcript text without masking e-mail addresses, phone, card and IBAN numbers.
    #[arg(long)]
    pub no_redact: bool,

    /// Exit with status 2 when any record was skipped.
    #[arg(long)]
    pub strict: bool,

    /// No progress bar and no warnings on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    #[command(flatten)]
    pub csv: CsvArgs,
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
