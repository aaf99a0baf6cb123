//! The `handoff` binary: parse arguments, wire the pipeline stages, print, and map every
//! error to an exit code in one place.

mod cli;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use handoff::aggregate::trends::TrendOptions;
use handoff::calibrate::Calibrator;
use handoff::config::{Config, STARTER};
use handoff::error::{Error, Result};
use handoff::filter::Filter;
use handoff::gate::diff::release_diff;
use handoff::gate::input::{classify, GateInput};
use handoff::gate::{self as gate_eval, GateSide};
use handoff::ingest::{formats, CsvColumns, IngestOptions, Mapping};
use handoff::model::CsatScale;
use handoff::output;
use handoff::pipeline::{self, Assessed, AuditRequest};
use handoff::report::calibration::CalibrationFormat;
use handoff::report::gate::GateFormat;
use handoff::report::{self, RenderOptions, ReportFormat};
use handoff::summary::Summary;
use handoff::timestamp::Granularity;

use cli::{
    AuditArgs, CalibrateArgs, CalibrateFormat, Cli, Command, CsvArgs, FormatArg, GateArgs,
    GateFormatArg, InitArgs, InputArgs, PeriodArg, ReadArgs,
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit(args) => run_audit(args),
        Command::Calibrate(args) => run_calibrate(args),
        Command::Gate(args) => run_gate(args),
        Command::Init(args) => run_init(args),
        Command::Formats => write_stdout(&formats::describe()).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        // `handoff audit ... | head`: the reader left; nothing more to say.
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e @ Error::GateFailed { .. }) => {
            eprintln!("handoff: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
        Err(e) => {
            eprintln!("handoff: error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn csat_scale(text: &str) -> Result<CsatScale> {
    CsatScale::parse(text).ok_or_else(|| {
        Error::Usage(format!(
            "--csat-scale {text:?}: expected MIN-MAX with MIN < MAX, e.g. 1-5 or 0-10"
        ))
    })
}

fn check_threads(threads: Option<usize>) -> Result<()> {
    if threads == Some(0) {
        return Err(Error::Usage("--threads must be at least 1".into()));
    }
    Ok(())
}

fn load_config(path: Option<&Path>) -> Result<Config> {
    match path {
        Some(path) => Config::load(path),
        None => Ok(Config::default()),
    }
}

fn ingest_options(
    category_field: Option<&str>,
    csv: &CsvArgs,
    input: &InputArgs,
    csat_scale: CsatScale,
) -> Result<IngestOptions> {
    let category_field =
        category_field.map(|p| p.split('.').map(str::to_string).collect::<Vec<_>>());
    if category_field
        .as_ref()
        .is_some_and(|p| p.iter().any(String::is_empty))
    {
        return Err(Error::Usage(
            "--category-field: expected a dotted path such as metadata.intent".into(),
        ));
    }
    let input_format = input
        .input_format
        .as_deref()
        .map(|name| {
            formats::find(name).ok_or_else(|| {
                Error::Usage(format!(
                    "--input-format {name:?}: unknown format; known: {}",
                    formats::names().join(", ")
                ))
            })
        })
        .transpose()?;
    let mapping = input.mapping.as_deref().map(Mapping::load).transpose()?;
    if input_format.is_some_and(|f| f.name == "mapping") && mapping.is_none() {
        return Err(Error::Usage(
            "--input-format mapping needs --mapping FILE (see docs/formats.md)".into(),
        ));
    }
    Ok(IngestOptions {
        category_field,
        csv: CsvColumns {
            id: csv.csv_id.clone(),
            role: csv.csv_role.clone(),
            text: csv.csv_text.clone(),
            ts: csv.csv_ts.clone(),
            category: csv.csv_category.clone(),
            csat: csv.csv_csat.clone(),
            ..CsvColumns::default()
        },
        input_format,
        mapping: mapping.map(Arc::new),
        csat_scale,
    })
}

fn parse_filter(flag: &str, clauses: &[String]) -> Result<Option<Filter>> {
    Filter::parse(clauses).map_err(|e| Error::Usage(format!("{flag}: {e}")))
}

/// Writes `text` to `path` atomically.
fn write_file(path: &Path, text: &str) -> Result<()> {
    output::write_file(path, text.as_bytes())
}

fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(Error::Stdout)?;
    out.flush().map_err(Error::Stdout)
}

/// The settings every command that reads transcripts needs, checked once.
fn read_setup(
    read: &ReadArgs,
    config: Option<&Path>,
) -> Result<(CsatScale, Config, IngestOptions)> {
    let scale = csat_scale(&read.csat_scale)?;
    check_threads(read.threads)?;
    let config = load_config(config)?;
    let ingest = ingest_options(
        read.category_field.as_deref(),
        &read.csv,
        &read.input,
        scale,
    )?;
    Ok((scale, config, ingest))
}

fn run_audit(args: AuditArgs) -> Result<ExitCode> {
    if !(args.handle_minutes.is_finite() && args.handle_minutes >= 0.0) {
        return Err(Error::Usage(
            "--handle-minutes must be a non-negative number".into(),
        ));
    }
    let (csat_scale, config, ingest) = read_setup(&args.read, args.config.as_deref())?;
    let filter = parse_filter("--filter", &args.filter)?;

    let summary = pipeline::run(AuditRequest {
        inputs: args.inputs.clone(),
        ingest,
        detection: config.detection(),
        recommend: config.recommend.clone(),
        config_path: args.config.as_ref().map(|p| p.display().to_string()),
        csat_scale,
        csat_scale_text: args.read.csat_scale.clone(),
        handle_minutes: args.handle_minutes,
        redact: !args.no_redact,
        findings: args.findings.clone(),
        threads: args.read.threads,
        progress: !args.read.quiet && std::io::stderr().is_terminal(),
        filter,
        trends: args.compare_periods.map(|p| TrendOptions {
            granularity: match p {
                PeriodArg::Week => Granularity::Week,
                PeriodArg::Month => Granularity::Month,
            },
            confidence: config.gate.confidence,
            min_conversations: config.gate.min_conversations,
            min_csat_responses: config.gate.min_csat_responses,
        }),
        collect_outcomes: false,
    })?;

    let format = match args.format {
        FormatArg::Table => ReportFormat::Table,
        FormatArg::Json => ReportFormat::Json,
        FormatArg::Csv => ReportFormat::Csv,
        FormatArg::Markdown => ReportFormat::Markdown,
        FormatArg::Html => ReportFormat::Html,
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let opts = RenderOptions {
        color,
        generated_at: Some(report::generated_at()),
    };
    let text = report::renderer(format).render(&summary, &opts)?;
    if let Some(path) = &args.html {
        let html = if format == ReportFormat::Html {
            text.clone()
        } else {
            report::renderer(ReportFormat::Html).render(&summary, &opts)?
        };
        write_file(path, &html)?;
    }

    match &args.output {
        Some(path) => write_file(path, &text)?,
        None => write_stdout(&text)?,
    }

    let skipped = summary.input.skipped;
    if skipped > 0 && !args.read.quiet {
        eprintln!(
            "handoff: warning: {skipped} of {} records skipped (see the report's skipped records)",
            summary.input.records_read
        );
    }
    if args.strict && skipped > 0 {
        return Err(Error::Strict { skipped });
    }
    Ok(ExitCode::SUCCESS)
}

fn run_calibrate(args: CalibrateArgs) -> Result<ExitCode> {
    let (scale, config, ingest) = read_setup(&args.read, args.config.as_deref())?;
    let files = handoff::ingest::expand_inputs(&args.inputs)?;
    let pool = pipeline::thread_pool(args.read.threads)?;
    let detect_config = config.detect.clone();
    let detectors = handoff::detect::Detectors::new(config.detection(), scale);
    let mut calibrator = Calibrator::new(scale, detect_config.low_csat);
    let mut skipped = 0u64;
    pipeline::stream(
        &files,
        &ingest,
        &detectors,
        None,
        &pool,
        !args.read.quiet && std::io::stderr().is_terminal(),
        |chunk| {
            for item in chunk {
                match item {
                    Assessed::Audited(_, a) => calibrator.add(&a),
                    Assessed::Skipped(_) => skipped += 1,
                    Assessed::Filtered => {}
                }
            }
            Ok(())
        },
    )?;
    let result = calibrator.finish(
        &detect_config,
        args.min_conversations,
        args.read.csat_scale.clone(),
    );
    if result.with_csat == 0 {
        return Err(Error::Usage(
            "calibrate: no audited conversation carries a CSAT score".into(),
        ));
    }
    let format = match args.format {
        CalibrateFormat::Table => CalibrationFormat::Table,
        CalibrateFormat::Json => CalibrationFormat::Json,
    };
    let text = report::calibration::renderer(format).render(&result, &RenderOptions::default())?;
    write_stdout(&text)?;
    if skipped > 0 && !args.read.quiet {
        eprintln!("handoff: warning: {skipped} records skipped (run `handoff audit` to see why)");
    }
    if let Some(path) = &args.write_config {
        let values: Vec<(String, f64)> = result
            .suggestions
            .iter()
            .map(|s| (s.key.clone(), s.suggested))
            .collect();
        handoff::config::write_values(path, &values)?;
        if !args.read.quiet {
            eprintln!(
                "handoff: wrote {} suggested threshold(s) to {}",
                values.len(),
                path.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_gate(args: GateArgs) -> Result<ExitCode> {
    let (scale, config, ingest) = read_setup(&args.read, args.config.as_deref())?;
    let baseline_filter = parse_filter("--baseline-filter", &args.baseline_filter)?;
    let candidate_filter = parse_filter("--candidate-filter", &args.candidate_filter)?;
    if args.baseline.iter().any(|i| i == "-") && args.candidate.iter().any(|i| i == "-") {
        return Err(Error::Usage(
            "--baseline and --candidate cannot both read stdin (-)".into(),
        ));
    }
    let baseline_input = classify("--baseline", &args.baseline)?;
    let candidate_input = classify("--candidate", &args.candidate)?;
    let both_transcripts = matches!(
        (&baseline_input, &candidate_input),
        (GateInput::Transcripts(_), GateInput::Transcripts(_))
    );

    // Each side: (summary, source description, saved?, outcomes for the release diff).
    let load = |flag: &str, input: GateInput, filter: Option<Filter>| -> Result<_> {
        match input {
            GateInput::Summary { path, summary } => {
                if filter.is_some() {
                    return Err(Error::Usage(format!(
                        "{flag}-filter: {path} is a saved summary; filters select transcripts \
                         (apply --filter when saving it with handoff audit)"
                    )));
                }
                Ok((*summary, path, true, None))
            }
            GateInput::Transcripts(inputs) => {
                let (summary, outcomes) = pipeline::run_with_outcomes(AuditRequest {
                    inputs: inputs.clone(),
                    ingest: ingest.clone(),
                    detection: config.detection(),
                    recommend: config.recommend.clone(),
                    config_path: args.config.as_ref().map(|p| p.display().to_string()),
                    csat_scale: scale,
                    csat_scale_text: args.read.csat_scale.clone(),
                    handle_minutes: 8.0,
                    redact: !args.no_redact,
                    findings: None,
                    threads: args.read.threads,
                    progress: !args.read.quiet && std::io::stderr().is_terminal(),
                    filter,
                    trends: None,
                    collect_outcomes: both_transcripts,
                })?;
                Ok((summary, inputs.join(", "), false, outcomes))
            }
        }
    };
    let (b_summary, b_source, b_saved, b_outcomes) =
        load("--baseline", baseline_input, baseline_filter)?;
    let (c_summary, c_source, c_saved, c_outcomes) =
        load("--candidate", candidate_input, candidate_filter)?;
    same_csat_scale(&b_summary, &c_summary)?;
    // An empty side would pass every check as "insufficient data": a filter typo must not
    // turn the gate green.
    for (flag, s) in [("--baseline", &b_summary), ("--candidate", &c_summary)] {
        if s.input.audited == 0 {
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
            return Err(Error::Usage(format!(
                "{flag}: no conversation to compare ({why})"
            )));
        }
    }

    let diff = match (&b_outcomes, &c_outcomes) {
        (Some(b), Some(c)) => Some(release_diff(b, c)),
        _ => None,
    };
    drop((b_outcomes, c_outcomes));
    let report = gate_eval::evaluate(
        &GateSide {
            summary: &b_summary,
            source: b_source,
            saved_summary: b_saved,
        },
        &GateSide {
            summary: &c_summary,
            source: c_source,
            saved_summary: c_saved,
        },
        &config.gate,
        diff,
    );

    let color = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let opts = RenderOptions {
        color,
        generated_at: None,
    };
    let render = |format| report::gate::renderer(format).render(&report, &opts);
    if let Some(path) = &args.junit {
        write_file(path, &render(GateFormat::Junit)?)?;
    }
    let markdown = render(GateFormat::Markdown)?;
    if let Some(path) = &args.markdown {
        write_file(path, &markdown)?;
    }
    // GitHub Actions shows this file on the run's summary page; append, as other steps may
    // have written to it.
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let path = std::path::PathBuf::from(path);
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
        f.write_all(b"\n").map_err(err)?;
    }
    let text = match args.format {
        GateFormatArg::Table => render(GateFormat::Table)?,
        GateFormatArg::Json => render(GateFormat::Json)?,
        GateFormatArg::Markdown => markdown,
    };
    write_stdout(&text)?;

    let skipped = b_summary.input.skipped + c_summary.input.skipped;
    if skipped > 0 && !args.read.quiet {
        eprintln!(
            "handoff: warning: {skipped} records skipped ({} in the baseline, {} in the candidate)",
            b_summary.input.skipped, c_summary.input.skipped
        );
    }
    if args.strict && skipped > 0 {
        return Err(Error::Strict { skipped });
    }
    if !report.passed {
        return Err(Error::GateFailed {
            failed: report.totals.failed,
            checks: report.totals.checks,
        });
    }
    Ok(ExitCode::SUCCESS)
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

fn run_init(args: InitArgs) -> Result<ExitCode> {
    if args.path.as_os_str() == "-" {
        write_stdout(STARTER)?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.path.exists() && !args.force {
        return Err(Error::Usage(format!(
            "{} already exists; use --force to overwrite it",
            args.path.display()
        )));
    }
    write_file(&args.path, STARTER)?;
    eprintln!(
        "handoff: wrote {}; edit its [gate] section, then run \
         handoff gate --config {} --baseline B --candidate C",
        args.path.display(),
        args.path.display()
    );
    Ok(ExitCode::SUCCESS)
}
