//! A host of the plan, read once from the runbook or the inventory: where its commands go.

use crate::inventory::SshArgs;
use crate::source::Span;
use crate::syntax::ast::{Expr, Node};

/// Where a host's commands go.
#[derive(Debug, Clone)]
pub enum HostKind {
    /// This machine: `local`, or `host NAME = local`.
    Local,
    /// `host NAME = ssh(...)`, its arguments evaluated when the run starts (they may use
    /// params, values and secrets).
    Ssh(Declared),
    /// A host of the inventory reached by ssh, its values known.
    Listed(SshArgs),
}

/// The arguments of a declared `ssh(...)`, each in its role.
#[derive(Debug, Clone)]
pub struct Declared {
    /// The whole call, as the plan document shows it.
    pub span: Span,
    pub args: Vec<(SshArg, Node<Expr>)>,
    /// `jump: NAME` naming another host of the plan, reached as that host is.
    pub via: Option<String>,
}

/// What an argument of `ssh(...)` says (the builtin table names them; check held them to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SshArg {
    Destination,
    Port,
    User,
    Identity,
    /// A bastion given as text, `[user@]host[:port]`.
    Jump,
    Config,
    Sudo,
}

impl SshArg {
    /// The role of an argument by its name (`None`: the first, positional one).
    pub fn named(name: Option<&str>) -> Option<SshArg> {
        Some(match name {
            None => SshArg::Destination,
            Some("port") => SshArg::Port,
            Some("user") => SshArg::User,
            Some("identity") => SshArg::Identity,
            Some("jump") => SshArg::Jump,
            Some("config") => SshArg::Config,
            Some("sudo") => SshArg::Sudo,
            Some(_) => return None,
        })
    }
}

impl Declared {
    /// Reads the arguments of `ssh(...)` once.
    pub fn read(span: Span, args: &[crate::syntax::ast::Arg]) -> Declared {
        let mut declared = Declared {
            span,
            args: Vec::new(),
            via: None,
        };
        for arg in args {
            let name = arg.name.as_ref().map(|n| n.node.as_str());
            if let (Some("jump"), Expr::Var(host)) = (name, &arg.value.node) {
                declared.via = Some(host.clone());
                continue;
            }
            if let Some(role) = SshArg::named(name) {
                declared.args.push((role, arg.value.clone()));
            }
        }
        declared
    }
}
