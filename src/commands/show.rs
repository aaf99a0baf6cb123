//! `handoff show ID INPUT...`: the drill-down after the report. Reads the inputs in order,
//! stops at the first audited conversation with that id (see `pipeline::find`) and prints
//! it: messages numbered from 1, each finding beside the message it cites, PII redacted
//! as in every other output.

use handoff::error::{Error, Result};
use handoff::pipeline;
use handoff::report::conversation::{self, ConversationFormat};
use handoff::report::RenderOptions;
use handoff::terminal;

use super::setup::Setup;
use super::{write_stdout, Outcome};
use crate::cli::{ShowArgs, ShowFormat};

pub fn run(args: ShowArgs) -> Result<Outcome> {
    let setup = Setup::new(&args.read, args.config.as_deref(), false)?;
    let request = setup.request(args.inputs.clone(), !args.no_redact);
    let (found, records) = pipeline::find(request, &args.id)?;
    let Some(report) = found else {
        return Err(Error::Usage(format!(
            "show: no audited conversation has id {} in {} ({records} records read; \
             `handoff list` prints the ids)",
            terminal(&args.id),
            terminal(&args.inputs.join(" "))
        )));
    };
    let format = match args.format {
        ShowFormat::Table => ConversationFormat::Table,
        ShowFormat::Json => ConversationFormat::Json,
    };
    let opts = RenderOptions {
        color: setup.ui.color,
        generated_at: None,
        width: None,
    };
    write_stdout(&conversation::renderer(format).render(&report, &opts)?)?;
    Ok(Outcome::Success)
}
