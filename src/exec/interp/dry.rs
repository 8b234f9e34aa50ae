//! A dry run: statements recorded as plan actions, nothing run.

use super::{Failure, Flow, Interp, Outcome, Target};
use crate::exec::value::Value;
use crate::plan::doc::Action;
use crate::syntax::ast::{self, Stmt};

impl Interp<'_> {
    pub fn is_dry(&self) -> bool {
        self.dry.is_some()
    }

    /// Starts a list of actions nested in the next one (a guard's or a check's commands).
    pub fn dry_begin(&mut self) {
        if let Some(d) = self.dry.as_mut() {
            d.stack.push(Vec::new());
        }
    }

    pub fn dry_end(&mut self) -> Vec<Action> {
        self.dry
            .as_mut()
            .and_then(|d| d.stack.pop())
            .unwrap_or_default()
    }

    /// The rollback block seen in the last step walked, as actions.
    pub fn dry_take_rollback(&mut self) -> Vec<Action> {
        self.dry
            .as_mut()
            .map(|d| std::mem::take(&mut d.rollback))
            .unwrap_or_default()
    }

    /// Records an action, its texts masked.
    pub(super) fn dry_record(&mut self, action: Action) {
        let mask = |s: &str| self.services.masker.mask(s).into_owned();
        let action = match action {
            Action::Run {
                command,
                sudo,
                ok_codes,
                stdin,
            } => Action::Run {
                command: mask(&command),
                sudo,
                ok_codes,
                stdin: stdin.map(|s| mask(&s)),
            },
            Action::Check {
                condition,
                message,
                commands,
            } => Action::Check {
                condition,
                message: message.map(|m| mask(&m)),
                commands,
            },
            Action::Log { message } => Action::Log {
                message: mask(&message),
            },
            Action::Fail { message } => Action::Fail {
                message: mask(&message),
            },
            Action::Approve { message, dangerous } => Action::Approve {
                message: mask(&message),
                dangerous,
            },
            Action::Problem { message } => Action::Problem {
                message: mask(&message),
            },
            other => other,
        };
        if let Some(list) = self.dry.as_mut().and_then(|d| d.stack.last_mut()) {
            list.push(action);
        }
    }

    /// A statement in a dry run: recorded, and never failing on values not known yet.
    pub(super) fn dry_stmt(&mut self, stmt: &Stmt, target: Option<&Target>) -> Outcome<Flow> {
        match stmt {
            Stmt::Let(l) if self.frames.is_empty() => {
                self.dry_begin();
                let value = self.eval(&l.value, target);
                let commands = self.dry_end();
                let mut value = value?;
                if !commands.is_empty() || matches!(value, Value::Unknown(_)) {
                    let step = target.map_or("", |t| t.step.as_str());
                    value = Value::Unknown(format!("{}: captured in step {step}", l.name.node));
                }
                if !commands.is_empty() {
                    self.dry_record(Action::Capture {
                        name: l.name.node.clone(),
                        commands,
                    });
                }
                self.bind(&l.name.node, value);
            }
            Stmt::Check(c) => {
                self.dry_begin();
                let value = self.eval(&c.condition, target);
                let commands = self.dry_end();
                value?;
                let message = match &c.message {
                    Some(m) => Some(self.eval(m, target)?.to_string()),
                    None => None,
                };
                self.dry_record(Action::Check {
                    condition: self.source_text(c.condition.span),
                    message,
                    commands,
                });
            }
            Stmt::WaitUntil(w) => {
                self.dry_begin();
                let value = self.eval(&w.condition, target);
                let commands = self.dry_end();
                value?;
                self.dry_record(Action::WaitUntil {
                    condition: self.source_text(w.condition.span),
                    every: ast::human_duration(w.every.node),
                    timeout: ast::human_duration(w.timeout.node),
                    commands,
                });
            }
            Stmt::Approve(a) => {
                let message = self.eval(&a.message, target)?.to_string();
                self.dry_record(Action::Approve {
                    message,
                    dangerous: a.dangerous,
                });
            }
            Stmt::Log(e) => {
                let message = self.eval(e, target)?.to_string();
                self.dry_record(Action::Log { message });
            }
            Stmt::Fail(e) => {
                let message = self.eval(e, target)?.to_string();
                self.dry_record(Action::Fail {
                    message: message.clone(),
                });
                return Err(Failure::Fail { message });
            }
            Stmt::Rollback(block) if self.frames.is_empty() => {
                if let Some(target) = target {
                    self.dry_begin();
                    let result = self.run_rollback(block, target);
                    let mut actions = self.dry_end();
                    if let Err(f) = result {
                        actions.push(Action::Problem { message: f.note() });
                    }
                    if let Some(d) = self.dry.as_mut() {
                        d.rollback = actions;
                    }
                }
            }
            other => return self.live_stmt(other, target),
        }
        Ok(Flow::Next)
    }
}
