//! `handoff init`: write the commented starter configuration, refusing to overwrite a file
//! without `--force`.

use handoff::config::STARTER;
use handoff::error::{Error, Result};
use handoff::terminal;

use handoff::output;

use super::{write_stdout, Outcome};
use crate::cli::InitArgs;

pub fn run(args: InitArgs) -> Result<Outcome> {
    if args.path.as_os_str() == "-" {
        write_stdout(STARTER)?;
        return Ok(Outcome::Success);
    }
    // Only a file is "already there": a FIFO or a device is written through.
    if output::replaces_existing_file(&args.path) && !args.force {
        return Err(Error::Usage(format!(
            "{} already exists; use --force to overwrite it",
            args.path.display()
        )));
    }
    output::write_file(&args.path, STARTER.as_bytes())?;
    let path = args.path.display().to_string();
    let path = terminal(&path);
    eprintln!(
        "handoff: wrote {path}; edit its [gate] section, then run \
         handoff gate --config {path} --baseline B --candidate C"
    );
    Ok(Outcome::Success)
}
