//! The ssh_config a host's connection is given with `ssh -F`, when one is needed.
//!
//! `-F FILE` alone makes ssh skip `~/.ssh/config`, and `-J user@host:port` has no room for
//! the bastion's key. So the run writes one file per host: a block for its bastion (its
//! address, user, port and key, under an alias only this file knows), then the host's own
//! `config:`, then the user's `~/.ssh/config`. ssh passes the same `-F` to the ssh it starts
//! for the jump, so the bastion reads the same file. The first value found wins in
//! ssh_config: the runbook's settings come before the user's.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::plan::ssh_spec::SshSpec;

/// The alias the bastion of `host` has in the host's file.
pub fn jump_alias(host: &str) -> String {
    format!("runbook-jump-{host}")
}

/// Writes the file for `host` into `dir` and returns its path, or `None` when plain ssh
/// defaults do (no `config:` and no declared bastion).
pub fn write(
    dir: &Path,
    host: &str,
    spec: &SshSpec,
    accept_new: bool,
) -> std::io::Result<Option<PathBuf>> {
    if spec.config.is_none() && spec.via.is_none() {
        return Ok(None);
    }
    let text = render(host, spec, accept_new, user_config().as_deref());
    let path = dir.join(format!("config-{host}"));
    std::fs::write(&path, text)?;
    Ok(Some(path))
}

fn user_config() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .map(|h| Path::new(&h).join(".ssh/config"))
        .filter(|p| p.is_file())
}

fn render(host: &str, spec: &SshSpec, accept_new: bool, user: Option<&Path>) -> String {
    let mut text = String::new();
    let mut alias = jump_alias(host);
    let mut via = spec.via.as_deref();
    // A chain of bastions: each block names the next one's alias.
    while let Some(jump) = via {
        let next = format!("{alias}-next");
        bastion(&mut text, &alias, jump, &next, accept_new);
        alias = next;
        via = jump.via.as_deref();
    }
    if spec.via.is_some() {
        // Ends the bastion's block: what follows applies to every host again.
        text.push_str("Match all\n");
    }
    if let Some(config) = &spec.config {
        let _ = writeln!(text, "Include \"{}\"", absolute(config).display());
    }
    if let Some(user) = user {
        let _ = writeln!(text, "Include \"{}\"", user.display());
    }
    text
}

fn bastion(text: &mut String, alias: &str, via: &SshSpec, next: &str, accept_new: bool) {
    let _ = writeln!(text, "Host {alias}");
    let _ = writeln!(text, "  HostName {}", via.destination);
    if let Some(port) = via.port {
        let _ = writeln!(text, "  Port {port}");
    }
    if let Some(user) = &via.user {
        let _ = writeln!(text, "  User {user}");
    }
    if let Some(key) = &via.identity {
        let _ = writeln!(text, "  IdentityFile \"{}\"", expand_home(key));
        let _ = writeln!(text, "  IdentitiesOnly yes");
    }
    if via.via.is_some() {
        let _ = writeln!(text, "  ProxyJump {next}");
    } else if let Some(jump) = &via.jump {
        let _ = writeln!(text, "  ProxyJump {jump}");
    }
    // The bastion's key is checked as strictly as the host's (the -o options given to the
    // first ssh do not reach the one it starts for the jump).
    let check = if accept_new { "accept-new" } else { "yes" };
    let _ = writeln!(text, "  StrictHostKeyChecking {check}");
    text.push_str("  BatchMode yes\n");
    if let Some(config) = &via.config {
        // Scoped to the bastion's alias: `Match` ends the `Host` block, `Include` does not.
        let _ = writeln!(text, "  Include \"{}\"", absolute(config).display());
    }
}

/// ssh reads a relative `Include` from `~/.ssh`, not from where the run started.
fn absolute(config: &str) -> PathBuf {
    let path = expand_home(config);
    std::fs::canonicalize(&path).unwrap_or_else(|_| path.into())
}

pub fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bastion_block_carries_its_key_before_the_hosts_config_and_the_users() {
        let via = SshSpec {
            destination: "10.0.0.1".into(),
            port: Some(2222),
            user: Some("jump".into()),
            identity: Some("/keys/bastion".into()),
            ..SshSpec::default()
        };
        let spec = SshSpec {
            destination: "10.0.0.5".into(),
            config: Some("/etc/ops_config".into()),
            via: Some(Box::new(via)),
            ..SshSpec::default()
        };
        let text = render(
            "inner",
            &spec,
            false,
            Some(Path::new("/home/u/.ssh/config")),
        );
        assert_eq!(
            text,
            "Host runbook-jump-inner\n  HostName 10.0.0.1\n  Port 2222\n  User jump\n  IdentityFile \"/keys/bastion\"\n  IdentitiesOnly yes\n  StrictHostKeyChecking yes\n  BatchMode yes\nMatch all\nInclude \"/etc/ops_config\"\nInclude \"/home/u/.ssh/config\"\n"
        );
    }
}
