//! `handoff calibrate`: stream the transcripts through detection only (no aggregate) and
//! measure each signal against low CSAT or the team's own `--label-field`; optionally write
//! the suggested thresholds and the refitted needs-human weights.

use std::sync::Arc;

use handoff::calibrate::Calibrator;
use handoff::error::{Error, Result};
use handoff::model::Label;
use handoff::pipeline::{self, Assessed};
use handoff::report::calibration::CalibrationFormat;
use handoff::report::{self, RenderOptions};
use handoff::{terminal, Detectors};

use super::setup::Setup;
use super::{create_output, write_stdout, Outcome};
use crate::cli::{CalibrateArgs, CalibrateFormat};

pub fn run(args: CalibrateArgs) -> Result<Outcome> {
    let mut setup = Setup::new(&args.read, args.config.as_deref(), false)?;
    setup.ingest.label_field = args.label_field.clone().map(Arc::new);
    let config_out = create_output(args.write_config.as_deref())?;
    let scale = setup.csat_scale.scale;
    let expanded = handoff::ingest::expand_inputs(&args.inputs, setup.ingest.follow)?;
    let files = expanded.files;
    let pool = pipeline::thread_pool(setup.threads)?;
    let detect_config = &setup.config.detect;
    let detectors = Detectors::new(setup.config.detection(), scale);
    let mut calibrator = Calibrator::new(scale, detect_config.low_csat, args.label_field.clone());
    let mut skipped = 0u64;
    // The first value of the label field that reads as neither yes nor no, and where.
    let mut unreadable: Option<String> = None;
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
                    Assessed::Audited(conv, a) => {
                        if let (None, Some(Label::Unreadable(v))) = (&unreadable, &a.label) {
                            let names: Vec<String> = files.iter().map(|f| f.display()).collect();
                            let at = conv.location.describe(&names);
                            unreadable = Some(format!("{at}: {v:?}"));
                        }
                        calibrator.add(&a)
                    }
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
    if let Some(first) = &unreadable {
        setup.ui.warn(&format!(
            "{} conversation(s) have a {} value that is neither yes nor no (true/false, \
             1/0, yes/no; or give PATH=VALUE); they are not labelled. First: {}",
            result.unreadable_labels,
            args.label_field
                .as_ref()
                .map_or_else(String::new, |f| f.name()),
            terminal(first)
        ));
    }
    if result.labelled == 0 {
        return Err(Error::Usage(match &args.label_field {
            None => "calibrate: no audited conversation carries a CSAT score \
                     (or give the team's own outcome with --label-field PATH)"
                .into(),
            Some(f) => format!(
                "calibrate: no audited conversation carries a yes/no {} value ({} of {} \
                 unreadable). --label-field reads a JSON record's field or a per-message \
                 CSV column; formats that build a conversation from many records (Twitter, \
                 Rasa events, Bot Framework activities) carry none",
                f.name(),
                result.unreadable_labels,
                result.audited
            ),
        }));
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
