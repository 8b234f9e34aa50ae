//! The journal: every run's record on disk, from which `resume`, `rollback`, `runs` and
//! `show` work. Layout of the state directory:
//!
//! ```text
//! STATE_DIR/            0700
//!   runs/RUN_ID.jsonl   one journal per run (docs/journal.md)
//!   locks/KEY.lock      one lock per runbook
//! ```

pub mod config;
pub mod error;
pub mod gates;
pub mod inbox;
pub mod lock;
pub mod postgres;
pub mod reader;
pub mod record;
pub mod seal;
pub mod store;
pub mod vault;
pub mod writer;

use std::collections::BTreeMap;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

pub use error::Error;
pub use reader::{read, state, Journal, RunState};
pub use record::Record;
pub use store::{Location, Store};
pub use writer::Writer;

use crate::source::SourceMap;
use crate::syntax::ast::{self, Stmt};

/// `--state-dir`, else `$RUNBOOK_STATE_DIR`, else the user's own state directory
/// (`$XDG_STATE_HOME/runbook`, else `~/.local/state/runbook`): one place per user, so that
/// `resume`, `runs`, `show` and `rollback` find every run from any directory.
pub fn state_dir(flag: Option<&Path>) -> PathBuf {
    if let Some(dir) = flag {
        return dir.to_path_buf();
    }
    let var = |name: &str| std::env::var_os(name).filter(|d| !d.is_empty());
    if let Some(dir) = var("RUNBOOK_STATE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = var("XDG_STATE_HOME").filter(|d| Path::new(d).is_absolute()) {
        return PathBuf::from(dir).join("runbook");
    }
    match var("HOME") {
        Some(home) => PathBuf::from(home).join(".local/state/runbook"),
        // No home (a bare service environment): the current directory.
        None => PathBuf::from(".runbook"),
    }
}

/// Creates the state directory (0700: journals hold params and captured output), and
/// refuses one that another user could have planted or can write.
pub fn prepare(dir: &Path) -> Result<(), Error> {
    for sub in ["runs", "locks"] {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir.join(sub))
            .map_err(|e| Error::StateDir {
                path: dir.display().to_string(),
                reason: e.to_string(),
            })?;
    }
    for path in [dir.to_path_buf(), dir.join("runs"), dir.join("locks")] {
        trust(&path)?;
    }
    Ok(())
}

/// As ssh treats `~/.ssh`: a state path is used only if it is the user's own, not a
/// symbolic link, and not writable by others. Anyone who can write there can make this user
/// run their commands (a planted journal resumed) or truncate a file (a planted lock link).
pub fn trust(path: &Path) -> Result<(), Error> {
    use std::os::unix::fs::MetadataExt;
    let untrusted = |reason: String| Error::Untrusted {
        path: path.display().to_string(),
        reason,
    };
    let meta = std::fs::symlink_metadata(path).map_err(|e| untrusted(e.to_string()))?;
    let me = nix::unistd::geteuid().as_raw();
    if meta.file_type().is_symlink() {
        return Err(untrusted("it is a symbolic link".into()));
    }
    if meta.uid() != me {
        return Err(untrusted(format!(
            "it belongs to uid {}, not to you (uid {me})",
            meta.uid()
        )));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(untrusted(format!(
            "others can write to it (mode {:o})",
            meta.mode() & 0o777
        )));
    }
    Ok(())
}

pub fn journal_path(dir: &Path, run_id: &str) -> PathBuf {
    dir.join("runs").join(format!("{run_id}.jsonl"))
}

/// The lock file of a runbook: its name and a hash of its absolute path.
pub fn lock_path(dir: &Path, runbook: &Path) -> PathBuf {
    let stem = runbook
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let hash = blake3::hash(runbook.to_string_lossy().as_bytes()).to_hex();
    dir.join("locks")
        .join(format!("{stem}-{}.lock", &hash[..12]))
}

/// Every journal in the state directory, oldest first (run ids are time-ordered).
pub fn list(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join("runs"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
}

/// The journal of a run id, or of the one run whose id starts with `prefix`.
pub fn find(dir: &Path, prefix: &str) -> Result<PathBuf, Error> {
    let matches: Vec<PathBuf> = list(dir)
        .into_iter()
        .filter(|p| {
            p.file_stem()
                .is_some_and(|s| s.to_string_lossy().starts_with(prefix))
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::UnknownRun {
            id: prefix.into(),
            dir: dir.display().to_string(),
        }),
        many => Err(Error::AmbiguousRun {
            id: prefix.into(),
            matches: many
                .iter()
                .filter_map(|p| p.file_stem())
                .map(|s| s.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// What a run's identity rests on: the meaning of the runbook and of its modules (their
/// statements as parsed: comments, doc comments and layout do not count) and its params.
pub fn fingerprint(
    sources: &SourceMap,
    files: &[crate::source::FileId],
    params: &BTreeMap<String, record::ParamRecord>,
) -> String {
    let mut hasher = blake3::Hasher::new();
    for f in files {
        match crate::syntax::parse(sources.text(*f), *f) {
            Ok(file) => {
                for s in &file.stmts {
                    hasher.update(crate::syntax::tree::meaning(&s.node).as_bytes());
                }
            }
            Err(_) => {
                hasher.update(sources.text(*f).as_bytes());
            }
        }
        hasher.update(&[0]);
    }
    if let Ok(p) = serde_json::to_vec(params) {
        hasher.update(&p);
    }
    hasher.finalize().to_hex().to_string()
}

/// A hash of each step's meaning (as parsed: its comments and layout do not count).
pub fn step_hashes(file: &ast::File) -> BTreeMap<String, String> {
    file.stmts
        .iter()
        .filter_map(|s| match &s.node {
            Stmt::Step(step) => {
                let meaning = crate::syntax::tree::meaning(&s.node);
                Some((
                    step.id.node.clone(),
                    blake3::hash(meaning.as_bytes()).to_hex()[..16].to_string(),
                ))
            }
            _ => None,
        })
        .collect()
}

/// The user the journal names for a run or an approval.
pub fn user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        // A bare environment (cron, systemd, `env -i`): the name of the uid.
        .or_else(|| {
            nix::unistd::User::from_uid(nix::unistd::getuid())
                .ok()
                .flatten()
                .map(|u| u.name)
        })
        .unwrap_or_else(|| format!("uid {}", nix::unistd::getuid()))
}
