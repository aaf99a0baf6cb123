//! `handoff init`: write the commented starter configuration, refusing to overwrite a file
//! without `--force`.

use handoff::config::STARTER;
use handoff::error::{Error, Result};
use handoff::terminal;

use super::{write_file, write_stdout, Outcome};
use crate::cli::InitArgs;

pub fn run(args: InitArgs) -> Result<Outcome> {
    if args.path.as_os_str() == "-" {
        write_stdout(STARTER)?;
        return Ok(Outcome::Success);
    }
    if args.path.exists() && !args.force {
        return Err(Error::Usage(format!(
            "{} already exists; use --force to overwrite it",
            args.path.display()
        )));
    }
    write_file(&args.path, STARTER)?;
    let path = args.path.display().to_string();
    let path = terminal(&path);
    eprintln!(
        "handoff: wrote {path}; edit its [gate] section, then run \
         handoff gate --config {path} --baseline B --candidate C"
    );
    Ok(Outcome::Success)
}
