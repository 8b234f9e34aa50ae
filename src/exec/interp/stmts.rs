//! Statements: what each does in a run.

use std::time::{Duration, Instant};

use super::{Failure, Flow, Interpreter, Outcome, Target};
use crate::exec::event::Event;
use crate::exec::value::Value;
use crate::syntax::ast::{self, Block, Stmt};

impl Interpreter<'_> {
    pub(super) fn block(&mut self, block: &Block, target: Option<&Target>) -> Outcome<Flow> {
        for stmt in &block.stmts {
            if self.interrupted() {
                return Err(Failure::Interrupted);
            }
            match self.stmt(&stmt.node, target) {
                Ok(Flow::Next) => {}
                Ok(Flow::Return(v)) => return Ok(Flow::Return(v)),
                Err(f) => {
                    self.failed_at.push(stmt.span);
                    return Err(f);
                }
            }
        }
        Ok(Flow::Next)
    }

    pub(super) fn stmt(&mut self, stmt: &Stmt, target: Option<&Target>) -> Outcome<Flow> {
        (self.walk)(self, stmt, target)
    }

    pub(super) fn live_stmt(&mut self, stmt: &Stmt, target: Option<&Target>) -> Outcome<Flow> {
        match stmt {
            Stmt::Let(l) => {
                let v = self.eval(&l.value, target)?;
                self.bind(&l.name.node, v);
            }
            Stmt::Expr(e) => {
                self.eval(e, target)?;
            }
            Stmt::Check(c) => self.check(c, target)?,
            Stmt::WaitUntil(w) => self.wait_until(w, target)?,
            Stmt::Approve(a) => self.approve(a, target)?,
            Stmt::Log(e) => {
                let message = self.eval(e, target)?.to_string();
                let (step, host) = target.map_or((String::new(), String::new()), |t| {
                    (t.step.clone(), t.host.clone())
                });
                let message = self.services.masker.mask(&message).into_owned();
                self.emit(Event::Log {
                    step,
                    host,
                    message,
                });
            }
            Stmt::Fail(e) => {
                let message = self.eval(e, target)?.to_string();
                return Err(Failure::Fail {
                    message: self.services.masker.mask(&message).into_owned(),
                });
            }
            Stmt::Return(e) => return Ok(Flow::Return(self.eval(e, target)?)),
            Stmt::If(i) => {
                for (condition, block) in &i.branches {
                    if self.condition(condition, target, "if")? {
                        return self.nested(block, target, None);
                    }
                }
                if let Some(block) = &i.otherwise {
                    return self.nested(block, target, None);
                }
            }
            Stmt::For(f) => {
                for item in self.items(&f.list, target)? {
                    let flow = self.nested(&f.body, target, Some((&f.name.node, item)))?;
                    if let Flow::Return(v) = flow {
                        return Ok(Flow::Return(v));
                    }
                }
            }
            // A step's rollback runs only when a later step fails: the executor keeps it.
            Stmt::Rollback(_) => {}
            // So do a step's `on_failure` and `always`: the step runner runs them.
            Stmt::OnFailure(_) | Stmt::Always(_) => {}
            // Declarations live at the top level, where `check` keeps them and the plan has
            // read them; none runs as a statement.
            Stmt::Header(_)
            | Stmt::Use(_)
            | Stmt::Inventory(_)
            | Stmt::Notify(_)
            | Stmt::Lock(_)
            | Stmt::Param(_)
            | Stmt::Secret(_)
            | Stmt::Host(_)
            | Stmt::Group(_)
            | Stmt::Fn(_)
            | Stmt::Step(_) => {}
        }
        Ok(Flow::Next)
    }

    /// The block of an `if` or a `for`, in a scope of its own (that sees what encloses it).
    pub(super) fn nested(
        &mut self,
        block: &Block,
        target: Option<&Target>,
        bound: Option<(&str, Value)>,
    ) -> Outcome<Flow> {
        let mut vars = std::collections::HashMap::new();
        if let Some((name, value)) = bound {
            vars.insert(name.to_string(), value);
        }
        self.frames.push(super::Frame {
            vars,
            kind: super::FrameKind::Nested,
        });
        let flow = self.block(block, target);
        self.frames.pop();
        flow
    }

    /// The items a `for` goes over; each keeps the secrecy of the list.
    pub(super) fn items(
        &mut self,
        list: &ast::Node<ast::Expr>,
        target: Option<&Target>,
    ) -> Outcome<Vec<Value>> {
        let mut from = Vec::new();
        match crate::exec::taint::reveal(self.eval(list, target)?, &mut from) {
            Value::List(items) => Ok(items
                .into_iter()
                .map(|i| crate::exec::taint::taint(i, from.clone()))
                .collect()),
            other => Err(Failure::Eval {
                message: format!("`for` needs a list, got {}", other.type_name()),
            }),
        }
    }

    pub(super) fn check(&mut self, c: &ast::Check, target: Option<&Target>) -> Outcome<()> {
        // What a check's commands print is not the step's output: its verdict is (`-v`
        // shows the output).
        let quiet = target.map(|t| t.quieted(self.services.verbose));
        if self.condition(&c.condition, quiet.as_ref().or(target), "check")? {
            return Ok(());
        }
        let message = match &c.message {
            Some(m) => self.eval(m, target)?.to_string(),
            None => format!("check failed: {}", self.source_text(c.condition.span)),
        };
        Err(Failure::Check {
            message: self.services.masker.mask(&message).into_owned(),
        })
    }

    pub(super) fn condition(
        &mut self,
        e: &ast::Node<ast::Expr>,
        target: Option<&Target>,
        what: &str,
    ) -> Outcome<bool> {
        match crate::exec::taint::reveal(self.eval(e, target)?, &mut Vec::new()) {
            Value::Bool(b) => Ok(b),
            other => Err(Failure::Eval {
                message: format!("`{what}` needs a bool, got {}", other.type_name()),
            }),
        }
    }

    /// A duration setting of a statement, computed where the statement runs: `None` when
    /// only the run can tell (a dry run).
    pub(super) fn duration_setting(
        &mut self,
        s: &ast::Setting<Duration>,
        what: &str,
        target: Option<&Target>,
    ) -> Outcome<Option<Duration>> {
        let e = match s {
            ast::Setting::Fixed(d) => return Ok(Some(d.node)),
            ast::Setting::Computed(e) => e,
        };
        match crate::exec::taint::reveal(self.eval(e, target)?, &mut Vec::new()) {
            Value::Duration(d) if !d.is_zero() => Ok(Some(d)),
            Value::Unknown(_) => Ok(None),
            other => Err(Failure::Eval {
                message: format!(
                    "`{what}` needs a duration of more than 0s, got {}",
                    match other {
                        Value::Duration(_) => "0s",
                        other => other.type_name(),
                    }
                ),
            }),
        }
    }

    /// `wait_until`'s interval and timeout; the interval must be the shorter.
    fn wait_limits(
        &mut self,
        w: &ast::WaitUntil,
        target: Option<&Target>,
    ) -> Outcome<(Duration, Duration)> {
        let every = self.duration_setting(&w.every, "wait_until every", target)?;
        let timeout = self.duration_setting(&w.timeout, "wait_until timeout", target)?;
        let (Some(every), Some(timeout)) = (every, timeout) else {
            return Err(Failure::Eval {
                message: "`wait_until` needs its interval and timeout before it waits".into(),
            });
        };
        if every >= timeout {
            return Err(Failure::Eval {
                message: format!(
                    "`wait_until` polls every {} but gives up after {}: the interval must be shorter",
                    ast::human_duration(every),
                    ast::human_duration(timeout)
                ),
            });
        }
        Ok((every, timeout))
    }

    pub(super) fn wait_until(
        &mut self,
        w: &ast::WaitUntil,
        target: Option<&Target>,
    ) -> Outcome<()> {
        let (every, timeout) = self.wait_limits(w, target)?;
        let start = Instant::now();
        loop {
            // A host that cannot be reached is "not yet": waiting for a host to come back
            // from a reboot or a network restart is what a wait is for.
            // So is a condition that cannot be told yet: a command that fails while a
            // service starts, `.last()` of a list still empty.
            let mut last_error = None;
            let unreachable = match self.condition(&w.condition, target, "wait_until") {
                Ok(true) => return Ok(()),
                Ok(false) => None,
                Err(Failure::Unreachable { message } | Failure::Dropped { message, .. }) => {
                    Some(message)
                }
                Err(f @ (Failure::Eval { .. } | Failure::Command { .. })) => {
                    last_error = Some(f.note());
                    None
                }
                Err(other) => return Err(other),
            };
            if start.elapsed() + every > timeout {
                // Said as it is: "still false" would hide that the host never came back.
                if let Some(message) = unreachable {
                    return Err(Failure::Unreachable {
                        message: format!(
                            "{message} (still, after waiting {})",
                            ast::human_duration(timeout)
                        ),
                    });
                }
                return Err(Failure::WaitTimeout {
                    condition: self.source_text(w.condition.span),
                    timeout,
                    last_error,
                });
            }
            self.sleep(every, target.and_then(|t| t.deadline))?;
        }
    }

    /// Sleeps, but wakes for Ctrl-C and the step's deadline.
    pub fn sleep(&self, d: Duration, deadline: Option<Instant>) -> Outcome<()> {
        let mut stop = self.services.stop.clone();
        let until = tokio::time::Instant::now() + d;
        let deadline = deadline.map(tokio::time::Instant::from_std);
        self.services.runtime.block_on(async move {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => Ok(()),
                _ = async { match deadline { Some(d) => tokio::time::sleep_until(d).await, None => std::future::pending().await } } => Err(Failure::TimedOut),
                _ = async { if stop.wait_for(|s| *s).await.is_err() { std::future::pending::<()>().await } } => Err(Failure::Interrupted),
            }
        })
    }
}
