//! Strings with `{{ }}`: in commands every value becomes quoted shell words; elsewhere,
//! plain text. Filters are minijinja's, through one shared environment.

use std::fmt::Write;
use std::sync::OnceLock;

use minijinja::{Environment, UndefinedBehavior};

use super::expr::field_of;
use super::{Failure, Interp, Outcome};
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

impl Interp<'_> {
    pub(super) fn render(&mut self, t: &Template, command: bool) -> Outcome<String> {
        let mut out = String::new();
        for part in &t.parts {
            match &part.node {
                Part::Text(text) => out.push_str(text),
                Part::Interp(i) => {
                    let mut v = self.var(&i.var.node)?;
                    for f in &i.fields {
                        v = field_of(&v, &f.node)?;
                    }
                    let filters: Vec<&Filter> =
                        i.filters.iter().filter(|f| f.name.node != "raw").collect();
                    if !filters.is_empty() && !matches!(v, Value::Unknown(_)) {
                        v = apply_filters(v, &filters)?;
                    }
                    if command && !i.is_raw() {
                        let words = v
                            .shell_words()
                            .map_err(|message| Failure::Eval { message })?;
                        out.push_str(&words.join(" "));
                    } else {
                        let _ = write!(out, "{v}");
                    }
                }
            }
        }
        Ok(out)
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
