//! Why a step did not complete, as the interpreter tells the executor.

use std::time::Duration;

use crate::syntax::ast;

/// Why a step did not complete.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    Command {
        command: String,
        code: i32,
        stderr: String,
    },
    Check {
        message: String,
    },
    Fail {
        message: String,
    },
    WaitTimeout {
        condition: String,
        timeout: Duration,
        /// Why the last try could not tell, when it failed instead of being false.
        last_error: Option<String>,
    },
    /// A command hit the step's deadline (turned into `StepTimeout` by the executor).
    TimedOut,
    /// The step ran longer than its `timeout`.
    StepTimeout(Duration),
    Interrupted,
    /// A value was not what the operation needs (only knowable at run time).
    Eval {
        message: String,
    },
    Transport {
        message: String,
    },
    /// The host could not be reached, or the connection to it was lost.
    Unreachable {
        message: String,
    },
    /// The connection broke while `command` ran: it may have partly happened. A step marked
    /// `disconnects` expects this (a reboot) and ends as done.
    Dropped {
        command: String,
        message: String,
    },
    AwaitingApproval {
        message: String,
        dangerous: bool,
    },
    Declined,
    /// Someone allowed to decide said no, through `runbook approve --deny`.
    Denied {
        by: String,
        reason: String,
    },
    /// The journal could not be written: nothing more may run.
    Journal {
        message: String,
    },
}

impl Failure {
    /// One line for the step's status and the summary table.
    pub fn note(&self) -> String {
        match self {
            Failure::Command {
                command,
                code,
                stderr,
            } => {
                let last = stderr
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("");
                let command = one_line(command, 60);
                if stderr.contains("sudo: a password is required") {
                    format!("`{command}`: sudo needs a password here, and a run cannot type one (it uses `sudo -n`): allow this command without a password (NOPASSWD)")
                } else if *code == 127 {
                    let detail = if last.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", one_line(last, 80))
                    };
                    format!("`{command}`: command not found (exit 127){detail}")
                } else if last.is_empty() {
                    format!("`{command}` exited with {code}")
                } else {
                    format!("`{command}` exited with {code}: {}", one_line(last, 80))
                }
            }
            Failure::Check { message } | Failure::Fail { message } | Failure::Eval { message } => {
                message.clone()
            }
            Failure::WaitTimeout {
                condition,
                timeout,
                last_error,
            } => match last_error {
                Some(e) => format!(
                    "`{condition}` not true after {}: the last try failed: {e}",
                    ast::human_duration(*timeout)
                ),
                None => format!(
                    "`{condition}` still false after {}",
                    ast::human_duration(*timeout)
                ),
            },
            Failure::TimedOut => "timed out".into(),
            Failure::StepTimeout(d) => format!("timed out after {}", ast::human_duration(*d)),
            Failure::Interrupted => "interrupted".into(),
            Failure::Transport { message } | Failure::Unreachable { message } => message.clone(),
            Failure::Dropped { command, message } => format!(
                "{message} while `{}` ran: it may have partly happened (a step that reboots the host or restarts its network says so with `disconnects`)",
                one_line(command, 80)
            ),
            Failure::AwaitingApproval { message, .. } => format!("awaiting approval: {message}"),
            Failure::Declined => "approval declined".into(),
            Failure::Denied { by, reason } if reason.is_empty() => format!("denied by {by}"),
            Failure::Denied { by, reason } => format!("denied by {by}: {reason}"),
            Failure::Journal { message } => format!("journal: {message}"),
        }
    }
}

fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max).collect::<String>())
    }
}
