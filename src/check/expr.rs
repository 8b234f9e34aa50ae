//! Expressions: names, fields, operators and literals, each given the type `check` can know.

use std::collections::HashMap;

use super::builtins;
use super::error::Error;
use super::names::Name;
use super::scope::{Binding, Kind};
use super::suggest::did_you_mean;
use super::types::Ty;
use super::{Checker, Place};
use crate::source::{Span, Spanned};
use crate::stdlib;
use crate::syntax::ast::{BinaryOp, Expr, UnaryOp};

/// What `check` knows of a value: its type, and whether a secret flows into it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Info {
    pub ty: Ty,
    pub secret: bool,
}

impl Info {
    pub fn of(ty: Ty) -> Self {
        Info { ty, secret: false }
    }
}

impl Checker<'_> {
    pub(super) fn expr(&mut self, e: &Spanned<Expr>) -> Info {
        match &e.node {
            Expr::Str(t) => Info {
                ty: Ty::Str,
                secret: self.check_template(t, false),
            },
            Expr::Int(_) => Info::of(Ty::Int),
            Expr::Float(_) => Info::of(Ty::Float),
            Expr::Bool(_) => Info::of(Ty::Bool),
            Expr::Duration(_) => Info::of(Ty::Duration),
            Expr::List(items) => {
                let mut secret = false;
                for item in items {
                    let info = self.expr(item);
                    self.require_value(info.ty, "a list item", item.span);
                    secret |= info.secret;
                }
                Info {
                    ty: Ty::List,
                    secret,
                }
            }
            Expr::Map(entries) => {
                let mut seen: HashMap<&str, Span> = HashMap::new();
                let mut secret = false;
                for (key, value) in entries {
                    if let Some(first) = seen.insert(&key.node, key.span) {
                        self.error(Error::DuplicateDefinition {
                            name: key.node.clone(),
                            span: key.span.into(),
                            first: first.into(),
                        });
                    }
                    let info = self.expr(value);
                    self.require_value(info.ty, "a map value", value.span);
                    secret |= info.secret;
                }
                Info {
                    ty: Ty::Map,
                    secret,
                }
            }
            Expr::Var(name) => self.var(name, e.span),
            Expr::Field(obj, field) => {
                if let Expr::Var(m) = &obj.node {
                    if self.names_a_capture(m, &field.node) {
                        return self.qualified_capture(m, &field.node, e.span);
                    }
                    if m == "host" && field.node != "name" && self.step.is_some() {
                        self.var(m, obj.span);
                        self.host_var(&field.node, e.span);
                        return Info::of(Ty::Any);
                    }
                    if self.scope.lookup(m).is_some_and(|b| b.kind == Kind::Module) {
                        self.error(Error::NotAValue {
                            name: format!("{m}.{}", field.node),
                            kind: "function".into(),
                            span: e.span.into(),
                            help: format!("call it: `{m}.{}(...)`", field.node),
                        });
                        return Info::of(Ty::Any);
                    }
                }
                let info = self.expr(obj);
                self.field_of(info, &field.node, field.span)
            }
            Expr::Index(obj, index) => {
                let info = self.expr(obj);
                let idx = self.expr(index);
                match info.ty {
                    Ty::List => self.require_type(idx.ty, Ty::Int, "a list index", index.span),
                    Ty::Map => self.require_type(idx.ty, Ty::Str, "a map key", index.span),
                    Ty::Any => {}
                    other => self.require_type(other, Ty::List, "indexing `[...]`", obj.span),
                }
                Info {
                    ty: Ty::Any,
                    secret: info.secret,
                }
            }
            Expr::Call(callee, args) => self.call(callee, args, e.span),
            Expr::Unary(op, inner) => {
                let info = self.expr(inner);
                match op {
                    UnaryOp::Not => {
                        self.require_type(info.ty, Ty::Bool, "`not`", inner.span);
                        Info {
                            ty: Ty::Bool,
                            secret: info.secret,
                        }
                    }
                    UnaryOp::Neg => {
                        if !info.ty.is_numeric() {
                            self.require_type(info.ty, Ty::Int, "`-`", inner.span);
                        }
                        info
                    }
                }
            }
            Expr::Binary(op, l, r) => self.binary(*op, l, r, e.span),
        }
    }

    pub(super) fn var(&mut self, name: &str, span: Span) -> Info {
        if let Some(steps) = self.scope.ambiguous(name) {
            let written: Vec<String> = steps.iter().map(|s| format!("`{s}.{name}`")).collect();
            self.error(Error::AmbiguousCapture {
                name: name.into(),
                span: span.into(),
                help: format!("say which step's value: {}", written.join(" or ")),
            });
            for (_, c) in self.scope.all_captures().filter(|(n, _)| *n == name) {
                c.used.set(true);
            }
            return Info::of(Ty::Any);
        }
        let Some((b, resolved)) = self.scope.resolve(name) else {
            self.undefined_variable(name, span);
            return Info::of(Ty::Any);
        };
        if b.kind.is_value() {
            self.names.set(span, resolved);
        } else {
            let kind = b.kind.describe();
            let help = match b.kind {
                Kind::Host | Kind::Group => format!("a {kind} is a step target: `on {name}`"),
                Kind::Fn => format!("call it: `{name}(...)`"),
                _ => format!("call one of its functions: `{name}.function(...)`"),
            };
            b.used.set(true);
            self.error(Error::NotAValue {
                name: name.into(),
                kind: kind.into(),
                span: span.into(),
                help,
            });
            return Info::of(Ty::Any);
        }
        let (info, origin) = read_binding(b);
        let not_ready = b.kind == Kind::Let && !b.ready.get();
        if not_ready && self.place == Place::TopLevel {
            let help = format!("`{name}` is defined further down: move its `let` above this line");
            self.error(Error::UndefinedVariable {
                name: name.into(),
                span: span.into(),
                help,
            });
        }
        self.read_capture(name, name, origin, span);
        info
    }

    /// Whether `step.field` means a step's capture: `step` is a step that captures
    /// `field`, or a step and no value at all. A loop's or function's own name comes first.
    fn names_a_capture(&self, step: &str, field: &str) -> bool {
        let Some(lets) = self.step_lets.get(step) else {
            return false;
        };
        if self.scope.locals.iter().any(|l| l.contains_key(step)) {
            return false;
        }
        lets.iter().any(|l| l == field) || self.scope.lookup(step).is_none()
    }

    /// `STEP.NAME`: a capture of an earlier step (or of this one, once made).
    fn qualified_capture(&mut self, step: &str, name: &str, span: Span) -> Info {
        let Some(b) = self.scope.capture(step, name) else {
            let lets = self.step_lets.get(step).cloned().unwrap_or_default();
            let help = if lets.iter().any(|l| l == name) {
                format!("step `{step}` runs later: steps run in order, so `{step}.{name}` has no value yet")
            } else {
                did_you_mean(
                    name,
                    lets.iter().map(String::as_str),
                    &format!("a step's captures are the `let`s of its body; `{step}` has none named `{name}`"),
                )
            };
            self.error(Error::UnknownCapture {
                step: step.into(),
                name: name.into(),
                span: span.into(),
                help,
            });
            return Info::of(Ty::Any);
        };
        let (info, origin) = read_binding(b);
        self.names.set(span, Name::Capture(step.to_string()));
        self.read_capture(&format!("{step}.{name}"), name, origin, span);
        info
    }

    /// A read of the capture `name` (written `shown`) of the step `origin` names: what this
    /// step needs, and a warning when a guard may skip the capturing step.
    fn read_capture(&mut self, shown: &str, name: &str, origin: Option<CaptureOrigin>, span: Span) {
        let Some(((step, guarded), at)) = origin else {
            return;
        };
        self.note_read(step.clone(), name);
        if guarded {
            self.maybe_skipped(shown, step, span, at);
        }
    }

    /// `host.NAME` in a step: every host it runs on must have the variable (from the
    /// inventory). A group computed from a param is only known at run time.
    fn host_var(&mut self, name: &str, span: Span) {
        let Some(hosts) = self.step_hosts.as_ref().filter(|_| !self.inventory_failed) else {
            return;
        };
        let missing: Vec<String> = hosts
            .iter()
            .filter(|h| {
                self.inventory
                    .and_then(|inv| inv.vars(h))
                    .is_none_or(|vars| !vars.contains_key(name))
            })
            .cloned()
            .collect();
        if missing.is_empty() {
            return;
        }
        let step = self
            .step
            .as_ref()
            .map(|(s, _)| s.clone())
            .unwrap_or_default();
        let help = match self.inventory {
            Some(inv) => format!(
                "set it under `[hosts.{}.vars]` in {}; a host declared in the runbook has only `host.name`",
                missing[0], inv.shown
            ),
            None => "host variables come from an inventory (`inventory \"hosts.toml\"`); without one a host has only `host.name`".into(),
        };
        let missing = missing
            .iter()
            .map(|h| format!("`{h}`"))
            .collect::<Vec<_>>()
            .join(", ");
        self.error(Error::UnknownHostVar {
            step,
            name: name.into(),
            span: span.into(),
            missing,
            help,
        });
    }

    /// Remembers that the current step needs another step's capture (a read with a `??`
    /// fallback does not need it).
    fn note_read(&mut self, from: String, name: &str) {
        if self.defaulted > 0 {
            return;
        }
        if let Some((current, _)) = &self.step {
            if *current != from {
                self.reads
                    .entry(current.clone())
                    .or_default()
                    .insert((from, name.to_string()));
            }
        }
    }

    fn maybe_skipped(&mut self, name: &str, step: String, span: Span, origin: Span) {
        if self.defaulted > 0 {
            return;
        }
        if self
            .step
            .as_ref()
            .is_none_or(|(current, _)| *current != step)
        {
            self.error(Error::MaybeSkippedCapture {
                name: name.into(),
                step,
                span: span.into(),
                origin: origin.into(),
            });
        }
    }

    fn undefined_variable(&mut self, name: &str, span: Span) {
        // A capture of the runbook's own says more than a builtin of the same name.
        let help = if let Some(step) = self.later_captures.get(name) {
            format!("`{name}` is captured later, in step `{step}`: steps run in order, so it has no value yet")
        } else if builtins::function(name).is_some() {
            format!("`{name}` is a function: call it with `{name}(...)`")
        } else if stdlib::source(name).is_some() {
            format!("`{name}` is a stdlib module: add `use std.{name}` and call its functions")
        } else {
            let values: Vec<String> = self
                .scope
                .names()
                .filter(|(_, b)| b.kind.is_value())
                .map(|(n, _)| n.clone())
                .collect();
            did_you_mean(
                name,
                values.iter().map(String::as_str),
                "define it first with `let`, `param` or `secret`",
            )
        };
        self.error(Error::UndefinedVariable {
            name: name.into(),
            span: span.into(),
            help,
        });
    }

    /// `value.field`
    pub(super) fn field_of(&mut self, info: Info, field: &str, span: Span) -> Info {
        let ty = match info.ty {
            Ty::Any | Ty::Map => Ty::Any,
            Ty::CmdResult => match builtins::result_field(field) {
                Some(ty) => ty,
                None => {
                    let help = did_you_mean(
                        field,
                        builtins::RESULT_FIELDS.iter().copied(),
                        "a command result has `.code`, `.stdout`, `.stderr` and `.ok`",
                    );
                    self.error(Error::UnknownField {
                        field: field.into(),
                        ty: info.ty.to_string(),
                        span: span.into(),
                        help,
                    });
                    Ty::Any
                }
            },
            other => {
                let help = if builtins::method(other, field).is_some() {
                    format!("`{field}` is a method: write `.{field}()`")
                } else {
                    format!("{other} has no fields")
                };
                self.error(Error::UnknownField {
                    field: field.into(),
                    ty: other.to_string(),
                    span: span.into(),
                    help,
                });
                Ty::Any
            }
        };
        Info {
            ty,
            secret: info.secret,
        }
    }

    fn binary(&mut self, op: BinaryOp, l: &Spanned<Expr>, r: &Spanned<Expr>, span: Span) -> Info {
        if op == BinaryOp::Default {
            // The left side may have no value: that is what the fallback is for.
            self.defaulted += 1;
            let left = self.expr(l);
            self.defaulted -= 1;
            let right = self.expr(r);
            let ty = if left.ty.fits(right.ty) && right.ty.fits(left.ty) && left.ty != Ty::Any {
                left.ty
            } else {
                Ty::Any
            };
            return Info {
                ty,
                secret: left.secret || right.secret,
            };
        }
        let left = self.expr(l);
        let right = self.expr(r);
        let secret = left.secret || right.secret;
        let (a, b) = (left.ty, right.ty);
        let ty = match op {
            BinaryOp::Default => unreachable!("`??` is checked above"),
            BinaryOp::And | BinaryOp::Or => {
                self.require_type(a, Ty::Bool, &format!("`{}`", op.symbol()), l.span);
                self.require_type(b, Ty::Bool, &format!("`{}`", op.symbol()), r.span);
                Some(Ty::Bool)
            }
            BinaryOp::Eq | BinaryOp::Ne => {
                let versions = matches!((a, b), (Ty::Version, Ty::Str) | (Ty::Str, Ty::Version));
                let comparable = versions
                    || ((a.fits(b) || b.fits(a)) && a != Ty::CmdResult && b != Ty::CmdResult);
                comparable.then_some(Ty::Bool)
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                // A version compares with a version, or with a string read as one.
                let version = |x: Ty| x.fits(Ty::Version) || x.fits(Ty::Str);
                let ordered = (a.is_numeric() && b.is_numeric())
                    || (a.fits(Ty::Str) && b.fits(Ty::Str))
                    || (a.fits(Ty::Duration) && b.fits(Ty::Duration))
                    || ((a == Ty::Version || b == Ty::Version) && version(a) && version(b));
                ordered.then_some(Ty::Bool)
            }
            BinaryOp::Add => match (a, b) {
                (Ty::Any, other) | (other, Ty::Any)
                    if other != Ty::CmdResult && other != Ty::Nothing =>
                {
                    Some(Ty::Any)
                }
                (Ty::Int, Ty::Int) => Some(Ty::Int),
                (x, y) if x.is_numeric() && y.is_numeric() => Some(Ty::Float),
                (Ty::Str, Ty::Str) => Some(Ty::Str),
                (Ty::List, Ty::List) => Some(Ty::List),
                (Ty::Duration, Ty::Duration) => Some(Ty::Duration),
                _ => None,
            },
            BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                if op == BinaryOp::Div && matches!(r.node, Expr::Int(0)) {
                    self.error(Error::DivisionByZero {
                        span: r.span.into(),
                    });
                }
                match (a, b) {
                    (Ty::Any, other) | (other, Ty::Any)
                        if other.is_numeric() || other == Ty::Duration =>
                    {
                        Some(Ty::Any)
                    }
                    (Ty::Int, Ty::Int) => Some(Ty::Int),
                    (x, y) if x.is_numeric() && y.is_numeric() => Some(Ty::Float),
                    (Ty::Duration, Ty::Duration) if op == BinaryOp::Sub => Some(Ty::Duration),
                    // `poll * 2`, `2 * poll`, `limit / 4`: a duration scaled by a number.
                    (Ty::Duration, n) if op != BinaryOp::Sub && n.is_numeric() => {
                        Some(Ty::Duration)
                    }
                    (n, Ty::Duration) if op == BinaryOp::Mul && n.is_numeric() => {
                        Some(Ty::Duration)
                    }
                    _ => None,
                }
            }
        };
        match ty {
            Some(ty) => Info { ty, secret },
            None => {
                let help = if a == Ty::CmdResult || b == Ty::CmdResult {
                    "a command result is a record: use `.stdout`, `.code` or `.ok`".to_string()
                } else if matches!(op, BinaryOp::Add) && (a == Ty::Str || b == Ty::Str) {
                    "to build text, interpolate: \"{{ a }}{{ b }}\"".to_string()
                } else if a == Ty::Str || b == Ty::Str {
                    "convert text first: `.to_int()` or `.to_float()`".to_string()
                } else {
                    format!(
                        "both sides of `{}` must be of a compatible type",
                        op.symbol()
                    )
                };
                self.error(Error::InvalidOperands {
                    op: op.symbol().into(),
                    left: a.to_string(),
                    right: b.to_string(),
                    help,
                    span: span.into(),
                });
                Info {
                    ty: Ty::Any,
                    secret,
                }
            }
        }
    }
}

/// The step that captures a value (and whether a guard may skip it), and where.
type CaptureOrigin = ((String, bool), Span);

/// A value's binding, read: marked used; its type, and the step that captures it (with
/// where) when it is a capture.
fn read_binding(b: &Binding) -> (Info, Option<CaptureOrigin>) {
    b.used.set(true);
    let info = Info {
        ty: b.ty,
        secret: b.secret,
    };
    (info, b.step.clone().map(|s| (s, b.span)))
}
