//! What happens during a run, as the report (human or `--json`) is told it.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    Stdout,
    Stderr,
}

// The verdicts are the journal's: one enum for what is written, shown and streamed.
pub use crate::journal::record::{RunStatus, StepStatus};

/// A failure as a diagnostic: code, message, what to do, and where in which file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub code: String,
    pub message: String,
    pub help: String,
    pub label: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Byte offsets into `file`, for rendering.
    pub start: usize,
    pub end: usize,
    /// The last lines the command wrote on stderr (masked), when a command failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stderr: Vec<String>,
}

/// How a gate was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    Approved,
    Declined,
    /// No terminal to ask on and no flag: the run pauses at the gate.
    Awaiting,
    /// Ctrl-C (or SIGTERM) at the prompt.
    Interrupted,
}

/// Events carry masked text only: secrets are replaced before an event is made.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    RunStarted {
        run_id: String,
        runbook: String,
        title: String,
        steps: usize,
    },
    StepStarted(StepStarted),
    Command {
        step: String,
        host: String,
        command: String,
    },
    Output {
        step: String,
        host: String,
        stream: Stream,
        line: String,
    },
    /// `-vv`: a command ended (with any code; whether it failed the step is the step's
    /// event).
    CommandFinished {
        step: String,
        host: String,
        code: i32,
        duration_ms: u64,
    },
    /// `-vv`: a record was appended to the journal, and synced.
    Journaled {
        record: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        step: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        host: Option<String>,
    },
    Log {
        step: String,
        host: String,
        message: String,
    },
    StepRetrying {
        step: String,
        host: String,
        attempt: u32,
        delay_ms: u64,
        reason: String,
    },
    StepFinished(StepFinished),
    /// A gate was reached: it is answered by a flag, at a prompt, or not at all.
    ApprovalRequested {
        step: String,
        host: String,
        message: String,
        dangerous: bool,
    },
    /// A notification could not be delivered after its retries (the run goes on).
    NotifyFailed {
        channel: String,
        /// What it was to be told (`failed`, `awaiting_approval`, ...).
        about: String,
        error: String,
    },
    /// A gate is published for `runbook approve`: the command to run, and who may.
    ApprovalWaiting(ApprovalWaiting),
    ApprovalAnswered {
        step: String,
        host: String,
        answer: Approval,
        /// Who approved (`$USER`, the uid's name, or `--as`); absent unless approved.
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<String>,
        /// `prompt`, `--yes` or `--approve`; absent unless approved.
        #[serde(skip_serializing_if = "Option::is_none")]
        how: Option<String>,
    },
    /// Why a step failed on a host, as a diagnostic (before its `step_finished`).
    StepProblem {
        step: String,
        host: String,
        problem: Problem,
    },
    /// A step on several hosts ended on all of them (each has had its `step_finished`).
    FanoutFinished {
        step: String,
        title: String,
        hosts: usize,
        /// How many hosts may fail with the run going on (`max_fail`).
        max_fail: usize,
        duration_ms: u64,
    },
    RollbackStarted {
        step: String,
        host: String,
    },
    RollbackFinished(RollbackFinished),
    RunFinished {
        status: RunStatus,
        duration_ms: u64,
        exit_code: i32,
    },
}

// The events a reporter handles as a whole have a struct of their own; in the stream their
// fields stand beside `event`, as every other event's do.

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepStarted {
    pub step: String,
    pub title: String,
    pub host: String,
    pub attempt: u32,
    /// The step runs on several hosts: their output interleaves.
    pub fanout: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepFinished {
    pub step: String,
    pub title: String,
    pub host: String,
    pub status: StepStatus,
    pub duration_ms: u64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollbackFinished {
    pub step: String,
    pub host: String,
    pub ok: bool,
    pub duration_ms: u64,
    pub note: String,
    /// Stopped by a signal part way: the step may be partly undone.
    pub cut: bool,
}

/// A gate is published for `runbook approve`: the command to run, and who may.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApprovalWaiting {
    pub step: String,
    pub host: String,
    pub command: String,
    /// How many distinct approvers it needs.
    pub min: u32,
    /// Users or groups who may approve; empty: anyone.
    pub by: Vec<String>,
    /// Under a policy: the starter, who may not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_by: Option<String>,
}

/// Receives every event of a run, in order.
pub trait Observer: std::fmt::Debug + Send + Sync {
    fn event(&self, event: Event);

    /// Asks a yes/no question (approvals), until answered or `stop` is set (Ctrl-C).
    fn ask(
        &self,
        prompt: &str,
        expected: &str,
        stop: &tokio::sync::watch::Receiver<bool>,
    ) -> Answer;
}

/// What came of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    /// No terminal to ask on.
    Nobody,
    /// Ctrl-C (or SIGTERM) while it waited: the run ends, nothing is taken for an answer.
    Interrupted,
}
