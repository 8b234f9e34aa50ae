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
        if secret.len() >= 3 && !self.secrets.iter().any(|s| s == secret) {
            self.secrets.push(secret.to_string());
            self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
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
}
