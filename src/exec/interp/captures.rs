//! What steps captured, by step: the same name may be captured by two steps, and a
//! fan-out step captures a value on each of its hosts.

use std::collections::HashMap;

use crate::value::Value;

/// A step's captures, by name.
type OfStep = HashMap<String, Value>;

/// Captures of the run so far (restored from the journal on resume). Nested by step (and
/// host) so that a read looks them up by `&str`, allocating nothing.
#[derive(Debug, Clone, Default)]
pub struct Captures {
    /// step -> name: the value, the last host's for a fan-out step.
    by_step: HashMap<String, OfStep>,
    /// host -> step -> name: the value that host captured.
    by_host: HashMap<String, HashMap<String, OfStep>>,
}

impl Captures {
    pub fn insert(&mut self, host: Option<&str>, step: &str, name: &str, value: Value) {
        if let Some(host) = host {
            self.by_host
                .entry(host.to_string())
                .or_default()
                .entry(step.to_string())
                .or_default()
                .insert(name.to_string(), value.clone());
        }
        self.by_step
            .entry(step.to_string())
            .or_default()
            .insert(name.to_string(), value);
    }

    /// `STEP.NAME` as `host` has it, falling back to the last host's value.
    pub fn of_step(&self, host: Option<&str>, step: &str, name: &str) -> Option<&Value> {
        let on_host = host
            .and_then(|h| self.by_host.get(h))
            .and_then(|steps| steps.get(step))
            .and_then(|names| names.get(name));
        on_host.or_else(|| self.by_step.get(step).and_then(|names| names.get(name)))
    }

    /// Takes what another interpreter (a fan-out's host) captured.
    pub fn merge(&mut self, other: &Captures) {
        for (host, steps) in &other.by_host {
            let mine = self.by_host.entry(host.clone()).or_default();
            for (step, names) in steps {
                let of_step = mine.entry(step.clone()).or_default();
                of_step.extend(names.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        for (step, names) in &other.by_step {
            let of_step = self.by_step.entry(step.clone()).or_default();
            of_step.extend(names.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
}
