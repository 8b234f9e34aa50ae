//! What the operator must say: placeholders (`<commit-hash>`, `<CID>`, `YOUR_TOKEN`, `$HOST`),
//! values the document sets (`export DEPLOY_HOST=...`), alternatives and conditions.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use regex::Regex;

use super::text::{escape_into, ident, literal_plain};

#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// Stands for a placeholder of the original: required.
    Placeholder(String),
    /// Set by the document to one value (a default) or to several (required, one of them).
    Assigned(BTreeSet<String>),
    /// Picks one of alternative sections: required, one of them.
    Choice(BTreeSet<String>),
    /// "If ...": off unless the operator says so.
    Condition(String),
}

/// Environment variables every shell has: never placeholders.
const WELL_KNOWN: &[&str] = &[
    "HOME", "PATH", "USER", "PWD", "SHELL", "HOSTNAME", "LANG", "TERM", "PPID", "UID", "EUID",
    "RANDOM", "SECONDS", "LINENO", "OLDPWD", "IFS", "TMPDIR", "EDITOR", "PAGER", "LOGNAME",
];

#[derive(Debug, Default)]
pub struct Params {
    pub all: BTreeMap<String, Param>,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|_| unreachable!("a valid regex")))
}

/// `NAME=value` or `export NAME=value` alone, NAME in capitals: the name and the value.
pub fn assignment(command: &str) -> Option<(String, String)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let r = re(
        &RE,
        r#"^(?:export\s+)?([A-Z][A-Z0-9_]*)=("[^"]*"|'[^']*'|\S*)$"#,
    );
    let c = r.captures(command.trim())?;
    let value = c[2].trim_matches(|q| q == '"' || q == '\'').to_string();
    Some((c[1].to_string(), value))
}

impl Params {
    pub fn assign(&mut self, name: &str, value: &str) {
        let entry = self
            .all
            .entry(ident(&name.to_lowercase()))
            .or_insert_with(|| Param::Assigned(BTreeSet::new()));
        if let Param::Assigned(values) = entry {
            values.insert(value.to_string());
        }
    }

    pub fn choice(&mut self, name: &str, value: &str) {
        let entry = self
            .all
            .entry(name.to_string())
            .or_insert_with(|| Param::Choice(BTreeSet::new()));
        if let Param::Choice(values) = entry {
            values.insert(value.to_string());
        }
    }

    /// A bool param for a condition of the text; its name.
    pub fn condition(&mut self, text: &str) -> String {
        let name = condition_name(text);
        self.all
            .entry(name.clone())
            .or_insert_with(|| Param::Condition(text.trim().to_string()));
        name
    }

    /// A bool param, off by default, with this name.
    pub fn condition_named(&mut self, name: &str, text: &str) {
        self.all
            .insert(name.to_string(), Param::Condition(text.to_string()));
    }

    /// Drops the choices and conditions no step's `when` ended up using.
    pub fn keep_used(&mut self, whens: &[String]) {
        let used = |name: &str| {
            whens.iter().any(|w| {
                w.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .any(|word| word == name)
            })
        };
        self.all
            .retain(|name, p| !matches!(p, Param::Choice(_) | Param::Condition(_)) || used(name));
    }

    /// The declarations, each with a doc comment saying what it stands for.
    pub fn declarations(&self) -> String {
        let mut out = String::new();
        for (name, param) in &self.all {
            let line = match param {
                Param::Placeholder(p) => {
                    format!("## Stands for `{p}` in the original.\nparam {name}: string\n")
                }
                Param::Assigned(values) if values.len() == 1 => {
                    let v = values.iter().next().map_or("", |v| v.as_str());
                    format!(
                        "## Set by the original.\nparam {name} = {}\n",
                        literal_plain(v)
                    )
                }
                Param::Assigned(values) | Param::Choice(values) => {
                    let list: Vec<&str> = values.iter().map(|v| v.as_str()).collect();
                    format!(
                        "## One of: {} (the original gives each as an alternative).\nparam {name}: string\n",
                        list.join(", ")
                    )
                }
                Param::Condition(text) => format!(
                    "## Off unless you say so: \"{}\"\nparam {name} = false\n",
                    text.replace('"', "'")
                ),
            };
            out.push_str(&line);
        }
        out
    }

    /// The command as a runbook string: escaped, placeholders turned into params (closing and
    /// reopening the shell quotes around them, so the value stays one quoted word).
    pub fn command_literal(&mut self, command: &str) -> String {
        static RE: OnceLock<Regex> = OnceLock::new();
        let re = re(
            &RE,
            r"<[a-zA-Z][a-zA-Z0-9_-]*>|YYYY-?MM-?DD(?:-HHMMSS)?|\bYOUR_[A-Z0-9_]+\b|\$\{?[A-Z][A-Z0-9_]*\}?",
        );
        let mut out = String::from("\"");
        let mut quote: Option<char> = None;
        let mut last = 0;
        // A heredoc's body is data (HTML, config), not placeholders: only its first line counts.
        let searched = if command.contains("<<") {
            command.split('\n').next().unwrap_or("")
        } else {
            command
        };
        let local = assigned_within(command);
        for m in re.find_iter(searched) {
            let placeholder = m.as_str();
            let bare = placeholder.trim_matches(['<', '>', '$', '{', '}']);
            if placeholder.starts_with('$') && (WELL_KNOWN.contains(&bare) || local.contains(bare))
            {
                continue;
            }
            // Inside single quotes, `$X` is not expanded by the shell: it is no placeholder.
            let quote_here = escape_into(&mut String::new(), &command[..m.start()], None);
            if placeholder.starts_with('$') && quote_here == Some('\'') {
                continue;
            }
            quote = escape_into(&mut out, &command[last..m.start()], quote);
            let name = ident(&bare.to_lowercase());
            self.all
                .entry(name.clone())
                .or_insert_with(|| Param::Placeholder(placeholder.to_string()));
            let interp = format!("{{{{ {name} }}}}");
            match quote {
                None => out.push_str(&interp),
                Some('\'') => out.push_str(&format!("'{interp}'")),
                Some(_) => out.push_str(&format!("\\\"{interp}\\\"")),
            }
            last = m.end();
        }
        escape_into(&mut out, &command[last..], quote);
        out.push('"');
        out
    }
}

/// Variables the command sets itself (`X=...`, `for X in`, `read X`): not placeholders.
fn assigned_within(command: &str) -> BTreeSet<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let r = re(
        &RE,
        r"(?:^|[\s;(])(?:([A-Z][A-Z0-9_]*)=|for\s+([A-Z][A-Z0-9_]*)\s+in|read\s+(?:-\w+\s+)*([A-Z][A-Z0-9_]*))",
    );
    r.captures_iter(command)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3)))
        .map(|m| m.as_str().to_string())
        .collect()
}

/// A param name for "If the link is down, restart redis" (`if_the_link_is_down`) or "Roll
/// back to <hash> if needed" (`roll_back_to_hash`).
fn condition_name(text: &str) -> String {
    let t = text.trim().trim_end_matches(':');
    let lower = t.to_lowercase();
    let clause = if lower.starts_with("if ") {
        t.split([',', ':', '.']).next().unwrap_or(t).to_string()
    } else {
        let cut = lower
            .find(" if ")
            .or_else(|| lower.find(" only when "))
            .unwrap_or(t.len());
        t[..cut].to_string()
    };
    let words: Vec<&str> = clause
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
        .collect();
    ident(&words.join("_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_params_and_shell_variables_stay() {
        let mut p = Params::default();
        assert_eq!(
            p.command_literal("git checkout <commit-hash> && echo $HOME $DEPLOY_HOST"),
            "\"git checkout {{ commit_hash }} && echo $HOME {{ deploy_host }}\""
        );
        assert_eq!(
            p.command_literal("for F in a b; do echo $F; done; awk '{print $NR}'"),
            "\"for F in a b; do echo $F; done; awk '{print $NR}'\""
        );
        assert!(p.all.contains_key("commit_hash") && p.all.contains_key("deploy_host"));
        assert_eq!(
            condition_name("If the link is down, restart redis on the replica:"),
            "if_the_link_is_down"
        );
        assert_eq!(
            condition_name("Roll back to `<previous-commit>` if needed:"),
            "roll_back_to_previous_commit"
        );
        assert_eq!(
            assignment("export DEPLOY_HOST=api.internal"),
            Some(("DEPLOY_HOST".into(), "api.internal".into()))
        );
        assert_eq!(
            assignment("NAMESPACE=\"kube-etcd\""),
            Some(("NAMESPACE".into(), "kube-etcd".into()))
        );
    }
}
