//! Reading a runbook from disk: every refusal with its code (`runbook::read::*`).

use std::path::Path;

use miette::Diagnostic;
use thiserror::Error;

use crate::source::MAX_SOURCE_BYTES;

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum Error {
    #[error("cannot read {path}: {reason}")]
    #[diagnostic(
        code(runbook::read::unreadable),
        help("check the path (a runbook deleted or moved since?) and its permissions")
    )]
    Unreadable { path: String, reason: String },

    #[error("cannot read {path}: it is a directory")]
    #[diagnostic(code(runbook::read::directory), help("name the runbook file itself"))]
    Directory { path: String },

    #[error("cannot read {path}: {bytes} bytes is more than a runbook may be (64 MiB)")]
    #[diagnostic(
        code(runbook::read::too_large),
        help("split it into modules, or check that this is the file you meant")
    )]
    TooLarge { path: String, bytes: u64 },

    #[error("cannot read {path}: not UTF-8 text (invalid byte at offset {offset})")]
    #[diagnostic(
        code(runbook::read::not_utf8),
        help("runbooks are UTF-8 text: convert it, e.g. `iconv -f latin1 -t utf-8`")
    )]
    NotUtf8 { path: String, offset: usize },
}

/// Reads a runbook as UTF-8, refusing what cannot be one.
pub fn read_source(path: &Path) -> Result<String, Error> {
    let shown = path.display().to_string();
    let unreadable = |e: std::io::Error| Error::Unreadable {
        path: shown.clone(),
        reason: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.is_dir() {
        return Err(Error::Directory { path: shown });
    }
    if meta.len() > MAX_SOURCE_BYTES as u64 {
        return Err(Error::TooLarge {
            path: shown,
            bytes: meta.len(),
        });
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    String::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
        path: shown,
        offset: e.utf8_error().valid_up_to(),
    })
}
