//! Choosing what runs: `--only STEP…`, `--from STEP`, `--skip STEP…` and `--tags TAG…`.
//! A step left out is skipped with the reason, journaled like a guard's skip; the selection
//! is journaled with the run, and `resume` keeps it. A step kept that needs a capture of a
//! step left out is refused before anything runs.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Error;
use crate::check::closest_name;
use crate::syntax::ast::{self, Expr, Modifier, Part, Stmt, Template};

/// What the command line chose, as it is journaled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.only.is_empty() && self.from.is_none() && self.skip.is_empty() && self.tags.is_empty()
    }
}

/// The steps `selection` leaves out of `file`, each with the reason; or why it cannot be.
pub fn left_out(
    file: &ast::File,
    selection: &Selection,
) -> Result<BTreeMap<String, String>, Vec<Error>> {
    let steps: Vec<&ast::Step> = file
        .stmts
        .iter()
        .filter_map(|s| match &s.node {
            Stmt::Step(step) => Some(step),
            _ => None,
        })
        .collect();
    let ids: Vec<&str> = steps.iter().map(|s| s.id.node.as_str()).collect();
    let mut errors = Vec::new();
    let named = selection
        .only
        .iter()
        .map(|s| ("--only", s))
        .chain(selection.from.iter().map(|s| ("--from", s)))
        .chain(selection.skip.iter().map(|s| ("--skip", s)));
    for (flag, name) in named {
        if !ids.contains(&name.as_str()) {
            errors.push(Error::UnknownStep {
                flag: flag.into(),
                name: name.clone(),
                help: suggestion(name, &ids, "steps"),
            });
        }
    }
    let all_tags: BTreeSet<&str> = steps.iter().flat_map(|s| s.tags()).collect();
    for tag in &selection.tags {
        if !all_tags.contains(tag.as_str()) {
            errors.push(Error::UnknownTag {
                name: tag.clone(),
                help: suggestion(tag, &all_tags.iter().copied().collect::<Vec<_>>(), "tags"),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let from = selection
        .from
        .as_ref()
        .and_then(|f| ids.iter().position(|id| id == f));
    let mut out = BTreeMap::new();
    for (i, step) in steps.iter().enumerate() {
        let id = step.id.node.as_str();
        let reason = if from.is_some_and(|f| i < f) {
            selection
                .from
                .as_ref()
                .map(|f| format!("before --from {f}"))
        } else if !selection.only.is_empty() && !selection.only.iter().any(|o| o == id) {
            Some(format!("not in --only {}", selection.only.join(",")))
        } else if !selection.tags.is_empty()
            && !step.tags().any(|t| selection.tags.iter().any(|s| s == t))
        {
            Some(format!("has none of --tags {}", selection.tags.join(",")))
        } else if selection.skip.iter().any(|s| s == id) {
            Some("--skip".to_string())
        } else {
            None
        };
        if let Some(reason) = reason {
            out.insert(id.to_string(), reason);
        }
    }
    needs_left_out_captures(&steps, &out)?;
    Ok(out)
}

fn suggestion(name: &str, known: &[&str], what: &str) -> String {
    match closest_name(name, known.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None if known.is_empty() => format!("the runbook has no {what}"),
        None => format!("the {what} are: {}", known.join(", ")),
    }
}

/// A kept step that uses what a left-out step captures could only fail.
fn needs_left_out_captures(
    steps: &[&ast::Step],
    left_out: &BTreeMap<String, String>,
) -> Result<(), Vec<Error>> {
    let mut captured_by: BTreeMap<&str, &str> = BTreeMap::new();
    for step in steps.iter().filter(|s| left_out.contains_key(&s.id.node)) {
        for stmt in &step.body.stmts {
            if let Stmt::Let(l) = &stmt.node {
                captured_by.insert(&l.name.node, &step.id.node);
            }
        }
    }
    let mut errors = Vec::new();
    for step in steps.iter().filter(|s| !left_out.contains_key(&s.id.node)) {
        let mut used = BTreeSet::new();
        names_of_step(step, &mut used);
        for name in used {
            if let Some(by) = captured_by.get(name.as_str()) {
                errors.push(Error::LeftOutCapture {
                    step: step.id.node.clone(),
                    name: name.clone(),
                    by: (*by).to_string(),
                    reason: left_out.get(*by).cloned().unwrap_or_default(),
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Every name a step reads: in its guards and its body, templates included.
fn names_of_step(step: &ast::Step, out: &mut BTreeSet<String>) {
    for m in &step.modifiers {
        if let Modifier::When(e) | Modifier::Unless(e) = &m.node {
            names_of_expr(&e.node, out);
        }
    }
    names_of_block(&step.body, out);
}

fn names_of_block(block: &ast::Block, out: &mut BTreeSet<String>) {
    for stmt in &block.stmts {
        match &stmt.node {
            Stmt::Let(l) => names_of_expr(&l.value.node, out),
            Stmt::Expr(e) | Stmt::Log(e) | Stmt::Fail(e) | Stmt::Return(e) => {
                names_of_expr(&e.node, out)
            }
            Stmt::Check(c) => {
                names_of_expr(&c.condition.node, out);
                if let Some(m) = &c.message {
                    names_of_expr(&m.node, out);
                }
            }
            Stmt::WaitUntil(w) => names_of_expr(&w.condition.node, out),
            Stmt::Approve(a) => names_of_expr(&a.message.node, out),
            Stmt::Rollback(b) | Stmt::OnFailure(b) | Stmt::Always(b) => names_of_block(b, out),
            Stmt::If(i) => {
                for (c, b) in &i.branches {
                    names_of_expr(&c.node, out);
                    names_of_block(b, out);
                }
                if let Some(b) = &i.otherwise {
                    names_of_block(b, out);
                }
            }
            Stmt::For(f) => {
                names_of_expr(&f.list.node, out);
                names_of_block(&f.body, out);
            }
            Stmt::Header(_)
            | Stmt::Use(_)
            | Stmt::Param(_)
            | Stmt::Secret(_)
            | Stmt::Host(_)
            | Stmt::Group(_)
            | Stmt::Fn(_)
            | Stmt::Step(_) => {}
        }
    }
}

fn names_of_expr(e: &Expr, out: &mut BTreeSet<String>) {
    match e {
        Expr::Var(v) => {
            out.insert(v.clone());
        }
        Expr::Str(t) => names_of_template(t, out),
        Expr::List(items) => items.iter().for_each(|i| names_of_expr(&i.node, out)),
        Expr::Map(entries) => entries
            .iter()
            .for_each(|(_, v)| names_of_expr(&v.node, out)),
        Expr::Field(inner, _) | Expr::Unary(_, inner) => names_of_expr(&inner.node, out),
        Expr::Index(a, b) | Expr::Binary(_, a, b) => {
            names_of_expr(&a.node, out);
            names_of_expr(&b.node, out);
        }
        Expr::Call(callee, args) => {
            names_of_expr(&callee.node, out);
            args.iter().for_each(|a| names_of_expr(&a.value.node, out));
        }
        Expr::Int(_) | Expr::Float(_) | Expr::Bool(_) | Expr::Duration(_) => {}
    }
}

fn names_of_template(t: &Template, out: &mut BTreeSet<String>) {
    for part in &t.parts {
        if let Part::Interpolation(i) = &part.node {
            out.insert(i.var.node.clone());
        }
    }
}
