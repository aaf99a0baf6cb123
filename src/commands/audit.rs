//! `handoff audit`: one pass over the transcripts (see `handoff::pipeline`), then the report
//! in the chosen format on stdout or `--output`, and optionally an HTML copy. With
//! `--findings -` the findings' JSON lines own stdout, so the report goes to `--output`, or
//! to stderr when none is given (README "Outputs"). A run that audited nothing writes its
//! report (the accounting says why) and then fails with exit 2.
//!
//! With `--manifest` it audits some ranks of a manifest, and with `--emit-partial` it
//! writes the run's mergeable state instead of a report (docs/scale-out.md); `merge`
//! renders merged partials through [`finish`], the same code as here.

use std::path::{Path, PathBuf};

use std::io::IsTerminal;

use handoff::error::{Error, Result};
use handoff::ingest::{expand_inputs, parse_ranks, Manifest};
use handoff::pipeline::{self, AuditRequest, CategoryChoice, ManifestId, Ranks, Shard};
use handoff::report::{self, RenderOptions, ReportFormat};
use handoff::time::Granularity;
use handoff::PeriodOptions;
use handoff::Summary;

use super::setup::Setup;
use super::{
    create_output, distinct_outputs, nothing_audited, output_paths, parse_filter, terminal_width,
    warn_accounting, write_output, write_stdout, Outcome, Ui,
};
use crate::cli::{AuditArgs, FormatArg, PeriodArg};

pub fn run(args: AuditArgs) -> Result<Outcome> {
    let findings_to_stdout = args.findings.as_deref() == Some(Path::new("-"));
    let findings = match findings_to_stdout {
        true => Some(PathBuf::from("/dev/stdout")),
        false => args.findings.clone(),
    };
    let report_to_stderr = findings_to_stdout && args.report.output.is_none();
    let setup = Setup::new(
        &args.read,
        args.config.as_deref(),
        args.report.output.is_some() || report_to_stderr,
    )?;
    let filter = parse_filter("--filter", &args.filter)?;
    let config = &setup.config;
    let partial_path = args
        .emit_partial
        .as_deref()
        .filter(|p| *p != Path::new("-"));
    if findings_to_stdout && args.emit_partial.as_deref() == Some(Path::new("-")) {
        return Err(Error::Usage(
            "--findings - and --emit-partial - both write to stdout; give one a file".into(),
        ));
    }
    let outputs = [
        ("--output", args.report.output.as_deref()),
        ("--html", args.report.html.as_deref()),
        ("--findings", findings.as_deref()),
        ("--emit-partial", partial_path),
    ];
    distinct_outputs(&outputs)?;
    // --findings is opened by the pipeline, whose writer streams the rows.
    let report_out = match report_to_stderr {
        true => create_output(Some(Path::new("/dev/stderr")))?,
        false => create_output(args.report.output.as_deref())?,
    };
    let html_out = create_output(args.report.html.as_deref())?;
    let (inputs, shard, manifest) = shard_inputs(&args)?;
    let partial_out = match (args.emit_partial.is_some(), partial_path) {
        (false, _) => None,
        (true, None) => Some(None),
        (true, Some(p)) => Some(create_output(Some(p))?),
    };
    let sharded = args.manifest.is_some() || partial_out.is_some();
    let choice = shard_choice(setup.category_choice(&args.categories), sharded)?;
    let categories =
        setup.choose_categories(&args.categories, &choice, &inputs, !args.no_redact)?;
    let mut base = setup.request(inputs, !args.no_redact);
    base.detection.categories = categories.source.clone();
    let request = AuditRequest {
        answers_capacity: args.answers_capacity as usize,
        shard,
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
    };
    if let Some(out) = partial_out {
        let id = ManifestId {
            digest: manifest.digest(),
            files: manifest.names.len() as u64,
        };
        let partial = pipeline::run_partial(request, id)?;
        let line = partial.to_line()?;
        return match out {
            Some(file) => write_output(file, &line),
            None => write_stdout(&line),
        }
        .map(|()| Outcome::Success);
    }
    let mut summary = pipeline::run(request)?;
    categories.annotate(&mut summary);
    finish(
        &setup.ui,
        &summary,
        Report {
            format: args.report.format,
            output: report_out,
            to_file: args.report.output.is_some(),
            html: html_out,
            wide: args.report.wide,
            strict: args.strict,
        },
    )
}

/// Where a report goes, from the report flags `audit` and `merge` share.
pub struct Report {
    pub format: FormatArg,
    pub output: Option<handoff::output::AtomicFile>,
    /// `--output` was given (the table is then never fitted to the terminal).
    pub to_file: bool,
    pub html: Option<handoff::output::AtomicFile>,
    pub wide: bool,
    pub strict: bool,
}

/// The categories of a shard: topics learned from one shard's sample would differ from
/// another's, so shards never discover. `auto` keeps the export's categories, and
/// `discover` asks for a topics file learned once (`handoff topics`), which every shard
/// then cuts alike.
fn shard_choice(choice: CategoryChoice, sharded: bool) -> Result<CategoryChoice> {
    match choice {
        CategoryChoice::Discover if sharded => Err(Error::Usage(
            "--categories discover learns topics from the input, so each shard would learn \
             its own: learn them once (handoff topics FILE -o topics.toml) and pass \
             --topics topics.toml to every shard"
                .into(),
        )),
        CategoryChoice::Auto if sharded => Ok(CategoryChoice::Export),
        other => Ok(other),
    }
}

/// The inputs to read, the shard they are, and the manifest (the inputs' own when no
/// `--manifest` is given, for `--emit-partial`).
fn shard_inputs(args: &AuditArgs) -> Result<(Vec<String>, Option<Shard>, Manifest)> {
    let Some(path) = &args.manifest else {
        let manifest = match args.emit_partial {
            Some(_) => Manifest::of(&expand_inputs(&args.inputs, args.read.follow)?),
            None => Manifest {
                names: Vec::new(),
                skipped: Vec::new(),
            },
        };
        return Ok((args.inputs.clone(), None, manifest));
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| Error::Input {
        path: shown.clone(),
        source,
    })?;
    let manifest = Manifest::parse(&shown, &text)?;
    let (a, b) = match &args.ranks {
        Some(r) => parse_ranks(r, manifest.names.len())?,
        None => (0, manifest.names.len() - 1),
    };
    let names = manifest.names[a..=b].to_vec();
    let inputs = if args.inputs.is_empty() {
        names.clone()
    } else {
        args.inputs.clone()
    };
    let shard = Shard {
        paths_skipped: if a == 0 {
            manifest.skipped.clone()
        } else {
            Vec::new()
        },
        names,
        ranks: Ranks {
            first: a as u64,
            total: manifest.names.len() as u64,
        },
    };
    Ok((inputs, Some(shard), manifest))
}

/// Renders `summary` as the report flags ask, writes it, and turns the accounting into the
/// exit status: the finishing code of `audit`, which `merge` shares.
pub fn finish(ui: &Ui, summary: &Summary, report: Report) -> Result<Outcome> {
    let Report {
        format,
        output: report_out,
        to_file,
        html: html_out,
        wide,
        strict,
    } = report;
    let format = match format {
        FormatArg::Table => ReportFormat::Table,
        FormatArg::Json => ReportFormat::Json,
        FormatArg::Csv => ReportFormat::Csv,
        FormatArg::Markdown => ReportFormat::Markdown,
        FormatArg::Html => ReportFormat::Html,
    };
    // Fitted only where a person reads it: a terminal, not --output or a pipe.
    let fit = !wide && !to_file && std::io::stdout().is_terminal();
    let opts = RenderOptions {
        color: ui.color,
        generated_at: Some(report::generated_at()),
        width: if fit { terminal_width() } else { None },
    };
    let text = report::renderer(format).render(summary, &opts)?;
    if let Some(file) = html_out {
        let html = if format == ReportFormat::Html {
            text.clone()
        } else {
            report::renderer(ReportFormat::Html).render(summary, &opts)?
        };
        write_output(file, &html)?;
    }
    match report_out {
        Some(file) => write_output(file, &text)?,
        None => write_stdout(&text)?,
    }

    warn_accounting(ui, &summary.input);
    if summary.input.audited == 0 {
        return Err(nothing_audited(&summary.input));
    }
    let skipped = summary.input.skipped;
    if skipped > 0 {
        ui.warn(&format!(
            "{skipped} of {} records skipped (see the report's skipped records)",
            summary.input.records_read
        ));
    }
    if strict && skipped > 0 {
        return Err(Error::Strict { skipped });
    }
    Ok(Outcome::Success)
}
