//! Approvals from anywhere, on the file state: a run waiting at a gate publishes it in
//! `STATE/inbox/RUN_ID/gate.json`, and `runbook approve` (from another shell, or another
//! OS user) drops a decision file beside it. Who decided is the file's owner, which the
//! kernel vouches for: the text of a decision cannot claim to be someone else's.
//!
//! The inbox directory is `1733` (like /tmp: anyone may create a file, nobody may list it
//! or remove another's); the state directory above it must be traversable (`chmod 711`).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A gate waiting for approvals, as `runbook approve` reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    pub run_id: String,
    pub runbook: String,
    pub step: String,
    pub host: String,
    pub message: String,
    /// Users or OS groups who may approve; empty: anyone.
    #[serde(default)]
    pub by: Vec<String>,
    pub min: u32,
    /// Who started the run: under a policy, not an approver. The uid is what counts (a name
    /// comes from `$USER`, which anyone can set); the run's process is the starter's.
    pub starter: String,
    #[serde(default)]
    pub starter_uid: Option<u32>,
    pub two_person: bool,
    pub at: String,
}

/// What an approver decided, as written by `runbook approve`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub step: String,
    pub approve: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub at: String,
    /// Where it was decided: the machine, and the ssh client or terminal.
    pub from: String,
}

/// A decision and its author, as the state vouches for them: on files the decision file's
/// owner (a uid, and OS groups); in a database the authenticated role, and the roles of the
/// gate's `by` it is a member of.
#[derive(Debug, Clone, PartialEq)]
pub struct Signed {
    pub user: String,
    pub uid: Option<u32>,
    pub roles: Option<Vec<String>>,
    pub decision: Decision,
}

fn dir(state: &Path, run_id: &str) -> PathBuf {
    state.join("inbox").join(run_id)
}

fn gate_path(state: &Path, run_id: &str) -> PathBuf {
    dir(state, run_id).join("gate.json")
}

/// Publishes the gate `runbook approve` answers; the directories are made open to drop into.
pub fn open(state: &Path, gate: &Gate) -> std::io::Result<()> {
    let inbox = state.join("inbox");
    for d in [&inbox, &dir(state, &gate.run_id)] {
        fs::DirBuilder::new()
            .mode(0o1733)
            .recursive(true)
            .create(d)?;
        // The umask may have narrowed it.
        fs::set_permissions(d, fs::Permissions::from_mode(0o1733))?;
    }
    // The hosts of a fan-out may publish at once: each writes a file of its own, then
    // renames it over the gate.
    let mut file = tempfile::Builder::new()
        .prefix(".gate")
        .tempfile_in(dir(state, &gate.run_id))?;
    file.as_file()
        .set_permissions(fs::Permissions::from_mode(0o644))?;
    file.write_all(serde_json::to_string_pretty(gate)?.as_bytes())?;
    file.as_file().sync_all()?;
    file.persist(gate_path(state, &gate.run_id))
        .map(|_| ())
        .map_err(|e| e.error)
}

/// Takes the gate down once it is answered. An approval stands for the step in this run
/// (every host of a fan-out reads it); a denial is taken down with it, so the next time the
/// step reaches its gate (a resume) asks afresh.
pub fn close(state: &Path, run_id: &str, step: &str, denied: bool) {
    let _ = fs::remove_file(gate_path(state, run_id));
    if !denied {
        return;
    }
    let Ok(entries) = fs::read_dir(dir(state, run_id)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&format!("{step}.")) && name.ends_with(".json") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Removes a settled run's inbox: nothing is left to approve (the journal keeps every
/// decision that counted).
pub fn discard(state: &Path, run_id: &str) {
    let _ = fs::remove_dir_all(dir(state, run_id));
}

/// The gate a run waits at, if it waits.
pub fn gate(state: &Path, run_id: &str) -> std::io::Result<Option<Gate>> {
    match fs::read_to_string(gate_path(state, run_id)) {
        Ok(text) => Ok(serde_json::from_str(&text).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Drops a decision as the current user; never replaces one (each is its own file).
pub fn decide(state: &Path, run_id: &str, decision: &Decision) -> std::io::Result<PathBuf> {
    let name = format!(
        "{}.{}.{}.json",
        decision.step,
        nix::unistd::geteuid(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    );
    let path = dir(state, run_id).join(name);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
        .open(&path)?;
    file.write_all(serde_json::to_string(decision)?.as_bytes())?;
    file.sync_all()?;
    Ok(path)
}

/// Every decision for `step`, oldest first, each signed by its file's owner. A link, or a
/// file with another name elsewhere (a hard link to someone else's file), is not trusted.
/// `None` when the inbox cannot be listed (only its owner may).
pub fn decisions(state: &Path, run_id: &str, step: &str) -> Option<Vec<Signed>> {
    let entries = match fs::read_dir(dir(state, run_id)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(Vec::new()),
        Err(_) => return None,
    };
    let mut out: Vec<((String, u128), Signed)> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(&format!("{step}.")) || !name.ends_with(".json") {
            continue;
        }
        let Ok(meta) = fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if !meta.file_type().is_file() || meta.nlink() != 1 {
            continue;
        }
        let Ok(text) = fs::read_to_string(entry.path()) else {
            continue;
        };
        let Ok(decision) = serde_json::from_str::<Decision>(&text) else {
            continue;
        };
        if decision.step != step {
            continue;
        }
        // Named STEP.UID.NANOS.json: the nanoseconds order decisions made in one second.
        let nanos = name
            .trim_end_matches(".json")
            .rsplit('.')
            .next()
            .and_then(|n| n.parse::<u128>().ok())
            .unwrap_or_default();
        out.push((
            (decision.at.clone(), nanos),
            Signed {
                user: user_name(meta.uid()),
                uid: Some(meta.uid()),
                roles: None,
                decision,
            },
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Some(out.into_iter().map(|(_, s)| s).collect())
}

/// The name of `uid`, as decisions are signed with it.
pub fn user_name(uid: u32) -> String {
    nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
        .ok()
        .flatten()
        .map_or_else(|| format!("uid {uid}"), |u| u.name)
}

/// Where this command is run from, for the audit: the machine, and the ssh client or tty.
pub fn origin() -> String {
    let machine = nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_else(|| "?".into());
    let via = std::env::var("SSH_CONNECTION")
        .ok()
        .and_then(|c| {
            c.split_whitespace()
                .next()
                .map(|ip| format!("ssh from {ip}"))
        })
        .or_else(|| {
            nix::unistd::ttyname(std::io::stdin())
                .ok()
                .map(|t| t.display().to_string())
        });
    match via {
        Some(via) => format!("{machine} ({via})"),
        None => machine,
    }
}

/// What a gate's decisions come to under its policy.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Enough distinct approvers; each counted decision.
    Approved(Vec<Signed>),
    /// An allowed approver said no.
    Denied(Signed),
    /// Still short: how many count so far.
    Waiting { have: usize },
}

impl Gate {
    /// Whether `user` (uid `uid`, or a database role that is a member of `roles`) may
    /// decide on this gate, and if not, why.
    pub fn may_decide(
        &self,
        user: &str,
        uid: Option<u32>,
        roles: Option<&[String]>,
    ) -> Result<(), String> {
        let is_starter = match (self.starter_uid, uid) {
            (Some(starter), Some(uid)) => uid == starter,
            _ => user == self.starter,
        };
        if self.two_person && is_starter {
            return Err(format!(
                "{user} started this run: under its policy another person must approve it"
            ));
        }
        let member = |b: &String| match roles {
            Some(roles) => roles.contains(b),
            None => in_group(user, b),
        };
        if !self.by.is_empty() && !self.by.iter().any(|b| b == user || member(b)) {
            return Err(format!(
                "{user} is not among those who may approve it: {}",
                self.by.join(", ")
            ));
        }
        Ok(())
    }

    /// The decisions that count, and what they come to.
    pub fn verdict(&self, decisions: &[Signed]) -> Verdict {
        let mut counted: Vec<Signed> = Vec::new();
        for d in decisions {
            if self.may_decide(&d.user, d.uid, d.roles.as_deref()).is_err() {
                continue;
            }
            if !d.decision.approve {
                return Verdict::Denied(d.clone());
            }
            if !counted.iter().any(|c| c.user == d.user) {
                counted.push(d.clone());
            }
        }
        if counted.len() >= self.min.max(1) as usize {
            Verdict::Approved(counted)
        } else {
            Verdict::Waiting {
                have: counted.len(),
            }
        }
    }
}

/// Whether `user` belongs to the OS group `group` (as a member, or by primary group).
fn in_group(user: &str, group: &str) -> bool {
    let Ok(Some(g)) = nix::unistd::Group::from_name(group) else {
        return false;
    };
    if g.mem.iter().any(|m| m == user) {
        return true;
    }
    matches!(nix::unistd::User::from_name(user), Ok(Some(u)) if u.gid == g.gid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(user: &str, approve: bool) -> Signed {
        Signed {
            user: user.into(),
            uid: Some(if user == "olof" {
                1000
            } else {
                2000 + user.len() as u32
            }),
            roles: None,
            decision: Decision {
                step: "deploy".into(),
                approve,
                reason: None,
                at: "2026-12-04T00:00:00Z".into(),
                from: "here".into(),
            },
        }
    }

    fn gate(by: &[&str], min: u32) -> Gate {
        Gate {
            run_id: "r".into(),
            runbook: "b".into(),
            step: "deploy".into(),
            host: "local".into(),
            message: "go?".into(),
            by: by.iter().map(|s| s.to_string()).collect(),
            min,
            starter: "olof".into(),
            starter_uid: Some(1000),
            two_person: true,
            at: String::new(),
        }
    }

    #[test]
    fn the_starter_and_strangers_do_not_count_and_one_person_counts_once() {
        let g = gate(&["alice", "bob", "olof"], 2);
        let ds = [
            signed("olof", true),
            signed("mallory", true),
            signed("alice", true),
            signed("alice", true),
        ];
        assert_eq!(g.verdict(&ds), Verdict::Waiting { have: 1 });
        // The starter's uid under another name (`USER=carol`) is still the starter.
        let anyone = gate(&[], 1);
        let mut disguised = signed("carol", true);
        disguised.uid = Some(1000);
        assert!(anyone.may_decide("carol", Some(1000), None).is_err());
        assert!(anyone.may_decide("carol", Some(2005), None).is_ok());
        assert_eq!(anyone.verdict(&[disguised]), Verdict::Waiting { have: 0 });
        let ds = [signed("alice", true), signed("bob", true)];
        assert!(matches!(g.verdict(&ds), Verdict::Approved(c) if c.len() == 2));
    }

    #[test]
    fn one_allowed_no_denies_and_a_strangers_no_is_ignored() {
        let g = gate(&["alice", "bob"], 2);
        let ds = [signed("mallory", false), signed("alice", true)];
        assert_eq!(g.verdict(&ds), Verdict::Waiting { have: 1 });
        let ds = [signed("alice", true), signed("bob", false)];
        assert!(matches!(g.verdict(&ds), Verdict::Denied(d) if d.user == "bob"));
    }
}
