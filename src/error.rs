//! One error type for the whole pipeline. Everything flows to `main`, which prints the message
//! once and exits 2 (see README "Exit codes"). A failed gate is not an error: the gate command
//! reports it as an outcome (exit 1).

use std::fmt;
use std::io;
use std::path::PathBuf;

#[derive(Debug)]
pub enum Error {
    /// Bad flags or flag combinations (exit 2).
    Usage(String),
    /// A configuration file that does not parse or names an unknown key (exit 2).
    Config { path: PathBuf, message: String },
    /// An input that cannot be opened or read at all (exit 2).
    Input { path: String, source: io::Error },
    /// A whole input is unusable (e.g. an invalid JSON array, a CSV without the needed columns).
    InputFormat { path: String, message: String },
    /// `--strict` and some records were skipped (exit 2).
    Strict { skipped: u64 },
    /// No conversation was audited (empty input, every record skipped or filtered out):
    /// a report of zeros is not a result (exit 2). The text says what was read and why
    /// nothing was kept.
    NothingAudited(String),
    /// Writing a report or findings file failed (exit 2).
    Output { path: String, source: io::Error },
    /// Writing to stdout failed; a closed pipe is reported quietly by `main`.
    Stdout(io::Error),
    /// Aggregation or Parquet failures surfaced from polars.
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// True when the error is only that the reader of stdout went away (`handoff audit | head`),
    /// also when the report reaches it through `-o /dev/stdout` or a FIFO.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Error::Stdout(e) | Error::Output { source: e, .. } => {
                e.kind() == io::ErrorKind::BrokenPipe
            }
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) => write!(f, "{m}"),
            Error::Config { path, message } => write!(f, "config {}: {message}", path.display()),
            Error::Input { path, source } => write!(f, "cannot read {path}: {source}"),
            Error::InputFormat { path, message } => write!(f, "{path}: {message}"),
            Error::Strict { skipped } => write!(
                f,
                "--strict: {skipped} record(s) were skipped (see the report's input accounting)"
            ),
            Error::NothingAudited(why) => write!(f, "nothing audited: {why}"),
            Error::Output { path, source } => write!(f, "cannot write {path}: {source}"),
            Error::Stdout(e) => write!(f, "cannot write to stdout: {e}"),
            Error::Internal(m) => write!(f, "internal error: {m}"),
        }
    }
}

impl std::error::Error for Error {}
