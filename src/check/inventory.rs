//! The inventory a runbook runs against: named by `inventory "FILE"` (beside the runbook)
//! or by `--inventory FILE` (which wins), read once, its hosts and groups then known to
//! `check` like declared ones.

use std::path::{Path, PathBuf};

use super::error::Error;
use super::Problem;
use crate::inventory::{self, Inventory};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast;

/// Reads the inventory, reporting what is wrong with it; `None` when there is none (or it
/// could not be read).
pub fn load(
    sources: &mut SourceMap,
    file: FileId,
    ast: &ast::File,
    given: Option<&Path>,
    problems: &mut Vec<Problem>,
) -> Option<Inventory> {
    let declared = ast.stmts.iter().find_map(|s| match &s.node {
        ast::Stmt::Inventory(path) => Some(path),
        _ => None,
    });
    let (path, span): (PathBuf, Option<Span>) = match (given, declared) {
        (Some(p), _) => (p.to_path_buf(), None),
        (None, Some(d)) => {
            let runbook = PathBuf::from(&sources.get(file).name);
            let beside = runbook
                .parent()
                .map_or_else(|| PathBuf::from(&d.node), |dir| dir.join(&d.node));
            (beside, Some(d.span))
        }
        (None, None) => return None,
    };
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) if t.len() <= crate::source::MAX_SOURCE_BYTES => t,
        Ok(_) => {
            unreadable(file, &shown, "it is larger than 64 MiB", span, problems);
            return None;
        }
        Err(e) => {
            unreadable(file, &shown, &e.to_string(), span, problems);
            return None;
        }
    };
    let inv_file = sources.add(shown.clone(), text.clone());
    match inventory::parse(inv_file, &shown, &text) {
        Ok(inv) => Some(inv),
        Err(errors) => {
            problems.extend(
                errors
                    .into_iter()
                    .map(|e| Problem::Later(inv_file, Box::new(e))),
            );
            None
        }
    }
}

fn unreadable(
    file: FileId,
    path: &str,
    reason: &str,
    span: Option<Span>,
    problems: &mut Vec<Problem>,
) {
    problems.push(Problem::Check(
        file,
        Error::InventoryUnreadable {
            path: path.into(),
            reason: reason.into(),
            span: span.map(Into::into),
        },
    ));
}

/// Every member of the inventory's groups must be a host, of the inventory or the runbook.
pub fn check_members(inv: &Inventory, runbook_hosts: &[String], problems: &mut Vec<Problem>) {
    let known: Vec<&str> = inv
        .hosts
        .keys()
        .map(String::as_str)
        .chain(runbook_hosts.iter().map(String::as_str))
        .collect();
    for (name, group) in &inv.groups {
        for member in &group.members {
            if known.contains(&member.as_str()) {
                continue;
            }
            let help = super::suggest::did_you_mean(
                member,
                known.iter().copied(),
                "declare it under [hosts] in the inventory, or with `host` in the runbook",
            );
            problems.push(Problem::Later(
                inv.file,
                Box::new(inventory::Error::UnknownMember {
                    group: name.clone(),
                    member: member.clone(),
                    span: group.span.into(),
                    help,
                }),
            ));
        }
    }
}
