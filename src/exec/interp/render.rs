//! Strings with `{{ }}`: in commands every value becomes quoted shell words; elsewhere,
//! plain text. Filters are minijinja's, through one shared environment.

use std::fmt::Write;
use std::sync::OnceLock;

use minijinja::{Environment, UndefinedBehavior};

use super::{Failure, Interpreter, Outcome};
use crate::exec::mask::MASK;
use crate::exec::taint;
use crate::exec::value::{self, Value};
use crate::syntax::ast::{Expr, Filter, Part, Template};

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Quoting is decided by the renderer below; to minijinja, `raw` changes nothing.
        env.add_filter("raw", |v: minijinja::Value| v);
        env
    })
}

/// A rendered template: the text itself, what users may see of it, and the secrets in it.
#[derive(Debug, Default)]
pub(super) struct Rendered {
    /// The text; in a command, each secret word is a reference to a shell variable.
    pub text: String,
    /// The same with each secret as `••••`.
    pub shown: String,
    /// The secrets it holds, by name.
    pub from: Vec<String>,
    /// In a command, the secret words in the order of their variables (`$__rb_1`, ...):
    /// handed to the shell on its stdin, never on a command line.
    pub words: Vec<String>,
}

impl Rendered {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.shown.push_str(text);
    }

    /// As a value: a template holding a secret is a secret shown with its mask inside.
    pub fn into_value(self) -> Value {
        taint::taint_shown(Value::Str(self.text), self.shown, self.from)
    }
}

impl Interpreter<'_> {
    pub(super) fn render(&mut self, t: &Template, command: bool) -> Outcome<Rendered> {
        let mut out = Rendered::default();
        for part in &t.parts {
            match &part.node {
                Part::Text(text) => out.push(text),
                Part::Interpolation(i) => {
                    // check made sure nothing in it runs a command: no target needed.
                    let mut v = self.eval(&i.value, None)?;
                    let filters: Vec<&Filter> =
                        i.filters.iter().filter(|f| f.name.node != "raw").collect();
                    if !filters.is_empty() && !matches!(v, Value::Unknown(_)) {
                        let mut from = Vec::new();
                        let clear = taint::reveal(v, &mut from);
                        let secret = !from.is_empty();
                        v = taint::taint(
                            apply_filters(clear, &filters).map_err(|f| hide(f, secret))?,
                            from,
                        );
                    }
                    let mut from = Vec::new();
                    let clear = taint::reveal(v.clone(), &mut from);
                    if let (true, Value::Unknown(what)) = (command, &clear) {
                        // A dry run's placeholder is shown as it is, never quoted.
                        out.push(&format!("<{what}>"));
                        continue;
                    }
                    if command {
                        let words = if i.is_raw() {
                            vec![clear.to_string()]
                        } else {
                            clear.words().map_err(|message| Failure::Eval { message })?
                        };
                        if from.is_empty() {
                            let quoted = quote_all(&words, i.is_raw())?;
                            out.push(&quoted);
                            continue;
                        }
                        let refs: Vec<String> = words
                            .into_iter()
                            .map(|w| {
                                out.words.push(w);
                                let var = secret_var(out.words.len());
                                if i.is_raw() {
                                    format!("${var}")
                                } else {
                                    format!("\"${var}\"")
                                }
                            })
                            .collect();
                        out.text.push_str(&refs.join(" "));
                        out.shown.push_str(MASK);
                    } else {
                        let _ = write!(out.text, "{clear}");
                        let _ = write!(out.shown, "{v}");
                    }
                    out.from.extend(from);
                }
            }
        }
        Ok(out)
    }
}

/// The shell variable that holds the `n`th secret word of a command (from 1).
pub(super) fn secret_var(n: usize) -> String {
    format!("__rb_{n}")
}

fn quote_all(words: &[String], raw: bool) -> Outcome<String> {
    if raw {
        return Ok(words.join(" "));
    }
    let quoted: Result<Vec<String>, String> = words.iter().map(|w| value::quote(w)).collect();
    quoted
        .map(|q| q.join(" "))
        .map_err(|message| Failure::Eval { message })
}

/// A failure of an operation on a secret, with nothing of the secret in it.
pub(super) fn hide(f: Failure, secret: bool) -> Failure {
    match f {
        Failure::Eval { .. } if secret => Failure::Eval {
            message: "an operation on a secret value failed (the value is not shown)".into(),
        },
        other => other,
    }
}

fn apply_filters(v: Value, filters: &[&Filter]) -> Outcome<Value> {
    let mut source = String::from("v");
    for f in filters {
        source.push_str(" | ");
        source.push_str(&f.name.node);
        if !f.args.is_empty() {
            let args: Vec<String> = f.args.iter().map(|a| literal_source(&a.node)).collect();
            let _ = write!(source, "({})", args.join(", "));
        }
    }
    let error = |e: minijinja::Error| Failure::Eval {
        message: format!("filter: {e}"),
    };
    let expr = environment().compile_expression(&source).map_err(error)?;
    let ctx = minijinja::context! { v => to_minijinja(&v) };
    let result = expr.eval(ctx).map_err(error)?;
    let json = serde_json::to_value(&result).map_err(|e| Failure::Eval {
        message: format!("filter: {e}"),
    })?;
    Ok(value::from_json(json))
}

/// A filter's literal argument as minijinja source.
fn literal_source(e: &Expr) -> String {
    match e {
        Expr::Str(t) => {
            serde_json::to_string(&t.as_plain().unwrap_or_default()).unwrap_or_default()
        }
        Expr::Int(i) => i.to_string(),
        Expr::Float(f) => f.to_string(),
        Expr::Bool(b) => b.to_string(),
        _ => "none".into(),
    }
}

fn to_minijinja(v: &Value) -> minijinja::Value {
    match v {
        Value::Str(s) => minijinja::Value::from(s.clone()),
        Value::Int(i) => minijinja::Value::from(*i),
        Value::Float(f) => minijinja::Value::from(*f),
        Value::Bool(b) => minijinja::Value::from(*b),
        Value::List(items) => items.iter().map(to_minijinja).collect(),
        Value::Map(m) => {
            minijinja::Value::from_pairs(m.iter().map(|(k, v)| (k.clone(), to_minijinja(v))))
        }
        other => minijinja::Value::from(other.to_string()),
    }
}
