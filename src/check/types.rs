//! The few types `check` can know without running anything. `Any` is "not known
//! until run time" and is compatible with everything.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Any,
    Str,
    Int,
    Float,
    Bool,
    Duration,
    /// `version(s)`: ordered part by part.
    Version,
    List,
    Map,
    /// What `run(...)` returns: `.code .stdout .stderr .ok`.
    CmdResult,
    /// What a function without `return` gives back.
    Nothing,
}

impl Ty {
    /// Could a value of type `self` be used where `want` is needed?
    pub fn fits(self, want: Ty) -> bool {
        self == Ty::Any || want == Ty::Any || self == want || (self == Ty::Int && want == Ty::Float)
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, Ty::Int | Ty::Float | Ty::Any)
    }

    /// The name used in `param x: NAME`.
    pub fn from_name(name: &str) -> Option<Ty> {
        Some(match name {
            "string" => Ty::Str,
            "int" => Ty::Int,
            "float" => Ty::Float,
            "bool" => Ty::Bool,
            "duration" => Ty::Duration,
            "list" => Ty::List,
            _ => return None,
        })
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ty::Any => "a value",
            Ty::Str => "a string",
            Ty::Int => "an int",
            Ty::Float => "a float",
            Ty::Bool => "a bool",
            Ty::Duration => "a duration",
            Ty::Version => "a version",
            Ty::List => "a list",
            Ty::Map => "a map",
            Ty::CmdResult => "a command result",
            Ty::Nothing => "nothing",
        })
    }
}
