//! What the language provides without `use`: functions, methods on values, fields of
//! command results, and the filters allowed in `{{ }}`.

use super::types::Ty;

/// A parameter of a builtin or `fn`: its name and whether a call may leave it out.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSig {
    pub name: String,
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub name: String,
    pub params: Vec<ParamSig>,
    pub ret: Ty,
}

impl Signature {
    pub fn new(name: &str, required: &[&str], optional: &[&str], ret: Ty) -> Self {
        let mut params: Vec<ParamSig> = required
            .iter()
            .map(|n| ParamSig {
                name: (*n).to_string(),
                optional: false,
            })
            .collect();
        params.extend(optional.iter().map(|n| ParamSig {
            name: (*n).to_string(),
            optional: true,
        }));
        Signature {
            name: name.to_string(),
            params,
            ret,
        }
    }

    pub fn render(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| {
                if p.optional {
                    format!("{}: ...", p.name)
                } else {
                    p.name.clone()
                }
            })
            .collect();
        format!("{}({})", self.name, params.join(", "))
    }
}

/// Builtin functions, by the name they are called with.
pub fn function(name: &str) -> Option<Signature> {
    Some(match name {
        "run" => Signature::new("run", &["command"], &["ok", "stdin", "sudo"], Ty::CmdResult),
        "env" => Signature::new("env", &["name"], &["default"], Ty::Str),
        "file" => Signature::new("file", &["path"], &[], Ty::Str),
        "ssh" => Signature::new(
            "ssh",
            &["target"],
            &["port", "user", "identity", "jump", "config", "sudo"],
            Ty::Any,
        ),
        "parse_json" => Signature::new("parse_json", &["text"], &[], Ty::Any),
        "flag" => Signature::new("flag", &["condition", "value"], &[], Ty::List),
        "flag_each" => Signature::new("flag_each", &["flag", "values"], &[], Ty::List),
        "version" => Signature::new("version", &["text"], &[], Ty::Version),
        _ => return None,
    })
}

pub const FUNCTION_NAMES: &[&str] = &[
    "run",
    "env",
    "file",
    "ssh",
    "parse_json",
    "flag",
    "flag_each",
    "version",
];

/// A method's parameters (all required) and result, for values of type `on`.
pub fn method(on: Ty, name: &str) -> Option<(&'static [&'static str], Ty)> {
    let m: (&'static [&'static str], Ty) = match (on, name) {
        (Ty::Str, "trim") => (&[], Ty::Str),
        (Ty::Str, "lines") => (&[], Ty::List),
        (Ty::Str, "contains") => (&["text"], Ty::Bool),
        (Ty::Str, "matches") => (&["regex"], Ty::Bool),
        (Ty::Str, "captures") => (&["regex"], Ty::List),
        (Ty::Str, "to_int") => (&[], Ty::Int),
        (Ty::Str, "to_float") => (&[], Ty::Float),
        (Ty::Str, "starts_with") => (&["prefix"], Ty::Bool),
        (Ty::Str, "ends_with") => (&["suffix"], Ty::Bool),
        (Ty::Str, "split") => (&["separator"], Ty::List),
        (Ty::Str, "upper") => (&[], Ty::Str),
        (Ty::Str, "lower") => (&[], Ty::Str),
        (Ty::Str, "replace") => (&["from", "to"], Ty::Str),
        (Ty::Str | Ty::List | Ty::Map, "length") => (&[], Ty::Int),
        (Ty::List, "contains") => (&["item"], Ty::Bool),
        (Ty::List, "join") => (&["separator"], Ty::Str),
        (Ty::List, "first" | "last") => (&[], Ty::Any),
        (Ty::List | Ty::Str | Ty::Map, "is_empty") => (&[], Ty::Bool),
        (Ty::Map, "keys") => (&[], Ty::List),
        (Ty::Map, "get") => (&["key"], Ty::Any),
        _ => return None,
    };
    Some(m)
}

/// Method names of a type, for "did you mean" help.
pub fn method_names(on: Ty) -> Vec<&'static str> {
    const ALL: &[&str] = &[
        "trim",
        "lines",
        "contains",
        "matches",
        "captures",
        "to_int",
        "to_float",
        "starts_with",
        "ends_with",
        "split",
        "upper",
        "lower",
        "replace",
        "length",
        "join",
        "first",
        "last",
        "is_empty",
        "keys",
        "get",
    ];
    ALL.iter()
        .copied()
        .filter(|m| method(on, m).is_some())
        .collect()
}

/// Fields of a command result.
pub fn result_field(name: &str) -> Option<Ty> {
    Some(match name {
        "code" => Ty::Int,
        "stdout" | "stderr" => Ty::Str,
        "ok" => Ty::Bool,
        _ => return None,
    })
}

pub const RESULT_FIELDS: &[&str] = &["code", "stdout", "stderr", "ok"];

/// Template filters: name, least and most arguments, an example for help text.
pub fn filter(name: &str) -> Option<(usize, usize, &'static str)> {
    Some(match name {
        "raw" => (0, 0, "raw"),
        "trim" => (0, 0, "trim"),
        "upper" => (0, 0, "upper"),
        "lower" => (0, 0, "lower"),
        "default" => (1, 1, "default(\"none\")"),
        "join" => (0, 1, "join(\",\")"),
        "first" => (0, 0, "first"),
        "last" => (0, 0, "last"),
        "length" => (0, 0, "length"),
        "replace" => (2, 2, "replace(\"a\", \"b\")"),
        _ => return None,
    })
}

pub const FILTER_NAMES: &[&str] = &[
    "raw", "trim", "upper", "lower", "default", "join", "first", "last", "length", "replace",
];
