//! Captures made from secrets, locked in the journal: a resumed run needs them back, and
//! nobody reading the journal may learn them.
//!
//! Each run that captures a secret value has its own random key in `runs/RUN_ID.key`
//! (0600, beside its journal). A capture is sealed with XChaCha20-Poly1305 under a key
//! derived from that run key *and* the values of the secrets it was made from, so:
//! - the journal alone reveals nothing, even of a short or guessable secret;
//! - a resumed run opens it only with the same secrets; a changed secret is reported,
//!   never replaced by a mask or a stale value.

use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

/// A locked capture, as the journal stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Locked {
    /// The secrets it was made from, by name.
    pub from: Vec<String>,
    pub nonce: String,
    /// The capture's JSON, sealed.
    pub sealed: String,
}

/// Why a locked capture could not be opened.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// A secret it was made from is not set this session.
    Missing(String),
    /// The run key is gone or unreadable.
    NoKey(String),
    /// The secrets are not the ones it was made with (or the record was altered).
    Changed,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Missing(name) => write!(f, "secret `{name}` is not set"),
            Refusal::NoKey(why) => write!(f, "the run's key cannot be read ({why})"),
            Refusal::Changed => f.write_str(
                "the secrets it was made from are not the same now (or the journal was altered)",
            ),
        }
    }
}

/// The run key of one journal, read or made on first use.
#[derive(Debug, Clone)]
pub struct Vault {
    path: PathBuf,
}

impl Vault {
    /// The vault beside a journal (`runs/RUN_ID.key`).
    pub fn beside(journal: &Path) -> Vault {
        Vault {
            path: journal.with_extension("key"),
        }
    }

    /// Locks `value` (made from the secrets `from`, with these values) for a capture
    /// named by `label` (step, host, name: a locked value cannot be moved to another).
    pub fn lock(
        &self,
        label: &str,
        from: &[(String, String)],
        value: &serde_json::Value,
    ) -> std::io::Result<Locked> {
        let key = self.run_key(true)?;
        let cipher = XChaCha20Poly1305::new(&derive(&key, from).into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let plain = serde_json::to_vec(value).map_err(std::io::Error::other)?;
        let payload = Payload {
            msg: &plain,
            aad: label.as_bytes(),
        };
        let sealed = cipher
            .encrypt(&nonce, payload)
            .map_err(|_| std::io::Error::other("cannot seal a capture"))?;
        Ok(Locked {
            from: from.iter().map(|(n, _)| n.clone()).collect(),
            nonce: BASE64.encode(nonce),
            sealed: BASE64.encode(sealed),
        })
    }

    /// Opens a locked capture with this session's secrets (`secret(name)`).
    pub fn open<'s>(
        &self,
        label: &str,
        locked: &Locked,
        secret: impl Fn(&str) -> Option<&'s str>,
    ) -> Result<serde_json::Value, Refusal> {
        let mut from = Vec::with_capacity(locked.from.len());
        for name in &locked.from {
            let value = secret(name).ok_or_else(|| Refusal::Missing(name.clone()))?;
            from.push((name.clone(), value.to_string()));
        }
        let key = self
            .run_key(false)
            .map_err(|e| Refusal::NoKey(format!("{}: {e}", self.path.display())))?;
        let cipher = XChaCha20Poly1305::new(&derive(&key, &from).into());
        let nonce = BASE64.decode(&locked.nonce).map_err(|_| Refusal::Changed)?;
        let sealed = BASE64
            .decode(&locked.sealed)
            .map_err(|_| Refusal::Changed)?;
        if nonce.len() != 24 {
            return Err(Refusal::Changed);
        }
        let payload = Payload {
            msg: &sealed,
            aad: label.as_bytes(),
        };
        let plain = cipher
            .decrypt(XNonce::from_slice(&nonce), payload)
            .map_err(|_| Refusal::Changed)?;
        serde_json::from_slice(&plain).map_err(|_| Refusal::Changed)
    }

    fn run_key(&self, create: bool) -> std::io::Result<[u8; 32]> {
        let mut key = [0u8; 32];
        let open = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(nix::libc::O_NOFOLLOW)
            .open(&self.path);
        match open {
            Ok(mut file) => {
                file.read_exact(&mut key)?;
                Ok(key)
            }
            Err(e) if create && e.kind() == std::io::ErrorKind::NotFound => {
                key.copy_from_slice(&XChaCha20Poly1305::generate_key(&mut OsRng));
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .custom_flags(nix::libc::O_NOFOLLOW)
                    .open(&self.path)?;
                file.write_all(&key)?;
                file.sync_all()?;
                Ok(key)
            }
            Err(e) => Err(e),
        }
    }
}

/// The capture key: the run key and each secret (name and value, length-prefixed).
fn derive(run_key: &[u8; 32], from: &[(String, String)]) -> [u8; 32] {
    let mut material = run_key.to_vec();
    for (name, value) in from {
        for part in [name, value] {
            material.extend_from_slice(&(part.len() as u64).to_le_bytes());
            material.extend_from_slice(part.as_bytes());
        }
    }
    blake3::derive_key("runbook 2026-12-02 locked capture v1", &material)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(v: &str) -> Vec<(String, String)> {
        vec![("token".to_string(), v.to_string())]
    }

    #[test]
    fn a_capture_opens_only_with_the_same_secret_and_label() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::beside(&dir.path().join("run.jsonl"));
        let value = serde_json::json!({"header": "Bearer ab"});
        let locked = vault.lock("one\0local\0h", &secrets("ab"), &value).unwrap();
        let text = serde_json::to_string(&locked).unwrap();
        assert!(!text.contains("Bearer"), "{text}");
        assert_eq!(
            vault.open("one\0local\0h", &locked, |_| Some("ab")),
            Ok(value)
        );
        assert_eq!(
            vault.open("one\0local\0h", &locked, |_| Some("ac")),
            Err(Refusal::Changed)
        );
        assert_eq!(
            vault.open("two\0local\0h", &locked, |_| Some("ab")),
            Err(Refusal::Changed)
        );
        assert_eq!(
            vault.open("one\0local\0h", &locked, |_| None),
            Err(Refusal::Missing("token".into()))
        );
        std::fs::remove_file(dir.path().join("run.key")).unwrap();
        assert!(matches!(
            vault.open("one\0local\0h", &locked, |_| Some("ab")),
            Err(Refusal::NoKey(_))
        ));
    }
}
