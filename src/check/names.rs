//! What each name read of a checked runbook means, as `check` resolved it. The run follows
//! these and never resolves a name again: what `check` accepted is what runs.

use std::collections::HashMap;

use crate::source::Span;

/// What a name read stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Name {
    /// A function's parameter, a loop's variable, or a `let` in a function or a block
    /// (not a step's capture): the innermost frame that has it.
    Local,
    /// A param, secret or top-level `let`: of the runbook, or in a module's function, of
    /// that module.
    Global,
    /// What step `0` captured, as the current host has it (`NAME` or `STEP.NAME`).
    Capture(String),
    /// `host` in a step: the host it runs on.
    Host,
    /// A module's name, before the function called on it (`http.get(...)`).
    Module,
}

/// The meaning of every name read, by the span of the expression that reads it (a bare
/// name, or `STEP.NAME` as a whole).
#[derive(Debug, Clone, Default)]
pub struct Names {
    by_span: HashMap<Span, Name>,
}

impl Names {
    pub fn set(&mut self, span: Span, name: Name) {
        self.by_span.insert(span, name);
    }

    pub fn get(&self, span: Span) -> Option<&Name> {
        self.by_span.get(&span)
    }

    /// Takes another file's resolutions (a module's).
    pub fn extend(&mut self, other: &Names) {
        self.by_span
            .extend(other.by_span.iter().map(|(s, n)| (*s, n.clone())));
    }

    /// Every resolution, in no order.
    pub fn iter(&self) -> impl Iterator<Item = (&Span, &Name)> {
        self.by_span.iter()
    }
}
