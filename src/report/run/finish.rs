//! The end of a run: the summary table, fitted to the terminal, and the verdict line that
//! says what happened and what to do next.

use owo_colors::OwoColorize;
use tabled::settings::object::Columns;
use tabled::settings::{Modify, Style, Width};
use tabled::Table;

use super::{green, ms, red, Row, RunReport, State};
use crate::exec::event::RunStatus;

impl RunReport {
    pub(super) fn finish(&self, state: &mut State, status: RunStatus, duration_ms: u64) {
        if let Some(pb) = state.spinner.take() {
            pb.finish_and_clear();
        }
        if !state.rows.is_empty() {
            let mut table = Table::new(&state.rows);
            table.with(Style::rounded());
            // On a terminal the table fits its width: long notes wrap, not the lines.
            if let Some(width) = terminal_width().and_then(|w| note_width(&state.rows, w)) {
                table.with(Modify::new(Columns::last()).with(Width::wrap(width).keep_words(true)));
            }
            self.line(&*state, "");
            self.line(&*state, &table.to_string());
        }
        // A failure that the run goes on from (within `max_fail`) is in the table only.
        if !matches!(status, RunStatus::Succeeded | RunStatus::RolledBack) {
            self.problems(state);
        }
        let elapsed = ms(duration_ms);
        let verdict = match status {
            RunStatus::Succeeded => format!("{} succeeded in {elapsed}", self.paint("✓", green)),
            RunStatus::RolledBack => format!("{} rolled back in {elapsed}", self.paint("↶", green)),
            RunStatus::Failed => format!(
                "{} failed at step {} after {elapsed}{}",
                self.paint("✗", red),
                state.last_failed.clone().unwrap_or_default(),
                if state.rolled_back > 0 { format!("; {} completed step(s) rolled back", state.rolled_back) } else { String::new() }
            ),
            RunStatus::RollbackFailed => format!(
                "{} failed at step {}, and a rollback failed: see the table for what was undone",
                self.paint("✗", red),
                state.last_failed.clone().unwrap_or_default()
            ),
            RunStatus::Declined => format!(
                "{} stopped: the approval of step {} was declined; nothing after it ran",
                self.paint("✗", red),
                state.declined.clone().unwrap_or_default()
            ),
            RunStatus::JournalFailed => format!(
                "{} stopped at step {} after {elapsed}: the journal could not be written, so nothing more ran and nothing was rolled back",
                self.paint("✗", red),
                // A step that did its work but whose result could not be written
                // did not fail: it is the last one that ran.
                state
                    .last_failed
                    .clone()
                    .or_else(|| state.rows.last().map(|r| r.step.clone()))
                    .unwrap_or_default()
            ),
            RunStatus::FailedNoRollback => format!(
                "{} failed at step {} after {elapsed}; nothing was rolled back (--no-rollback)",
                self.paint("✗", red),
                state.last_failed.clone().unwrap_or_default()
            ),
            RunStatus::AwaitingApproval if state.approve_with.is_some() => {
                let step = state.awaiting.clone().or_else(|| state.last_failed.clone()).unwrap_or_default();
                format!(
                    "{} paused at the approval gate of step {step}: others approve it with {}, then `runbook resume {}` continues",
                    self.paint("⏸", |s| s.yellow().to_string()),
                    state.approve_with.clone().unwrap_or_default(),
                    state.run_id
                )
            }
            RunStatus::AwaitingApproval => {
                let step = state.awaiting.clone().or_else(|| state.last_failed.clone()).unwrap_or_default();
                format!(
                    "{} paused at the approval gate of step {step}: continue with `runbook resume {} --approve {step}`",
                    self.paint("⏸", |s| s.yellow().to_string()),
                    state.run_id
                )
            }
            RunStatus::Interrupted if state.rolling_back => format!(
                "{} interrupted during the rollback after {elapsed}{}: finish undoing with `runbook rollback {id}`, or retry with `runbook resume {id}`",
                self.paint("⚠", |s| s.yellow().to_string()),
                state.cut.as_ref().map(|s| format!(" ({s} may be partly undone)")).unwrap_or_default(),
                id = state.run_id
            ),
            RunStatus::Interrupted => format!(
                "{} interrupted at step {} after {elapsed}: the running command was stopped",
                self.paint("⚠", |s| s.yellow().to_string()),
                state.last_failed.clone().unwrap_or_default()
            ),
        };
        self.line(&*state, &verdict);
    }
}

/// The terminal's width when stdout is one (and `COLUMNS` does not say otherwise).
fn terminal_width() -> Option<usize> {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|c| *c >= 20)
    {
        return Some(columns);
    }
    let term = console::Term::stdout();
    term.is_term()
        .then(|| usize::from(term.size().1))
        .filter(|w| *w >= 20)
}

/// How wide the note column may be for the table to fit `width`: what the other columns
/// and the borders leave (`None` when that is too little to be worth wrapping into).
fn note_width(rows: &[Row], width: usize) -> Option<usize> {
    let column = |header: &str, field: fn(&Row) -> &str| {
        rows.iter()
            .map(|r| field(r).chars().count())
            .chain([header.len()])
            .max()
            .unwrap_or(0)
    };
    let others = column("step", |r| &r.step)
        + column("host", |r| &r.host)
        + column("status", |r| &r.status)
        + column("duration", |r| &r.duration);
    // Each of the five columns has a space either side, and there are six borders.
    let note = width.checked_sub(others + 5 * 2 + 6)?;
    (note >= 16).then_some(note)
}
