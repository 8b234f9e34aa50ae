//! Inventories: hosts, their variables and groups kept in a TOML file beside the
//! runbooks, shared by every runbook of a team (`inventory "hosts.toml"`, `--inventory`).
//!
//! ```toml
//! [hosts.hemma]
//! ssh = "hemma"            # where ssh goes: an alias of ~/.ssh/config, or user@address
//! sudo = true              # the same settings as `ssh(...)`: port, user, identity, jump, config
//! vars = { role = "gpu", data = "/srv/data" }
//!
//! [hosts.laptop]
//! local = true
//!
//! [groups]
//! servers = ["hemma"]
//! ```

mod error;

use std::collections::BTreeMap;

use serde::Deserialize;

pub use error::Error;

use crate::source::{FileId, Span};

/// A read inventory: every host and group, with where each is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Inventory {
    pub file: FileId,
    /// As the user gave it, for messages and the dry run.
    pub shown: String,
    pub hosts: BTreeMap<String, Host>,
    pub groups: BTreeMap<String, Group>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    pub span: Span,
    pub target: Target,
    /// `host.NAME` in a step on this host.
    pub vars: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Local,
    Ssh(SshArgs),
}

/// The same settings as the language's `ssh(...)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SshArgs {
    #[serde(rename = "ssh")]
    pub destination: String,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub identity: Option<String>,
    /// Another host of the inventory (or of the runbook) to jump through.
    pub jump: Option<String>,
    pub config: Option<String>,
    #[serde(default)]
    pub sudo: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub span: Span,
    pub members: Vec<String>,
}

/// One `[hosts.NAME]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHost {
    #[serde(default)]
    local: bool,
    #[serde(default)]
    vars: BTreeMap<String, toml::Value>,
    #[serde(flatten)]
    ssh: Option<SshArgs>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    hosts: BTreeMap<String, toml::Spanned<RawHost>>,
    #[serde(default)]
    groups: BTreeMap<String, toml::Spanned<Vec<String>>>,
}

/// Parses the inventory `text` (file `file` of the source map); every problem is reported.
pub fn parse(file: FileId, shown: &str, text: &str) -> Result<Inventory, Vec<Error>> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let range = e.span().unwrap_or(0..text.len().min(1));
        vec![Error::Invalid {
            message: e.message().to_string(),
            span: span(file, range).into(),
        }]
    })?;
    let mut errors = Vec::new();
    let mut hosts = BTreeMap::new();
    for (name, h) in raw.hosts {
        let at = span(file, h.span());
        let raw = h.into_inner();
        let target = match (raw.local, raw.ssh) {
            (true, None) => Target::Local,
            (false, Some(ssh)) => Target::Ssh(ssh),
            (true, Some(_)) => {
                errors.push(Error::HostTarget {
                    host: name.clone(),
                    what: "both `local = true` and `ssh`".into(),
                    span: at.into(),
                });
                continue;
            }
            (false, None) => {
                errors.push(Error::HostTarget {
                    host: name.clone(),
                    what: "neither `ssh = \"...\"` nor `local = true`".into(),
                    span: at.into(),
                });
                continue;
            }
        };
        let vars = raw
            .vars
            .into_iter()
            .map(|(k, v)| (k, serde_json::to_value(v).unwrap_or_default()))
            .collect();
        hosts.insert(
            name,
            Host {
                span: at,
                target,
                vars,
            },
        );
    }
    let mut groups = BTreeMap::new();
    for (name, g) in raw.groups {
        let at = span(file, g.span());
        let members = g.into_inner();
        if members.is_empty() {
            errors.push(Error::EmptyGroup {
                group: name.clone(),
                span: at.into(),
            });
        }
        groups.insert(name, Group { span: at, members });
    }
    if errors.is_empty() {
        Ok(Inventory {
            file,
            shown: shown.to_string(),
            hosts,
            groups,
        })
    } else {
        Err(errors)
    }
}

fn span(file: FileId, range: std::ops::Range<usize>) -> Span {
    Span::new(file, range.start, range.end)
}

impl Inventory {
    /// The variables of `host`, none for a host the inventory does not list.
    pub fn vars(&self, host: &str) -> Option<&BTreeMap<String, serde_json::Value>> {
        self.hosts.get(host).map(|h| &h.vars)
    }
}
