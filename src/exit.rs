//! The exit-code contract (documented in README.md and `runbook --help`).

/// Everything asked for was done.
pub const SUCCESS: i32 = 0;
/// A step failed; its completed predecessors were rolled back.
pub const STEP_FAILED: i32 = 1;
/// The runbook is invalid, or the command line is.
pub const INVALID: i32 = 2;
/// The run paused at an approval gate (no terminal to ask on).
pub const AWAITING_APPROVAL: i32 = 3;
/// A rollback failed: the system is in a state the journal describes.
pub const ROLLBACK_FAILED: i32 = 4;
/// A step failed and, as `--no-rollback` asked, nothing was undone.
pub const FAILED_NO_ROLLBACK: i32 = 5;
/// An approval was refused at its prompt.
pub const DECLINED: i32 = 6;
/// Another run of the runbook holds its lock (or a command of a killed run still does).
pub const LOCKED: i32 = 7;
/// The journal could not be written (a full disk, a file-size limit): the run stopped before
/// anything it could not record, and undid nothing.
pub const JOURNAL_FAILED: i32 = 8;
/// `import` found nothing runnable: the runbook it wrote has no step.
pub const NOTHING_IMPORTED: i32 = 9;
/// `fmt --check` found a file that is not in the canonical layout.
pub const NOT_FORMATTED: i32 = 10;
/// Interrupted by SIGINT (128 + SIGINT, as shells report it).
pub const INTERRUPTED: i32 = 130;
/// Interrupted by SIGTERM (128 + SIGTERM).
pub const TERMINATED: i32 = 143;

/// The signal that stopped the run, as its exit code (SIGINT unless SIGTERM came).
static STOPPED_BY: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(INTERRUPTED);

/// Notes which signal stops the run.
pub fn stopped_by(code: i32) {
    STOPPED_BY.store(code, std::sync::atomic::Ordering::SeqCst);
}

/// The exit code of an interrupted run: 130 for SIGINT, 143 for SIGTERM.
pub fn interrupted() -> i32 {
    STOPPED_BY.load(std::sync::atomic::Ordering::SeqCst)
}

pub const HELP: &str = "\
Exit codes:
  0    success
  1    a step failed (completed steps were rolled back)
  2    invalid runbook or usage
  3    paused: waiting for an approval
  4    a rollback failed
  5    a step failed and nothing was rolled back (--no-rollback)
  6    an approval was declined
  7    another run holds the runbook's lock
  8    the journal could not be written (disk full?): the run stopped
  9    import found nothing runnable
  10   fmt --check: a file is not formatted
  130  interrupted (SIGINT)
  143  terminated (SIGTERM)";
