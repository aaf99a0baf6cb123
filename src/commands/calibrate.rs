//! `handoff calibrate`: stream the transcripts through detection only (no aggregate) and
//! measure each signal against low CSAT; optionally write the suggested thresholds.

use handoff::calibrate::Calibrator;
use handoff::error::{Error, Result};
use handoff::pipeline::{self, Assessed};
use handoff::report::calibration::CalibrationFormat;
use handoff::report::{self, RenderOptions};
use handoff::{terminal, Detectors};

use super::setup::Setup;
use super::{create_output, write_stdout, Outcome};
use crate::cli::{CalibrateArgs, CalibrateFormat};

pub fn run(args: CalibrateArgs) -> Result<Outcome> {
    let setup = Setup::new(&args.read, args.config.as_deref(), false)?;
    let config_out = create_output(args.write_config.as_deref())?;
    let scale = setup.csat_scale.scale;
    let expanded = handoff::ingest::expand_inputs(&args.inputs, setup.ingest.follow)?;
    let files = expanded.files;
    let pool = pipeline::thread_pool(setup.threads)?;
    let detect_config = &setup.config.detect;
    let detectors = Detectors::new(setup.config.detection(), scale);
    let mut calibrator = Calibrator::new(scale, detect_config.low_csat);
    let mut skipped = 0u64;
    pipeline::stream(
        &files,
        &setup.ingest,
        &detectors,
        None,
        &pool,
        setup.ui.progress,
        |chunk| {
            for item in chunk {
                match item {
                    Assessed::Audited(_, a) => calibrator.add(&a),
                    Assessed::Skipped(_) => skipped += 1,
                    Assessed::Filtered(..) => {}
                }
            }
            Ok(())
        },
    )?;
    let result = calibrator.finish(
        detect_config,
        &setup.config.score.verdict,
        args.min_conversations,
        setup.csat_scale.text.clone(),
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
    if skipped > 0 {
        setup.ui.warn(&format!(
            "{skipped} records skipped (run `handoff audit` to see why)"
        ));
    }
    for s in &expanded.skipped {
        setup.ui.warn(&format!("skipped {}: {}", s.path, s.message));
    }
    if let Some(out) = config_out {
        let mut values: Vec<(String, f64)> = result
            .suggestions
            .iter()
            .map(|s| (s.key.clone(), s.suggested))
            .collect();
        // The refitted needs-human probability, when there were enough of both outcomes.
        values.extend(result.verdict.iter().flat_map(|v| v.config_values()));
        let path = terminal(&out.path().display().to_string()).into_owned();
        handoff::config::write_values(out, &values)?;
        if !setup.ui.quiet {
            eprintln!(
                "handoff: wrote {} suggested threshold(s) to {path}",
                values.len(),
            );
        }
    }
    Ok(Outcome::Success)
}
