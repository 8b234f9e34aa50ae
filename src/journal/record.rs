//! One line of a journal. The format is versioned by `run_started.format` and documented
//! in docs/journal.md; readers accept records they do not know (skipped, not fatal).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The journal format written by this build.
pub const FORMAT: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    RunStarted {
        format: u32,
        run_id: String,
        runbook: String,
        /// Absolute path of the runbook file.
        path: String,
        /// blake3 of the runbook, the modules it uses and its params.
        fingerprint: String,
        /// blake3 of each step's text, to name the steps an edit changed.
        steps: BTreeMap<String, String>,
        params: BTreeMap<String, ParamRecord>,
        /// Names of the secrets the run read: never their values.
        secrets: Vec<String>,
        /// The steps the command line chose (`--only`, `--from`, `--skip`, `--tags`);
        /// absent when every step runs. `resume` keeps it.
        #[serde(
            default,
            skip_serializing_if = "crate::plan::Selection::is_empty_boxed"
        )]
        selection: Box<crate::plan::Selection>,
        at: String,
        pid: u32,
        user: String,
    },
    Resumed {
        at: String,
        pid: u32,
        user: String,
        /// Started despite a changed runbook (`--force`).
        forced: bool,
    },
    /// Written and synced before a step's first side effect.
    StepIntent {
        step: String,
        host: String,
        attempt: u32,
        at: String,
    },
    StepResult {
        step: String,
        host: String,
        status: StepStatus,
        duration_ms: u64,
        note: String,
        /// The step's own `let`s. Values holding a secret are stored masked.
        captures: BTreeMap<String, CaptureRecord>,
        at: String,
    },
    Approval {
        step: String,
        host: String,
        by: String,
        how: String,
        /// For `runbook approve`: where it was decided (machine, ssh client or tty) and when.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decided_at: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        at: String,
    },
    RollbackIntent {
        step: String,
        host: String,
        at: String,
    },
    RollbackResult {
        step: String,
        host: String,
        ok: bool,
        note: String,
        duration_ms: u64,
        at: String,
        /// Stopped by a signal part way: the step may be partly undone, as after a crash.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        cut: bool,
    },
    /// A step's `on_failure` or `always` block ran (`block`), and how it ended.
    Cleanup {
        step: String,
        host: String,
        block: String,
        ok: bool,
        note: String,
        duration_ms: u64,
        at: String,
    },
    /// A notification was sent (or could not be): it never changes how the run ends.
    Notified {
        event: String,
        /// `webhook 1`: never the URL, which is a secret.
        channel: String,
        attempts: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        at: String,
    },
    RunFinished {
        status: RunStatus,
        exit_code: i32,
        duration_ms: u64,
        at: String,
    },
    /// A record type from a newer format: kept, not understood.
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Ok,
    /// Completed in an earlier session of a resumed run: not run again.
    Done,
    Skipped,
    Failed,
    TimedOut,
    Interrupted,
    AwaitingApproval,
    Declined,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Succeeded,
    Failed,
    RollbackFailed,
    AwaitingApproval,
    Interrupted,
    /// `runbook rollback RUN_ID` undid the run's completed steps.
    RolledBack,
    /// A step failed and nothing was undone (`--no-rollback`).
    FailedNoRollback,
    /// An approval was refused at its prompt.
    Declined,
    /// The journal could not be written: the run stopped, and nothing was undone.
    JournalFailed,
}

impl StepStatus {
    /// As written in the journal: `timed_out`.
    pub fn name(self) -> &'static str {
        match self {
            StepStatus::Ok => "ok",
            StepStatus::Done => "done",
            StepStatus::Skipped => "skipped",
            StepStatus::Failed => "failed",
            StepStatus::TimedOut => "timed_out",
            StepStatus::Interrupted => "interrupted",
            StepStatus::AwaitingApproval => "awaiting_approval",
            StepStatus::Declined => "declined",
        }
    }

    /// As people read it: `timed out`.
    pub fn words(self) -> String {
        self.name().replace('_', " ")
    }

    /// Done: its effect is in place (`ok`, or `skipped` by its guard).
    pub fn is_done(self) -> bool {
        matches!(self, StepStatus::Ok | StepStatus::Skipped)
    }
}

impl RunStatus {
    /// As written in the journal: `rolled_back`.
    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::RollbackFailed => "rollback_failed",
            RunStatus::AwaitingApproval => "awaiting_approval",
            RunStatus::Interrupted => "interrupted",
            RunStatus::RolledBack => "rolled_back",
            RunStatus::FailedNoRollback => "failed_no_rollback",
            RunStatus::Declined => "declined",
            RunStatus::JournalFailed => "journal_failed",
        }
    }

    /// The exit code of a session that ended so (the codes are in `crate::exit`).
    pub fn exit_code(self) -> i32 {
        match self {
            RunStatus::Succeeded | RunStatus::RolledBack => crate::exit::SUCCESS,
            RunStatus::Failed => crate::exit::STEP_FAILED,
            RunStatus::RollbackFailed => crate::exit::ROLLBACK_FAILED,
            RunStatus::AwaitingApproval => crate::exit::AWAITING_APPROVAL,
            RunStatus::Interrupted => crate::exit::interrupted(),
            RunStatus::FailedNoRollback => crate::exit::FAILED_NO_ROLLBACK,
            RunStatus::Declined => crate::exit::DECLINED,
            RunStatus::JournalFailed => crate::exit::JOURNAL_FAILED,
        }
    }

    /// As people read it: `rolled back`.
    pub fn words(self) -> String {
        self.name().replace('_', " ")
    }

    /// Nothing is left to resume: the run did all it set out to, or undid it.
    pub fn is_settled(self) -> bool {
        matches!(self, RunStatus::Succeeded | RunStatus::RolledBack)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamRecord {
    pub value: serde_json::Value,
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureRecord {
    pub value: serde_json::Value,
    /// The value contained a secret and is stored masked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub masked: bool,
    /// Format 2 only: the value with each secret as `\u0001NAME\u0001`. Read, never written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<serde_json::Value>,
    /// The value itself, locked with the run's key and the secrets it was made from: what
    /// a resumed run gets back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<super::vault::Locked>,
}

impl CaptureRecord {
    /// The value as a resumed run should see it, given a way to unseal.
    pub fn restore(
        &self,
        unseal: impl Fn(&serde_json::Value) -> serde_json::Value,
    ) -> serde_json::Value {
        self.sealed
            .as_ref()
            .map_or_else(|| self.value.clone(), unseal)
    }
}

/// Now, as RFC 3339 (UTC, seconds).
pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}
