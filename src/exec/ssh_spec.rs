//! An ssh host as the runbook declares it, once its values are known: what the pool connects
//! to and what its ssh_config file says.

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
