//! The role of each section: an ordinary part of the procedure, the undoing of it (`##
//! Rollback`), or one of several alternatives (Staging / Production, Option A / B).

use super::markdown::Section;
use super::text::ident;

#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    Plain,
    /// Undoes the procedure: never run after a success.
    Rollback,
    /// One of several: runs when `param == value`.
    Alternative {
        param: String,
        value: String,
    },
}

/// The roles of the sections, in order. A section under a rollback or alternative heading
/// has its parent's role.
pub fn roles(sections: &[Section]) -> Vec<Role> {
    let mut roles = vec![Role::Plain; sections.len()];
    for (i, s) in sections.iter().enumerate() {
        if is_rollback(&s.heading) {
            roles[i] = Role::Rollback;
        }
    }
    for (i, s) in sections.iter().enumerate() {
        let Some(param) = alternative_kind(&s.heading) else {
            continue;
        };
        // An alternative needs a sibling of the same kind: "Production" alone is a heading.
        let siblings = sections
            .iter()
            .enumerate()
            .filter(|(j, o)| {
                *j != i
                    && o.level == s.level
                    && alternative_kind(&o.heading) == Some(param)
                    && same_parent(sections, i, *j)
            })
            .count();
        if siblings > 0 && roles[i] == Role::Plain {
            roles[i] = Role::Alternative {
                param: param.to_string(),
                value: alternative_value(&s.heading),
            };
        }
    }
    // Subsections take the role of the section they are in.
    for i in 1..sections.len() {
        if roles[i] != Role::Plain {
            continue;
        }
        if let Some(parent) = (0..i)
            .rev()
            .find(|&j| sections[j].level < sections[i].level)
        {
            if roles[parent] != Role::Plain {
                roles[i] = roles[parent].clone();
            }
        }
    }
    roles
}

fn is_rollback(heading: &str) -> bool {
    let h = heading.trim().to_lowercase();
    [
        "rollback",
        "roll back",
        "rolling back",
        "revert",
        "undo",
        "back out",
        "backout",
    ]
    .iter()
    .any(|w| h.starts_with(w) || h.ends_with(w) || h.contains(&format!(": {w}")))
}

fn alternative_kind(heading: &str) -> Option<&'static str> {
    let h = heading.trim().to_lowercase();
    let first = h.split_whitespace().next().unwrap_or("");
    if matches!(
        first,
        "staging" | "production" | "prod" | "dev" | "development" | "test" | "testing" | "qa"
    ) && h.split_whitespace().count() <= 3
    {
        return Some("environment");
    }
    let mut words = h.split_whitespace();
    if matches!(
        words.next(),
        Some("option" | "method" | "alternative" | "approach")
    ) && words
        .next()
        .is_some_and(|w| w.trim_end_matches(':').len() <= 2)
    {
        return Some("option");
    }
    None
}

fn alternative_value(heading: &str) -> String {
    let h = heading.trim().to_lowercase();
    let words: Vec<&str> = h.split_whitespace().collect();
    match words.as_slice() {
        ["option" | "method" | "alternative" | "approach", v, ..] => ident(v.trim_end_matches(':')),
        [first, ..] => ident(first),
        [] => "default".into(),
    }
}

fn same_parent(sections: &[Section], a: usize, b: usize) -> bool {
    let parent = |i: usize| {
        (0..i)
            .rev()
            .find(|&j| sections[j].level < sections[i].level)
    };
    parent(a) == parent(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(heading: &str, level: usize) -> Section {
        Section {
            heading: heading.into(),
            level,
            items: Vec::new(),
        }
    }

    #[test]
    fn rollbacks_and_alternatives_are_told_apart() {
        let s = [
            section("Before you start", 2),
            section("Staging", 3),
            section("Production", 3),
            section("Deploy", 2),
            section("Rollback", 2),
            section("Restore the dump", 3),
        ];
        let r = roles(&s);
        assert_eq!(r[0], Role::Plain);
        assert_eq!(
            r[1],
            Role::Alternative {
                param: "environment".into(),
                value: "staging".into()
            }
        );
        assert_eq!(r[3], Role::Plain);
        assert_eq!(r[4], Role::Rollback);
        assert_eq!(r[5], Role::Rollback);
        assert_eq!(roles(&[section("Production", 2)]), [Role::Plain]);
    }
}
