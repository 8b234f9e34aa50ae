//! The plan as a document: what `--dry-run` shows and `--dry-run --json` prints. Every
//! command is the exact command line that would run, after interpolation; values only
//! known at run time appear as `<description>`, secrets as `••••`.

use serde::Serialize;

/// The document format, bumped when a field changes meaning.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct PlanDoc {
    pub format: u32,
    pub runbook: String,
    pub title: String,
    pub params: Vec<ParamDoc>,
    pub secrets: Vec<String>,
    pub hosts: Vec<HostDoc>,
    /// `notify` channels: who a real run tells, and of what (never the URL).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<String>,
    /// `lock hosts`: the hosts a real run locks before its first step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locked_hosts: Vec<String>,
    pub steps: Vec<StepDoc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParamDoc {
    pub name: String,
    pub value: serde_json::Value,
    /// `default`, `set` or `set_file`.
    pub origin: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HostDoc {
    pub name: String,
    /// `local`, or the `ssh(...)` declaration as written.
    pub target: String,
}

/// One of a step's settings, for a renderer to phrase (the plan's terse line, `doc`'s prose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting<'a> {
    Parallel(u32),
    MaxFail(&'a str),
    Timeout(&'a str),
    Retry(&'a str),
}

#[derive(Debug, Clone, Serialize)]
pub struct StepDoc {
    pub id: String,
    pub title: String,
    /// The hosts it runs on, in order (a group's members).
    pub hosts: Vec<String>,
    /// `on` a group: its name.
    pub group: Option<String>,
    pub guard: Option<GuardDoc>,
    pub timeout: Option<String>,
    pub retry: Option<String>,
    pub parallel: Option<u32>,
    pub max_fail: Option<String>,
    /// Its command may cut the connection (`disconnects`): a drop ends the step as done.
    pub disconnects: bool,
    /// Whether it would run: `runs`, `skipped` (a guard known from params is false) or
    /// `decided at run time` (the guard runs commands).
    pub verdict: String,
    pub actions: Vec<Action>,
    pub rollback: Vec<Action>,
    /// `on_failure { }`: what the step does when it fails itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_failure: Vec<Action>,
    /// `always { }`: what the step does at its end, failed or not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub always: Vec<Action>,
}

impl StepDoc {
    /// The settings the step was given, in the order they are shown.
    pub fn settings(&self) -> Vec<Setting<'_>> {
        let mut shown = Vec::new();
        shown.extend(self.parallel.map(Setting::Parallel));
        shown.extend(self.max_fail.as_deref().map(Setting::MaxFail));
        shown.extend(self.timeout.as_deref().map(Setting::Timeout));
        shown.extend(self.retry.as_deref().map(Setting::Retry));
        shown
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GuardDoc {
    /// `when` or `unless`.
    pub kind: String,
    pub condition: String,
    /// The commands that would decide it.
    pub commands: Vec<Action>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    Run {
        command: String,
        sudo: bool,
        ok_codes: Vec<i32>,
        /// What the command reads on stdin (`run ..., stdin: TEXT`): SQL, a config file.
        #[serde(skip_serializing_if = "Option::is_none")]
        stdin: Option<String>,
    },
    /// `let NAME = ...` in a step: the commands whose output it captures.
    Capture {
        name: String,
        commands: Vec<Action>,
    },
    Check {
        condition: String,
        message: Option<String>,
        commands: Vec<Action>,
    },
    WaitUntil {
        condition: String,
        every: String,
        timeout: String,
        commands: Vec<Action>,
    },
    Approve {
        message: String,
        dangerous: bool,
    },
    Log {
        message: String,
    },
    Fail {
        message: String,
    },
    /// `if`: the first branch, its condition and the commands that decide it. `known` is
    /// the condition's value when the plan can tell: then only the branch taken is given.
    /// An `else if` is an `If` alone in `otherwise`.
    If {
        condition: String,
        commands: Vec<Action>,
        #[serde(skip_serializing_if = "Option::is_none")]
        known: Option<bool>,
        then: Vec<Action>,
        otherwise: Vec<Action>,
    },
    /// `for NAME in LIST`: with a list the plan knows, the body once per item (`items`);
    /// else once, `NAME` standing for each item.
    For {
        name: String,
        list: String,
        commands: Vec<Action>,
        #[serde(skip_serializing_if = "Option::is_none")]
        items: Option<usize>,
        body: Vec<Action>,
    },
    /// Something the dry run could not work out (it would fail at run time too).
    Problem {
        message: String,
    },
}
