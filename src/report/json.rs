//! JSON, for every document: `audit --format json` (also the saved-summary format that
//! `handoff gate` reads back), `gate --format json` and `calibrate --format json`. Pretty,
//! in the documents' own field order, ending in a newline.

use serde::Serialize;

use super::{RenderOptions, Renderer};
use crate::error::{Error, Result};

pub struct Json;

impl<D: Serialize + ?Sized> Renderer<D> for Json {
    fn render(&self, doc: &D, _: &RenderOptions) -> Result<String> {
        let mut s = serde_json::to_string_pretty(doc)
            .map_err(|e| Error::Internal(format!("json report: {e}")))?;
        s.push('\n');
        Ok(s)
    }
}
