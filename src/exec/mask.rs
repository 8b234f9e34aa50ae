//! Secret values never leave: every text bound for output goes through the masker.

use std::borrow::Cow;

pub const MASK: &str = "••••";

#[derive(Debug, Default, Clone)]
pub struct Masker {
    /// Longest first, so a secret containing another is masked whole.
    secrets: Vec<String>,
}

impl Masker {
    pub fn add(&mut self, secret: &str) {
        // Masking very short values would garble ordinary output; they are still never
        // journaled or shown as values, but cannot be scrubbed from free text.
        if secret.len() < 3 {
            return;
        }
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
        use serde_json::Value as J;
        match value {
            J::String(s) => match self.mask(s) {
                Cow::Owned(masked) => {
                    *s = masked;
                    true
                }
                Cow::Borrowed(_) => false,
            },
            J::Array(items) => items
                .iter_mut()
                .fold(false, |any, v| self.mask_json(v) | any),
            J::Object(map) => {
                let entries = std::mem::take(map);
                let mut any = false;
                for (k, mut v) in entries {
                    any |= self.mask_json(&mut v);
                    let key = self.mask(&k).into_owned();
                    any |= key != k;
                    map.insert(key, v);
                }
                any
            }
            J::Null | J::Bool(_) | J::Number(_) => false,
        }
    }
}
