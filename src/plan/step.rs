//! A step as the executor and the dry run drive it: its head (`on`, `when` and `unless`,
//! `sudo`, `disconnects`, `tags`, whether it has a rollback) read once from the checked tree,
//! its hosts resolved. Its body stays in the tree (`Plan::tree`), which it points into.

use std::collections::BTreeMap;

use crate::syntax::ast::{self, Expr, Modifier, Node, Stmt};

#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    /// Where its statement is in the runbook's tree.
    pub(super) index: usize,
    /// The hosts it runs on, in order: `on` a host, a group's members, or `local`.
    pub targets: Vec<String>,
    /// The group `on` names, when it names one.
    pub group: Option<String>,
    /// `when` and `unless`, in the order written: each is asked before the intent.
    pub guards: Vec<Guard>,
    pub sudo: bool,
    pub disconnects: bool,
    pub tags: Vec<String>,
    pub has_rollback: bool,
}

/// A condition the step runs under.
#[derive(Debug, Clone)]
pub enum Guard {
    /// `when EXPR`: skipped when false.
    When(Node<Expr>),
    /// `unless EXPR`: skipped when true.
    Unless(Node<Expr>),
}

impl Step {
    /// The step of the tree's statement `index`, its hosts taken from `groups`.
    pub(super) fn read(
        index: usize,
        tree: &ast::Step,
        groups: &BTreeMap<String, Vec<String>>,
    ) -> Step {
        let mut step = Step {
            id: tree.id.node.clone(),
            index,
            targets: vec!["local".into()],
            group: None,
            guards: Vec::new(),
            sudo: false,
            disconnects: false,
            tags: Vec::new(),
            has_rollback: tree
                .body
                .stmts
                .iter()
                .any(|s| matches!(s.node, Stmt::Rollback(_))),
        };
        for m in &tree.modifiers {
            match &m.node {
                Modifier::On(name) => {
                    let members = groups.get(&name.node);
                    step.group = members.map(|_| name.node.clone());
                    // A group `--limit` emptied: its step is left out, and shown under its name.
                    step.targets = members
                        .filter(|m| !m.is_empty())
                        .cloned()
                        .unwrap_or_else(|| vec![name.node.clone()]);
                }
                Modifier::When(e) => step.guards.push(Guard::When(e.clone())),
                Modifier::Unless(e) => step.guards.push(Guard::Unless(e.clone())),
                Modifier::Sudo => step.sudo = true,
                Modifier::Disconnects => step.disconnects = true,
                Modifier::Tags(t) => step.tags = t.iter().map(|n| n.node.clone()).collect(),
                // Resolved with the run's values, before the first step (`settings.rs`).
                Modifier::Parallel(_)
                | Modifier::MaxFail(_)
                | Modifier::Timeout(_)
                | Modifier::Retry(_) => {}
            }
        }
        step
    }
}
