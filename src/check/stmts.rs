//! The statements of blocks: what may stand where, and what each needs.

use std::collections::HashMap;

use super::callgraph;
use super::error::Error;
use super::items::head_span;
use super::scope::{Binding, Kind};
use super::types::Ty;
use super::{Checker, Place};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, Expr, Stmt};

impl Checker<'_> {
    pub(super) fn check_block(&mut self, block: &ast::Block, place: Place) {
        let outer = self.place;
        self.place = place;
        let mut rollback: Option<Span> = None;
        let mut on_failure: Option<Span> = None;
        let mut always: Option<Span> = None;
        let mut stopped = false;
        // The first action with effects in a step: a gate after it does not hold it back.
        let mut work: Option<Span> = None;
        for (i, stmt) in block.stmts.iter().enumerate() {
            if place == Place::Step {
                match &stmt.node {
                    Stmt::Expr(_) if work.is_none() => work = Some(head_span(stmt)),
                    Stmt::Approve(_) => {
                        if let (Some(w), Some(step)) = (work, self.step.clone()) {
                            self.error(Error::WorkBeforeApproval {
                                step: step.0,
                                span: head_span(stmt).into(),
                                work: w.into(),
                            });
                        }
                    }
                    _ => {}
                }
            }
            if let (Stmt::Rollback(_), Place::Step) = (&stmt.node, place) {
                if let Some(first) = rollback {
                    self.error(Error::DuplicateRollback {
                        span: head_span(stmt).into(),
                        first: first.into(),
                    });
                }
                rollback = Some(head_span(stmt));
            }
            let seen = match (&stmt.node, place) {
                (Stmt::OnFailure(_), Place::Step) => Some(("on_failure", &mut on_failure)),
                (Stmt::Always(_), Place::Step) => Some(("always", &mut always)),
                _ => None,
            };
            if let Some((what, seen)) = seen {
                if let Some(first) = *seen {
                    self.error(Error::DuplicateStepBlock {
                        what: what.into(),
                        span: head_span(stmt).into(),
                        first: first.into(),
                    });
                }
                *seen = Some(head_span(stmt));
            }
            self.check_stmt(stmt, place);
            let stop = match &stmt.node {
                Stmt::Fail(_) => "fail",
                Stmt::Return(_) => "return",
                _ => continue,
            };
            // Only the first unreachable statement is reported; the rest are still checked.
            if let (Some(next), false) = (block.stmts.get(i + 1), stopped) {
                self.error(Error::Unreachable {
                    after: stop.into(),
                    span: head_span(next).into(),
                    stop: stmt.span.into(),
                });
                stopped = true;
            }
        }
        self.place = outer;
    }

    fn check_stmt(&mut self, stmt: &Spanned<Stmt>, place: Place) {
        match &stmt.node {
            Stmt::Let(l) => self.check_let(l, place),
            Stmt::Expr(e) => self.expr_stmt(e),
            Stmt::Check(c) => {
                let info = self.expr(&c.condition);
                self.require_type(info.ty, Ty::Bool, "`check`", c.condition.span);
                if let Some(m) = &c.message {
                    let info = self.expr(m);
                    self.require_type(info.ty, Ty::Str, "the message of `check ... else`", m.span);
                }
            }
            Stmt::WaitUntil(w) => {
                let info = self.expr(&w.condition);
                self.require_type(info.ty, Ty::Bool, "`wait_until`", w.condition.span);
                self.duration_setting(
                    &w.every,
                    "wait_until every",
                    "poll at an interval, e.g. `every 5s`",
                );
                self.duration_setting(
                    &w.timeout,
                    "wait_until timeout",
                    "give the condition time to become true, e.g. `timeout 2m`",
                );
                self.wait_interval(&w.every, &w.timeout);
            }
            Stmt::Approve(a) => {
                if place != Place::Step {
                    self.error(Error::MisplacedApprove {
                        place: place.describe().into(),
                        span: head_span(stmt).into(),
                    });
                }
                let info = self.expr(&a.message);
                self.require_type(info.ty, Ty::Str, "`approve`", a.message.span);
                self.approve_policy(a);
            }
            Stmt::Rollback(block) => {
                if place != Place::Step || self.nesting > 0 {
                    let place = if self.nesting > 0 {
                        "inside an `if` or a `for`"
                    } else {
                        place.describe()
                    };
                    self.error(Error::MisplacedRollback {
                        place: place.into(),
                        span: head_span(stmt).into(),
                    });
                }
                self.scope.locals.push(HashMap::new());
                self.check_block(block, Place::Rollback);
                self.pop_scope();
            }
            Stmt::OnFailure(block) | Stmt::Always(block) => {
                let what = if matches!(stmt.node, Stmt::OnFailure(_)) {
                    "on_failure"
                } else {
                    "always"
                };
                if place != Place::Step || self.nesting > 0 {
                    let place = if self.nesting > 0 {
                        "inside an `if` or a `for`"
                    } else {
                        place.describe()
                    };
                    self.error(Error::MisplacedStepBlock {
                        what: what.into(),
                        place: place.into(),
                        span: head_span(stmt).into(),
                    });
                }
                self.scope.locals.push(HashMap::new());
                self.check_block(block, Place::Cleanup);
                self.pop_scope();
            }
            Stmt::If(i) if place != Place::TopLevel => {
                for (condition, block) in &i.branches {
                    let info = self.expr(condition);
                    self.require_type(info.ty, Ty::Bool, "`if`", condition.span);
                    self.nested_block(block, place, None);
                }
                if let Some(block) = &i.otherwise {
                    self.nested_block(block, place, None);
                }
            }
            Stmt::For(f) if place != Place::TopLevel => {
                let info = self.expr(&f.list);
                self.require_type(info.ty, Ty::List, "`for`", f.list.span);
                if let Some(first) = self.scope.existing(&f.name.node) {
                    self.error(Error::DuplicateDefinition {
                        name: f.name.node.clone(),
                        span: f.name.span.into(),
                        first: first.into(),
                    });
                }
                let mut item = Binding::new(Kind::Let, Ty::Any, f.name.span);
                item.secret = info.secret;
                self.nested_block(&f.body, place, Some((f.name.node.clone(), item)));
            }
            Stmt::Log(e) => {
                let info = self.expr(e);
                self.require_value(info.ty, "`log`", e.span);
            }
            Stmt::Fail(e) => {
                let info = self.expr(e);
                self.require_type(info.ty, Ty::Str, "`fail`", e.span);
            }
            Stmt::Return(e) => {
                if place != Place::Fn {
                    self.misplaced(&stmt.node, stmt.span, place);
                }
                let info = self.expr(e);
                self.require_value(info.ty, "`return`", e.span);
                self.returns.push(info.ty);
            }
            other => self.misplaced(other, head_span(stmt), place),
        }
    }

    /// The block of an `if` or a `for`: its `let`s (and a loop's name) are its own, not
    /// captures of the step, since they may be set once, many times or never.
    fn nested_block(&mut self, block: &ast::Block, place: Place, bound: Option<(String, Binding)>) {
        self.scope.locals.push(HashMap::new());
        if let (Some((name, b)), Some(scope)) = (bound, self.scope.locals.last_mut()) {
            scope.insert(name, b);
        }
        self.nesting += 1;
        self.check_block(block, place);
        self.nesting -= 1;
        self.pop_scope();
    }

    fn check_let(&mut self, l: &ast::Let, place: Place) {
        let info = self.expr(&l.value);
        self.require_value(info.ty, "`let`", l.value.span);
        if let Some(first) = self.scope.existing(&l.name.node) {
            self.error(Error::DuplicateDefinition {
                name: l.name.node.clone(),
                span: l.name.span.into(),
                first: first.into(),
            });
            return;
        }
        let kind = if place == Place::Step && self.nesting == 0 {
            Kind::Capture
        } else {
            Kind::Let
        };
        // After "returns nothing" was reported, the name is just unknown.
        let ty = if info.ty == Ty::Nothing {
            Ty::Any
        } else {
            info.ty
        };
        let mut b = Binding::new(kind, ty, l.name.span);
        b.secret = info.secret;
        if kind == Kind::Capture {
            b.step = self.step.clone();
            let step = self
                .step
                .as_ref()
                .map(|(id, _)| id.clone())
                .unwrap_or_default();
            self.scope.capture_in(&step, &l.name.node, b);
        } else if let Some(scope) = self.scope.locals.last_mut() {
            scope.insert(l.name.node.clone(), b);
        }
    }

    fn expr_stmt(&mut self, e: &Spanned<Expr>) {
        self.expr(e);
        let help = match &e.node {
            Expr::Call(..) => return,
            Expr::Binary(..) | Expr::Unary(ast::UnaryOp::Not, _) => "did you mean `check ...`?",
            Expr::Str(_) => "did you mean `run \"...\"` or `log \"...\"`?",
            _ => "remove it, or use it: `let name = ...`, `check ...`, `log ...`",
        };
        self.error(Error::UselessExpression {
            help: help.into(),
            span: e.span.into(),
        });
    }

    pub(super) fn misplaced(&mut self, stmt: &Stmt, span: Span, place: Place) {
        let (what, help) = match stmt {
            Stmt::Approve(_) => {
                return self.error(Error::MisplacedApprove {
                    place: place.describe().into(),
                    span: span.into(),
                })
            }
            Stmt::Rollback(_) => {
                return self.error(Error::MisplacedRollback {
                    place: place.describe().into(),
                    span: span.into(),
                })
            }
            Stmt::Header(_) => (
                "the `runbook` header",
                "it goes once, at the top of the file",
            ),
            Stmt::Use(_) => ("`use`", "imports go at the top level of the file"),
            Stmt::Inventory(_) => (
                "`inventory`",
                "the inventory is declared at the top level of a runbook",
            ),
            Stmt::Notify(_) => (
                "`notify`",
                "notifications are declared at the top level of a runbook",
            ),
            Stmt::Lock(_) => (
                "`lock`",
                "`lock hosts` is declared at the top level of a runbook",
            ),
            Stmt::Param(_) => (
                "`param`",
                "params are declared at the top level of a runbook",
            ),
            Stmt::Secret(_) => (
                "`secret`",
                "secrets are declared at the top level of a runbook",
            ),
            Stmt::Host(_) => ("`host`", "hosts are declared at the top level of a runbook"),
            Stmt::Group(_) => (
                "`group`",
                "groups are declared at the top level of a runbook",
            ),
            Stmt::Fn(_) => ("`fn`", "functions are defined at the top level"),
            Stmt::Step(_) => (
                "`step`",
                "steps cannot be nested: declare it at the top level",
            ),
            Stmt::Return(_) => (
                "`return`",
                "only a function returns a value; a step ends at its last statement",
            ),
            Stmt::Expr(e) if is_run(&e.node) => (
                "`run`",
                "put it inside a step: `step id \"title\" { run \"...\" }`",
            ),
            Stmt::Expr(_) => (
                "an expression",
                "put it inside a step: `step id \"title\" { ... }`",
            ),
            Stmt::Check(_) => (
                "`check`",
                "put it inside a step: `step id \"title\" { check ... }`",
            ),
            Stmt::WaitUntil(_) => ("`wait_until`", "put it inside a step"),
            Stmt::Log(_) => ("`log`", "put it inside a step"),
            Stmt::OnFailure(_) | Stmt::Always(_) => {
                let what = if matches!(stmt, Stmt::OnFailure(_)) {
                    "on_failure"
                } else {
                    "always"
                };
                return self.error(Error::MisplacedStepBlock {
                    what: what.into(),
                    place: place.describe().into(),
                    span: span.into(),
                });
            }
            Stmt::If(_) => (
                "`if`",
                "put it inside a step or a function; a runbook picks its steps with `when`",
            ),
            Stmt::For(_) => ("`for`", "put it inside a step or a function"),
            Stmt::Fail(_) => ("`fail`", "put it inside a step"),
            Stmt::Let(_) => (
                "`let`",
                "bind values at the top level, in a step or in a function",
            ),
        };
        self.error(Error::Misplaced {
            what: what.into(),
            place: place.describe().into(),
            span: span.into(),
            help: help.into(),
        });
    }

    pub(super) fn pop_scope(&mut self) {
        let Some(scope) = self.scope.locals.pop() else {
            return;
        };
        let mut unused: Vec<(&String, &Binding)> = scope
            .iter()
            .filter(|(n, b)| b.kind == Kind::Let && !b.used.get() && !n.starts_with('_'))
            .collect();
        unused.sort_by_key(|(_, b)| b.span.start);
        let errors: Vec<Error> = unused
            .into_iter()
            .map(|(n, b)| Error::Unused {
                kind: "value".into(),
                name: n.clone(),
                span: b.span.into(),
            })
            .collect();
        self.errors.extend(errors);
    }

    /// After every `fn` is checked: which of them run commands, and which recurse.
    pub(super) fn resolve_fn_effects(&mut self) {
        callgraph::spread_effects(&mut self.fns);
        for cycle in callgraph::cycles(&self.fns) {
            self.error(Error::RecursiveFunction {
                name: cycle.name,
                chain: cycle.chain.join(" -> "),
                span: cycle.span.into(),
            });
        }
        for e in callgraph::explosions(&self.fns) {
            self.error(Error::CallExplosion {
                name: e.name,
                calls: thousands(e.calls),
                limit: thousands(callgraph::CALL_LIMIT),
                callee: e.callee,
                times: e.times,
                each: thousands(e.each),
                span: e.span.into(),
            });
        }
        for (name, span) in std::mem::take(&mut self.template_calls) {
            if self.fns.get(&name).is_some_and(|f| f.runs) {
                self.error(Error::EffectInInterpolation {
                    what: format!("`{name}`"),
                    span: span.into(),
                });
            }
        }
        for (name, span) in std::mem::take(&mut self.top_level_calls) {
            if self.fns.get(&name).is_some_and(|f| f.runs) {
                self.error(Error::EffectOutsideStep {
                    what: format!("`{name}`"),
                    span: span.into(),
                });
            }
        }
    }

    /// An error unless `found` fits `want`.
    pub(super) fn require_type(&mut self, found: Ty, want: Ty, context: &str, span: Span) {
        if found.fits(want) {
            return;
        }
        let help = match (found, want) {
            (Ty::CmdResult, Ty::Bool) => {
                "use `.ok` (exit code 0) or compare `.code`, e.g. `run(\"...\").ok`"
            }
            (Ty::CmdResult, Ty::Str) => "use `.stdout` for the command's output",
            (Ty::Str, Ty::Bool) => "compare it, e.g. `x == \"yes\"` or `x.contains(\"ok\")`",
            (Ty::Int | Ty::Float, Ty::Bool) => "compare it, e.g. `x == 200` or `x >= 10`",
            (Ty::Str, Ty::List) => {
                "a list is written `[\"a\", \"b\"]`; a string's words are `s.split(\" \")`, its lines `s.lines()`"
            }
            (Ty::Nothing, _) => "this function returns nothing",
            _ => "see docs/language.md for the types each construct takes",
        };
        self.error(Error::TypeMismatch {
            context: context.into(),
            expected: want.to_string(),
            found: found.to_string(),
            span: span.into(),
            help: help.into(),
        });
    }

    /// Anything but nothing.
    pub(super) fn require_value(&mut self, found: Ty, context: &str, span: Span) {
        if found == Ty::Nothing {
            self.error(Error::TypeMismatch {
                context: context.into(),
                expected: "a value".into(),
                found: found.to_string(),
                span: span.into(),
                help: "this function has no `return`: call it on its own line".into(),
            });
        }
    }
}

fn is_run(e: &Expr) -> bool {
    matches!(e, Expr::Call(callee, _) if matches!(&callee.node, Expr::Var(v) if v == "run"))
}

/// 1234567 as "1,234,567".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Checker<'_> {
    /// `by [...]` names users or groups as literal strings; `min` is a literal count.
    fn approve_policy(&mut self, a: &ast::Approve) {
        if let Some(by) = &a.by {
            if by.node.is_empty() {
                self.error(Error::ApprovePolicy {
                    span: by.span.into(),
                    help: "name who may approve: `by [\"alice\", \"ops\"]` (users or OS groups), or drop `by` to let anyone but the starter approve".into(),
                });
            }
            for name in &by.node {
                let plain = match &name.node {
                    Expr::Str(t) => t.as_plain().filter(|s| !s.trim().is_empty()),
                    _ => None,
                };
                if plain.is_none() {
                    self.error(Error::ApprovePolicy {
                        span: name.span.into(),
                        help: "each approver is a user or OS group name, written as a string: `\"alice\"`".into(),
                    });
                }
            }
        }
        if let Some(min) = &a.min {
            if !matches!(min.node, Expr::Int(n) if n >= 1) {
                self.error(Error::ApprovePolicy {
                    span: min.span.into(),
                    help: "`min` is how many people must approve: a whole number, at least 1"
                        .into(),
                });
            }
        }
    }
}
