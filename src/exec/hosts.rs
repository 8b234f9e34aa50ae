//! Where each host's commands go: `local`, or the ssh pool.

use std::collections::{HashMap, HashSet};

use super::interp::Interpreter;
use super::local::Local;
use super::nowhere::Nowhere;
use super::ssh::{Ssh, SshPool, SshSpec};
use super::transport::Transport;
use crate::plan::{self, Declared, HostKind, Plan};

#[derive(Debug)]
pub struct Transports<'a> {
    local: Local,
    /// Hosts declared `= local`, and `local` itself.
    locals: HashSet<String>,
    ssh: HashMap<String, Ssh<'a>>,
    unknown: Nowhere,
}

impl<'a> Transports<'a> {
    pub fn new(plan: &Plan, pool: Option<&'a SshPool>) -> Self {
        let ssh = pool
            .map(|p| {
                p.hosts()
                    .map(|h| {
                        (
                            h.clone(),
                            Ssh {
                                pool: p,
                                host: h.clone(),
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let locals = plan
            .hosts
            .iter()
            .filter(|(_, spec)| matches!(spec, HostKind::Local))
            .map(|(name, _)| name.clone())
            .collect();
        Transports {
            local: Local,
            locals,
            ssh,
            unknown: Nowhere {
                why: "the plan has no such host".into(),
            },
        }
    }

    /// A host's transport. A name that is neither a local nor an ssh host of the plan gets
    /// one that refuses: never, by mistake, this machine.
    pub fn get(&self, host: &str) -> &dyn Transport {
        if let Some(ssh) = self.ssh.get(host) {
            return ssh;
        }
        if self.locals.contains(host) {
            return &self.local;
        }
        &self.unknown
    }
}

/// A value (from `--set`, or an inventory) that begins with `-` would reach ssh as an option.
fn refuse_options(host: &str, spec: &SshSpec, errors: &mut Vec<plan::Error>) {
    for (what, value) in [
        ("destination", Some(&spec.destination)),
        ("user", spec.user.as_ref()),
        ("jump", spec.jump.as_ref()),
    ] {
        if value.is_some_and(|v| v.starts_with('-')) {
            errors.push(plan::Error::ValueFailed {
                name: format!("host {host}"),
                reason: format!(
                    "its ssh {what} begins with `-`, which ssh would read as an option"
                ),
            });
        }
    }
}

/// The ssh hosts of the plan, their `ssh(...)` arguments evaluated (they may use params).
pub fn ssh_specs(
    plan: &Plan,
    interp: &mut Interpreter,
) -> Result<HashMap<String, SshSpec>, Vec<plan::Error>> {
    let mut specs = HashMap::new();
    let mut errors = Vec::new();
    let mut jumps: Vec<(String, String)> = Vec::new();
    for (name, host) in &plan.hosts {
        let spec = match host {
            HostKind::Local => continue,
            HostKind::Ssh(declared) => {
                if let Some(via) = &declared.via {
                    jumps.push((name.clone(), via.clone()));
                }
                declared_spec(name, declared, interp, &mut errors)
            }
            HostKind::Listed(args) => {
                let mut spec = SshSpec::listed(args);
                match &args.jump {
                    // A host of the plan: reached as that host is, key and config included.
                    Some(jump) if plan.hosts.contains_key(jump) => {
                        jumps.push((name.clone(), jump.clone()));
                    }
                    other => spec.jump = other.clone(),
                }
                spec
            }
        };
        refuse_options(name, &spec, &mut errors);
        specs.insert(name.clone(), spec);
    }
    // `jump: bastion` names another declared host: its address, user, port, key and config
    // all reach ssh (see ssh_config).
    // A bastion reached through another one: one pass per link of the longest chain.
    for _ in 0..jumps.len() {
        for (host, jump) in &jumps {
            let Some(j) = specs.get(jump).cloned() else {
                continue;
            };
            if let Some(spec) = specs.get_mut(host) {
                spec.via = Some(Box::new(j));
            }
        }
    }
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(errors)
    }
}

/// A declared host's `ssh(...)`, each argument evaluated (a failure is the plan's error).
fn declared_spec(
    name: &str,
    declared: &Declared,
    interp: &mut Interpreter,
    errors: &mut Vec<plan::Error>,
) -> SshSpec {
    let mut spec = SshSpec::default();
    for (arg, expr) in &declared.args {
        match interp.evaluate(expr) {
            // A host's address is no secret: ssh needs it on its command line.
            Ok(v) => spec.set(*arg, &crate::exec::taint::reveal(v, &mut Vec::new())),
            Err(f) => errors.push(plan::Error::ValueFailed {
                name: format!("host {name}"),
                reason: f.note(),
            }),
        }
    }
    spec
}
