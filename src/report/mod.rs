//! The one module that prints: diagnostics, check results, and (later) progress and tables.

pub mod check_json;
pub(crate) mod diagnostics;
pub mod history;
pub mod plan;
pub mod run;

pub use diagnostics::render_problem;

use std::io::{self, BufRead, IsTerminal, Write};

use crate::check::{Summary, Verdict};
use crate::source::SourceMap;

/// `--color`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Colour for a stream: asked for; else, by the conventions (no-color.org,
    /// bixense.com/clicolors): `NO_COLOR` turns it off, `CLICOLOR_FORCE` on even without a
    /// terminal, `CLICOLOR=0` off; else on a terminal.
    pub fn enabled(self, is_terminal: bool) -> bool {
        let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set("NO_COLOR").is_some() => false,
            ColorChoice::Auto if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
            ColorChoice::Auto if set("CLICOLOR").is_some_and(|v| v == "0") => false,
            ColorChoice::Auto => is_terminal,
        }
    }
}

/// Beyond this many problems in one file, the rest are counted, not shown.
const MAX_SHOWN: usize = 50;

#[derive(Debug)]
pub struct Reporter {
    color_err: bool,
    color_out: bool,
}

impl Reporter {
    pub fn new(color: ColorChoice) -> Self {
        Reporter {
            color_err: color.enabled(io::stderr().is_terminal()),
            color_out: color.enabled(io::stdout().is_terminal()),
        }
    }

    /// Every problem of one file on stderr, then its one-line verdict on stdout.
    pub fn check_result(&self, path: &str, sources: &SourceMap, outcome: &Verdict) {
        let mut err = io::stderr().lock();
        for p in outcome.problems.iter().take(MAX_SHOWN) {
            // A closed pipe is not worth a panic.
            let _ = write!(err, "{}", render_problem(p, sources, self.color_err));
        }
        if outcome.problems.len() > MAX_SHOWN {
            let _ = writeln!(
                err,
                "... and {} more problems",
                outcome.problems.len() - MAX_SHOWN
            );
        }
        let warnings = outcome.problems.iter().filter(|p| p.is_warning()).count();
        let errors = outcome.problems.len() - warnings;
        let mut out = io::stdout().lock();
        if errors > 0 {
            let _ = writeln!(
                err,
                "{}: {}",
                paint(path, self.color_err, "1"),
                count_line(errors, warnings)
            );
            return;
        }
        let what = match &outcome.summary {
            Some(Summary::Runbook { name, steps }) => {
                format!("runbook `{name}`, {steps} step{}", plural(*steps))
            }
            Some(Summary::Module { functions }) => {
                format!("module, {functions} function{}", plural(*functions))
            }
            None => String::new(),
        };
        let suffix = if warnings > 0 {
            format!(" ({warnings} warning{})", plural(warnings))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{} {path}: {what}{suffix}",
            paint("ok", self.color_out, "32")
        );
        if let Some(inv) = &outcome.inventory {
            let _ = writeln!(out, "  {}", inventory_line(inv));
        }
    }

    /// Problems that keep a file from running (no verdict line: the run did not start).
    pub fn problems(&self, path: &str, sources: &SourceMap, problems: &[crate::check::Problem]) {
        let mut err = io::stderr().lock();
        for p in problems.iter().filter(|p| !p.is_warning()).take(MAX_SHOWN) {
            let _ = write!(err, "{}", render_problem(p, sources, self.color_err));
        }
        let errors = problems.iter().filter(|p| !p.is_warning()).count();
        let _ = writeln!(
            err,
            "{}: {}, nothing was run",
            paint(path, self.color_err, "1"),
            count_line(errors, 0)
        );
    }

    /// A diagnostic that points into no file (state directory, journals, locks).
    pub fn diagnostic(&self, d: &dyn miette::Diagnostic) {
        let _ = write!(
            io::stderr().lock(),
            "{}",
            diagnostics::render_plain(d, self.color_err)
        );
    }

    /// What `import` made of a markdown runbook, on stderr (the runbook goes to stdout).
    pub fn import_summary(&self, path: &str, s: &crate::import::Summary) {
        let mut err = io::stderr().lock();
        let _ = writeln!(
            err,
            "imported {path}: {}, {}, {}, {}, {}, {}, {}",
            counted(s.steps, "step"),
            counted(s.runs, "command"),
            counted(s.checks, "check"),
            counted(s.approvals, "dangerous-approval gate"),
            counted(s.params, "param"),
            counted(s.hosts, "host"),
            counted(s.sessions, "session")
        );
        if s.review > 0 {
            let _ = writeln!(
                err,
                "{} {} {} review: search the result for `# review:`",
                paint("review:", self.color_err, "33;1"),
                counted(s.review, "item"),
                if s.review == 1 { "needs" } else { "need" }
            );
        }
        if s.runs + s.checks == 0 {
            let _ = writeln!(
                err,
                "{} nothing runnable was found in {path}: no shell block, transcript or command in a list; the runbook written has no step",
                paint("warning:", self.color_err, "33;1"),
            );
        }
    }

    /// Text for stdout, as is (generated documents).
    pub fn print(&self, text: &str) {
        let _ = io::stdout().lock().write_all(text.as_bytes());
    }

    pub fn warn(&self, message: &str) {
        let _ = writeln!(
            io::stderr().lock(),
            "{} {message}",
            paint("warning:", self.color_err, "33;1")
        );
    }

    /// Asks on the terminal; true for yes.
    pub fn confirm(&self, prompt: &str) -> bool {
        let _ = write!(io::stderr().lock(), "{prompt}");
        let _ = io::stderr().flush();
        let mut answer = String::new();
        io::stdin().lock().read_line(&mut answer).is_ok()
            && matches!(answer.trim(), "y" | "Y" | "yes")
    }

    /// After a run: its id, where its journal is, and how to go on.
    pub fn run_footer(&self, run_id: &str, code: i32, journal: &str) {
        let mut err = io::stderr().lock();
        let _ = writeln!(err, "run {run_id} · journal {journal}");
        let hint = match code {
            crate::exit::SUCCESS => return,
            crate::exit::FAILED_NO_ROLLBACK => "left as it is (--no-rollback): fix the cause, then `runbook resume {id}`",
            crate::exit::DECLINED => "declined: `runbook resume {id}` asks again",
            crate::exit::JOURNAL_FAILED => "the journal could not be written (runbook::journal::write_failed): free space or fix its permissions, then `runbook resume {id}` goes on from the last step it recorded",
            crate::exit::STEP_FAILED => "fix the cause, then `runbook resume {id}` runs it again (rolled-back steps included)",
            crate::exit::AWAITING_APPROVAL => "an approval is needed: see above",
            crate::exit::ROLLBACK_FAILED => "`runbook show {id}` tells what was undone; `runbook rollback {id}` tries the rest again",
            _ => "continue with `runbook resume {id}`",
        };
        let _ = writeln!(err, "{}", hint.replace("{id}", run_id));
    }

    /// A problem before any file could be checked (unreadable file, bad arguments).
    pub fn fatal(&self, message: &str, help: Option<&str>) {
        let mut err = io::stderr().lock();
        let _ = writeln!(err, "{} {message}", paint("error:", self.color_err, "31;1"));
        if let Some(help) = help {
            let _ = writeln!(err, "  help: {help}");
        }
    }
}

fn count_line(errors: usize, warnings: usize) -> String {
    let mut s = format!("{errors} error{}", plural(errors));
    if warnings > 0 {
        s.push_str(&format!(", {warnings} warning{}", plural(warnings)));
    }
    s
}

/// `1 step`, `2 steps`.
pub(crate) fn counted(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", plural(n))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn paint(text: &str, color: bool, sgr: &str) -> String {
    if color {
        format!("\u{1b}[{sgr}m{text}\u{1b}[0m")
    } else {
        text.to_string()
    }
}

/// A second Ctrl-C (or SIGTERM) ends the process at once: the spinner's line is cleared (it
/// would stay on screen, the prompt after it) and the user told what was left.
pub fn stopped_at_once() {
    let mut err = io::stderr().lock();
    if io::stderr().is_terminal() {
        let _ = write!(err, "\r\x1b[2K");
    }
    let _ = writeln!(
        err,
        "stopped at once by a second signal: the journal shows the run as unfinished; `runbook resume` continues it"
    );
    let _ = err.flush();
}

/// What `check` shows of an inventory: its hosts, where each goes, and its groups.
fn inventory_line(inv: &crate::inventory::Inventory) -> String {
    use crate::inventory::Target;
    let hosts: Vec<String> = inv
        .hosts
        .iter()
        .map(|(name, h)| match &h.target {
            Target::Local => format!("{name} (local)"),
            Target::Ssh(ssh) => format!("{name} (ssh {})", ssh.destination),
        })
        .collect();
    let mut line = format!("inventory {}: {}", inv.shown, hosts.join(", "));
    for (name, g) in &inv.groups {
        line.push_str(&format!("; group {name} = {}", g.members.join(", ")));
    }
    line
}
