//! `handoff formats`: the input formats, one line each, in detection order.

use handoff::error::Result;
use handoff::ingest::formats;

use super::{write_stdout, Outcome};

pub fn run() -> Result<Outcome> {
    write_stdout(&formats::describe())?;
    Ok(Outcome::Success)
}
