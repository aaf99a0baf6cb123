//! The `handoff` binary: parse arguments, wire the pipeline stages, print, and map every
//! error to an exit code in one place.

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use handoff::audit::{self, AuditRequest};
use handoff::config::Config;
use std::sync::Arc;

use handoff::error::{Error, Result};
use handoff::ingest::{formats, CsvColumns, IngestOptions, Mapping};
use handoff::model::CsatScale;
use handoff::report::output::AtomicFile;
use handoff::report::{self, RenderOptions, ReportFormat};

use cli::{AuditArgs, Cli, Command, FormatArg};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit(args) => run_audit(*args),
        Command::Formats => print(&formats::describe()),
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

fn print(text: &str) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(Error::Stdout)?;
    out.flush().map_err(Error::Stdout)?;
    Ok(ExitCode::SUCCESS)
}

fn run_audit(args: AuditArgs) -> Result<ExitCode> {
    let csat_scale = CsatScale::parse(&args.csat_scale).ok_or_else(|| {
        Error::Usage(format!(
            "--csat-scale {:?}: expected MIN-MAX with MIN < MAX, e.g. 1-5 or 0-10",
            args.csat_scale
        ))
    })?;
    if !(args.handle_minutes.is_finite() && args.handle_minutes >= 0.0) {
        return Err(Error::Usage(
            "--handle-minutes must be a non-negative number".into(),
        ));
    }
    if args.threads == Some(0) {
        return Err(Error::Usage("--threads must be at least 1".into()));
    }
    let config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let category_field = args
        .category_field
        .as_deref()
        .map(|p| p.split('.').map(str::to_string).collect::<Vec<_>>());
    if category_field
        .as_ref()
        .is_some_and(|p| p.iter().any(String::is_empty))
    {
        return Err(Error::Usage(
            "--category-field: expected a dotted path such as metadata.intent".into(),
        ));
    }

    let input_format = args
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
    let mapping = args.mapping.as_deref().map(Mapping::load).transpose()?;
    if input_format.is_some_and(|f| f.name == "mapping") && mapping.is_none() {
        return Err(Error::Usage(
            "--input-format mapping needs --mapping FILE (see docs/formats.md)".into(),
        ));
    }

    let summary = audit::run(AuditRequest {
        inputs: args.inputs.clone(),
        ingest: IngestOptions {
            category_field,
            csv: CsvColumns {
                id: args.csv.csv_id.clone(),
                role: args.csv.csv_role.clone(),
                text: args.csv.csv_text.clone(),
                ts: args.csv.csv_ts.clone(),
                category: args.csv.csv_category.clone(),
                csat: args.csv.csv_csat.clone(),
                ..CsvColumns::default()
            },
            input_format,
            mapping: mapping.map(Arc::new),
            csat_scale,
        },
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
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let text = report::renderer(format).render(&summary, &RenderOptions { color })?;

    match &args.output {
        Some(path) => {
            let file = AtomicFile::create(path)?;
            let mut w = file.writer()?;
            w.write_all(text.as_bytes()).map_err(|e| file.err(e))?;
            w.flush().map_err(|e| file.err(e))?;
            drop(w);
            file.commit()?;
        }
        None => {
            print(&text)?;
        }
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
