//! Telling the run's `notify` channels: each delivery journaled, a failed one said.

use super::Interp;
use crate::exec::event::Event;
use crate::journal::Record;
use crate::syntax::ast::Stmt;

impl Interp<'_> {
    /// Tells every channel that wants `event`; each delivery journaled, a failed one said.
    pub fn tell(&mut self, mut notice: crate::exec::notify::Notice) {
        if self.journal.is_none() || self.channels.is_empty() {
            return; // a dry run, or nobody to tell
        }
        notice.message = notice
            .message
            .map(|m| self.services.masker.mask(&m).into_owned());
        let channels = self.channels.clone();
        for channel in channels.iter().filter(|c| c.wants(&notice.event)) {
            let delivery = channel.deliver(&notice);
            let error = delivery
                .error
                .map(|e| self.services.masker.mask(&e).into_owned());
            let _ = self.record(&Record::Notified {
                event: notice.event.clone(),
                channel: delivery.channel.clone(),
                attempts: delivery.attempts,
                error: error.clone(),
                at: crate::journal::record::now(),
            });
            if let Some(error) = error {
                self.emit(Event::NotifyFailed {
                    channel: delivery.channel,
                    about: notice.event.clone(),
                    error,
                });
            }
        }
    }

    /// A notice about this run, for `event`.
    pub fn notice(&mut self, event: &str, status: &str) -> crate::exec::notify::Notice {
        let title = self
            .plan
            .ast
            .stmts
            .iter()
            .find_map(|s| match &s.node {
                Stmt::Header(h) => Some(h.title.node.clone()),
                _ => None,
            })
            .map(|t| self.title(&t))
            .unwrap_or_default();
        crate::exec::notify::Notice {
            format: crate::exec::notify::FORMAT,
            event: event.to_string(),
            run_id: self.run_id.clone(),
            runbook: self.plan.name.clone(),
            title,
            status: status.to_string(),
            step: None,
            host: None,
            message: None,
            approve: None,
            at: crate::journal::record::now(),
        }
    }
}
