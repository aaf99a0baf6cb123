//! One file per subcommand, in the manner of qsv's `src/cmd/*.rs`: each `run` takes its
//! parsed arguments and returns an [`Outcome`] or an error, and leaves printing the error
//! and choosing the exit code to `main`. A failed gate is an outcome, not an error: the
//! gate's reports are complete and were written. What several commands share (reading
//! setup, the terminal decisions, writing output) is here and in `setup`, not copied.

pub mod audit;
pub mod calibrate;
pub mod completions;
pub mod formats;
pub mod gate;
pub mod init;
pub mod list;
pub mod man;
pub mod manifest;
pub mod merge;
mod setup;
pub mod show;
pub mod topics;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use handoff::error::{Error, Result};
use handoff::filter::Filter;
use handoff::output::{self, AtomicFile};
use handoff::summary::InputAccounting;
use handoff::terminal_lines;

use crate::cli::ColorArg;

/// How a command that ran to its end turned out; `main` maps each to the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// `handoff gate`: at least one rule failed (exit 1).
    GateFailed,
}

/// Which of stdout and stderr are terminals.
#[derive(Debug, Clone, Copy)]
struct Terminals {
    stdout: bool,
    stderr: bool,
}

/// What this run may draw on the terminal, decided once per command from its flags and the
/// environment, so that no renderer or stage asks the terminal itself.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    /// ANSI colour in the report: stdout is a terminal, the report is not going to a file,
    /// and `NO_COLOR` is unset or empty (no-color.org).
    pub color: bool,
    /// The progress bar: stderr is a terminal and not `--quiet`.
    pub progress: bool,
    /// `--quiet`: no warnings or notes on stderr either.
    pub quiet: bool,
}

impl Ui {
    /// `to_file`: the report goes to a file (`--output`), where escape codes do not belong.
    pub fn new(quiet: bool, to_file: bool) -> Ui {
        Ui::decide(
            quiet,
            to_file,
            Terminals {
                stdout: std::io::stdout().is_terminal(),
                stderr: std::io::stderr().is_terminal(),
            },
            std::env::var_os("NO_COLOR"),
        )
    }

    /// The rule itself, apart from the process's terminals and environment.
    fn decide(quiet: bool, to_file: bool, tty: Terminals, no_color: Option<OsString>) -> Ui {
        let no_color = no_color.is_some_and(|v| !v.is_empty());
        Ui {
            color: tty.stdout && !to_file && !no_color,
            progress: tty.stderr && !quiet,
            quiet,
        }
    }

    /// `--color always|never` overrides the `auto` rule of [`Ui::decide`]; `always` wins
    /// over `NO_COLOR` and a report going to a pipe or a file, as a flag given on purpose.
    pub fn color_choice(mut self, choice: ColorArg) -> Ui {
        match choice {
            ColorArg::Auto => {}
            ColorArg::Always => self.color = true,
            ColorArg::Never => self.color = false,
        }
        self
    }

    /// A warning on stderr unless `--quiet`, its control characters escaped.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            eprintln!("handoff: warning: {}", terminal_lines(message));
        }
    }
}

/// Columns of the terminal on stdout: `COLUMNS` when set to a number (as shells export it,
/// and as tests fix it), else the terminal's own size; `None` when neither is known.
fn terminal_width() -> Option<usize> {
    let from_env = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse().ok());
    from_env.filter(|&w: &usize| w > 0).or_else(window_columns)
}

#[cfg(unix)]
fn window_columns() -> Option<usize> {
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one winsize into the struct passed; stdout stays open.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

#[cfg(not(unix))]
fn window_columns() -> Option<usize> {
    None
}

/// Warnings about what a run read but could not use as given, beyond skipped records
/// (which each command counts itself): paths a directory walk passed over, and start
/// times that left conversations undated.
fn warn_accounting(ui: &Ui, input: &InputAccounting) {
    for p in &input.paths_skipped {
        let n = p.count;
        let first = p.first.first().map(String::as_str).unwrap_or("");
        let more = if n > 1 {
            format!(" (and {} more)", n - 1)
        } else {
            String::new()
        };
        ui.warn(&format!(
            "{n} path(s) not read ({}): {first}{more}",
            p.reason
        ));
    }
    for u in &input.undated_reasons {
        let first = u.first.first().map(String::as_str).unwrap_or("");
        ui.warn(&format!(
            "{} conversation(s) undated ({}), e.g. {first}",
            u.count, u.reason
        ));
    }
}

/// The error for a run that audited nothing, with the input accounting and each skip
/// reason's count and first location, so the one message says what to fix.
fn nothing_audited(input: &InputAccounting) -> Error {
    let mut why = if input.records_read == 0 {
        format!("no record in {} file(s)", input.files.len())
    } else {
        format!(
            "{} record(s) read from {} file(s), {} skipped",
            input.records_read,
            input.files.len(),
            input.skipped
        )
    };
    if let Some(f) = &input.filter {
        why.push_str(&format!(", {} filtered out by {f}", input.filtered_out));
    }
    for r in &input.skip_reasons {
        why.push_str(&format!("\n  {} × {}", r.count, r.reason));
        if let Some(first) = r.first.first() {
            why.push_str(&format!(", first {first}"));
        }
    }
    Error::NothingAudited(why)
}

fn parse_filter(flag: &str, clauses: &[String]) -> Result<Option<Filter>> {
    Filter::parse(clauses).map_err(|e| Error::Usage(format!("{flag}: {e}")))
}

/// Two flags naming the same output file are an error: the second would silently replace
/// the first. `outputs` pairs each flag with its path, when given.
fn distinct_outputs(outputs: &[(&str, Option<&Path>)]) -> Result<()> {
    let given: Vec<(&str, &Path)> = outputs
        .iter()
        .filter_map(|(flag, path)| path.map(|p| (*flag, p)))
        .collect();
    for (i, (flag, path)) in given.iter().enumerate() {
        if let Some((other, _)) = given[..i]
            .iter()
            .find(|(_, p)| output::same_target(p, path))
        {
            return Err(Error::Usage(format!(
                "{other} and {flag} name the same file ({}); give each its own",
                path.display()
            )));
        }
    }
    Ok(())
}

/// Opens an output file before any transcript is read, so a path that cannot be written
/// fails at once rather than after the audit.
fn create_output(path: Option<&Path>) -> Result<Option<AtomicFile>> {
    path.map(AtomicFile::create).transpose()
}

/// The outputs an audit must not read as inputs (they would be replaced by their own
/// report), for `AuditRequest::outputs`.
fn output_paths(outputs: &[(&str, Option<&Path>)]) -> Vec<(String, PathBuf)> {
    outputs
        .iter()
        .filter_map(|(flag, path)| path.map(|p| (flag.to_string(), p.to_path_buf())))
        .collect()
}

/// Writes `text` to an output opened by [`create_outputs`] and commits it.
fn write_output(file: AtomicFile, text: &str) -> Result<()> {
    output::write_all(file, text.as_bytes())
}

/// A closed pipe surfaces as `Error::Stdout`, which `main` ends quietly.
fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(Error::Stdout)?;
    out.flush().map_err(Error::Stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: Terminals = Terminals {
        stdout: true,
        stderr: true,
    };

    #[test]
    fn colour_only_on_a_terminal_without_no_color_and_not_into_a_file() {
        assert!(Ui::decide(false, false, BOTH, None).color);
        // no-color.org: an empty NO_COLOR is as if unset.
        assert!(Ui::decide(false, false, BOTH, Some("".into())).color);
        assert!(!Ui::decide(false, false, BOTH, Some("1".into())).color);
        assert!(!Ui::decide(false, true, BOTH, None).color);
        let piped = Terminals {
            stdout: false,
            stderr: true,
        };
        assert!(!Ui::decide(false, false, piped, None).color);
        // --quiet silences stderr, not the report's colour.
        assert!(Ui::decide(true, false, BOTH, None).color);
    }

    #[test]
    fn color_flag_overrides_the_auto_rule_both_ways() {
        let piped = Terminals {
            stdout: false,
            stderr: false,
        };
        let auto_off = Ui::decide(false, true, piped, Some("1".into()));
        assert!(!auto_off.color_choice(ColorArg::Auto).color);
        assert!(auto_off.color_choice(ColorArg::Always).color);
        let auto_on = Ui::decide(false, false, BOTH, None);
        assert!(auto_on.color_choice(ColorArg::Auto).color);
        assert!(!auto_on.color_choice(ColorArg::Never).color);
        // Only colour: the progress bar and warnings keep their own rules.
        assert!(auto_on.color_choice(ColorArg::Never).progress);
    }

    #[test]
    fn progress_only_on_a_terminal_stderr_and_not_quiet() {
        assert!(Ui::decide(false, false, BOTH, None).progress);
        assert!(!Ui::decide(true, false, BOTH, None).progress);
        let logged = Terminals {
            stdout: true,
            stderr: false,
        };
        assert!(!Ui::decide(false, false, logged, None).progress);
        // Writing the report to a file does not hide the bar; NO_COLOR does not either.
        assert!(Ui::decide(false, true, BOTH, Some("1".into())).progress);
    }
}
