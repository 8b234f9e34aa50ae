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

/// A builtin function, in one place: what `check` types a call by, what the editor and the
/// reference show, and what `exec` runs. `exec` matches on `Function`, so a builtin added
/// here without an implementation does not compile.
#[derive(Debug)]
pub struct Builtin {
    pub function: Function,
    pub name: &'static str,
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
    pub ret: Ty,
    pub doc: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Run,
    Env,
    File,
    Ssh,
    ParseJson,
    Flag,
    FlagEach,
    Version,
}

pub const FUNCTIONS: &[Builtin] = &[
    Builtin {
        function: Function::Run,
        name: "run",
        required: &["command"],
        optional: &["ok", "stdin", "sudo"],
        ret: Ty::CmdResult,
        doc: "Runs a command on the step's host: `.code`, `.stdout`, `.stderr`, `.ok`. A code outside `ok` (default `[0]`) fails the step; `stdin:` feeds it; `sudo: true` runs it under `sudo -n`.",
    },
    Builtin {
        function: Function::Env,
        name: "env",
        required: &["name"],
        optional: &["default"],
        ret: Ty::Str,
        doc: "An environment variable of the control machine, or `default:` when it is not set (else the step fails).",
    },
    Builtin {
        function: Function::File,
        name: "file",
        required: &["path"],
        optional: &[],
        ret: Ty::Str,
        doc: "A file of the control machine (`~/` is its home), its last newline removed.",
    },
    Builtin {
        function: Function::Ssh,
        name: "ssh",
        required: &["target"],
        optional: &["port", "user", "identity", "jump", "config", "sudo"],
        ret: Ty::Any,
        doc: "A host reached over ssh, in `host NAME = ssh(\"user@name\", ...)`: one multiplexed connection per run.",
    },
    Builtin {
        function: Function::ParseJson,
        name: "parse_json",
        required: &["text"],
        optional: &[],
        ret: Ty::Any,
        doc: "A JSON text as a value: maps, lists, strings, numbers, bools.",
    },
    Builtin {
        function: Function::Flag,
        name: "flag",
        required: &["condition", "value"],
        optional: &[],
        ret: Ty::List,
        doc: "`value` (as a list) when `condition` is true, else an empty list: optional command-line flags.",
    },
    Builtin {
        function: Function::FlagEach,
        name: "flag_each",
        required: &["flag", "values"],
        optional: &[],
        ret: Ty::List,
        doc: "`flag` before each of `values`: `flag_each(\"-e\", [\"a\", \"b\"])` is `[\"-e\", \"a\", \"-e\", \"b\"]`.",
    },
    Builtin {
        function: Function::Version,
        name: "version",
        required: &["text"],
        optional: &[],
        ret: Ty::Version,
        doc: "A version, compared part by part: `version(\"1.10\") > version(\"1.9\")`.",
    },
];

impl Builtin {
    /// The builtin called `name`, if there is one.
    pub fn named(name: &str) -> Option<&'static Builtin> {
        FUNCTIONS.iter().find(|b| b.name == name)
    }

    pub fn signature(&self) -> Signature {
        Signature::new(self.name, self.required, self.optional, self.ret)
    }
}

/// Builtin functions, by the name they are called with.
pub fn function(name: &str) -> Option<Signature> {
    Builtin::named(name).map(Builtin::signature)
}

/// Every builtin function's name, in the table's order.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|b| b.name)
}

/// A method on values, in one place: the types it works on, its parameters, its result and
/// its doc for `check` and the editor; `exec` runs it by `Method`.
#[derive(Debug)]
pub struct MethodDef {
    pub method: Method,
    pub name: &'static str,
    pub on: &'static [Ty],
    pub params: &'static [&'static str],
    pub ret: Ty,
    pub doc: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Trim,
    Lines,
    Contains,
    Matches,
    Captures,
    ToInt,
    ToFloat,
    StartsWith,
    EndsWith,
    Split,
    Upper,
    Lower,
    Replace,
    Length,
    Join,
    First,
    Last,
    IsEmpty,
    Keys,
    Get,
}

const fn m(
    method: Method,
    name: &'static str,
    on: &'static [Ty],
    params: &'static [&'static str],
    ret: Ty,
    doc: &'static str,
) -> MethodDef {
    MethodDef {
        method,
        name,
        on,
        params,
        ret,
        doc,
    }
}

const STR: &[Ty] = &[Ty::Str];
const LIST: &[Ty] = &[Ty::List];
const MAP: &[Ty] = &[Ty::Map];
const SIZED: &[Ty] = &[Ty::Str, Ty::List, Ty::Map];

pub const METHODS: &[MethodDef] = &[
    m(Method::Trim, "trim", STR, &[], Ty::Str, "Without leading and trailing whitespace."),
    m(Method::Lines, "lines", STR, &[], Ty::List, "Its lines, without their line breaks."),
    m(Method::Contains, "contains", STR, &["text"], Ty::Bool, "Whether `text` occurs in it."),
    m(Method::Matches, "matches", STR, &["regex"], Ty::Bool, "Whether `regex` matches somewhere in it."),
    m(Method::Captures, "captures", STR, &["regex"], Ty::List, "The groups of `regex`'s first match (`\"\"` for one that took no part); none without a match."),
    m(Method::ToInt, "to_int", STR, &[], Ty::Int, "The whole number it spells (spaces around it ignored)."),
    m(Method::ToFloat, "to_float", STR, &[], Ty::Float, "The number it spells (spaces around it ignored)."),
    m(Method::StartsWith, "starts_with", STR, &["prefix"], Ty::Bool, "Whether it begins with `prefix`."),
    m(Method::EndsWith, "ends_with", STR, &["suffix"], Ty::Bool, "Whether it ends with `suffix`."),
    m(Method::Split, "split", STR, &["separator"], Ty::List, "The parts between each `separator`."),
    m(Method::Upper, "upper", STR, &[], Ty::Str, "In upper case."),
    m(Method::Lower, "lower", STR, &[], Ty::Str, "In lower case."),
    m(Method::Replace, "replace", STR, &["from", "to"], Ty::Str, "Every `from` replaced by `to`."),
    m(Method::Contains, "contains", LIST, &["item"], Ty::Bool, "Whether `item` is one of its items."),
    m(Method::Length, "length", SIZED, &[], Ty::Int, "Its characters, items or entries."),
    m(Method::Join, "join", LIST, &["separator"], Ty::Str, "Its items as text, `separator` between them."),
    m(Method::First, "first", LIST, &[], Ty::Any, "Its first item (an empty list fails)."),
    m(Method::Last, "last", LIST, &[], Ty::Any, "Its last item (an empty list fails)."),
    m(Method::IsEmpty, "is_empty", SIZED, &[], Ty::Bool, "Whether it has no characters, items or entries."),
    m(Method::Keys, "keys", MAP, &[], Ty::List, "Its keys, in order."),
    m(Method::Get, "get", MAP, &["key"], Ty::Any, "The value at `key`, or `none`."),
];

impl MethodDef {
    /// The method `name` on values of type `on`.
    pub fn on(on: Ty, name: &str) -> Option<&'static MethodDef> {
        METHODS
            .iter()
            .find(|d| d.name == name && d.on.contains(&on))
    }

    /// The method `name` on some type: what a value known only at run time may call.
    pub fn named(name: &str) -> Option<Method> {
        METHODS.iter().find(|d| d.name == name).map(|d| d.method)
    }
}

/// A method's parameters (all required) and result, for values of type `on`.
pub fn method(on: Ty, name: &str) -> Option<(&'static [&'static str], Ty)> {
    MethodDef::on(on, name).map(|d| (d.params, d.ret))
}

/// Method names of a type, for "did you mean" help.
pub fn method_names(on: Ty) -> Vec<&'static str> {
    METHODS
        .iter()
        .filter(|d| d.on.contains(&on))
        .map(|d| d.name)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_and_method_has_a_doc_and_is_in_the_language_reference() {
        let reference = include_str!("../../docs/language.md");
        for b in FUNCTIONS {
            assert!(!b.doc.is_empty(), "{} has no doc", b.name);
            assert!(
                reference.contains(&format!("{}(", b.name)),
                "docs/language.md lacks {}",
                b.name
            );
        }
        for d in METHODS {
            assert!(!d.doc.is_empty(), "{} has no doc", d.name);
            assert!(
                reference.contains(d.name),
                "docs/language.md lacks .{}",
                d.name
            );
        }
    }

    #[test]
    fn a_name_names_one_builtin() {
        for (i, b) in FUNCTIONS.iter().enumerate() {
            assert!(
                FUNCTIONS[..i].iter().all(|o| o.name != b.name),
                "{} twice",
                b.name
            );
        }
        for (i, d) in METHODS.iter().enumerate() {
            for o in &METHODS[..i] {
                let shared = o.on.iter().any(|t| d.on.contains(t));
                assert!(
                    !(o.name == d.name && shared),
                    "{} twice on one type",
                    d.name
                );
            }
        }
    }
}
