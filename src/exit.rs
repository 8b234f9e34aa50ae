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
/// Interrupted by SIGINT/SIGTERM (128 + SIGINT, as shells report it).
pub const INTERRUPTED: i32 = 130;

pub const HELP: &str = "\
Exit codes:
  0    success
  1    a step failed (completed steps were rolled back)
  2    invalid runbook or usage
  3    paused: waiting for an approval
  4    a rollback failed
  130  interrupted";
