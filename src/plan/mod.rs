//! A checked runbook plus the command line: params resolved, targets known. Pure: nothing
//! is run or connected to here.

pub mod doc;
pub mod error;
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
use crate::syntax::ast::{self, Expr, Modifier, Stmt};

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
    Ssh { span: Span },
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
}

impl Plan {
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
            Some(name) => self
                .groups
                .get(name)
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
    let left_out =
        selection::left_out(&ast, &request.selection, &checked.reads).unwrap_or_else(|e| {
            errors.extend(e);
            BTreeMap::new()
        });
    let mut hosts = BTreeMap::from([("local".to_string(), HostSpec::Local)]);
    let mut groups = BTreeMap::new();
    let mut name = String::new();
    for stmt in &ast.stmts {
        match &stmt.node {
            Stmt::Header(h) => name = h.name.node.clone(),
            Stmt::Host(h) => {
                let spec = match &h.target.node {
                    Expr::Call(..) => HostSpec::Ssh {
                        span: h.target.span,
                    },
                    _ => HostSpec::Local,
                };
                hosts.insert(h.name.node.clone(), spec);
            }
            Stmt::Group(g) => {
                if let Expr::List(items) = &g.members.node {
                    let members = items
                        .iter()
                        .filter_map(|i| match &i.node {
                            Expr::Var(v) => Some(v.clone()),
                            _ => None,
                        })
                        .collect();
                    groups.insert(g.name.node.clone(), members);
                }
            }
            _ => {}
        }
    }
    let plan = Plan {
        file,
        ast,
        modules: checked.modules,
        name,
        params,
        hosts,
        groups,
        left_out,
        selection: request.selection.clone(),
    };
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(errors)
    }
}
