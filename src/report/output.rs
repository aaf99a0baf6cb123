//! Files written atomically: into a temporary file beside the target, renamed into place
//! only when complete, so a failed or interrupted run never leaves half a report.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

pub struct AtomicFile {
    path: PathBuf,
    tmp: NamedTempFile,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".handoff-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|source| Error::Output {
                path: path.display().to_string(),
                source,
            })?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A buffered handle on the temporary file.
    pub fn writer(&self) -> Result<BufWriter<File>> {
        let f = self.tmp.reopen().map_err(|e| self.err(e))?;
        Ok(BufWriter::with_capacity(256 << 10, f))
    }

    pub fn err(&self, source: std::io::Error) -> Error {
        Error::Output {
            path: self.path.display().to_string(),
            source,
        }
    }

    pub fn commit(self) -> Result<()> {
        let path = self.path.clone();
        self.tmp.persist(&path).map_err(|e| Error::Output {
            path: path.display().to_string(),
            source: e.error,
        })?;
        Ok(())
    }
}
