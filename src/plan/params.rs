//! `--set NAME=VALUE` and `--set-file NAME=PATH` against the runbook's `param`s.

use std::collections::HashMap;

use super::error::Error;
use super::Origin;
use crate::check::types::Ty;
use crate::syntax::ast::{self, Expr, Stmt};
use crate::value::{self, Value};

/// What the command line asks of the params.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub sets: Vec<String>,
    pub set_files: Vec<String>,
    /// The params of an earlier session (resume, rollback), as the journal has them.
    pub restored: Option<HashMap<String, (serde_json::Value, Origin)>>,
    /// A dry run connects to no host: every kind of host may be planned.
    pub dry_run: bool,
    /// Documentation: a required param without a value stands for itself.
    pub symbolic: bool,
    /// The steps the command line chose (`--only`, `--from`, `--skip`, `--tags`).
    pub selection: super::Selection,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParamValue {
    pub name: String,
    pub value: Value,
    pub origin: Origin,
}

pub fn resolve(file: &ast::File, request: &Request) -> Result<Vec<ParamValue>, Vec<Error>> {
    let mut errors = Vec::new();
    let declared: Vec<&ast::Param> = file
        .stmts
        .iter()
        .filter_map(|s| match &s.node {
            Stmt::Param(p) => Some(p),
            _ => None,
        })
        .collect();
    let mut given: HashMap<String, (String, Origin)> = HashMap::new();
    let sets = request.sets.iter().map(|s| (s, Origin::Set));
    let files = request.set_files.iter().map(|s| (s, Origin::SetFile));
    for (text, origin) in sets.chain(files) {
        let Some((name, raw)) = text.split_once('=').filter(|(n, _)| !n.trim().is_empty()) else {
            errors.push(Error::InvalidSet { text: text.clone() });
            continue;
        };
        let name = name.trim().to_string();
        if !declared.iter().any(|p| p.name.node == name) {
            let names: Vec<&str> = declared.iter().map(|p| p.name.node.as_str()).collect();
            let help = match crate::check::closest_name(&name, names.iter().copied()) {
                Some(c) => format!("did you mean `{c}`?"),
                None if names.is_empty() => "this runbook takes no params".into(),
                None => format!("its params: {}", names.join(", ")),
            };
            errors.push(Error::UnknownParam { name, help });
            continue;
        }
        let value = if origin == Origin::SetFile {
            match std::fs::read_to_string(raw) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(Error::UnreadableFile {
                        name,
                        path: raw.into(),
                        reason: e.to_string(),
                    });
                    continue;
                }
            }
        } else {
            raw.to_string()
        };
        if given.insert(name.clone(), (value, origin)).is_some() {
            errors.push(Error::DuplicateSet { name });
        }
    }
    let mut out = Vec::new();
    for p in declared {
        let ty = declared_type(p);
        if let Some((value, origin)) = request.restored.as_ref().and_then(|r| r.get(&p.name.node)) {
            let value = match (ty, value) {
                (Ty::Duration, serde_json::Value::String(s)) => {
                    crate::syntax::parse_duration(s).map_or(Value::Nothing, Value::Duration)
                }
                (_, v) => value::from_json(v.clone()),
            };
            out.push(ParamValue {
                name: p.name.node.clone(),
                value,
                origin: *origin,
            });
            continue;
        }
        match (given.remove(&p.name.node), &p.default) {
            (Some((text, origin)), _) => match parse(&text, ty) {
                Ok(value) => out.push(ParamValue {
                    name: p.name.node.clone(),
                    value,
                    origin,
                }),
                Err(help) => errors.push(Error::InvalidParam {
                    name: p.name.node.clone(),
                    expected: ty.to_string(),
                    value: text,
                    help,
                    span: p.name.span.into(),
                }),
            },
            (None, Some(default)) => out.push(ParamValue {
                name: p.name.node.clone(),
                value: literal(&default.node),
                origin: Origin::Default,
            }),
            (None, None) if request.symbolic => out.push(ParamValue {
                name: p.name.node.clone(),
                value: Value::Unknown(format!("{}: a required param", p.name.node)),
                origin: Origin::Required,
            }),
            (None, None) => errors.push(Error::MissingParam {
                name: p.name.node.clone(),
                span: p.name.span.into(),
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn declared_type(p: &ast::Param) -> Ty {
    match (&p.ty, &p.default) {
        (Some(t), _) => Ty::from_name(&t.node).unwrap_or(Ty::Str),
        (None, Some(d)) => match literal(&d.node) {
            Value::Int(_) => Ty::Int,
            Value::Float(_) => Ty::Float,
            Value::Bool(_) => Ty::Bool,
            Value::Duration(_) => Ty::Duration,
            Value::List(_) => Ty::List,
            _ => Ty::Str,
        },
        (None, None) => Ty::Str,
    }
}

/// A command-line value as the param's type.
fn parse(text: &str, ty: Ty) -> Result<Value, String> {
    let t = text.trim();
    match ty {
        Ty::Int => t
            .parse()
            .map(Value::Int)
            .map_err(|_| "a whole number, e.g. 3".into()),
        Ty::Float => t
            .parse()
            .map(Value::Float)
            .map_err(|_| "a number, e.g. 2.5".into()),
        Ty::Bool => match t {
            "true" | "yes" | "1" => Ok(Value::Bool(true)),
            "false" | "no" | "0" => Ok(Value::Bool(false)),
            _ => Err("true or false".into()),
        },
        Ty::Duration => crate::syntax::parse_duration(t)
            .map(Value::Duration)
            .ok_or_else(|| "a duration, e.g. 30s, 5m, 1h30m".into()),
        Ty::List if t.starts_with('[') => serde_json::from_str::<serde_json::Value>(t)
            .ok()
            .filter(|v| v.is_array())
            .map(value::from_json)
            .ok_or_else(|| "a JSON list, e.g. [\"a\", \"b\"], or comma-separated words".into()),
        Ty::List => Ok(Value::List(
            t.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::Str(s.into()))
                .collect(),
        )),
        _ => Ok(Value::Str(text.to_string())),
    }
}

/// The value of a literal default (`check` made sure it is one).
pub fn literal(e: &Expr) -> Value {
    match e {
        Expr::Str(t) => Value::Str(t.as_plain().unwrap_or_default()),
        Expr::Int(i) => Value::Int(*i),
        Expr::Float(f) => Value::Float(*f),
        Expr::Bool(b) => Value::Bool(*b),
        Expr::Duration(d) => Value::Duration(*d),
        Expr::List(items) => Value::List(items.iter().map(|i| literal(&i.node)).collect()),
        Expr::Unary(ast::UnaryOp::Neg, inner) => match literal(&inner.node) {
            Value::Int(i) => Value::Int(-i),
            Value::Float(f) => Value::Float(-f),
            other => other,
        },
        _ => Value::Nothing,
    }
}
