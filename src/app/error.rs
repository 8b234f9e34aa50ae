//! Why a command stopped before its work, or instead of it. Commands return these and
//! `app::run` reports each one once, in one place, and exits with its code.

use crate::check::Problem;
use crate::exit;
use crate::journal;
use crate::report::Reporter;
use crate::source::SourceMap;

#[derive(Debug)]
pub enum Error {
    /// A runbook's problems (its parse, check or plan), drawn with their sources.
    Problems {
        shown: String,
        sources: Box<SourceMap>,
        problems: Vec<Problem>,
    },
    /// The state, a journal or a lock.
    Journal(journal::Error),
    /// A runbook or module that cannot be read.
    Read(super::read::Error),
    /// `runbook approve` refused.
    Approve(super::approve::Error),
    /// What the machine or a host refused (a runtime, a directory, a host's lock): the
    /// messages, their help, and the exit code.
    Refused {
        messages: Vec<String>,
        help: Option<String>,
        code: i32,
    },
}

impl Error {
    pub fn refused(message: impl Into<String>, code: i32) -> Error {
        Error::Refused {
            messages: vec![message.into()],
            help: None,
            code,
        }
    }

    /// The exit code the command ends with (README's contract).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Problems { .. } | Error::Read(_) => exit::INVALID,
            Error::Journal(e) => e.exit_code(),
            Error::Approve(e) => e.exit_code(),
            Error::Refused { code, .. } => *code,
        }
    }

    pub fn report(&self, reporter: &Reporter) {
        match self {
            Error::Problems {
                shown,
                sources,
                problems,
            } => reporter.problems(shown, sources, problems),
            Error::Journal(e) => reporter.diagnostic(e),
            Error::Read(e) => reporter.diagnostic(e),
            Error::Approve(e) => reporter.diagnostic(e),
            Error::Refused { messages, help, .. } => {
                for m in messages {
                    reporter.fatal(m, help.as_deref());
                }
            }
        }
    }
}

impl From<journal::Error> for Error {
    fn from(e: journal::Error) -> Self {
        Error::Journal(e)
    }
}

impl From<super::read::Error> for Error {
    fn from(e: super::read::Error) -> Self {
        Error::Read(e)
    }
}

impl From<super::approve::Error> for Error {
    fn from(e: super::approve::Error) -> Self {
        Error::Approve(e)
    }
}
