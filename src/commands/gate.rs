//! `handoff gate`: summarise the baseline and the candidate (each from transcripts or a
//! saved summary), evaluate the `[gate]` rules, write every requested report, and only then
//! turn the verdict into an outcome: a failed gate still leaves its JUnit, Markdown and
//! step summary behind for CI to show.

use std::io::Write;
use std::path::{Path, PathBuf};

use handoff::error::{Error, Result};
use handoff::filter::Filter;
use handoff::gate::diff::release_diff;
use handoff::gate::input::{classify, GateInput};
use handoff::gate::{self as gate_eval, GateReport, GateSide};
use handoff::model::CsatScale;
use handoff::output::{self, AtomicFile};
use handoff::pipeline::Outcomes;
use handoff::pipeline::{self, AuditRequest, CategoryChoice, ChosenCategories};
use handoff::report::gate::GateFormat;
use handoff::report::{self, RenderOptions};
use handoff::summary::Summary;

use super::setup::Setup;
use super::{
    create_output, distinct_outputs, output_paths, parse_filter, warn_accounting, write_output,
    write_stdout, Outcome,
};
use crate::cli::{GateArgs, GateFormatArg};

/// One side of the comparison, loaded.
struct Side {
    summary: Summary,
    /// The saved summary's path or the transcript inputs, for the report.
    source: String,
    saved: bool,
    /// Per-conversation outcomes, for the release diff (only when both sides are transcripts).
    outcomes: Option<Outcomes>,
}

pub fn run(args: GateArgs) -> Result<Outcome> {
    let setup = Setup::new(&args.read, args.config.as_deref(), false)?;
    let baseline_filter = parse_filter("--baseline-filter", &args.baseline_filter)?;
    let candidate_filter = parse_filter("--candidate-filter", &args.candidate_filter)?;
    if args.baseline.iter().any(|i| i == "-") && args.candidate.iter().any(|i| i == "-") {
        return Err(Error::Usage(
            "--baseline and --candidate cannot both read stdin (-)".into(),
        ));
    }
    let outputs = [
        ("--junit", args.junit.as_deref()),
        ("--markdown", args.markdown.as_deref()),
    ];
    distinct_outputs(&outputs)?;
    not_an_input(&outputs, args.baseline.iter().chain(&args.candidate))?;
    let junit = create_output(args.junit.as_deref())?;
    let markdown = create_output(args.markdown.as_deref())?;
    let outputs = output_paths(&outputs);
    let baseline_input = classify("--baseline", &args.baseline)?;
    let candidate_input = classify("--candidate", &args.candidate)?;
    let both_transcripts = matches!(
        (&baseline_input, &candidate_input),
        (GateInput::Transcripts(_), GateInput::Transcripts(_))
    );
    let redact = !args.no_redact;
    let categories = gate_categories(&setup, &args, &baseline_input, &candidate_input, redact)?;
    let load = |flag, input, filter| {
        load_side(
            &setup,
            redact,
            both_transcripts,
            &outputs,
            &categories,
            flag,
            input,
            filter,
        )
    };
    let mut baseline = load("--baseline", baseline_input, baseline_filter)?;
    let mut candidate = load("--candidate", candidate_input, candidate_filter)?;
    same_csat_scale(&baseline.summary, &candidate.summary)?;
    for (flag, side) in [("--baseline", &baseline), ("--candidate", &candidate)] {
        not_empty(flag, &side.summary)?;
    }

    for side in [&baseline, &candidate] {
        warn_accounting(&setup.ui, &side.summary.input);
    }
    let diff = match (baseline.outcomes.take(), candidate.outcomes.take()) {
        (Some(b), Some(c)) => Some(release_diff(&b, &c)),
        _ => None,
    };
    let report = gate_eval::evaluate(
        &GateSide {
            summary: &baseline.summary,
            source: baseline.source,
            saved_summary: baseline.saved,
        },
        &GateSide {
            summary: &candidate.summary,
            source: candidate.source,
            saved_summary: candidate.saved,
        },
        &setup.config.gate,
        diff,
    );
    write_reports(&args, &report, setup.ui.color, junit, markdown)?;

    let (b_skipped, c_skipped) = (
        baseline.summary.input.skipped,
        candidate.summary.input.skipped,
    );
    let skipped = b_skipped + c_skipped;
    if skipped > 0 {
        setup.ui.warn(&format!(
            "{skipped} records skipped ({b_skipped} in the baseline, {c_skipped} in the candidate)"
        ));
    }
    if args.strict && skipped > 0 {
        return Err(Error::Strict { skipped });
    }
    if !report.passed {
        eprintln!(
            "handoff: gate failed: {} of {} checks failed",
            report.totals.failed, report.totals.checks
        );
        return Ok(Outcome::GateFailed);
    }
    Ok(Outcome::Success)
}

/// A report file named as an input (a saved summary or a transcript file) would be
/// replaced by the gate's own report. Directories are checked when the audit expands them.
fn not_an_input<'a>(
    outputs: &[(&str, Option<&Path>)],
    inputs: impl Iterator<Item = &'a String>,
) -> Result<()> {
    for input in inputs {
        for (flag, path) in outputs {
            if let Some(path) = path.filter(|p| output::same_file(p, Path::new(input))) {
                return Err(Error::Usage(format!(
                    "{flag} {} is also an input; its report would replace it",
                    path.display()
                )));
            }
        }
    }
    Ok(())
}

/// One choice of categories for both sides, so baseline and candidate are cut the same way:
/// made on the baseline's transcripts (topics are discovered there). With a saved baseline
/// nothing is discovered (its topics cannot be rebuilt from the summary): the candidate
/// takes the export's categories unless --topics, --categories or the config say otherwise.
fn gate_categories(
    setup: &Setup,
    args: &GateArgs,
    baseline: &GateInput,
    candidate: &GateInput,
    redact: bool,
) -> Result<ChosenCategories> {
    let choice = setup.category_choice(&args.categories);
    match (baseline, candidate) {
        (GateInput::Transcripts(inputs), _) => {
            setup.choose_categories(&args.categories, &choice, inputs, redact)
        }
        (GateInput::Summary { path, summary }, GateInput::Transcripts(inputs)) => {
            let choice = match choice {
                CategoryChoice::Discover => {
                    return Err(Error::Usage(format!(
                        "--categories discover learns the topics on the baseline's \
                         transcripts, and {path} is a saved summary: pass the topics file it \
                         was audited with (--topics)"
                    )))
                }
                CategoryChoice::Auto => CategoryChoice::Export,
                other => other,
            };
            if let Some(note) = summary
                .category_source
                .as_ref()
                .filter(|n| n.source == "discovered")
            {
                if !matches!(choice, CategoryChoice::File(_)) {
                    setup.ui.warn(&format!(
                        "the baseline {path} has discovered categories ({}); pass the same \
                         topics with --topics (handoff topics -o) to cut the candidate alike",
                        note.labels.join("; ")
                    ));
                }
            }
            setup.choose_categories(&args.categories, &choice, inputs, redact)
        }
        (GateInput::Summary { .. }, GateInput::Summary { .. }) => {
            setup.choose_categories(&args.categories, &CategoryChoice::Export, &[], redact)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn load_side(
    setup: &Setup,
    redact: bool,
    collect_outcomes: bool,
    outputs: &[(String, PathBuf)],
    categories: &ChosenCategories,
    flag: &str,
    input: GateInput,
    filter: Option<Filter>,
) -> Result<Side> {
    match input {
        GateInput::Summary { path, summary } => {
            if filter.is_some() {
                return Err(Error::Usage(format!(
                    "{flag}-filter: {path} is a saved summary; filters select transcripts \
                     (apply --filter when saving it with handoff audit)"
                )));
            }
            Ok(Side {
                summary: *summary,
                source: path,
                saved: true,
                outcomes: None,
            })
        }
        GateInput::Transcripts(inputs) => {
            let source = inputs.join(", ");
            let mut base = setup.request(inputs, redact);
            base.detection.categories = categories.source.clone();
            let (mut summary, outcomes) = pipeline::run_with_outcomes(AuditRequest {
                filter,
                collect_outcomes,
                outputs: outputs.to_vec(),
                ..base
            })?;
            categories.annotate(&mut summary);
            Ok(Side {
                summary,
                source,
                saved: false,
                outcomes,
            })
        }
    }
}

/// Mean CSAT on different survey scales cannot be compared.
fn same_csat_scale(b: &Summary, c: &Summary) -> Result<()> {
    let (bs, cs) = (&b.settings.csat_scale, &c.settings.csat_scale);
    if CsatScale::parse(bs) != CsatScale::parse(cs) {
        return Err(Error::Usage(format!(
            "the baseline's CSAT scale ({bs}) differs from the candidate's ({cs}); \
             give the same --csat-scale for both"
        )));
    }
    Ok(())
}

/// An empty side would pass every check as "insufficient data": a filter typo must not turn
/// the gate green.
fn not_empty(flag: &str, s: &Summary) -> Result<()> {
    if s.input.audited > 0 {
        return Ok(());
    }
    let why = match &s.input.filter {
        Some(f) => format!(
            "{} of {} records filtered out by {f}",
            s.input.filtered_out, s.input.records_read
        ),
        None => format!(
            "{} records read, {} skipped",
            s.input.records_read, s.input.skipped
        ),
    };
    Err(Error::Usage(format!(
        "{flag}: no conversation to compare ({why})"
    )))
}

/// The files first (JUnit, Markdown, the CI step summary), then the report on stdout.
fn write_reports(
    args: &GateArgs,
    report: &GateReport,
    color: bool,
    junit: Option<AtomicFile>,
    markdown_out: Option<AtomicFile>,
) -> Result<()> {
    let opts = RenderOptions {
        color,
        generated_at: None,
        width: None,
    };
    let render = |format| report::gate::renderer(format).render(report, &opts);
    if let Some(file) = junit {
        write_output(file, &render(GateFormat::Junit)?)?;
    }
    let markdown = render(GateFormat::Markdown)?;
    if let Some(file) = markdown_out {
        write_output(file, &markdown)?;
    }
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        append_step_summary(PathBuf::from(path), &markdown)?;
    }
    let text = match args.format {
        GateFormatArg::Table => render(GateFormat::Table)?,
        GateFormatArg::Json => render(GateFormat::Json)?,
        GateFormatArg::Markdown => markdown,
    };
    write_stdout(&text)
}

/// GitHub Actions shows this file on the run's summary page; append, as other steps may have
/// written to it.
fn append_step_summary(path: PathBuf, markdown: &str) -> Result<()> {
    let err = |source| Error::Output {
        path: path.display().to_string(),
        source,
    };
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(err)?;
    f.write_all(markdown.as_bytes()).map_err(err)?;
    f.write_all(b"\n").map_err(err)
}
