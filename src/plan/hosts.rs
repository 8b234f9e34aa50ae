//! The hosts and groups a run may touch: declared in the runbook, listed in the inventory,
//! computed from a list param, and narrowed by `--limit`.

use std::collections::BTreeMap;

use super::selection::suggestion;
use super::{Declared, Error, HostKind, ParamValue};
use crate::inventory::{Inventory, Target};
use crate::syntax::ast::{self, Expr, Modifier, Stmt};
use crate::value::Value;

/// Every host by name, every group's members in order, and the steps `--limit` leaves out.
#[derive(Debug, Default)]
pub struct Targets {
    pub hosts: BTreeMap<String, HostKind>,
    pub groups: BTreeMap<String, Vec<String>>,
    pub limited_out: BTreeMap<String, String>,
}

pub fn resolve(
    ast: &ast::File,
    inventory: Option<&Inventory>,
    params: &[ParamValue],
    limit: &[String],
) -> Result<Targets, Vec<Error>> {
    let mut t = Targets::default();
    let mut errors = Vec::new();
    t.hosts.insert("local".into(), HostKind::Local);
    if let Some(inv) = inventory {
        for (name, host) in &inv.hosts {
            let spec = match &host.target {
                Target::Local => HostKind::Local,
                Target::Ssh(args) => HostKind::Listed(args.clone()),
            };
            t.hosts.insert(name.clone(), spec);
        }
        for (name, group) in &inv.groups {
            t.groups.insert(name.clone(), group.members.clone());
        }
    }
    for stmt in &ast.stmts {
        match &stmt.node {
            Stmt::Host(h) => {
                let spec = match &h.target.node {
                    Expr::Call(_, args) => HostKind::Ssh(Declared::read(h.target.span, args)),
                    _ => HostKind::Local,
                };
                t.hosts.insert(h.name.node.clone(), spec);
            }
            Stmt::Group(g) => {
                let members = match &g.members.node {
                    Expr::List(items) => items
                        .iter()
                        .filter_map(|i| match &i.node {
                            Expr::Var(v) => Some(v.clone()),
                            _ => None,
                        })
                        .collect(),
                    Expr::Var(param) => from_param(&g.name.node, param, params, &t.hosts)
                        .unwrap_or_else(|e| {
                            errors.push(e);
                            Vec::new()
                        }),
                    _ => Vec::new(),
                };
                t.groups.insert(g.name.node.clone(), members);
            }
            _ => {}
        }
    }
    if !limit.is_empty() {
        if let Err(e) = narrow(ast, &mut t, limit) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(t)
    } else {
        Err(errors)
    }
}

/// `group web = targets`: the param's items, each a host's name.
fn from_param(
    group: &str,
    param: &str,
    params: &[ParamValue],
    hosts: &BTreeMap<String, HostKind>,
) -> Result<Vec<String>, Error> {
    let value = params.iter().find(|p| p.name == param).map(|p| &p.value);
    let Some(Value::List(items)) = value else {
        return Err(Error::GroupMember {
            group: group.into(),
            member: format!("{param} (not a list)"),
            help: format!("give `{param}` a list of host names: --set '{param}=[\"web1\"]'"),
        });
    };
    let mut members = Vec::new();
    for item in items {
        let name = match item {
            Value::Str(s) => s.clone(),
            other => other.to_string(),
        };
        if !hosts.contains_key(&name) {
            let known: Vec<&str> = hosts.keys().map(String::as_str).collect();
            return Err(Error::GroupMember {
                group: group.into(),
                help: suggestion(&name, &known, "hosts"),
                member: name,
            });
        }
        members.push(name);
    }
    Ok(members)
}

/// `--limit`: groups keep only the hosts it matches; a step whose target is left with no
/// host is left out. Steps on the control machine (no `on`) are not targets and stay.
fn narrow(ast: &ast::File, t: &mut Targets, limit: &[String]) -> Result<(), Error> {
    let shown = limit.join(",");
    let groups = t.groups.clone();
    let matches = |host: &str| limit_matches(limit, host, &groups);
    if !t.hosts.keys().any(|h| h != "local" && matches(h)) {
        let known: Vec<&str> = t.hosts.keys().map(String::as_str).collect();
        return Err(Error::LimitMatchesNothing {
            limit: shown,
            help: format!(
                "the hosts are: {}; a pattern is a host or group name, `*` matches any text, `!` excludes",
                known.join(", ")
            ),
        });
    }
    for members in t.groups.values_mut() {
        members.retain(|h| matches(h));
    }
    for stmt in &ast.stmts {
        let Stmt::Step(step) = &stmt.node else {
            continue;
        };
        let on = step.modifiers.iter().find_map(|m| match &m.node {
            Modifier::On(n) => Some(n.node.as_str()),
            _ => None,
        });
        let Some(on) = on else { continue };
        let reason = match t.groups.get(on) {
            Some(members) if members.is_empty() => {
                Some(format!("no host of `{on}` is in --limit {shown}"))
            }
            Some(_) => None,
            None if !matches(on) => Some(format!("`{on}` is not in --limit {shown}")),
            None => None,
        };
        if let Some(reason) = reason {
            t.limited_out.insert(step.id.node.clone(), reason);
        }
    }
    Ok(())
}

/// Whether `host` is in the limit: some pattern names it (or a group holding it) and no
/// `!pattern` does.
fn limit_matches(limit: &[String], host: &str, groups: &BTreeMap<String, Vec<String>>) -> bool {
    let hit = |pattern: &str| {
        glob(pattern, host)
            || groups
                .get(pattern)
                .is_some_and(|m| m.iter().any(|h| h == host))
    };
    let (excluded, included): (Vec<&str>, Vec<&str>) = limit
        .iter()
        .flat_map(|l| l.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .partition(|p| p.starts_with('!'));
    let included = included.is_empty() || included.iter().any(|p| hit(p));
    included && !excluded.iter().any(|p| hit(&p[1..]))
}

/// `*` matches any text (none included), `?` one character; everything else itself.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_stars_and_marks() {
        assert!(glob("web*", "web1"));
        assert!(glob("web*", "web"));
        assert!(glob("*1", "web1"));
        assert!(glob("w?b1", "web1"));
        assert!(glob("hemma", "hemma"));
        assert!(!glob("web*", "db1"));
        assert!(!glob("web?", "web"));
        assert!(!glob("hemma", "hemma2"));
    }

    #[test]
    fn a_limit_takes_names_groups_and_exclusions() {
        let groups = BTreeMap::from([("db".to_string(), vec!["pg1".to_string()])]);
        let limit = vec!["web*,db".to_string(), "!web2".to_string()];
        assert!(limit_matches(&limit, "web1", &groups));
        assert!(limit_matches(&limit, "pg1", &groups));
        assert!(!limit_matches(&limit, "web2", &groups));
        assert!(!limit_matches(&limit, "cache1", &groups));
        assert!(limit_matches(&["!web2".to_string()], "cache1", &groups));
    }
}
