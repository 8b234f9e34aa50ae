//! Secrecy as taint on values: a value read from a `secret`, or computed from one, is
//! wrapped as [`Value::Secret`] and stays wrapped through every operation. What users see
//! of it is its `shown` form; only commands get the text itself.

use std::sync::Arc;

use super::Value;

/// What a secret is shown as.
pub const MASK: &str = "••••";

/// A value that is, or was computed from, a secret.
#[derive(Debug, Clone, PartialEq)]
pub struct Tainted {
    pub value: Value,
    /// What output, the journal, plans and docs show instead: `••••`, or the text around
    /// the secret (`Bearer ••••`) when the value is a template holding it.
    pub shown: String,
    /// The secrets it comes from, by name, sorted.
    pub from: Vec<String>,
}

/// Wraps `value` as coming from the secrets in `from`; an empty `from` leaves it clear.
pub fn taint(value: Value, from: Vec<String>) -> Value {
    taint_shown(value, MASK.to_string(), from)
}

pub fn taint_shown(value: Value, shown: String, mut from: Vec<String>) -> Value {
    if from.is_empty() {
        return value;
    }
    from.sort();
    from.dedup();
    match value {
        // Already secret: the names join, the value stays wrapped once.
        Value::Secret(inner) => {
            let mut all = inner.from.clone();
            all.extend(from);
            all.sort();
            all.dedup();
            Value::Secret(Arc::new(Tainted {
                value: inner.value.clone(),
                shown: inner.shown.clone(),
                from: all,
            }))
        }
        value => Value::Secret(Arc::new(Tainted { value, shown, from })),
    }
}

/// The value with every wrapper removed (inside lists and maps too), and the names of the
/// secrets that were unwrapped added to `from`. An operation computes on the clear value
/// and wraps its result again with [`taint`].
pub fn reveal(value: Value, from: &mut Vec<String>) -> Value {
    if !holds_secret(&value) {
        return value;
    }
    match value {
        Value::Secret(t) => {
            from.extend(t.from.iter().cloned());
            reveal(t.value.clone(), from)
        }
        Value::List(items) => Value::List(items.into_iter().map(|v| reveal(v, from)).collect()),
        Value::Map(m) => Value::Map(m.into_iter().map(|(k, v)| (k, reveal(v, from))).collect()),
        other => other,
    }
}

/// Whether a secret is anywhere in the value.
pub fn holds_secret(value: &Value) -> bool {
    match value {
        Value::Secret(_) => true,
        Value::List(items) => items.iter().any(holds_secret),
        Value::Map(m) => m.values().any(holds_secret),
        _ => false,
    }
}

/// The value with every secret in it replaced by its shown form: what may be printed or
/// journaled.
pub fn shown(value: &Value) -> Value {
    match value {
        Value::Secret(t) => Value::Str(t.shown.clone()),
        Value::List(items) if holds_secret(value) => Value::List(items.iter().map(shown).collect()),
        Value::Map(m) if holds_secret(value) => {
            Value::Map(m.iter().map(|(k, v)| (k.clone(), shown(v))).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_inside_a_list_is_revealed_and_named() {
        let secret = taint(Value::Str("s3".into()), vec!["token".into()]);
        let list = Value::List(vec![Value::Str("a".into()), secret]);
        let mut from = Vec::new();
        let clear = reveal(list.clone(), &mut from);
        assert_eq!(
            clear,
            Value::List(vec![Value::Str("a".into()), Value::Str("s3".into())])
        );
        assert_eq!(from, vec!["token".to_string()]);
        assert_eq!(shown(&list).to_string(), "a, ••••");
    }

    #[test]
    fn tainting_twice_keeps_one_wrapper_and_both_names() {
        let once = taint(Value::Int(1), vec!["b".into()]);
        let twice = taint(once, vec!["a".into()]);
        let Value::Secret(t) = twice else {
            panic!("not secret")
        };
        assert_eq!(t.value, Value::Int(1));
        assert_eq!(t.from, vec!["a".to_string(), "b".to_string()]);
    }
}
