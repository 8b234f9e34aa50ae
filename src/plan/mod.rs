//! A checked runbook plus the command line: params resolved, targets known. Pure: nothing
//! is run or connected to here.

pub mod doc;
pub mod error;
mod hosts;
mod params;
pub mod selection;
pub mod settings;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

pub use error::Error;
pub use params::{literal, ParamValue, Request};
pub use selection::Selection;

use crate::check::{CaptureReads, ModuleSig};
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, Modifier, Stmt};

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostSpec {
    Local,
    /// `host NAME = ssh(...)`: the call, evaluated when the run starts.
    Ssh {
        span: Span,
    },
    /// A host of the inventory reached by ssh.
    Listed(crate::inventory::SshArgs),
}

#[derive(Debug)]
pub struct Plan {
    pub file: FileId,
    pub ast: ast::File,
    pub modules: HashMap<String, ModuleSig>,
    pub name: String,
    pub params: Vec<ParamValue>,
    pub hosts: BTreeMap<String, HostSpec>,
    pub groups: BTreeMap<String, Vec<String>>,
    /// The steps the command line's selection leaves out, with why.
    pub left_out: BTreeMap<String, String>,
    pub selection: Selection,
    pub inventory: Option<crate::inventory::Inventory>,
}

impl Plan {
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
            .steps()
            .filter(|s| !self.left_out.contains_key(&s.id.node))
            .flat_map(|s| self.targets(s))
            .filter(|h| {
                self.hosts
                    .get(h)
                    .is_some_and(|spec| !matches!(spec, HostSpec::Local))
            })
            .collect();
        hosts.sort();
        hosts.dedup();
        hosts
    }

    pub fn has_step(&self, id: &str) -> bool {
        self.steps().any(|s| s.id.node == id)
    }

    pub fn steps(&self) -> impl Iterator<Item = &ast::Step> {
        self.ast.stmts.iter().filter_map(|s| match &s.node {
            Stmt::Step(step) => Some(step),
            _ => None,
        })
    }

    /// The hosts a step runs on, in order: `on` a host, a group's members, or `local`.
    pub fn targets(&self, step: &ast::Step) -> Vec<String> {
        let on = step.modifiers.iter().find_map(|m| match &m.node {
            Modifier::On(name) => Some(name.node.as_str()),
            _ => None,
        });
        match on {
            None => vec!["local".into()],
            // A group `--limit` emptied: its step is left out, and shown under its name.
            Some(name) => self
                .groups
                .get(name)
                .filter(|members| !members.is_empty())
                .cloned()
                .unwrap_or_else(|| vec![name.to_string()]),
        }
    }
}

/// What `check` learnt that the plan needs: the modules used, and what steps need of
/// each other.
#[derive(Debug, Default)]
pub struct Checked {
    pub modules: HashMap<String, ModuleSig>,
    pub reads: CaptureReads,
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
    let plan = Plan {
        file,
        ast,
        modules: checked.modules,
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
