//! Telling the run's `notify` channels: each delivery journaled, a failed one said.

use super::Interpreter;
use crate::exec::event::Event;
use crate::exec::notify::Channel;
use crate::exec::taint;
use crate::journal::Record;
use crate::plan;
use crate::syntax::ast::Expr;
use crate::syntax::ast::Stmt;
use crate::value::Value;

impl Interpreter<'_> {
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

    /// The declared channels, their URLs evaluated (from secrets).
    pub fn notify_channels(&mut self) -> Result<Vec<Channel>, Vec<plan::Error>> {
        let plan = self.plan;
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for stmt in &plan.ast.stmts {
            let Stmt::Notify(e) = &stmt.node else {
                continue;
            };
            let Expr::Call(_, args) = &e.node else {
                continue;
            };
            let label = format!("webhook {}", out.len() + 1);
            let (mut url, mut slack, mut on) = (String::new(), false, Vec::new());
            for arg in args {
                let value = match self.evaluate(&arg.value) {
                    Ok(v) => taint::reveal(v, &mut Vec::new()),
                    Err(f) => {
                        errors.push(plan::Error::ValueFailed {
                            name: label.clone(),
                            reason: f.note(),
                        });
                        continue;
                    }
                };
                match (arg.name.as_ref().map(|n| n.node.as_str()), value) {
                    (None, Value::Str(u)) => url = u,
                    (Some("format"), Value::Str(f)) => slack = f == "slack",
                    (Some("events"), Value::List(events)) => {
                        on = events.iter().map(|e| e.to_string()).collect();
                    }
                    _ => {}
                }
            }
            out.push(Channel::new(label, url, slack, on));
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}
