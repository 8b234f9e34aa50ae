//! An ssh host as the runbook declares it, once its values are known: what the pool connects
//! to and what its ssh_config file says.

use super::SshArg;
use crate::inventory::SshArgs;
use crate::value::Value;

/// A host as declared: `ssh("user@host", port: 22, user:, identity:, jump:, config:)`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SshSpec {
    pub destination: String,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub identity: Option<String>,
    /// `ssh -J` syntax: `[user@]host[:port]`, for a bastion given as text.
    pub jump: Option<String>,
    /// The declared host `jump:` names, whose key and config reach ssh by the host's file.
    pub via: Option<Box<SshSpec>>,
    /// An ssh_config file (`ssh -F`).
    pub config: Option<String>,
    /// Every command on this host under `sudo -n`.
    pub sudo: bool,
}

impl SshSpec {
    /// One argument of `ssh(...)`, its value known.
    pub fn set(&mut self, arg: SshArg, value: &Value) {
        let text = match value {
            Value::Str(s) => s.clone(),
            other => other.to_string(),
        };
        match arg {
            SshArg::Destination => self.destination = text,
            SshArg::Port => self.port = text.parse().ok(),
            SshArg::User => self.user = Some(text),
            SshArg::Identity => self.identity = Some(text),
            SshArg::Jump => self.jump = Some(text),
            SshArg::Config => self.config = Some(text),
            SshArg::Sudo => self.sudo = *value == Value::Bool(true),
        }
    }

    /// A host of the inventory (its `jump`, when it names a host, is the caller's to link).
    pub fn listed(args: &SshArgs) -> SshSpec {
        SshSpec {
            destination: args.destination.clone(),
            port: args.port,
            user: args.user.clone(),
            identity: args.identity.clone(),
            config: args.config.clone(),
            sudo: args.sudo,
            ..SshSpec::default()
        }
    }
}
