//! Secret values never leave: every text bound for output goes through the masker.

use std::borrow::Cow;

pub use crate::value::taint::MASK;

/// Brackets a secret's name in a sealed capture of a format 2 journal.
const SEAL: char = '\u{1}';

/// Shorter secrets cannot be scrubbed from free text: `ab` would garble every word.
const MIN_SCRUBBED: usize = 3;

#[derive(Debug, Default, Clone)]
pub struct Masker {
    /// The texts scrubbed from free text (command output), longest first, so a secret
    /// containing another is masked whole.
    secrets: Vec<String>,
    /// Every secret by name, whatever its length: what vaults lock captures with.
    named: Vec<(String, String)>,
    /// Secrets too short to scrub from free text without garbling it.
    short: Vec<String>,
}

impl Masker {
    pub fn add(&mut self, name: &str, secret: &str) {
        self.named.push((name.to_string(), secret.to_string()));
        self.named.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
        if !self.scrub(secret) {
            self.short.push(name.to_string());
        }
    }

    /// Scrubs `secret` (a value made from secrets, handed to one command) from free text
    /// too; false when it is too short to.
    pub fn scrub(&mut self, secret: &str) -> bool {
        // Every line of a multi-line secret too: output is scrubbed line by line.
        let lines = secret.lines().filter(|l| l.len() != secret.len());
        let mut forms: Vec<String> = std::iter::once(secret)
            .chain(lines)
            .filter(|f| f.trim().len() >= MIN_SCRUBBED)
            .map(str::to_string)
            .collect();
        if forms.is_empty() {
            return false;
        }
        // A command holds a secret as a quoted shell word, which may differ from the
        // secret itself (`it's` becomes `"it's"`, or is split between quotes).
        forms.extend(super::value::quote(secret).ok());
        for form in forms {
            if !self.secrets.contains(&form) {
                self.secrets.push(form);
            }
        }
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        true
    }

    /// The value of a secret, by name.
    pub fn value_of(&self, name: &str) -> Option<&str> {
        self.named
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Secrets too short to be found in what commands print (they are masked wherever
    /// runbook itself puts them).
    pub fn short(&self) -> &[String] {
        &self.short
    }

    /// The secrets whose text appears in a JSON value (a capture of command output that
    /// printed one), by name.
    pub fn found_in(&self, value: &serde_json::Value) -> Vec<String> {
        let mut found = Vec::new();
        let mut copy = value.clone();
        map_strings(&mut copy, &mut |s: &mut String| {
            for (name, secret) in &self.named {
                let scrubbed = self.secrets.iter().any(|f| f == secret);
                if scrubbed && s.contains(secret.as_str()) && !found.contains(name) {
                    found.push(name.clone());
                }
            }
            true
        });
        found.sort();
        found
    }

    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = Cow::Owned(out.replace(s.as_str(), MASK));
            }
        }
        out
    }

    /// Masks every string (and map key) of a JSON value. Masking its serialized text
    /// instead would miss a secret holding `"` or `\`, which JSON escapes. Says whether
    /// anything was masked.
    pub fn mask_json(&self, value: &mut serde_json::Value) -> bool {
        let mut any = false;
        map_strings(value, &mut |s: &mut String| {
            if let Cow::Owned(masked) = self.mask(s) {
                *s = masked;
                any = true;
            }
            true
        });
        any
    }

    /// Restores a `sealed` capture of a format 2 journal (each secret as its name between
    /// two U+0001) with this session's secrets; a secret that no longer exists stays
    /// masked.
    pub fn unseal_json(&self, sealed: &serde_json::Value) -> serde_json::Value {
        let mut value = sealed.clone();
        map_strings(&mut value, &mut |s: &mut String| {
            if s.contains(SEAL) {
                *s = s
                    .split(SEAL)
                    .enumerate()
                    .map(|(i, part)| match i % 2 {
                        0 => part,
                        _ => self
                            .named
                            .iter()
                            .find(|(name, _)| name == part)
                            .map_or(MASK, |(_, secret)| secret.as_str()),
                    })
                    .collect();
            }
            true
        });
        value
    }
}

/// Applies `f` to every string and map key of a JSON value; false when `f` refused one.
fn map_strings(value: &mut serde_json::Value, f: &mut dyn FnMut(&mut String) -> bool) -> bool {
    use serde_json::Value as J;
    match value {
        J::String(s) => f(s),
        J::Array(items) => items.iter_mut().all(|v| map_strings(v, f)),
        J::Object(map) => {
            let mut ok = true;
            for (mut k, mut v) in std::mem::take(map) {
                ok &= f(&mut k) && map_strings(&mut v, f);
                map.insert(k, v);
            }
            ok
        }
        J::Null | J::Bool(_) | J::Number(_) => true,
    }
}
