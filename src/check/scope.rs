//! What a name means at a point of the runbook.

use std::cell::Cell;
use std::collections::HashMap;

use super::names::Name;
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
    /// What each step captured so far, by step and then by name: the same name may be
    /// captured by two steps, and `STEP.NAME` tells them apart.
    captures: HashMap<String, HashMap<String, Binding>>,
    /// The steps that captured each name, in order: a bare name is looked up here, not by
    /// going through every step (a runbook may have thousands).
    capturers: HashMap<String, Vec<String>>,
    /// The step being checked: its own captures come before those of other steps.
    pub current_step: Option<String>,
    pub locals: Vec<HashMap<String, Binding>>,
}

impl Scope {
    /// What `name` means here, and where the run is to read it from.
    pub fn resolve(&self, name: &str) -> Option<(&Binding, Name)> {
        if let Some(b) = self.locals.iter().rev().find_map(|s| s.get(name)) {
            return Some((b, Name::Local));
        }
        if let (Some(b), Some(step)) = (self.own_capture(name), &self.current_step) {
            return Some((b, Name::Capture(step.clone())));
        }
        if let Some(b) = self.globals.get(name) {
            let this_host = name == "host" && self.current_step.is_some();
            return Some((b, if this_host { Name::Host } else { Name::Global }));
        }
        self.other_captures(name)
            .next()
            .map(|(step, b)| (b, Name::Capture(step.to_string())))
    }

    pub fn lookup(&self, name: &str) -> Option<&Binding> {
        self.closer(name)
            .or_else(|| self.other_captures(name).next().map(|(_, b)| b))
    }

    /// A local, this step's own capture, or a global: what a bare name means before any
    /// other step's capture.
    fn closer(&self, name: &str) -> Option<&Binding> {
        self.locals
            .iter()
            .rev()
            .find_map(|s| s.get(name))
            .or_else(|| self.own_capture(name))
            .or_else(|| self.globals.get(name))
    }

    /// The steps before this one that capture `name`, when more than one does and a bare
    /// `name` cannot say which (nothing closer binds it).
    pub fn ambiguous(&self, name: &str) -> Option<Vec<String>> {
        if self.closer(name).is_some() || self.other_captures(name).nth(1).is_none() {
            return None;
        }
        let mut steps: Vec<String> = self
            .other_captures(name)
            .map(|(step, _)| step.to_string())
            .collect();
        steps.sort();
        Some(steps)
    }

    /// Records a step's capture.
    pub fn capture_in(&mut self, step: &str, name: &str, binding: Binding) {
        let steps = self.capturers.entry(name.to_string()).or_default();
        if !steps.iter().any(|s| s == step) {
            steps.push(step.to_string());
        }
        self.captures
            .entry(step.to_string())
            .or_default()
            .insert(name.to_string(), binding);
    }

    /// `STEP.NAME`: what step `step` captured as `name`.
    pub fn capture(&self, step: &str, name: &str) -> Option<&Binding> {
        self.captures.get(step).and_then(|c| c.get(name))
    }

    /// Every capture of every step, for "unused" warnings and marking.
    pub fn all_captures(&self) -> impl Iterator<Item = (&String, &Binding)> {
        self.captures.values().flat_map(|c| c.iter())
    }

    /// Where `name` is already bound in a way a new `let` would clash with: a local, a
    /// global, or a capture of the same step (other steps' captures keep their own names).
    pub fn existing(&self, name: &str) -> Option<Span> {
        self.closer(name).map(|b| b.span)
    }

    /// Every visible name, for "did you mean" help.
    pub fn names(&self) -> impl Iterator<Item = (&String, &Binding)> {
        self.globals
            .iter()
            .chain(self.all_captures())
            .chain(self.locals.iter().flat_map(|s| s.iter()))
    }

    fn own_capture(&self, name: &str) -> Option<&Binding> {
        let step = self.current_step.as_deref()?;
        self.capture(step, name)
    }

    fn other_captures<'s, 'n>(
        &'s self,
        name: &'n str,
    ) -> impl Iterator<Item = (&'s str, &'s Binding)> + use<'s, 'n> {
        let current = self.current_step.as_deref();
        self.capturers
            .get(name)
            .into_iter()
            .flatten()
            .filter(move |step| Some(step.as_str()) != current)
            .filter_map(move |step| self.capture(step, name).map(|b| (step.as_str(), b)))
    }
}
