//! Expressions to values.

use std::collections::BTreeMap;

use super::render::hide;
use super::{Failure, Interpreter, Outcome, Target};
use crate::exec::taint;
use crate::exec::value::Value;
use crate::plan::Name;
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Expr, Node, UnaryOp};

/// The most a value may hold (bytes of text): a string doubled in 30 `let`s fails its step
/// instead of exhausting memory.
pub const VALUE_LIMIT: usize = 64 << 20;

/// About how many bytes a value holds.
fn weight(v: &Value) -> usize {
    match v {
        Value::Str(s) | Value::Unknown(s) => s.len(),
        Value::List(items) => items
            .iter()
            .map(weight)
            .fold(items.len(), usize::saturating_add),
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| k.len().saturating_add(weight(v)))
            .fold(entries.len(), usize::saturating_add),
        Value::Result(r) => r.stdout.len().saturating_add(r.stderr.len()),
        Value::Secret(t) => weight(&t.value),
        _ => 1,
    }
}

fn eval_error(message: impl Into<String>) -> Failure {
    Failure::Eval {
        message: message.into(),
    }
}

impl Interpreter<'_> {
    pub(super) fn eval(&mut self, e: &Node<Expr>, target: Option<&Target>) -> Outcome<Value> {
        let value = self.eval_node(e, target)?;
        // Lists and maps are weighed where they are built, strings everywhere (in O(1)).
        let built = matches!(e.node, Expr::List(_) | Expr::Map(_));
        let weight = match &value {
            Value::Str(s) => s.len(),
            Value::Secret(t) if matches!(t.value, Value::Str(_)) => weight(&t.value),
            other if built => weight(other),
            _ => 0,
        };
        if weight > VALUE_LIMIT {
            return Err(eval_error(format!(
                "this value would hold {} MiB, more than a value may ({} MiB): is something doubled again and again?",
                weight >> 20,
                VALUE_LIMIT >> 20
            )));
        }
        Ok(value)
    }

    fn eval_node(&mut self, e: &Node<Expr>, target: Option<&Target>) -> Outcome<Value> {
        Ok(match &e.node {
            Expr::Str(t) => self.render(t, false)?.into_value(),
            Expr::Int(i) => Value::Int(*i),
            Expr::Float(f) => Value::Float(*f),
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Duration(d) => Value::Duration(*d),
            Expr::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.eval(i, target)?);
                }
                Value::List(out)
            }
            Expr::Map(entries) => {
                let mut out = BTreeMap::new();
                for (k, v) in entries {
                    let v = self.eval(v, target)?;
                    out.insert(k.node.clone(), v);
                }
                Value::Map(out)
            }
            Expr::Var(name) => self.var(name, e.span)?,
            Expr::Field(obj, field) => match self.qualified(e, &field.node) {
                Some(found) => found?,
                None => {
                    let v = self.eval(obj, target)?;
                    self.field(v, &field.node)?
                }
            },
            Expr::Index(obj, index) => {
                let v = self.eval(obj, target)?;
                let i = self.eval(index, target)?;
                on_clear(vec![v, i], |v| index_of(&v[0], &v[1]))?
            }
            Expr::Call(callee, args) => self.call(callee, args, target)?,
            Expr::Unary(op, inner) => {
                let v = self.eval(inner, target)?;
                if is_unknown(&v) {
                    return Ok(self.unknown(e));
                }
                on_clear(vec![v], |mut v| unary(*op, v.remove(0)))?
            }
            Expr::Binary(op @ (BinaryOp::And | BinaryOp::Or), l, r) => {
                self.logic(*op == BinaryOp::Or, e, (l, r), target)?
            }
            Expr::Binary(BinaryOp::Default, l, r) => match self.present(l, target)? {
                // The fallback is walked too: the plan shows what it would run.
                Some(v) if is_unknown(&v) => {
                    self.eval(r, target)?;
                    self.unknown(e)
                }
                Some(v) => v,
                None => self.eval(r, target)?,
            },
            Expr::Binary(op, l, r) => {
                let a = self.eval(l, target)?;
                let b = self.eval(r, target)?;
                if is_unknown(&a) || is_unknown(&b) {
                    return Ok(self.unknown(e));
                }
                on_clear(vec![a, b], |mut v| {
                    let b = v.remove(1);
                    binary(*op, v.remove(0), b)
                })?
            }
        })
    }

    /// A field of a value; of a secret, a secret.
    pub(super) fn field(&self, v: Value, name: &str) -> Outcome<Value> {
        on_clear(vec![v], |v| field_of(&v[0], name))
    }

    /// `&&` (`or` false) and `||` (`or` true), short-circuit. A side known only when the
    /// run comes (in a plan) makes the whole unknown, once both sides are walked.
    fn logic(
        &mut self,
        or: bool,
        e: &Node<Expr>,
        (l, r): (&Node<Expr>, &Node<Expr>),
        target: Option<&Target>,
    ) -> Outcome<Value> {
        let Some((a, mut from)) = self.truth(l, target)? else {
            self.eval(r, target)?;
            return Ok(self.unknown(e));
        };
        if a == or {
            return Ok(taint::taint(Value::Bool(a), from));
        }
        let Some((b, more)) = self.truth(r, target)? else {
            return Ok(self.unknown(e));
        };
        from.extend(more);
        Ok(taint::taint(Value::Bool(b), from))
    }

    /// A bool, and the secrets it was computed from; `None` for a value the plan does not
    /// know.
    fn truth(
        &mut self,
        e: &Node<Expr>,
        target: Option<&Target>,
    ) -> Outcome<Option<(bool, Vec<String>)>> {
        let value = self.eval(e, target)?;
        if is_unknown(&value) {
            return Ok(None);
        }
        let mut from = Vec::new();
        match taint::reveal(value, &mut from) {
            Value::Bool(b) => Ok(Some((b, from))),
            other => Err(eval_error(format!(
                "expected a bool, got {}",
                other.type_name()
            ))),
        }
    }

    /// What an expression over values known only at run time stands for: its own text.
    fn unknown(&self, e: &Node<Expr>) -> Value {
        Value::Unknown(self.source_text(e.span))
    }

    /// The left side of `??`: `None` when it has no value (a name with none, such as the
    /// capture of a skipped step, or an expression giving nothing).
    fn present(&mut self, e: &Node<Expr>, target: Option<&Target>) -> Outcome<Option<Value>> {
        if self.root_missing(e) {
            return Ok(None);
        }
        match self.eval(e, target)? {
            Value::Nothing => Ok(None),
            v => Ok(Some(v)),
        }
    }

    /// Whether what `e` reads from has no value: a name or `STEP.NAME` the run has not
    /// set (a skipped step's capture), under any fields, indexes and method calls.
    fn root_missing(&self, e: &Node<Expr>) -> bool {
        match &e.node {
            // A name check left unresolved is not missing: reading it says so.
            Expr::Var(name) => matches!(self.read(name, e.span), Ok(None)),
            Expr::Field(obj, field) => match self.qualified(e, &field.node) {
                Some(found) => found.is_err(),
                None => self.root_missing(obj),
            },
            Expr::Index(obj, _) => self.root_missing(obj),
            Expr::Call(callee, _) => match &callee.node {
                Expr::Field(obj, _) => self.root_missing(obj),
                _ => false,
            },
            _ => false,
        }
    }

    /// `STEP.NAME` (the field read `e`), when check found it names a step's capture: the
    /// capture, or why it has none. `None` when it reads a field of a value.
    fn qualified(&self, e: &Node<Expr>, name: &str) -> Option<Outcome<Value>> {
        let Some(Name::Capture(step)) = self.plan.names.get(e.span) else {
            return None;
        };
        Some(self.step_capture(step, name).cloned().ok_or_else(|| {
            eval_error(format!(
                "`{step}.{name}` has no value (step `{step}` was skipped or has not run)"
            ))
        }))
    }

    pub(super) fn var(&self, name: &str, span: Span) -> Outcome<Value> {
        self.read(name, span)?.cloned().ok_or_else(|| {
            eval_error(format!(
                "`{name}` has no value (its step was skipped or has not run)"
            ))
        })
    }
}

pub(super) fn field_of(v: &Value, field: &str) -> Outcome<Value> {
    match v {
        // `r: captured in step s` -> `r.stdout: captured in step s`
        Value::Unknown(what) => Ok(Value::Unknown(match what.split_once(": ") {
            Some((name, rest)) => format!("{name}.{field}: {rest}"),
            None => format!("{what}.{field}"),
        })),
        Value::Result(r) => Ok(match field {
            "code" => Value::Int(i64::from(r.code)),
            "stdout" => Value::Str(r.stdout.clone()),
            "stderr" => Value::Str(r.stderr.clone()),
            "ok" => Value::Bool(r.code == 0),
            _ => {
                return Err(eval_error(format!(
                    "a command result has no field `{field}`"
                )))
            }
        }),
        Value::Map(m) => m
            .get(field)
            .cloned()
            .ok_or_else(|| eval_error(format!("no field `{field}` (fields: {})", keys(m)))),
        other => Err(eval_error(format!(
            "{} has no field `{field}`",
            other.type_name()
        ))),
    }
}

fn keys(m: &BTreeMap<String, Value>) -> String {
    m.keys().cloned().collect::<Vec<_>>().join(", ")
}

fn index_of(v: &Value, i: &Value) -> Outcome<Value> {
    match (v, i) {
        (Value::Unknown(what), _) | (_, Value::Unknown(what)) => Ok(Value::Unknown(what.clone())),
        (Value::List(items), Value::Int(n)) => usize::try_from(*n)
            .ok()
            .and_then(|n| items.get(n))
            .cloned()
            .ok_or_else(|| {
                eval_error(format!(
                    "index {n} is out of range (the list has {} items)",
                    items.len()
                ))
            }),
        (Value::Map(m), Value::Str(k)) => m
            .get(k)
            .cloned()
            .ok_or_else(|| eval_error(format!("no key `{k}` (keys: {})", keys(m)))),
        (v, i) => Err(eval_error(format!(
            "cannot index {} with {}",
            v.type_name(),
            i.type_name()
        ))),
    }
}

fn unary(op: UnaryOp, v: Value) -> Outcome<Value> {
    Ok(match (op, v) {
        (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
        (UnaryOp::Neg, Value::Int(i)) => Value::Int(
            i.checked_neg()
                .ok_or_else(|| eval_error("number too large"))?,
        ),
        (UnaryOp::Neg, Value::Float(f)) => Value::Float(-f),
        (op, v) => {
            return Err(eval_error(format!(
                "`{op:?}` does not apply to {}",
                v.type_name()
            )))
        }
    })
}

/// Runs `op` on the values with their secrets revealed: its result is secret when any of
/// them was, and its failure then says nothing of them.
/// A value only the run will know (a plan's command output, a required param).
fn is_unknown(v: &Value) -> bool {
    matches!(v, Value::Unknown(_))
}

pub(super) fn on_clear(
    values: Vec<Value>,
    op: impl FnOnce(Vec<Value>) -> Outcome<Value>,
) -> Outcome<Value> {
    if !values.iter().any(taint::holds_secret) {
        return op(values);
    }
    let mut from = Vec::new();
    let clear = values
        .into_iter()
        .map(|v| taint::reveal(v, &mut from))
        .collect();
    let result = op(clear).map_err(|f| hide(f, true))?;
    Ok(taint::taint(result, from))
}

/// A string on the other side of a version: read as one (a capture restored by `resume`
/// comes back as its text).
fn as_version(s: &str) -> Outcome<crate::value::version::Version> {
    crate::value::version::Version::parse(s).map_err(eval_error)
}

fn binary(op: BinaryOp, a: Value, b: Value) -> Outcome<Value> {
    use Value::*;
    let mismatch = |a: &Value, b: &Value| {
        eval_error(format!(
            "`{}` cannot combine {} and {}",
            op.symbol(),
            a.type_name(),
            b.type_name()
        ))
    };
    Ok(match op {
        // Both sides known: the left one has a value.
        BinaryOp::Default => a,
        BinaryOp::Eq => Bool(equal(&a, &b)),
        BinaryOp::Ne => Bool(!equal(&a, &b)),
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            let ord = match (&a, &b) {
                (Version(x), Version(y)) => x.partial_cmp(y),
                (Version(x), Str(y)) => x.partial_cmp(&as_version(y)?),
                (Str(x), Version(y)) => as_version(x)?.partial_cmp(y),
                (Str(x), Str(y)) => x.partial_cmp(y),
                (Duration(x), Duration(y)) => x.partial_cmp(y),
                _ => match (number(&a), number(&b)) {
                    (Some(x), Some(y)) => x.partial_cmp(&y),
                    _ => return Err(mismatch(&a, &b)),
                },
            };
            let Some(ord) = ord else {
                return Ok(Bool(false));
            };
            Bool(match op {
                BinaryOp::Lt => ord.is_lt(),
                BinaryOp::Le => ord.is_le(),
                BinaryOp::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            })
        }
        BinaryOp::Add => match (a, b) {
            (Int(x), Int(y)) => Int(x
                .checked_add(y)
                .ok_or_else(|| eval_error("number too large"))?),
            (Str(x), Str(y)) => Str(x + &y),
            (List(mut x), List(y)) => {
                x.extend(y);
                List(x)
            }
            (Duration(x), Duration(y)) => Duration(x + y),
            (a, b) => float_op(&a, &b, |x, y| x + y).ok_or_else(|| mismatch(&a, &b))?,
        },
        BinaryOp::Sub => match (a, b) {
            (Int(x), Int(y)) => Int(x
                .checked_sub(y)
                .ok_or_else(|| eval_error("number too large"))?),
            (Duration(x), Duration(y)) => Duration(x.saturating_sub(y)),
            (a, b) => float_op(&a, &b, |x, y| x - y).ok_or_else(|| mismatch(&a, &b))?,
        },
        BinaryOp::Mul => match (a, b) {
            (Int(x), Int(y)) => Int(x
                .checked_mul(y)
                .ok_or_else(|| eval_error("number too large"))?),
            (Duration(d), n) | (n, Duration(d)) if number(&n).is_some() => {
                Duration(scaled(d, number(&n).unwrap_or(1.0))?)
            }
            (a, b) => float_op(&a, &b, |x, y| x * y).ok_or_else(|| mismatch(&a, &b))?,
        },
        BinaryOp::Div => match (a, b) {
            (_, Int(0)) => return Err(eval_error("division by zero")),
            (Int(x), Int(y)) => Int(x / y),
            (Duration(d), n) if number(&n).is_some() => {
                Duration(scaled(d, 1.0 / number(&n).unwrap_or(1.0))?)
            }
            (a, b) => float_op(&a, &b, |x, y| x / y).ok_or_else(|| mismatch(&a, &b))?,
        },
        BinaryOp::And | BinaryOp::Or => {
            unreachable!("short-circuit operators are evaluated by eval")
        }
    })
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// A duration times a factor; a negative or unbounded result is refused, not wrapped.
fn scaled(d: std::time::Duration, factor: f64) -> Outcome<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(d.as_secs_f64() * factor)
        .map_err(|_| eval_error("a duration cannot be negative or that large"))
}

fn float_op(a: &Value, b: &Value, f: impl Fn(f64, f64) -> f64) -> Option<Value> {
    Some(Value::Float(f(number(a)?, number(b)?)))
}

fn equal(a: &Value, b: &Value) -> bool {
    let version = |s: &str| crate::value::version::Version::parse(s).ok();
    match (a, b) {
        (Value::Version(v), Value::Str(s)) | (Value::Str(s), Value::Version(v)) => {
            version(s).is_some_and(|s| s == *v)
        }
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}
