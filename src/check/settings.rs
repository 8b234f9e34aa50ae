//! Settings of steps and waits (`timeout`, `retry … every … backoff`, `parallel`,
//! `max_fail`, `wait_until … every … timeout`): a literal is checked for its value, a
//! computed one for its type; its value is checked again when the step starts.

use std::time::Duration;

use super::error::Error;
use super::scope::Kind;
use super::types::Ty;
use super::Checker;
use crate::source::Span;
use crate::syntax::ast::{self, Expr, FailBudget, Node, Setting};

impl Checker<'_> {
    /// A count that must be at least 1 (`parallel`, `retry`).
    pub(super) fn count_setting(&mut self, s: &Setting<u32>, what: &str, help: &str) {
        match s {
            Setting::Fixed(n) if n.node == 0 => self.error(Error::ZeroCount {
                what: what.into(),
                help: help.into(),
                span: n.span.into(),
            }),
            Setting::Fixed(_) => {}
            Setting::Computed(e) => self.typed_setting(e, Ty::Int, what),
        }
    }

    /// A duration that must not be zero.
    pub(super) fn duration_setting(&mut self, s: &Setting<Duration>, what: &str, help: &str) {
        match s {
            Setting::Fixed(d) if d.node.is_zero() => self.error(Error::ZeroDuration {
                what: what.into(),
                help: help.into(),
                span: d.span.into(),
            }),
            Setting::Fixed(_) => {}
            Setting::Computed(e) => self.typed_setting(e, Ty::Duration, what),
        }
    }

    /// A backoff factor: 1 or more.
    pub(super) fn factor_setting(&mut self, s: &Setting<f64>) {
        match s {
            Setting::Fixed(b) if b.node < 1.0 => self.error(Error::InvalidBackoff {
                span: b.span.into(),
            }),
            Setting::Fixed(_) => {}
            Setting::Computed(e) => self.typed_setting(e, Ty::Float, "retry backoff"),
        }
    }

    /// `max_fail`: a number of hosts, or a percentage of at most 100.
    pub(super) fn budget_setting(&mut self, s: &Setting<FailBudget>) {
        match s {
            Setting::Fixed(b) => {
                if let FailBudget::Percent(p) = b.node {
                    if p > 100 {
                        self.error(Error::InvalidBudget {
                            percent: p,
                            span: b.span.into(),
                        });
                    }
                }
            }
            Setting::Computed(e) => self.typed_setting(e, Ty::Int, "max_fail"),
        }
    }

    fn typed_setting(&mut self, e: &Node<Expr>, want: Ty, what: &str) {
        let info = self.expr(e);
        self.require_type(info.ty, want, &format!("`{what}`"), e.span);
        if self.step_head {
            self.before_the_run(e, what);
        }
    }

    /// A step's settings are resolved before the first step: a capture has no value yet.
    fn before_the_run(&mut self, e: &Node<Expr>, what: &str) {
        let mut names = Vec::new();
        names_in(e, &mut names);
        for (name, span) in names {
            let Some(b) = self.scope.lookup(name) else {
                continue;
            };
            if b.kind == Kind::Capture {
                let step = b.step.as_ref().map_or_else(String::new, |(s, _)| s.clone());
                self.error(Error::SettingFromCapture {
                    setting: what.into(),
                    name: name.into(),
                    step,
                    span: span.into(),
                });
            }
        }
    }

    /// `wait_until … every E timeout T`: polling needs E shorter than T, when both are known.
    pub(super) fn wait_interval(&mut self, every: &Setting<Duration>, timeout: &Setting<Duration>) {
        let (Some(e), Some(t)) = (every.fixed(), timeout.fixed()) else {
            return;
        };
        if !e.is_zero() && e >= t {
            self.error(Error::WaitInterval {
                every: ast::human_duration(e),
                timeout: ast::human_duration(t),
                span: every.span().into(),
                timeout_span: timeout.span().into(),
            });
        }
    }
}

/// The names an expression reads, outside `{{ }}` (a setting is a number or a duration).
fn names_in<'e>(e: &'e Node<Expr>, out: &mut Vec<(&'e str, Span)>) {
    match &e.node {
        Expr::Var(name) => out.push((name, e.span)),
        Expr::Field(base, _) | Expr::Unary(_, base) => names_in(base, out),
        Expr::Index(a, b) | Expr::Binary(_, a, b) => {
            names_in(a, out);
            names_in(b, out);
        }
        Expr::Call(callee, args) => {
            names_in(callee, out);
            for a in args {
                names_in(&a.value, out);
            }
        }
        Expr::List(items) => items.iter().for_each(|i| names_in(i, out)),
        Expr::Map(entries) => entries.iter().for_each(|(_, v)| names_in(v, out)),
        Expr::Str(_) | Expr::Int(_) | Expr::Float(_) | Expr::Bool(_) | Expr::Duration(_) => {}
    }
}
