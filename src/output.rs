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
        // Temporary files are private (0600); a report is meant to be shared, so it gets
        // the permissions of the file it replaces, or the usual 0644 for a new one.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let perms = std::fs::metadata(&path)
                .map(|m| m.permissions())
                .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
            std::fs::set_permissions(self.tmp.path(), perms).map_err(|e| self.err(e))?;
        }
        self.tmp.persist(&path).map_err(|e| Error::Output {
            path: path.display().to_string(),
            source: e.error,
        })?;
        Ok(())
    }
}

/// Writes a whole file atomically.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let file = AtomicFile::create(path)?;
    let mut w = file.writer()?;
    w.write_all(bytes).map_err(|e| file.err(e))?;
    w.flush().map_err(|e| file.err(e))?;
    drop(w);
    file.commit()
}
