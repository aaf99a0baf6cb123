//! `handoff merge PARTIAL...`: partials written by `audit --emit-partial` merged into the
//! report one `audit` of all their files gives, rendered by `audit`'s own finishing code
//! (`audit::finish`), or into one partial (`--emit-partial`) for a tree of merges. The
//! checks (same tool, options and manifest; every rank exactly once) are the library's
//! (`pipeline::merge_partials`, docs/scale-out.md).

use std::path::Path;

use handoff::error::{Error, Result};
use handoff::pipeline::{self, Partial};

use super::audit::{self, Report};
use super::{create_output, distinct_outputs, write_output, write_stdout, Outcome, Ui};
use crate::cli::MergeArgs;

pub fn run(args: MergeArgs) -> Result<Outcome> {
    let ui = Ui::new(args.quiet, args.report.output.is_some()).color_choice(args.color);
    distinct_outputs(&[
        ("--output", args.report.output.as_deref()),
        ("--html", args.report.html.as_deref()),
        (
            "--emit-partial",
            args.emit_partial
                .as_deref()
                .filter(|p| *p != Path::new("-")),
        ),
    ])?;
    let mut partials = Vec::with_capacity(args.partials.len());
    for path in &args.partials {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Input {
            path: name.clone(),
            source,
        })?;
        partials.push((name.clone(), Partial::parse(&name, &text)?));
    }
    let merged = pipeline::merge_partials(partials)?;
    if let Some(out) = &args.emit_partial {
        let line = merged.to_line()?;
        return match out.as_path() == Path::new("-") {
            true => write_stdout(&line),
            false => create_output(Some(out))?.map_or(Ok(()), |file| write_output(file, &line)),
        }
        .map(|()| Outcome::Success);
    }
    let report = Report {
        format: args.report.format,
        output: create_output(args.report.output.as_deref())?,
        to_file: args.report.output.is_some(),
        html: create_output(args.report.html.as_deref())?,
        wide: args.report.wide,
        strict: args.strict,
    };
    let summary = pipeline::finish_partial(merged)?;
    audit::finish(&ui, &summary, report)
}
