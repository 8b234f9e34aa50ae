//! Choosing what runs: `--only STEP…`, `--from STEP`, `--skip STEP…` and `--tags TAG…`.
//! A step left out is skipped with the reason, journaled like a guard's skip; the selection
//! is journaled with the run, and `resume` keeps it. A step kept that needs a capture of a
//! step left out is refused before anything runs.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Error;
use crate::check::{closest_name, CaptureReads};
use crate::syntax::ast::{self, Stmt};

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
    /// `--limit`: the hosts groups keep (names, groups, `*` globs, `!` exclusions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limit: Vec<String>,
    /// `--inventory`: the file, absolute, so that a resume from anywhere reads the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<String>,
}

impl Selection {
    /// For serde's `skip_serializing_if` on a boxed selection.
    #[allow(clippy::borrowed_box)]
    pub fn is_empty_boxed(s: &Box<Selection>) -> bool {
        s.is_empty()
    }

    pub fn is_empty(&self) -> bool {
        self.only.is_empty()
            && self.from.is_none()
            && self.skip.is_empty()
            && self.tags.is_empty()
            && self.limit.is_empty()
            && self.inventory.is_none()
    }
}

/// The steps `selection` leaves out of `file`, each with the reason; or why it cannot be.
pub fn left_out(
    file: &ast::File,
    selection: &Selection,
    needs: &CaptureReads,
    limited_out: BTreeMap<String, String>,
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
    let mut out = limited_out;
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
            out.entry(id.to_string()).or_insert(reason);
        }
    }
    needs_left_out_captures(needs, &out)?;
    Ok(out)
}

/// "did you mean `x`?", or the names there are.
pub(super) fn suggestion(name: &str, known: &[&str], what: &str) -> String {
    match closest_name(name, known.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None if known.is_empty() => format!("the runbook has no {what}"),
        None => format!("the {what} are: {}", known.join(", ")),
    }
}

/// A kept step that needs what a left-out step captures could only fail.
fn needs_left_out_captures(
    needs: &CaptureReads,
    left_out: &BTreeMap<String, String>,
) -> Result<(), Vec<Error>> {
    let errors: Vec<Error> = needs
        .iter()
        .filter(|(step, _)| !left_out.contains_key(*step))
        .flat_map(|(step, reads)| {
            reads.iter().filter_map(move |(by, name)| {
                let reason = left_out.get(by)?;
                Some(Error::LeftOutCapture {
                    step: step.clone(),
                    name: name.clone(),
                    by: by.clone(),
                    reason: reason.clone(),
                })
            })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
