//! `runbook::journal::*` diagnostics: state directory, locks, journals, resume.

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum Error {
    #[error("cannot use the state directory {path}: {reason}")]
    #[diagnostic(
        code(runbook::journal::state_dir),
        help("choose another with `--state-dir DIR` or RUNBOOK_STATE_DIR")
    )]
    StateDir { path: String, reason: String },

    #[error("the capture `{capture}` was made from a secret and cannot be restored: {reason}")]
    #[diagnostic(
        code(runbook::journal::capture_locked),
        help("a value made from a secret is locked in the journal with that secret: set the secret as it was when the run began, then resume again; or start a new run")
    )]
    CaptureLocked { capture: String, reason: String },

    #[error("will not use {path}: {reason}")]
    #[diagnostic(
        code(runbook::journal::untrusted),
        help("a state directory, journal or lock must be yours and writable by you alone (as ssh requires of ~/.ssh): fix its owner or mode (`chmod go-w`), or choose another with `--state-dir`")
    )]
    Untrusted { path: String, reason: String },

    #[error("another run of this runbook is in progress: run {run_id} (pid {pid})")]
    #[diagnostic(
        code(runbook::journal::locked),
        help(
            "wait for it to finish; two runs of one runbook at once could undo each other's work"
        )
    )]
    Locked { run_id: String, pid: u32 },

    #[error(
        "run {run_id} (pid {pid}) is gone, but a command it started still runs and holds its lock"
    )]
    #[diagnostic(
        code(runbook::journal::locked_by_command),
        help("the run was killed while a step's command ran; that command (and what it started) still holds {path}: wait for it to end, or find it with `fuser -v {path}`. A resume now would run the step twice at once")
    )]
    LockedByCommand {
        run_id: String,
        pid: u32,
        path: String,
    },

    #[error("another run of this runbook is in progress (it holds the lock `{name}`)")]
    #[diagnostic(
        code(runbook::journal::locked_elsewhere),
        help("that run keeps its journal in another state directory, or its lock file was removed: `runbook --state-dir DIR runs` there tells which; two runs of one runbook at once could undo each other's work")
    )]
    LockedElsewhere { name: String },

    #[error("another run of this runbook is in progress: run {run_id}, by {who}")]
    #[diagnostic(
        code(runbook::journal::locked_by_operator),
        help("the lock `{name}` is held in the shared state database; it is released when that run ends, or by the database if its connection dies (a crash): wait for it, or ask its operator")
    )]
    HeldBy {
        name: String,
        run_id: String,
        /// The operator, their database role, machine and pid, and since when.
        who: String,
    },

    #[error("cannot use the state database {url}: {reason}")]
    #[diagnostic(
        code(runbook::journal::database),
        help("nothing ran. Check the URL (`--state`, RUNBOOK_STATE or the config file), that the server is up, and that your role may connect; a run that had begun continues with `runbook resume` once it is back")
    )]
    Database { url: String, reason: String },

    #[error("`{value}` (from {from}) is not a state database URL")]
    #[diagnostic(
        code(runbook::journal::state_url),
        help("give `postgres://USER@HOST[:PORT]/DATABASE` (or `postgresql://`); a state directory is chosen with `--state-dir DIR` or RUNBOOK_STATE_DIR")
    )]
    StateUrl { value: String, from: String },

    #[error("cannot read the config file {path}: {reason}")]
    #[diagnostic(
        code(runbook::journal::config),
        help("it holds one setting, `state = \"postgres://USER@HOST/DATABASE\"` (docs/team.md)")
    )]
    Config { path: String, reason: String },

    #[error("the state database {url} has schema version {found}; this runbook knows versions up to {known}")]
    #[diagnostic(
        code(runbook::journal::schema_newer),
        help("a newer runbook migrated it: upgrade this runbook, so that it never writes tables it does not know")
    )]
    SchemaNewer { url: String, found: i32, known: i32 },

    #[error("the journal {path} is damaged at line {line}: {reason}")]
    #[diagnostic(code(runbook::journal::corrupt), help("only a last line without its newline may be torn by a crash; this one is damage. Inspect the file by hand"))]
    Corrupt {
        path: String,
        line: usize,
        reason: String,
    },

    #[error("the journal {path} is empty")]
    #[diagnostic(
        code(runbook::journal::empty),
        help("its run was stopped as it began, before anything ran: remove the file, or resume another run by its id")
    )]
    Empty { path: String },

    #[error("no run `{id}` in {dir}")]
    #[diagnostic(
        code(runbook::journal::unknown_run),
        help("`runbook runs` lists the runs there; pass `--state-dir` if they live elsewhere")
    )]
    UnknownRun { id: String, dir: String },

    #[error("`{id}` matches several runs: {matches}")]
    #[diagnostic(
        code(runbook::journal::ambiguous_run),
        help("give more characters of the run id")
    )]
    AmbiguousRun { id: String, matches: String },

    #[error("no unfinished run in {dir}{superseded}")]
    #[diagnostic(code(runbook::journal::nothing_to_resume), help("`runbook runs` shows every run and its status; resume takes a RUN_ID or `--runbook FILE`"))]
    NothingToResume { dir: String, superseded: String },

    #[error("run {run_id} {status}: there is nothing to resume")]
    #[diagnostic(
        code(runbook::journal::finished),
        help("start a new run with `runbook run`")
    )]
    Finished { run_id: String, status: String },

    #[error("the runbook changed since run {run_id} began: {changes}")]
    #[diagnostic(code(runbook::journal::changed), help("resuming would run steps other than those the journal describes; review the changes, then pass `--force` to go on anyway"))]
    Changed { run_id: String, changes: String },

    #[error("cannot write the journal {path}: {reason}")]
    #[diagnostic(code(runbook::journal::write_failed), help("nothing runs without a journal; free space or fix permissions (a run that had begun continues with `runbook resume`)"))]
    WriteFailed { path: String, reason: String },
}

impl Error {
    /// The exit code of a command that stops on this error: a held lock is not an invalid
    /// runbook, and a script waiting to retry must tell them apart.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Locked { .. }
            | Error::LockedByCommand { .. }
            | Error::LockedElsewhere { .. }
            | Error::HeldBy { .. } => crate::exit::LOCKED,
            Error::Database { .. } => crate::exit::JOURNAL_FAILED,
            _ => crate::exit::INVALID,
        }
    }
}
