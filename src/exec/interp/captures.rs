//! What steps captured, by step: the same name may be captured by two steps, and a
//! fan-out step captures a value on each of its hosts.

use std::collections::HashMap;

use crate::value::Value;

/// Captures of the run so far (restored from the journal on resume).
#[derive(Debug, Clone, Default)]
pub struct Captures {
    /// (step, name): the value, the last host's for a fan-out step.
    by_step: HashMap<(String, String), Value>,
    /// (host, step, name): the value that host captured.
    by_host: HashMap<(String, String, String), Value>,
    /// The step that last captured each name: a bare name means that step's (check made
    /// sure only one earlier step, or the current one, captures it).
    latest: HashMap<String, String>,
}

impl Captures {
    pub fn insert(&mut self, host: Option<&str>, step: &str, name: &str, value: Value) {
        if let Some(host) = host {
            let key = (host.to_string(), step.to_string(), name.to_string());
            self.by_host.insert(key, value.clone());
        }
        self.by_step
            .insert((step.to_string(), name.to_string()), value);
        self.latest.insert(name.to_string(), step.to_string());
    }

    /// `STEP.NAME` as `host` has it, falling back to the last host's value.
    pub fn of_step(&self, host: Option<&str>, step: &str, name: &str) -> Option<&Value> {
        let on_host = host.and_then(|h| {
            self.by_host
                .get(&(h.to_string(), step.to_string(), name.to_string()))
        });
        on_host.or_else(|| self.by_step.get(&(step.to_string(), name.to_string())))
    }

    /// A bare name: the current step's own capture first, then the step that captured it.
    pub fn bare(&self, host: Option<&str>, current: Option<&str>, name: &str) -> Option<&Value> {
        if let Some(v) = current.and_then(|step| self.of_step(host, step, name)) {
            return Some(v);
        }
        let step = self.latest.get(name)?;
        self.of_step(host, step, name)
    }

    /// Takes what another interpreter (a fan-out's host) captured.
    pub fn merge(&mut self, other: &Captures) {
        self.by_host
            .extend(other.by_host.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.by_step
            .extend(other.by_step.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.latest
            .extend(other.latest.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
}
