//! `--format json`: the whole summary, stable field order. Also the saved-summary format.

use super::{RenderOptions, Renderer};
use crate::error::{Error, Result};
use crate::summary::Summary;

pub struct JsonRenderer;

impl Renderer for JsonRenderer {
    fn render(&self, summary: &Summary, _: &RenderOptions) -> Result<String> {
        let mut s = serde_json::to_string_pretty(summary)
            .map_err(|e| Error::Internal(format!("json report: {e}")))?;
        s.push('\n');
        Ok(s)
    }
}
