//! Secret values never leave: every text bound for output goes through the masker.

use std::borrow::Cow;

pub const MASK: &str = "••••";

/// Brackets a secret's name in a sealed capture: a control character, which command output
/// practically never holds (a value that does is left masked, not sealed).
const SEAL: char = '\u{1}';

#[derive(Debug, Default, Clone)]
pub struct Masker {
    /// Longest first, so a secret containing another is masked whole.
    secrets: Vec<String>,
    /// (name, value), longest value first: what sealing replaces and unsealing restores.
    named: Vec<(String, String)>,
}

impl Masker {
    pub fn add(&mut self, name: &str, secret: &str) {
        // Masking very short values would garble ordinary output; they are still never
        // journaled or shown as values, but cannot be scrubbed from free text.
        if secret.len() < 3 {
            return;
        }
        self.named.push((name.to_string(), secret.to_string()));
        self.named.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
        // A command holds a secret as a quoted shell word, which may differ from the
        // secret itself (`it's` becomes `"it's"`, or is split between quotes).
        let quoted = super::value::quote(secret).ok();
        for form in std::iter::once(secret.to_string()).chain(quoted) {
            if !self.secrets.contains(&form) {
                self.secrets.push(form);
            }
        }
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
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

    /// A captured value with each secret replaced by a reference to its name, for the
    /// journal: a resumed run puts the secrets (read again) back. `None` when nothing
    /// needs sealing or a string already holds the bracket character.
    pub fn seal_json(&self, value: &serde_json::Value) -> Option<serde_json::Value> {
        let mut sealed = value.clone();
        let mut any = false;
        let ok = map_strings(&mut sealed, &mut |s: &mut String| {
            if s.contains(SEAL) {
                return false;
            }
            for (name, secret) in &self.named {
                if s.contains(secret.as_str()) {
                    *s = s.replace(secret.as_str(), &format!("{SEAL}{name}{SEAL}"));
                    any = true;
                }
            }
            true
        });
        (ok && any).then_some(sealed)
    }

    /// Undoes [`Masker::seal_json`] with this session's secrets; a secret that no longer
    /// exists stays masked.
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
