//! What an interpreter is given: the services a run shares, how its gates are answered,
//! and the step and host its commands go to.

use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::exec::event::Observer;
use crate::exec::mask::Masker;
use crate::exec::transport::Transport;
use crate::source::SourceMap;

/// How approval gates are answered this run.
#[derive(Debug, Clone, Default)]
pub struct Approvals {
    /// `--yes`: every gate that is not dangerous.
    pub yes: bool,
    /// `--approve STEP`: the gates of these steps, dangerous or not.
    pub steps: Vec<String>,
    /// `--wait [LIMIT]`: a gate waits for `runbook approve` instead of asking here or
    /// pausing.
    pub wait: Option<Wait>,
}

/// How long a gate waits for `runbook approve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Until it is decided (or Ctrl-C).
    Unlimited,
    /// At most this long; then the run pauses at the gate.
    UpTo(Duration),
}

impl Wait {
    /// The longest it may wait; `None`: no limit.
    pub fn limit(self) -> Option<Duration> {
        match self {
            Wait::Unlimited => None,
            Wait::UpTo(d) => Some(d),
        }
    }
}

/// Services a run shares: the async runtime, Ctrl-C, the observer, the masker.
#[derive(Debug, Clone)]
pub struct Services<'a> {
    pub runtime: &'a tokio::runtime::Runtime,
    pub stop: watch::Receiver<bool>,
    pub observer: &'a dyn Observer,
    pub masker: Masker,
    pub verbose: bool,
    /// `-vv`: each command's exit code and time, each journal record as it is written.
    pub debug: bool,
    pub sources: &'a SourceMap,
    pub approvals: Approvals,
}

/// The step and host commands currently go to.
#[derive(Debug)]
pub struct Target<'a> {
    pub step: String,
    pub host: String,
    pub transport: &'a dyn Transport,
    pub deadline: Option<Instant>,
    /// Guards decide; their commands' output is not the step's (shown with `-v` only).
    pub quiet: bool,
    /// The step's `sudo` modifier: every command it runs goes through `sudo -n`.
    pub sudo: bool,
}

impl<'a> Target<'a> {
    /// The same target for commands whose output is shown only with `-v`: guards, checks.
    pub fn quieted(&self, verbose: bool) -> Target<'a> {
        Target {
            quiet: !verbose,
            step: self.step.clone(),
            host: self.host.clone(),
            ..*self
        }
    }
}
