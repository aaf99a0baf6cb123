//! `handoff manifest`: the canonical input list of a sharded audit, `rank<TAB>name` a line,
//! from the same directory walk and sort as `audit`, or from a foreign listing
//! (`--from-list`). See `ingest::Manifest` and docs/scale-out.md.

use std::io::Read;

use handoff::error::{Error, Result};
use handoff::ingest::{expand_inputs, Manifest};
use handoff::terminal_lines;

use super::{write_stdout, Outcome};
use crate::cli::ManifestArgs;

pub fn run(args: ManifestArgs) -> Result<Outcome> {
    let manifest = match &args.from_list {
        Some(list) => {
            let mut text = String::new();
            let read = match list.as_str() {
                "-" => std::io::stdin().read_to_string(&mut text).map(|_| ()),
                path => std::fs::read_to_string(path).map(|t| text = t),
            };
            read.map_err(|source| Error::Input {
                path: list.clone(),
                source,
            })?;
            Manifest::from_listing(&text)
        }
        None => {
            if args.inputs.iter().any(|i| i == "-") {
                return Err(Error::Usage(
                    "a manifest lists files: stdin (`-`) cannot be sharded".into(),
                ));
            }
            let expanded = expand_inputs(&args.inputs, args.follow)?;
            for s in &expanded.skipped {
                // Paths come from the file system: escape control characters.
                eprintln!(
                    "handoff: warning: not listed ({}): {}",
                    s.kind.code(),
                    terminal_lines(&format!("{}: {}", s.path, s.message))
                );
            }
            Manifest::of(&expanded)
        }
    };
    if manifest.names.is_empty() {
        return Err(Error::Usage("no input file to list".into()));
    }
    write_stdout(&manifest.text())?;
    Ok(Outcome::Success)
}
