//! The lines of a step's life: its start (and the spinner of a long one), its end on a host,
//! and the end of its compensation; each also a row of the summary table.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use owo_colors::OwoColorize;

use super::{dim, green, ms, red, Detail, Row, RunReport, State};
use crate::exec::event::{RollbackFinished, StepFinished, StepStarted, StepStatus};

impl RunReport {
    pub(super) fn step_started(&self, state: &mut State, started: StepStarted) {
        let StepStarted {
            step,
            title,
            host,
            attempt,
            fanout,
        } = started;
        if fanout {
            state.fanout.insert(step);
            return;
        }
        let shown = if attempt > 1 {
            format!("{title} (attempt {attempt})")
        } else {
            title.to_string()
        };
        state.pending = Some((shown, host.to_string()));
        if self.spinner_on {
            // Hidden at first: quick steps should not flicker; a step still running
            // after a second shows a spinner with its elapsed time.
            let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            pb.set_style(
                ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            pb.set_message(format!("{title} · {host}"));
            pb.enable_steady_tick(Duration::from_millis(100));
            let later = pb.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(1));
                if !later.is_finished() {
                    later.set_draw_target(ProgressDrawTarget::stderr());
                }
            });
            if let Some(old) = state.spinner.replace(pb) {
                old.finish_and_clear();
            }
        }
    }

    pub(super) fn step_finished(&self, state: &mut State, finished: StepFinished) {
        let StepFinished {
            step,
            title,
            host,
            status,
            duration_ms,
            note,
        } = finished;
        if let Some(pb) = state.spinner.take() {
            pb.finish_and_clear();
        }
        state.pending = None;
        let (symbol, word) = self.status(status);
        let timing = if matches!(status, StepStatus::Skipped | StepStatus::Done) {
            format!("· {host}")
        } else {
            format!("· {host} · {}", ms(duration_ms))
        };
        let mut text = format!("{symbol} {title} {}", self.paint(&timing, dim));
        if !note.is_empty() {
            text.push_str(&format!(" — {note}"));
        }
        // A fan-out's hosts that went well are counted in its summary line; the
        // others are shown as they happen.
        let counted = state.fanout.contains(&step)
            && matches!(status, StepStatus::Ok | StepStatus::Skipped)
            && matches!(self.detail, Detail::Quiet | Detail::Normal);
        if !counted {
            self.line(state, &text);
        }
        match status {
            StepStatus::Failed | StepStatus::TimedOut | StepStatus::Interrupted => {
                state.last_failed = Some(step.clone())
            }
            StepStatus::Declined => state.declined = Some(step.clone()),
            StepStatus::AwaitingApproval => state.awaiting = Some(step.clone()),
            _ => {}
        }
        state.rows.push(Row {
            step,
            host,
            status: word.into(),
            duration: ms(duration_ms),
            note,
        });
    }

    pub(super) fn rollback_finished(&self, state: &mut State, undone: RollbackFinished) {
        let RollbackFinished {
            step,
            host,
            ok,
            duration_ms,
            note,
            cut,
        } = undone;
        state.rolled_back += usize::from(ok);
        let (symbol, status) = if ok {
            (self.paint("✓", green), "rolled back")
        } else if cut {
            state.cut = Some(step.clone());
            (
                self.paint("⚠", |s| s.yellow().to_string()),
                "rollback interrupted",
            )
        } else {
            (self.paint("✗", red), "rollback failed")
        };
        let mut text = format!(
            "{symbol} {status} {step} {}",
            self.paint(&format!("· {host} · {}", ms(duration_ms)), dim)
        );
        if !note.is_empty() {
            text.push_str(&format!(" — {note}"));
        }
        self.line(state, &text);
        state.rows.push(Row {
            step: format!("↶ {step}"),
            host,
            status: status.into(),
            duration: ms(duration_ms),
            note,
        });
    }
}
