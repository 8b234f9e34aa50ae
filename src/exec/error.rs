//! Why a step failed, as a diagnostic: the statement of the runbook where it failed (not a
//! string alone), a stable code and what to do. Shown after the summary table like `check`'s
//! diagnostics, and streamed as a `step_problem` event.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error as ThisError;

use super::event::Problem;
use super::interp::Failure;
use crate::source::{line_col, SourceMap, Span};

#[derive(Debug, ThisError, Diagnostic)]
pub enum Error {
    #[error("{note}")]
    #[diagnostic(
        code(runbook::run::command_failed),
        help("fix the cause, then `runbook resume` runs this step again from its start; the steps done before it are not run again")
    )]
    CommandFailed {
        note: String,
        #[label("failed on {host}")]
        span: SourceSpan,
        host: String,
    },

    #[error("{note}")]
    #[diagnostic(
        code(runbook::run::command_not_found),
        help("install it on {host} (or put it on the PATH of a non-interactive shell there), or correct its name")
    )]
    CommandNotFound {
        note: String,
        #[label("not found on {host}")]
        span: SourceSpan,
        host: String,
    },

    #[error("{note}")]
    #[diagnostic(
        code(runbook::run::check_failed),
        help("the step stopped at this check: set right what it looks at, then resume")
    )]
    CheckFailed {
        note: String,
        #[label("false on {host}")]
        span: SourceSpan,
        host: String,
    },

    #[error("{note}")]
    #[diagnostic(
        code(runbook::run::failed),
        help("`fail` ends the step; its message says why")
    )]
    Failed {
        note: String,
        #[label("the step failed here on {host}")]
        span: SourceSpan,
        host: String,
    },

    #[error("{note}")]
    #[diagnostic(
        code(runbook::run::wait_timed_out),
        help("what it waits for never came: look at it on the host, or give `wait_until` a longer `timeout`")
    )]
    WaitTimedOut {
        note: String,
        #[label("still false on {host}")]
        span: SourceSpan,
        host: String,
    },

    #[error("{note}")]
    #[diagnostic(
        code(runbook::run::step_timed_out),
        help("find out what hangs, or raise the step's `timeout`")
    )]
    StepTimedOut {
        note: String,
        #[label("running on {host} when the step's time ran out")]
        span: SourceSpan,
        host: String,
    },

    #[error("{note}")]
    #[diagnostic(
        code(runbook::run::bad_value),
        help("a value known only at run time did not fit what this needs")
    )]
    BadValue {
        note: String,
        #[label("here, on {host}")]
        span: SourceSpan,
        host: String,
    },

    #[error("{note}")]
    #[diagnostic(
        code(runbook::run::unreachable),
        help("nothing ran there: check that the host is up, its address, its key and your ssh config, then resume")
    )]
    Unreachable {
        note: String,
        #[label("needed {host}")]
        span: SourceSpan,
        host: String,
    },

    #[error("{note}")]
    #[diagnostic(
        code(runbook::run::connection_lost),
        help("the command may have partly happened: look at the host, then resume (the step runs again from its start)")
    )]
    ConnectionLost {
        note: String,
        #[label("running on {host} when the connection broke")]
        span: SourceSpan,
        host: String,
    },

    #[error("{note}")]
    #[diagnostic(
        code(runbook::run::not_started),
        help("the command could not be started: see the message")
    )]
    NotStarted {
        note: String,
        #[label("could not start on {host}")]
        span: SourceSpan,
        host: String,
    },
}

impl Error {
    /// The diagnostic of a failure at `span` on `host`; `None` for the ends that are not
    /// problems (an interrupt, a gate) or that the footer tells (the journal).
    pub fn of(failure: &Failure, host: &str, span: Span) -> Option<Error> {
        let (note, span, host) = (failure.note(), span.into(), host.to_string());
        Some(match failure {
            Failure::Command { code: 127, .. } => Error::CommandNotFound { note, span, host },
            Failure::Command { .. } => Error::CommandFailed { note, span, host },
            Failure::Check { .. } => Error::CheckFailed { note, span, host },
            Failure::Fail { .. } => Error::Failed { note, span, host },
            Failure::WaitTimeout { .. } => Error::WaitTimedOut { note, span, host },
            Failure::TimedOut | Failure::StepTimeout(_) => Error::StepTimedOut { note, span, host },
            Failure::Eval { .. } => Error::BadValue { note, span, host },
            Failure::Unreachable { .. } => Error::Unreachable { note, span, host },
            Failure::Dropped { .. } => Error::ConnectionLost { note, span, host },
            Failure::Transport { .. } => Error::NotStarted { note, span, host },
            Failure::Interrupted
            | Failure::AwaitingApproval { .. }
            | Failure::Declined
            | Failure::Denied { .. }
            | Failure::Journal { .. } => return None,
        })
    }
}

/// The diagnostic as the event stream carries it: where it points as file, line and column
/// (and byte offsets, for rendering), and the tail of the failed command's stderr.
pub fn problem(error: &Error, span: Span, sources: &SourceMap, stderr: &str) -> Problem {
    let file = sources.get(span.file);
    let (line, column) = line_col(&file.text, span.start as usize);
    let label = error
        .labels()
        .into_iter()
        .flatten()
        .next()
        .and_then(|l| l.label().map(str::to_string))
        .unwrap_or_default();
    let mut tail: Vec<String> = stderr
        .lines()
        .rev()
        .filter(|l| !l.trim().is_empty())
        .take(STDERR_TAIL)
        .map(str::to_string)
        .collect();
    tail.reverse();
    Problem {
        code: error.code().map(|c| c.to_string()).unwrap_or_default(),
        message: error.to_string(),
        help: error.help().map(|h| h.to_string()).unwrap_or_default(),
        label,
        file: file.name.clone(),
        line,
        column,
        start: span.start as usize,
        end: span.end as usize,
        stderr: tail,
    }
}

/// How many of a failed command's last stderr lines a problem shows.
const STDERR_TAIL: usize = 5;
