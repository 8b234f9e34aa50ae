//! Where a user's runs live: the state directory (the embedded default), or a PostgreSQL
//! database a team shares. Everything that finds, reads, locks or writes a run goes through
//! here, so the two keep the same guarantees (docs/journal.md, docs/team.md).

use std::path::{Path, PathBuf};

use super::error::Error;
use super::lock::{Holder, Lock};
use super::postgres::{Database, DbLock, Url};
use super::reader::Journal;
use super::writer::Writer;

/// Where the state is, before anything is opened.
#[derive(Debug, Clone)]
pub enum Location {
    Files(PathBuf),
    Database(Url),
}

impl Location {
    /// The state directory this user's own files go in (with a database: the run keys of
    /// secret captures, and gates waiting for approval on this machine).
    pub fn local(&self) -> PathBuf {
        match self {
            Location::Files(dir) => dir.clone(),
            Location::Database(_) => super::state_dir(None),
        }
    }
}

/// `--state URL`, else `--state-dir DIR`, else `$RUNBOOK_STATE`, else `$RUNBOOK_STATE_DIR`,
/// else `state = "…"` in the config file, else the user's own state directory.
pub fn locate(state_dir: Option<&Path>, state: Option<&str>) -> Result<Location, Error> {
    let url = |text: &str, from: &str| {
        Url::parse(text)
            .map(Location::Database)
            .ok_or(Error::StateUrl {
                value: text.to_string(),
                from: from.to_string(),
            })
    };
    if let Some(text) = state {
        return url(text, "--state");
    }
    if let Some(dir) = state_dir {
        return Ok(Location::Files(dir.to_path_buf()));
    }
    if let Some(text) = std::env::var("RUNBOOK_STATE")
        .ok()
        .filter(|v| !v.is_empty())
    {
        return url(&text, "RUNBOOK_STATE");
    }
    if std::env::var_os("RUNBOOK_STATE_DIR").is_some_and(|d| !d.is_empty()) {
        return Ok(Location::Files(super::state_dir(None)));
    }
    if let Some((text, file)) = super::config::state()? {
        return url(&text, &file);
    }
    Ok(Location::Files(super::state_dir(None)))
}

/// The state, opened.
#[derive(Debug)]
pub enum Store {
    Files(PathBuf),
    /// The database, and this user's own state directory for what never leaves the machine
    /// (the run keys of captures made from secrets).
    Database {
        db: Database,
        local: PathBuf,
    },
}

/// A runbook's lock, wherever it is kept.
#[derive(Debug)]
pub enum RunLock {
    File(Lock),
    Database(DbLock),
}

impl Store {
    pub fn open(location: &Location) -> Result<Store, Error> {
        match location {
            Location::Files(dir) => Ok(Store::Files(dir.clone())),
            Location::Database(url) => Ok(Store::Database {
                db: Database::open(url)?,
                local: super::state_dir(None),
            }),
        }
    }

    /// The state directory this user's own files go in.
    pub fn local(&self) -> &Path {
        match self {
            Store::Files(dir) | Store::Database { local: dir, .. } => dir,
        }
    }

    /// How messages name the state: a directory, or a URL without its password.
    pub fn shown(&self) -> String {
        match self {
            Store::Files(dir) => dir.display().to_string(),
            Store::Database { db, .. } => db.url().shown(),
        }
    }

    /// Creates (and checks) the local state directory.
    pub fn prepare(&self) -> Result<(), Error> {
        super::prepare(self.local())
    }

    /// One run of a runbook at a time. On files the runbook is known by its path; in a
    /// shared database by its name, the same on every operator's machine.
    pub fn lock(
        &self,
        runbook: &Path,
        name: &str,
        run_id: &str,
    ) -> Result<(RunLock, Option<Holder>), Error> {
        match self {
            Store::Files(dir) => Lock::acquire(&super::lock_path(dir, runbook), run_id)
                .map(|(lock, stale)| (RunLock::File(lock), stale)),
            Store::Database { db, .. } => db
                .lock(&format!("runbook:{name}"), run_id)
                .map(|(lock, stale)| (RunLock::Database(lock), stale)),
        }
    }

    /// A new run's journal.
    pub fn create(&self, run_id: &str, name: &str, runbook: &Path) -> Result<Writer, Error> {
        match self {
            Store::Files(dir) => {
                let path = super::journal_path(dir, run_id);
                Writer::create(&path).map_err(|e| Error::WriteFailed {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })
            }
            Store::Database { db, .. } => db
                .create(run_id, name, &runbook.display().to_string())
                .map(Writer::Database),
        }
    }

    /// An existing run's journal, to go on writing it.
    pub fn append(&self, run_id: &str) -> Result<Writer, Error> {
        match self {
            Store::Files(dir) => {
                let path = super::journal_path(dir, run_id);
                Writer::append(&path).map_err(|e| Error::WriteFailed {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })
            }
            Store::Database { db, .. } => db.append(run_id).map(Writer::Database),
        }
    }

    /// The run `prefix` names: its whole id, or the start of exactly one.
    pub fn find(&self, prefix: &str) -> Result<String, Error> {
        match self {
            Store::Files(dir) => super::find(dir, prefix).map(|path| {
                path.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            }),
            Store::Database { db, .. } => db.find(prefix),
        }
    }

    pub fn read(&self, run_id: &str) -> Result<Journal, Error> {
        match self {
            Store::Files(dir) => super::read(&super::journal_path(dir, run_id)),
            Store::Database { db, .. } => db.read(run_id),
        }
    }

    /// A journal this session may act on. On files, only the user's own: another user's
    /// would make this session run their runbook as this user. In the database, the
    /// server's grants decide who may read and append.
    pub fn read_to_act(&self, run_id: &str) -> Result<Journal, Error> {
        if let Store::Files(dir) = self {
            super::trust(&super::journal_path(dir, run_id))?;
        }
        self.read(run_id)
    }

    /// Every run's journal, oldest first; one that cannot be read is an error in its place.
    pub fn journals(&self) -> Result<Vec<Result<Journal, Error>>, Error> {
        match self {
            Store::Files(dir) => Ok(super::list(dir).iter().map(|p| super::read(p)).collect()),
            Store::Database { db, .. } => db.journals(),
        }
    }

    /// How messages name a run's journal.
    pub fn journal_name(&self, run_id: &str) -> String {
        match self {
            Store::Files(dir) => super::journal_path(dir, run_id).display().to_string(),
            Store::Database { db, .. } => db.journal_name(run_id),
        }
    }

    /// Where this state's gates wait for decisions from anywhere.
    pub fn gates(&self) -> super::gates::Gates {
        match self {
            Store::Files(dir) => super::gates::Gates::Files(dir.clone()),
            Store::Database { db, .. } => super::gates::Gates::Database(db.clone()),
        }
    }

    /// The keys of a run's captures made from secrets: always on this machine, beside where
    /// a file journal would be, never in the shared database.
    pub fn vault(&self, run_id: &str) -> super::vault::Vault {
        super::vault::Vault::beside(&super::journal_path(self.local(), run_id))
    }
}
