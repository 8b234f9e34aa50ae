//! Step settings (`parallel`, `max_fail`, `timeout`, `retry … every … backoff`) resolved
//! once, from params and top-level values, before the first step: the run and the dry run
//! use the same values, and one that cannot work stops the run before anything runs.

use std::collections::HashMap;
use std::time::Duration;

use super::Error;
use crate::source::Span;
use crate::syntax::ast::{self, Expr, FailBudget, Modifier, Node, Setting};
use crate::value::Value;

/// What a step's head asks for, with every computed setting given its value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StepSettings {
    /// `parallel N`, when written.
    pub parallel: Option<u32>,
    pub max_fail: Option<FailBudget>,
    pub timeout: Option<Duration>,
    pub retry: Option<Retry>,
    /// In a dry run: settings whose value is known only when the runbook runs, and where
    /// they are written.
    pub unknown: Vec<(&'static str, Span)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Retry {
    pub times: u32,
    pub every: Duration,
    pub backoff: f64,
}

impl StepSettings {
    /// How many of `hosts` may fail before the fan-out stops.
    pub fn budget(&self, hosts: usize) -> usize {
        match self.max_fail {
            None => 0,
            Some(FailBudget::Hosts(n)) => n as usize,
            Some(FailBudget::Percent(p)) => hosts * p as usize / 100,
        }
    }
}

/// The settings of each step, by step id.
pub type Settings = HashMap<String, StepSettings>;

/// Evaluates an expression of a setting: a value, or why it has none.
pub type Eval<'e> = dyn FnMut(&Node<Expr>) -> Result<Value, String> + 'e;

/// Every step's settings, or each one that cannot work (all reported at once).
pub fn resolve<'a>(
    steps: impl Iterator<Item = &'a ast::Step>,
    eval: &mut Eval<'_>,
) -> Result<Settings, Vec<Error>> {
    let mut settings = Settings::new();
    let mut errors = Vec::new();
    for step in steps {
        let mut r = Resolver {
            step: &step.id.node,
            eval: &mut *eval,
            errors: &mut errors,
            out: StepSettings::default(),
        };
        for m in &step.modifiers {
            r.modifier(&m.node);
        }
        settings.insert(step.id.node.clone(), r.out);
    }
    if errors.is_empty() {
        Ok(settings)
    } else {
        Err(errors)
    }
}

struct Resolver<'r, 'e> {
    step: &'r str,
    eval: &'r mut Eval<'e>,
    errors: &'r mut Vec<Error>,
    out: StepSettings,
}

impl Resolver<'_, '_> {
    fn modifier(&mut self, m: &Modifier) {
        match m {
            Modifier::Parallel(n) => {
                self.out.parallel = self.count(n, "parallel");
            }
            Modifier::MaxFail(Setting::Fixed(b)) => self.out.max_fail = Some(b.node),
            Modifier::MaxFail(Setting::Computed(e)) => {
                if let Some(n) = self.int(e, "max_fail", 0) {
                    self.out.max_fail = Some(FailBudget::Hosts(n));
                }
            }
            Modifier::Timeout(d) => self.out.timeout = self.duration(d, "timeout"),
            Modifier::Retry(r) => {
                let times = self.count(&r.times, "retry");
                let every = self.duration(&r.every, "retry every");
                let backoff = match &r.backoff {
                    None => Some(1.0),
                    Some(b) => self.factor(b),
                };
                if let (Some(times), Some(every), Some(backoff)) = (times, every, backoff) {
                    self.out.retry = Some(Retry {
                        times,
                        every,
                        backoff,
                    });
                }
            }
            Modifier::On(_)
            | Modifier::When(_)
            | Modifier::Unless(_)
            | Modifier::Sudo
            | Modifier::Disconnects
            | Modifier::Tags(_) => {}
        }
    }

    /// The value of a computed setting; `None` when it is unknown (a dry run) or wrong.
    fn value(&mut self, e: &Node<Expr>, what: &'static str) -> Option<Value> {
        match (self.eval)(e) {
            Ok(Value::Unknown(_)) => {
                self.out.unknown.push((what, e.span));
                None
            }
            Ok(v) => Some(v),
            Err(reason) => {
                self.fail(e, what, reason);
                None
            }
        }
    }

    fn fail(&mut self, e: &Node<Expr>, what: &str, reason: String) {
        self.errors.push(Error::SettingFailed {
            step: self.step.to_string(),
            setting: what.to_string(),
            reason,
            span: e.span.into(),
        });
    }

    fn int(&mut self, e: &Node<Expr>, what: &'static str, least: i64) -> Option<u32> {
        match self.value(e, what)? {
            Value::Int(n) if n >= least => u32::try_from(n).ok().or_else(|| {
                self.fail(e, what, format!("{n} is too large"));
                None
            }),
            Value::Int(n) => {
                self.fail(e, what, format!("it is {n}; it must be at least {least}"));
                None
            }
            other => {
                self.fail(e, what, format!("it is {}, not an int", other.type_name()));
                None
            }
        }
    }

    fn count(&mut self, s: &Setting<u32>, what: &'static str) -> Option<u32> {
        match s {
            Setting::Fixed(n) => Some(n.node),
            Setting::Computed(e) => self.int(e, what, 1),
        }
    }

    fn duration(&mut self, s: &Setting<Duration>, what: &'static str) -> Option<Duration> {
        let e = match s {
            Setting::Fixed(d) => return Some(d.node),
            Setting::Computed(e) => e,
        };
        match self.value(e, what)? {
            Value::Duration(d) if !d.is_zero() => Some(d),
            Value::Duration(_) => {
                self.fail(e, what, "it is 0s".into());
                None
            }
            other => {
                self.fail(
                    e,
                    what,
                    format!("it is {}, not a duration", other.type_name()),
                );
                None
            }
        }
    }

    fn factor(&mut self, s: &Setting<f64>) -> Option<f64> {
        let e = match s {
            Setting::Fixed(b) => return Some(b.node),
            Setting::Computed(e) => e,
        };
        #[allow(clippy::cast_precision_loss)] // a backoff factor is a small number
        let f = match self.value(e, "retry backoff")? {
            Value::Int(n) => n as f64,
            Value::Float(f) => f,
            other => {
                let reason = format!("it is {}, not a number", other.type_name());
                self.fail(e, "retry backoff", reason);
                return None;
            }
        };
        if f < 1.0 {
            self.fail(
                e,
                "retry backoff",
                format!("it is {f}; it must be 1 or more"),
            );
            return None;
        }
        Some(f)
    }
}
