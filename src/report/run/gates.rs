//! The lines of a gate published for `runbook approve`, and of a notification that did not
//! get through.

use owo_colors::OwoColorize;

use super::{RunReport, State};
use crate::exec::event::ApprovalWaiting;

impl RunReport {
    /// `⏳ waiting for approval: `runbook approve ...` (2 people; by alice; not olof)`; a
    /// gate with a policy is also how the finish line says to go on.
    pub(super) fn approval_waiting(&self, state: &mut State, w: &ApprovalWaiting) {
        let mut who = Vec::new();
        if w.min > 1 {
            who.push(format!("{} people", w.min));
        }
        if !w.by.is_empty() {
            who.push(format!("by {}", w.by.join(", ")));
        }
        if let Some(starter) = &w.not_by {
            who.push(format!("not {starter}"));
        }
        let who = if who.is_empty() {
            String::new()
        } else {
            format!(" ({})", who.join("; "))
        };
        let text = format!(
            "  {} waiting for approval: `{}`{who}",
            self.paint("⏳", |s| s.yellow().to_string()),
            w.command
        );
        self.line(state, &text);
        if w.not_by.is_some() {
            state.approve_with = Some(format!("`{}`{who}", w.command));
        }
    }

    pub(super) fn notify_failed(&self, state: &State, channel: &str, about: &str, error: &str) {
        let text = format!(
            "  {} could not tell {channel} ({about}): {error}",
            self.paint("⚠", |s| s.yellow().to_string())
        );
        self.line(state, &text);
    }
}
