//! `handoff audit`: one pass over the transcripts (see `handoff::pipeline`), then the report
//! in the chosen format on stdout or `--output`, and optionally an HTML copy. With
//! `--findings -` the findings' JSON lines own stdout, so the report goes to `--output`, or
//! to stderr when none is given (README "Outputs"). A run that audited nothing writes its
//! report (the accounting says why) and then fails with exit 2.

use std::path::{Path, PathBuf};

use std::io::IsTerminal;

use handoff::error::{Error, Result};
use handoff::pipeline::{self, AuditRequest};
use handoff::report::{self, RenderOptions, ReportFormat};
use handoff::time::Granularity;
use handoff::PeriodOptions;

use super::setup::Setup;
use super::{
    create_output, distinct_outputs, nothing_audited, output_paths, parse_filter, terminal_width,
    warn_accounting, write_output, write_stdout, Outcome,
};
use crate::cli::{AuditArgs, FormatArg, PeriodArg};

pub fn run(args: AuditArgs) -> Result<Outcome> {
    let findings_to_stdout = args.findings.as_deref() == Some(Path::new("-"));
    let findings = match findings_to_stdout {
        true => Some(PathBuf::from("/dev/stdout")),
        false => args.findings.clone(),
    };
    let report_to_stderr = findings_to_stdout && args.output.is_none();
    let setup = Setup::new(
        &args.read,
        args.config.as_deref(),
        args.output.is_some() || report_to_stderr,
    )?;
    let filter = parse_filter("--filter", &args.filter)?;
    let config = &setup.config;
    let outputs = [
        ("--output", args.output.as_deref()),
        ("--html", args.html.as_deref()),
        ("--findings", findings.as_deref()),
    ];
    distinct_outputs(&outputs)?;
    // --findings is opened by the pipeline, whose writer streams the rows.
    let report_out = match report_to_stderr {
        true => create_output(Some(Path::new("/dev/stderr")))?,
        false => create_output(args.output.as_deref())?,
    };
    let html_out = create_output(args.html.as_deref())?;
    let mut base = setup.request(args.inputs.clone(), !args.no_redact);
    let choice = setup.category_choice(&args.categories);
    let categories =
        setup.choose_categories(&args.categories, &choice, &args.inputs, !args.no_redact)?;
    base.detection.categories = categories.source.clone();
    let mut summary = pipeline::run(AuditRequest {
        handle_minutes: args.handle_minutes,
        findings: findings.clone(),
        outputs: output_paths(&outputs),
        filter,
        periods: PeriodOptions {
            test: config.gate.period_test(),
            compare: args.compare_periods.map(|p| match p {
                PeriodArg::Week => Granularity::Week,
                PeriodArg::Month => Granularity::Month,
            }),
        },
        ..base
    })?;
    categories.annotate(&mut summary);

    let format = match args.format {
        FormatArg::Table => ReportFormat::Table,
        FormatArg::Json => ReportFormat::Json,
        FormatArg::Csv => ReportFormat::Csv,
        FormatArg::Markdown => ReportFormat::Markdown,
        FormatArg::Html => ReportFormat::Html,
    };
    // Fitted only where a person reads it: a terminal, not --output or a pipe.
    let fit = !args.wide && args.output.is_none() && std::io::stdout().is_terminal();
    let opts = RenderOptions {
        color: setup.ui.color,
        generated_at: Some(report::generated_at()),
        width: if fit { terminal_width() } else { None },
    };
    let text = report::renderer(format).render(&summary, &opts)?;
    if let Some(file) = html_out {
        let html = if format == ReportFormat::Html {
            text.clone()
        } else {
            report::renderer(ReportFormat::Html).render(&summary, &opts)?
        };
        write_output(file, &html)?;
    }
    match report_out {
        Some(file) => write_output(file, &text)?,
        None => write_stdout(&text)?,
    }

    warn_accounting(&setup.ui, &summary.input);
    if summary.input.audited == 0 {
        return Err(nothing_audited(&summary.input));
    }
    let skipped = summary.input.skipped;
    if skipped > 0 {
        setup.ui.warn(&format!(
            "{skipped} of {} records skipped (see the report's skipped records)",
            summary.input.records_read
        ));
    }
    if args.strict && skipped > 0 {
        return Err(Error::Strict { skipped });
    }
    Ok(Outcome::Success)
}
