//! A checked runbook plus the command line: params resolved, targets known. Pure: nothing
//! is run or connected to here.

pub mod doc;
pub mod error;
mod host;
mod hosts;
mod params;
pub mod selection;
pub mod settings;
pub mod ssh_spec;
mod step;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

pub use error::Error;
pub use host::{Declared, HostKind, SshArg};
pub use params::{literal, ParamValue, Request};
pub use selection::Selection;
pub use step::{Guard, Step};
// What each name means, as check resolved it: the run reads names through the plan.
pub use crate::check::names::{Name, Names};

use crate::check::{CaptureReads, ModuleSig};
use crate::source::FileId;
use crate::syntax::ast::{self, Stmt};

/// Where a param's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Default,
    Set,
    SetFile,
    /// Documentation only: a required param that was given no value.
    Required,
}

#[derive(Debug)]
pub struct Plan {
    pub file: FileId,
    pub ast: ast::File,
    pub modules: HashMap<String, ModuleSig>,
    pub name: String,
    pub params: Vec<ParamValue>,
    pub hosts: BTreeMap<String, HostKind>,
    pub groups: BTreeMap<String, Vec<String>>,
    /// The steps the command line's selection leaves out, with why.
    pub left_out: BTreeMap<String, String>,
    pub selection: Selection,
    pub inventory: Option<crate::inventory::Inventory>,
    /// Every step of the runbook, in order, its head read once.
    pub steps: Vec<Step>,
    /// What each name read means, as `check` resolved it.
    pub names: Names,
}

impl Plan {
    /// The step's statement in the runbook's tree: its title, body and handlers.
    pub fn tree(&self, step: &Step) -> &ast::Step {
        match &self.ast.stmts[step.index].node {
            Stmt::Step(tree) => tree,
            _ => unreachable!("plan::Step {} points at its step statement", step.id),
        }
    }

    /// Every step's statement, in order.
    pub fn trees(&self) -> impl Iterator<Item = &ast::Step> {
        self.steps.iter().map(|s| self.tree(s))
    }

    /// The step `id`, if the runbook has it.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// `lock hosts`: the ssh hosts the kept steps use, each locked on the host before the
    /// first step; none without the declaration.
    pub fn locked_hosts(&self) -> Vec<String> {
        let declared = self
            .ast
            .stmts
            .iter()
            .any(|s| matches!(&s.node, Stmt::Lock(w) if w.node == "hosts"));
        if !declared {
            return Vec::new();
        }
        let mut hosts: Vec<String> = self
            .steps
            .iter()
            .filter(|s| !self.left_out.contains_key(&s.id))
            .flat_map(|s| s.targets.iter().cloned())
            .filter(|h| {
                self.hosts
                    .get(h)
                    .is_some_and(|spec| !matches!(spec, HostKind::Local))
            })
            .collect();
        hosts.sort();
        hosts.dedup();
        hosts
    }

    pub fn has_step(&self, id: &str) -> bool {
        self.step(id).is_some()
    }
}

/// What `check` learnt that the plan needs: the modules used, and what steps need of
/// each other.
#[derive(Debug, Default)]
pub struct Checked {
    pub modules: HashMap<String, ModuleSig>,
    pub reads: CaptureReads,
    pub names: Names,
    pub inventory: Option<crate::inventory::Inventory>,
}

/// Builds the plan of a runbook that passed `check`.
pub fn build(
    file: FileId,
    ast: ast::File,
    checked: Checked,
    request: &Request,
) -> Result<Plan, Vec<Error>> {
    let mut errors = Vec::new();
    let params = params::resolve(&ast, request).unwrap_or_else(|e| {
        errors.extend(e);
        Vec::new()
    });
    let targets = hosts::resolve(
        &ast,
        checked.inventory.as_ref(),
        &params,
        &request.selection.limit,
    )
    .unwrap_or_else(|e| {
        errors.extend(e);
        hosts::Targets::default()
    });
    let left_out = selection::left_out(
        &ast,
        &request.selection,
        &checked.reads,
        targets.limited_out,
    )
    .unwrap_or_else(|e| {
        errors.extend(e);
        BTreeMap::new()
    });
    let name = ast
        .stmts
        .iter()
        .find_map(|s| match &s.node {
            Stmt::Header(h) => Some(h.name.node.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let steps = ast
        .stmts
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match &s.node {
            Stmt::Step(tree) => Some(Step::read(i, tree, &targets.groups)),
            _ => None,
        })
        .collect();
    let plan = Plan {
        file,
        ast,
        steps,
        modules: checked.modules,
        names: checked.names,
        name,
        params,
        hosts: targets.hosts,
        groups: targets.groups,
        left_out,
        selection: request.selection.clone(),
        inventory: checked.inventory,
    };
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(errors)
    }
}
