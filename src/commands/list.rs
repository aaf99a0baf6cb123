//! `handoff list INPUT...`: the conversations that need a human, one line each (id,
//! category, score, top reason, tab-separated), in input order as they are read, for
//! piping into `handoff show` (`cut -f1`). The top reason is the one with the highest
//! default weight (`handoff audit`'s reason table).

use std::io::Write;

use handoff::error::{Error, Result};
use handoff::pipeline::{self, Assessed};
use handoff::{terminal, Detectors, Reason};

use super::setup::Setup;
use super::Outcome;
use crate::cli::ListArgs;

pub fn run(args: ListArgs) -> Result<Outcome> {
    let setup = Setup::new(&args.read, args.config.as_deref(), false)?;
    let reason = match args.reason.as_deref() {
        Some(code) => Some(Reason::from_code(code).ok_or_else(|| {
            let known: Vec<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
            Error::Usage(format!(
                "--reason {}: unknown reason; known: {}",
                terminal(code),
                known.join(", ")
            ))
        })?),
        None => None,
    };
    let expanded = handoff::ingest::expand_inputs(&args.inputs, setup.ingest.follow)?;
    let pool = pipeline::thread_pool(setup.threads)?;
    let detectors = Detectors::new(setup.config.detection(), setup.csat_scale.scale);
    // Not locked: the lines are written from the fold thread.
    let mut out = std::io::BufWriter::new(std::io::stdout());
    let mut skipped = 0u64;
    pipeline::stream(
        &expanded.files,
        &setup.ingest,
        &detectors,
        None,
        &pool,
        setup.ui.progress,
        |chunk| {
            for item in chunk {
                let (conv, a) = match item {
                    Assessed::Audited(conv, a) => (conv, a),
                    Assessed::Skipped(_) => {
                        skipped += 1;
                        continue;
                    }
                    Assessed::Filtered(..) => continue,
                };
                let selected = (args.all || a.needs_human)
                    && args.category.as_ref().is_none_or(|c| *c == a.category)
                    && reason.is_none_or(|r| a.has(r));
                if !selected {
                    continue;
                }
                let top = a
                    .findings
                    .iter()
                    .map(|f| f.reason)
                    // The first of the strongest, as `show` orders its reasons.
                    .min_by(|x, y| y.default_weight().total_cmp(&x.default_weight()))
                    .map_or("-", Reason::code);
                writeln!(
                    out,
                    "{}\t{}\t{:.2}\t{}",
                    terminal(&conv.id),
                    terminal(&a.category),
                    a.score,
                    top
                )
                .map_err(Error::Stdout)?;
            }
            Ok(())
        },
    )?;
    out.flush().map_err(Error::Stdout)?;
    if skipped > 0 {
        setup.ui.warn(&format!(
            "{skipped} records skipped (`handoff audit` lists them)"
        ));
    }
    Ok(Outcome::Success)
}
