//! A dry run: statements recorded as plan actions, nothing run.

use std::time::Duration;

use super::{Failure, Flow, Interpreter, Outcome, Target};
use crate::exec::value::Value;
use crate::plan::doc::Action;
use crate::syntax::ast::{self, Stmt};

impl Interpreter<'_> {
    /// Makes this interpreter walk a plan: statements are written down as actions and
    /// commands go to the recording transport the plan's targets hold.
    pub fn plan_walk(&mut self) {
        self.dry = Some(super::Dry::default());
        self.walk = Interpreter::dry_stmt;
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

    /// The `on_failure` and `always` blocks seen in the last step walked, as actions.
    pub fn dry_take_cleanups(&mut self) -> (Vec<Action>, Vec<Action>) {
        self.dry.as_mut().map_or_else(Default::default, |d| {
            (
                std::mem::take(&mut d.on_failure),
                std::mem::take(&mut d.always),
            )
        })
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
            // A step's `let`, or one in its `if`s and `for`s (not a function's): shown
            // with the commands it captures.
            Stmt::Let(l)
                if self
                    .frames
                    .iter()
                    .all(|f| matches!(f.kind, super::FrameKind::Nested)) =>
            {
                self.dry_begin();
                let value = self.eval(&l.value, target);
                let commands = self.dry_end();
                let mut value = value?;
                if !commands.is_empty() || matches!(value, Value::Unknown(_)) {
                    let step = target.map_or("", |t| t.step.as_str());
                    value = Value::Unknown(if self.frames.is_empty() {
                        format!("{}: captured in step {step}", l.name.node)
                    } else {
                        format!("{}: known at run time", l.name.node)
                    });
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
                let every = self.duration_setting(&w.every, "wait_until every", target)?;
                let timeout = self.duration_setting(&w.timeout, "wait_until timeout", target)?;
                let shown = |d: Option<Duration>, s: &ast::Setting<Duration>| match d {
                    Some(d) => ast::human_duration(d),
                    None => format!("`{}` (known when it runs)", self.source_text(s.span())),
                };
                self.dry_record(Action::WaitUntil {
                    condition: self.source_text(w.condition.span),
                    every: shown(every, &w.every),
                    timeout: shown(timeout, &w.timeout),
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
            // A step's rollback, on_failure and always: walked for the plan, kept apart from
            // its actions.
            Stmt::Rollback(block) | Stmt::OnFailure(block) | Stmt::Always(block)
                if self.frames.is_empty() =>
            {
                if let Some(target) = target {
                    self.dry_begin();
                    let result = self.run_rollback(block, target);
                    let mut actions = self.dry_end();
                    if let Err(f) = result {
                        actions.push(Action::Problem { message: f.note() });
                    }
                    if let Some(d) = self.dry.as_mut() {
                        match stmt {
                            Stmt::Rollback(_) => d.rollback = actions,
                            Stmt::OnFailure(_) => d.on_failure = actions,
                            _ => d.always = actions,
                        }
                    }
                }
            }
            Stmt::If(i) => {
                let action = self.dry_if(&i.branches, i.otherwise.as_ref(), target)?;
                self.dry_record(action);
            }
            Stmt::For(f) => {
                let action = self.dry_for(f, target)?;
                self.dry_record(action);
            }
            other => return self.live_stmt(other, target),
        }
        Ok(Flow::Next)
    }

    /// An `if` chain: each branch whose condition the plan cannot tell is shown with what
    /// follows it as its `otherwise`; a branch it can tell is taken or passed over.
    fn dry_if(
        &mut self,
        branches: &[(ast::Node<ast::Expr>, ast::Block)],
        otherwise: Option<&ast::Block>,
        target: Option<&Target>,
    ) -> Outcome<Action> {
        let Some(((condition, block), rest)) = branches.split_first() else {
            unreachable!("an if has a first branch")
        };
        self.dry_begin();
        let value = self.eval(condition, target);
        let commands = self.dry_end();
        let known = match crate::exec::taint::reveal(value?, &mut Vec::new()) {
            Value::Bool(b) if commands.is_empty() => Some(b),
            Value::Bool(_) | Value::Unknown(_) => None,
            other => {
                return Err(Failure::Eval {
                    message: format!("`if` needs a bool, got {}", other.type_name()),
                })
            }
        };
        let then = match known {
            Some(false) => Vec::new(),
            _ => self.dry_branch(block, target, None),
        };
        let otherwise = match (known, rest.is_empty(), otherwise) {
            (Some(true), _, _) => Vec::new(),
            (_, false, _) => vec![self.dry_if(rest, otherwise, target)?],
            (_, true, Some(block)) => self.dry_branch(block, target, None),
            (_, true, None) => Vec::new(),
        };
        Ok(Action::If {
            condition: self.source_text(condition.span),
            commands,
            known,
            then,
            otherwise,
        })
    }

    /// A `for`: the body for each item of a list the plan knows, else once for any item.
    fn dry_for(&mut self, f: &ast::For, target: Option<&Target>) -> Outcome<Action> {
        self.dry_begin();
        let value = self.eval(&f.list, target);
        let commands = self.dry_end();
        let list = self.source_text(f.list.span);
        let known = match (value?, commands.is_empty()) {
            (Value::Unknown(_), _) | (_, false) => None,
            (v, true) => {
                let mut from = Vec::new();
                match crate::exec::taint::reveal(v, &mut from) {
                    Value::List(items) => Some(
                        items
                            .into_iter()
                            .map(|i| crate::exec::taint::taint(i, from.clone()))
                            .collect::<Vec<_>>(),
                    ),
                    other => {
                        return Err(Failure::Eval {
                            message: format!("`for` needs a list, got {}", other.type_name()),
                        })
                    }
                }
            }
        };
        let (items, body) = match known {
            Some(items) => {
                let n = items.len();
                let mut body = Vec::new();
                for item in items {
                    body.extend(self.dry_branch(&f.body, target, Some((&f.name.node, item))));
                }
                (Some(n), body)
            }
            None => {
                let each = Value::Unknown(format!("{}: each item of {list}", f.name.node));
                (
                    None,
                    self.dry_branch(&f.body, target, Some((&f.name.node, each))),
                )
            }
        };
        Ok(Action::For {
            name: f.name.node.clone(),
            list,
            commands,
            items,
            body,
        })
    }

    /// The actions of a branch or a loop's body; a failure in it (a `fail`, a value that
    /// cannot work) ends the branch, not the plan.
    fn dry_branch(
        &mut self,
        block: &ast::Block,
        target: Option<&Target>,
        bound: Option<(&str, Value)>,
    ) -> Vec<Action> {
        self.dry_begin();
        let result = self.nested(block, target, bound);
        let mut actions = self.dry_end();
        match result {
            Ok(_) | Err(Failure::Fail { .. }) => {}
            Err(f) => actions.push(Action::Problem { message: f.note() }),
        }
        actions
    }
}
