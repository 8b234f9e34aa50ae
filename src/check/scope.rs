//! What a name means at a point of the runbook.

use std::cell::Cell;
use std::collections::HashMap;

use super::types::Ty;
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Param,
    Secret,
    Let,
    /// A `let` directly in a step: journaled, and visible to later steps.
    Capture,
    FnParam,
    Host,
    Group,
    Fn,
    Module,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Param => "param",
            Kind::Secret => "secret",
            Kind::Let | Kind::Capture => "value",
            Kind::FnParam => "parameter",
            Kind::Host => "host",
            Kind::Group => "group",
            Kind::Fn => "function",
            Kind::Module => "module",
        }
    }

    pub fn is_value(self) -> bool {
        matches!(
            self,
            Kind::Param | Kind::Secret | Kind::Let | Kind::Capture | Kind::FnParam
        )
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub kind: Kind,
    pub ty: Ty,
    pub secret: bool,
    pub span: Span,
    pub used: Cell<bool>,
    /// Top-level values are computed in order: not ready until their own `let` is checked.
    pub ready: Cell<bool>,
    /// For captures: the step that sets it, and whether a guard may skip that step.
    pub step: Option<(String, bool)>,
}

impl Binding {
    pub fn new(kind: Kind, ty: Ty, span: Span) -> Self {
        Binding {
            kind,
            ty,
            secret: kind == Kind::Secret,
            span,
            used: Cell::new(false),
            ready: Cell::new(true),
            step: None,
        }
    }
}

/// Globals, captures of steps, and a stack of local scopes (fn bodies, rollback blocks).
#[derive(Debug, Default)]
pub struct Scope {
    pub globals: HashMap<String, Binding>,
    pub captures: HashMap<String, Binding>,
    pub locals: Vec<HashMap<String, Binding>>,
}

impl Scope {
    pub fn lookup(&self, name: &str) -> Option<&Binding> {
        self.locals
            .iter()
            .rev()
            .find_map(|s| s.get(name))
            .or_else(|| self.captures.get(name))
            .or_else(|| self.globals.get(name))
    }

    /// Where `name` is already bound, if anywhere visible.
    pub fn existing(&self, name: &str) -> Option<Span> {
        self.lookup(name).map(|b| b.span)
    }

    /// Every visible name, for "did you mean" help.
    pub fn names(&self) -> impl Iterator<Item = (&String, &Binding)> {
        self.globals
            .iter()
            .chain(self.captures.iter())
            .chain(self.locals.iter().flat_map(|s| s.iter()))
    }
}
