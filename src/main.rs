//! The `handoff` binary: parse arguments, wire the pipeline stages, print, and map every
//! error to an exit code in one place.

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use handoff::audit::{self, AuditRequest};
use handoff::calibrate::Calibrator;
use handoff::config::Config;
use handoff::detect::CsatScale;
use handoff::error::{Error, Result};
use handoff::ingest::{CsvColumns, IngestOptions};
use handoff::report::output;
use handoff::report::{self, RenderOptions, ReportFormat};

use cli::{AuditArgs, CalibrateArgs, CalibrateFormat, Cli, Command, CsvArgs, FormatArg};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit(args) => run_audit(args),
        Command::Calibrate(args) => run_calibrate(args),
    };
    match result {
        Ok(code) => code,
        // `handoff audit ... | head`: the reader left; nothing more to say.
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
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

fn ingest_options(category_field: Option<&str>, csv: &CsvArgs) -> Result<IngestOptions> {
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
    })
}

fn load_config(path: Option<&std::path::Path>, threads: Option<usize>) -> Result<Config> {
    if threads == Some(0) {
        return Err(Error::Usage("--threads must be at least 1".into()));
    }
    match path {
        Some(path) => Config::load(path),
        None => Ok(Config::default()),
    }
}

fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(Error::Stdout)?;
    out.flush().map_err(Error::Stdout)
}

fn run_calibrate(args: CalibrateArgs) -> Result<ExitCode> {
    let scale = csat_scale(&args.csat_scale)?;
    let config = load_config(args.config.as_deref(), args.threads)?;
    let ingest = ingest_options(args.category_field.as_deref(), &args.csv)?;
    let files = handoff::ingest::expand_inputs(&args.inputs)?;
    let pool = audit::thread_pool(args.threads)?;
    let detect_config = config.detect.clone();
    let detectors = handoff::detect::Detectors::new(config, scale);
    let mut calibrator = Calibrator::new(scale, detect_config.low_csat);
    let mut skipped = 0u64;
    audit::stream(
        &files,
        &ingest,
        &detectors,
        &pool,
        !args.quiet && std::io::stderr().is_terminal(),
        |chunk| {
            for item in chunk {
                match item {
                    Ok((_, a)) => calibrator.add(&a),
                    Err(_) => skipped += 1,
                }
            }
            Ok(())
        },
    )?;
    let result = calibrator.finish(
        &detect_config,
        args.min_conversations,
        args.csat_scale.clone(),
    );
    if result.with_csat == 0 {
        return Err(Error::Usage(
            "calibrate: no audited conversation carries a CSAT score".into(),
        ));
    }
    let text = match args.format {
        CalibrateFormat::Table => report::calibration::table(&result),
        CalibrateFormat::Json => report::calibration::json(&result)?,
    };
    write_stdout(&text)?;
    if skipped > 0 && !args.quiet {
        eprintln!("handoff: warning: {skipped} records skipped (run `handoff audit` to see why)");
    }
    if let Some(path) = &args.write_config {
        let values: Vec<(String, f64)> = result
            .suggestions
            .iter()
            .map(|s| (s.key.clone(), s.suggested))
            .collect();
        handoff::config::write_values(path, &values)?;
        if !args.quiet {
            eprintln!(
                "handoff: wrote {} suggested threshold(s) to {}",
                values.len(),
                path.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_audit(args: AuditArgs) -> Result<ExitCode> {
    let csat_scale = csat_scale(&args.csat_scale)?;
    if !(args.handle_minutes.is_finite() && args.handle_minutes >= 0.0) {
        return Err(Error::Usage(
            "--handle-minutes must be a non-negative number".into(),
        ));
    }
    let config = load_config(args.config.as_deref(), args.threads)?;
    let ingest = ingest_options(args.category_field.as_deref(), &args.csv)?;

    let summary = audit::run(AuditRequest {
        inputs: args.inputs.clone(),
        ingest,
        config,
        config_path: args.config.as_ref().map(|p| p.display().to_string()),
        csat_scale,
        csat_scale_text: args.csat_scale.clone(),
        handle_minutes: args.handle_minutes,
        redact: !args.no_redact,
        findings: args.findings.clone(),
        threads: args.threads,
        progress: !args.quiet && std::io::stderr().is_terminal(),
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
        output::write_file(path, html.as_bytes())?;
    }

    match &args.output {
        Some(path) => output::write_file(path, text.as_bytes())?,
        None => write_stdout(&text)?,
    }

    let skipped = summary.input.skipped;
    if skipped > 0 && !args.quiet {
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
