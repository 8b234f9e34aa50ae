//! Values at run time, and how they become shell words or text.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

pub mod taint;
pub mod version;

use crate::syntax::ast::human_duration;
use taint::Tainted;

/// What `run(...)` gives back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CmdResult {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Duration(Duration),
    /// `version("1.2.3")`: compared part by part.
    Version(version::Version),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Result(Arc<CmdResult>),
    Nothing,
    /// In a dry run: a value only known when the runbook really runs, described.
    Unknown(String),
    /// A secret, or a value computed from one: shown as its mask, never as itself.
    Secret(Arc<Tainted>),
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an int",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a bool",
            Value::Duration(_) => "a duration",
            Value::Version(_) => "a version",
            Value::List(_) => "a list",
            Value::Map(_) => "a map",
            Value::Result(_) => "a command result",
            Value::Nothing => "nothing",
            Value::Unknown(_) => "a value known at run time",
            Value::Secret(t) => t.value.type_name(),
        }
    }

    /// The words a value becomes in a command, before quoting.
    pub fn words(&self) -> Result<Vec<String>, String> {
        match self {
            Value::Unknown(what) => Ok(vec![format!("<{what}>")]),
            Value::Secret(t) => t.value.words(),
            Value::List(items) => {
                let mut words = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::List(_) | Value::Map(_) | Value::Result(_) | Value::Nothing => {
                            return Err(format!("a list item is {}, not a word", item.type_name()))
                        }
                        Value::Secret(t) => words.extend(t.value.words()?),
                        _ => words.push(item.to_string()),
                    }
                }
                Ok(words)
            }
            Value::Map(_) | Value::Result(_) | Value::Nothing => {
                Err(format!("{} cannot be put in a command", self.type_name()))
            }
            other => Ok(vec![other.to_string()]),
        }
    }
}

/// One shell word. `~/...` keeps its tilde unquoted so the shell expands it to `$HOME`.
pub fn quote(word: &str) -> Result<String, String> {
    let quoted = |s: &str| -> Result<String, String> {
        shlex::try_quote(s)
            .map(|c| c.into_owned())
            .map_err(|_| "a value holds a NUL byte".to_string())
    };
    if word == "~" {
        return Ok("~".into());
    }
    if let Some(rest) = word.strip_prefix("~/") {
        return Ok(if rest.is_empty() {
            "~/".into()
        } else {
            format!("~/{}", quoted(rest)?)
        });
    }
    quoted(word)
}

impl fmt::Display for Value {
    /// As text in messages and titles.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Duration(d) => f.write_str(&human_duration(*d)),
            Value::Version(v) => write!(f, "{v}"),
            Value::List(items) => {
                let parts: Vec<String> = items.iter().map(|i| i.to_string()).collect();
                f.write_str(&parts.join(", "))
            }
            Value::Map(m) => {
                let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                write!(f, "{{{}}}", parts.join(", "))
            }
            Value::Result(r) => write!(f, "<command result, exit code {}>", r.code),
            Value::Nothing => f.write_str("nothing"),
            Value::Unknown(what) => write!(f, "<{what}>"),
            Value::Secret(t) => f.write_str(&t.shown),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Str(v) => s.serialize_str(v),
            Value::Int(v) => s.serialize_i64(*v),
            Value::Float(v) => s.serialize_f64(*v),
            Value::Bool(v) => s.serialize_bool(*v),
            Value::Duration(d) => s.serialize_str(&human_duration(*d)),
            Value::Version(v) => s.serialize_str(&v.to_string()),
            Value::List(items) => items.serialize(s),
            Value::Map(m) => m.serialize(s),
            Value::Result(r) => r.serialize(s),
            Value::Nothing => s.serialize_unit(),
            Value::Unknown(what) => s.serialize_str(&format!("<{what}>")),
            Value::Secret(t) => s.serialize_str(&t.shown),
        }
    }
}

/// JSON (from `parse_json`, and minijinja's results) as a value.
pub fn from_json(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nothing,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Array(items) => Value::List(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(m) => {
            Value::Map(m.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
    }
}
