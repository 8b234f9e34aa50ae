//! A run as people read it (a line per step, output under it, a summary table) or as
//! tools read it (`--json`: one event per line).

mod fanout;
mod finish;
mod gates;
mod lines;
mod problem;
mod steps;

use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::ProgressBar;
use owo_colors::OwoColorize;
use tabled::Tabled;
use tokio::sync::watch;

use crate::exec::event::{Answer, Event, Observer, StepStatus};
use crate::syntax::ast::human_duration;

/// What `run` shows besides step lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// `-q`: no command output.
    Quiet,
    Normal,
    /// `-v`: also the rendered commands.
    Verbose,
    /// `-vv`: also exit codes, times and journal records.
    Debug,
}

#[derive(Debug)]
pub struct RunReport {
    json: bool,
    color: bool,
    detail: Detail,
    spinner_on: bool,
    state: Mutex<State>,
    /// The runbook and its modules, to show the line a step failed at.
    sources: std::sync::OnceLock<crate::source::SourceMap>,
}

#[derive(Debug, Default)]
struct State {
    /// The step whose header is not printed yet (printed with its first output).
    pending: Option<(String, String)>,
    rows: Vec<Row>,
    spinner: Option<ProgressBar>,
    last_failed: Option<String>,
    awaiting: Option<String>,
    /// A gate with a policy: how others answer it (`runbook approve ...`, and who may).
    approve_with: Option<String>,
    declined: Option<String>,
    rolled_back: usize,
    /// A rollback began: an interrupt from here on stops the undoing, not a step.
    rolling_back: bool,
    /// The compensation a signal stopped part way.
    cut: Option<String>,
    /// Why steps failed, by host, in the order they did.
    problems: Vec<(String, crate::exec::event::Problem)>,
    run_id: String,
    /// Steps on several hosts: their lines carry the host, headers would interleave.
    fanout: std::collections::HashSet<String>,
}

#[derive(Debug, Tabled)]
struct Row {
    step: String,
    host: String,
    status: String,
    duration: String,
    note: String,
}

impl RunReport {
    pub fn new(json: bool, color: bool, detail: Detail) -> Self {
        let spinner_on = !json && io::stderr().is_terminal();
        RunReport {
            json,
            color,
            detail,
            spinner_on,
            state: Mutex::new(State::default()),
            sources: std::sync::OnceLock::new(),
        }
    }

    /// Where the runbook's lines are read from when a step fails.
    pub fn show_sources(&self, sources: &crate::source::SourceMap) {
        let _ = self.sources.set(sources.clone());
    }

    fn paint(&self, text: &str, style: fn(&str) -> String) -> String {
        if self.color {
            style(text)
        } else {
            text.to_string()
        }
    }

    /// Prints a line to stdout without tearing the spinner.
    fn line(&self, state: &State, text: &str) {
        let print = || {
            let _ = writeln!(io::stdout().lock(), "{text}");
        };
        match &state.spinner {
            Some(pb) => pb.suspend(print),
            None => print(),
        }
    }

    fn header_if_pending(&self, state: &mut State) {
        if let Some((title, host)) = state.pending.take() {
            let text = format!(
                "{} {title} {}",
                self.paint("▸", |s| s.cyan().to_string()),
                self.paint(&format!("· {host}"), dim)
            );
            self.line(state, &text);
        }
    }

    fn human(&self, event: Event) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match event {
            Event::RunStarted {
                run_id,
                runbook,
                title,
                steps,
            } => {
                state.run_id = run_id;
                self.run_started(&state, &runbook, &title, steps);
            }
            Event::StepStarted(started) => self.step_started(&mut state, started),
            Event::Command { command, .. } => self.command(&mut state, &command),
            Event::Output {
                step,
                host,
                stream,
                line,
            } => self.output(&mut state, (&step, &host), stream, line),
            Event::Log {
                step,
                host,
                message,
            } => self.log(&mut state, (&step, &host), message),
            Event::StepRetrying {
                attempt,
                delay_ms,
                reason,
                ..
            } => self.retrying(&mut state, attempt, delay_ms, &reason),
            Event::StepFinished(finished) => self.step_finished(&mut state, finished),
            Event::FanoutFinished {
                step,
                title,
                hosts,
                max_fail,
                duration_ms,
            } => {
                let text =
                    self.fanout_summary(&mut state, &step, &title, hosts, max_fail, duration_ms);
                self.line(&state, &text);
            }
            Event::StepProblem { host, problem, .. } => state.problems.push((host, problem)),
            Event::CommandFinished {
                code, duration_ms, ..
            } => {
                let text = format!("  · exit {code} · {}", ms(duration_ms));
                self.line(&state, &self.paint(&text, dim));
            }
            Event::Journaled { record, step, host } => {
                self.journaled(&state, &record, step.as_deref(), host.as_deref());
            }
            // The prompt shows the gate; the journal and the footer tell how it ended.
            Event::ApprovalWaiting(waiting) => self.approval_waiting(&mut state, &waiting),
            Event::NotifyFailed {
                channel,
                about,
                error,
            } => self.notify_failed(&state, &channel, &about, &error),
            Event::ApprovalRequested { .. } | Event::ApprovalAnswered { .. } => {}
            Event::RollbackStarted { step, host } => {
                state.rolling_back = true;
                self.rollback_started(&state, &step, &host);
            }
            Event::RollbackFinished(undone) => self.rollback_finished(&mut state, undone),
            Event::RunFinished {
                status,
                duration_ms,
                ..
            } => self.finish(&mut state, status, duration_ms),
        }
    }

    fn status(&self, status: StepStatus) -> (String, &'static str) {
        match status {
            StepStatus::Ok => (self.paint("✓", green), "ok"),
            StepStatus::Done => (self.paint("✓", dim), "done earlier"),
            StepStatus::Skipped => (self.paint("↷", dim), "skipped"),
            StepStatus::Failed => (self.paint("✗", red), "failed"),
            StepStatus::TimedOut => (self.paint("⏱", red), "timed out"),
            StepStatus::Interrupted => (self.paint("⚠", |s| s.yellow().to_string()), "interrupted"),
            StepStatus::AwaitingApproval => (
                self.paint("⏸", |s| s.yellow().to_string()),
                "awaiting approval",
            ),
            StepStatus::Declined => (self.paint("✗", red), "declined"),
        }
    }
}

fn dim(s: &str) -> String {
    s.dimmed().to_string()
}

fn green(s: &str) -> String {
    s.green().to_string()
}

fn red(s: &str) -> String {
    s.red().to_string()
}

/// The version of the `--json` event stream (docs/json.md): raised when a field changes
/// meaning or goes away, not when one is added.
pub const JSON_VERSION: u32 = 1;

/// One event as a line of the `--json` stream: `{"v":1,"at":"…","event":"…",…}`.
fn json_line(event: &Event) -> Option<String> {
    let body = serde_json::to_string(event).ok()?;
    let at = humantime::format_rfc3339_millis(std::time::SystemTime::now());
    let rest = body.strip_prefix('{')?;
    Some(format!("{{\"v\":{JSON_VERSION},\"at\":\"{at}\",{rest}"))
}

fn ms(millis: u64) -> String {
    if millis < 1000 {
        format!("{millis}ms")
    } else if millis < 60_000 {
        format!("{:.1}s", millis as f64 / 1000.0)
    } else {
        human_duration(Duration::from_secs(millis / 1000))
    }
}

impl Observer for RunReport {
    fn event(&self, event: Event) {
        if self.json {
            if let Some(line) = json_line(&event) {
                let _ = writeln!(io::stdout().lock(), "{line}");
            }
        } else {
            self.human(event);
        }
    }

    fn ask(&self, prompt: &str, expected: &str, stop: &watch::Receiver<bool>) -> Answer {
        if !io::stdin().is_terminal() {
            return Answer::Nobody;
        }
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let ask = || {
            let say = |text: &str| {
                let mut err = io::stderr().lock();
                let _ = write!(err, "{text}");
                let _ = err.flush();
            };
            say(&format!(
                "{} {prompt}",
                self.paint("?", |s| s.yellow().bold().to_string())
            ));
            let Some(answer) = read_answer(stop) else {
                say("\n");
                return Answer::Interrupted;
            };
            let yes = |a: &str| a.eq_ignore_ascii_case("y") || a.eq_ignore_ascii_case("yes");
            if expected == "y" {
                return if yes(&answer) {
                    Answer::Yes
                } else {
                    Answer::No
                };
            }
            // A dangerous gate wants its step id: a `yes` is not taken for a no, it is told so.
            let answer = if yes(&answer) {
                say(&format!("  this gate wants the step id, not yes: type `{expected}` to approve, anything else declines: "));
                match read_answer(stop) {
                    Some(again) => again,
                    None => {
                        say("\n");
                        return Answer::Interrupted;
                    }
                }
            } else {
                answer
            };
            if answer == expected {
                Answer::Yes
            } else {
                Answer::No
            }
        };
        match &state.spinner {
            Some(pb) => pb.suspend(ask),
            None => ask(),
        }
    }
}

/// One line from the terminal, trimmed; `None` when `stop` is set first (Ctrl-C), or at the
/// end of input. The read happens on a thread of its own, so a signal is not stuck behind it.
fn read_answer(stop: &watch::Receiver<bool>) -> Option<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = io::stdin().lock().read_line(&mut line);
        let _ = tx.send(
            read.ok()
                .filter(|n| *n > 0)
                .map(|_| line.trim().to_string()),
        );
    });
    loop {
        if *stop.borrow() {
            return None;
        }
        match rx.recv_timeout(std::time::Duration::from_millis(50)) {
            Ok(line) => return line,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return None,
        }
    }
}
