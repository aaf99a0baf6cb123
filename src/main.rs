//! The `handoff` binary, thin in the manner of ripgrep's `main`: parse the arguments (`cli`),
//! hand them to one command (`commands`), and turn what it returns into the process exit code
//! here and nowhere else, so that the codes README "Exit codes" promises are one match:
//! 0 success, 1 failed gate, 2 any error (clap's own usage errors exit 2 before this runs).

mod cli;
mod commands;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use commands::Outcome;

fn main() -> ExitCode {
    let command = Cli::parse().command;
    // Before any output file exists: an interrupted run must not leave a temporary behind.
    if let Err(e) = handoff::output::remove_temporaries_on_signals() {
        eprintln!("handoff: warning: {e}");
    }
    let result = match command {
        Command::Audit(args) => commands::audit::run(args),
        Command::Calibrate(args) => commands::calibrate::run(args),
        Command::Gate(args) => commands::gate::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Formats => commands::formats::run(),
        Command::Completions(args) => commands::completions::run(args),
        Command::Man(args) => commands::man::run(args),
        Command::Show(args) => commands::show::run(args),
        Command::List(args) => commands::list::run(args),
        Command::Topics(args) => commands::topics::run(args),
        Command::Manifest(args) => commands::manifest::run(args),
        Command::Merge(args) => commands::merge::run(args),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::GateFailed) => ExitCode::from(1),
        // `handoff audit ... | head`: the reader left; nothing more to say.
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            // Errors quote paths and values from the input: no escape sequence gets through.
            eprintln!(
                "handoff: error: {}",
                handoff::terminal_lines(&e.to_string())
            );
            ExitCode::from(2)
        }
    }
}
