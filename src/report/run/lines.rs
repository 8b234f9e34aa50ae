//! The lines of a run's report between its steps' heads and results: the run's head, the
//! commands and what they print, log messages, retries, journal records (`-vv`), rollbacks.

use owo_colors::OwoColorize;

use super::{dim, ms, Detail, RunReport, State};
use crate::exec::event::Stream;

impl RunReport {
    /// `runbook · Title · 3 steps · run ID`.
    pub(super) fn run_started(&self, state: &State, runbook: &str, title: &str, steps: usize) {
        let text = format!(
            "{} {}",
            self.paint(runbook, |s| s.bold().to_string()),
            self.paint(
                &format!(
                    "· {title} · {} · run {}",
                    crate::report::counted(steps, "step"),
                    state.run_id
                ),
                dim
            )
        );
        self.line(state, &text);
    }

    /// `$ command` (`-v`).
    pub(super) fn command(&self, state: &mut State, command: &str) {
        self.header_if_pending(state);
        self.line(state, &format!("  {} {command}", self.paint("$", dim)));
    }

    /// `│ line` of a command's output; stderr's bar in yellow, a fan-out's lines by host.
    pub(super) fn output(
        &self,
        state: &mut State,
        (step, host): (&str, &str),
        stream: Stream,
        line: String,
    ) {
        if self.detail == Detail::Quiet {
            return;
        }
        self.header_if_pending(state);
        let line = if state.fanout.contains(step) {
            format!("{} {line}", self.paint(&format!("[{host}]"), dim))
        } else {
            line
        };
        let bar = if stream == Stream::Stderr {
            self.paint("│", |s| s.yellow().to_string())
        } else {
            self.paint("│", dim)
        };
        self.line(state, &format!("  {bar} {line}"));
    }

    /// `› message`: every line of a long message under the first, indented as one message.
    pub(super) fn log(&self, state: &mut State, (step, host): (&str, &str), message: String) {
        self.header_if_pending(state);
        let message = if state.fanout.contains(step) {
            format!("[{host}] {message}")
        } else {
            message
        };
        let mut lines = message.lines();
        let first = lines.next().unwrap_or("");
        self.line(
            state,
            &format!("  {} {first}", self.paint("›", |s| s.blue().to_string())),
        );
        for more in lines {
            self.line(state, &format!("    {more}"));
        }
    }

    /// `↻ attempt 2 in 5s: why`.
    pub(super) fn retrying(&self, state: &mut State, attempt: u32, delay_ms: u64, reason: &str) {
        self.header_if_pending(state);
        let text = format!(
            "  {} attempt {attempt} in {}: {reason}",
            self.paint("↻", |s| s.yellow().to_string()),
            ms(delay_ms)
        );
        self.line(state, &text);
    }

    /// `· journal: step_intent s1 on web` (`-vv`).
    pub(super) fn journaled(
        &self,
        state: &State,
        record: &str,
        step: Option<&str>,
        host: Option<&str>,
    ) {
        let at = match (step, host) {
            (Some(s), Some(h)) => format!(" {s} on {h}"),
            (Some(s), None) => format!(" {s}"),
            _ => String::new(),
        };
        let text = format!("  · journal: {record}{at}");
        self.line(state, &self.paint(&text, dim));
    }

    /// `↶ rolling back step · host`.
    pub(super) fn rollback_started(&self, state: &State, step: &str, host: &str) {
        let text = format!(
            "{} rolling back {step} {}",
            self.paint("↶", |s| s.magenta().to_string()),
            self.paint(&format!("· {host}"), dim)
        );
        self.line(state, &text);
    }
}
