//! A code block as a person reads it: which lines are commands, which are their output (a
//! console transcript), which are queries for another tool, which are input for a client.

use std::sync::OnceLock;

use regex::Regex;

/// What a fence's language says its content is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Commands for a POSIX shell (or a transcript of them).
    Shell,
    /// SQL: runs only through a client the text names.
    Sql,
    /// PowerShell: not something `sh` can run.
    PowerShell,
    /// Configuration, data, logs, queries: never run.
    Data,
}

pub fn kind(lang: &str) -> Kind {
    match lang.to_ascii_lowercase().as_str() {
        "" | "bash" | "sh" | "shell" | "console" | "zsh" | "shell-session" | "sh-session"
        | "bash-session" | "terminal" => Kind::Shell,
        "sql" | "psql" | "pgsql" | "postgresql" | "postgres" | "mysql" | "plpgsql" => Kind::Sql,
        "powershell" | "ps1" | "ps" | "pwsh" => Kind::PowerShell,
        _ => Kind::Data,
    }
}

/// A line (or lines) of a shell block, classified.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// A `#` comment of the block.
    Comment(String),
    /// A command, with the output a transcript shows after it.
    Command { text: String, output: Vec<String> },
    /// Lines that are not commands: output with no command before it, or queries.
    Output {
        lines: Vec<String>,
        why: &'static str,
    },
    /// A line typed into the interactive client opened above (`> info`, `app=# SELECT 1;`).
    ClientInput(String),
    /// A command for another shell (a `PS>` prompt): kept for review.
    Foreign(String),
}

/// What the text just before the block says of it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// "The output should look like this:", "logs lines like these:".
    pub output: bool,
    /// "Check with the following query", "PromQL".
    pub query: bool,
}

impl Context {
    pub fn of(text: &str) -> Context {
        let lower = text.to_lowercase();
        let output = [
            "output",
            "look like this",
            "looks like this",
            "similar to",
            "lines like these",
            "you should see",
            "will print",
            "prints something",
            "returns something",
        ]
        .iter()
        .any(|w| lower.contains(w));
        let query = [
            "promql",
            "query",
            "queries",
            "metrics console",
            "logql",
            "grafana",
        ]
        .iter()
        .any(|w| lower.contains(w));
        Context { output, query }
    }
}

/// The pieces of a shell block.
pub fn pieces(code: &str, context: Context) -> Vec<Piece> {
    let lines: Vec<&str> = code.lines().collect();
    let transcript = lines.iter().any(|l| prompt(l).is_some());
    if !transcript && context.output {
        return vec![Piece::Output {
            lines: lines.iter().map(|l| l.to_string()).collect(),
            why: "output",
        }];
    }
    let mut out: Vec<Piece> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i].trim_end();
        i += 1;
        let line = raw.trim_start();
        if line.is_empty() {
            continue;
        }
        let command = if transcript {
            match prompt(line) {
                Some(Prompt::Shell(rest)) => rest,
                Some(Prompt::Root(rest)) => rest,
                Some(Prompt::PowerShell(rest)) => {
                    out.push(Piece::Foreign(rest.to_string()));
                    continue;
                }
                Some(Prompt::Client(rest)) => {
                    out.push(Piece::ClientInput(rest.to_string()));
                    continue;
                }
                None => match line.strip_prefix("# ") {
                    // A bare `# ` is a root prompt when a command follows it.
                    Some(rest) if super::shell::known_command(rest) => rest,
                    _ => {
                        push_output(&mut out, line, "output");
                        continue;
                    }
                },
            }
        } else {
            if let Some(comment) = line.strip_prefix('#') {
                out.push(Piece::Comment(comment.trim().to_string()));
                continue;
            }
            if let Some(rest) = line.strip_prefix("> ") {
                out.push(Piece::ClientInput(rest.to_string()));
                continue;
            }
            if let Some(why) = not_a_command(line, context) {
                push_output(&mut out, line, why);
                continue;
            }
            line
        };
        let mut text = command.to_string();
        while (text.ends_with('\\') || text.ends_with('|')) && i < lines.len() {
            let next = lines[i].trim();
            let next = next.strip_prefix("> ").map_or(next, str::trim_start);
            if text.ends_with('\\') {
                text.pop();
                text.push_str("\\\n");
            } else {
                text.push('\n');
            }
            text.push_str(next);
            i += 1;
        }
        if let Some(word) = super::shell::heredoc_word(&text) {
            while i < lines.len() {
                let body = lines[i];
                i += 1;
                text.push('\n');
                text.push_str(body.strip_prefix("> ").unwrap_or(body));
                if body.trim().trim_start_matches("> ") == word {
                    break;
                }
            }
        }
        out.push(Piece::Command {
            text,
            output: Vec::new(),
        });
    }
    out
}

/// Output after a command belongs to it; output with none before it stands alone.
fn push_output(out: &mut Vec<Piece>, line: &str, why: &'static str) {
    match out.last_mut() {
        Some(Piece::Command { output, .. }) if why == "output" => output.push(line.to_string()),
        Some(Piece::Output { lines, why: w }) if *w == why => lines.push(line.to_string()),
        _ => out.push(Piece::Output {
            lines: vec![line.to_string()],
            why,
        }),
    }
}

enum Prompt<'a> {
    Shell(&'a str),
    Root(&'a str),
    PowerShell(&'a str),
    Client(&'a str),
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|_| unreachable!("a valid regex")))
}

/// The prompt a transcript line starts with, and the command after it.
fn prompt(line: &str) -> Option<Prompt<'_>> {
    static HOST: OnceLock<Regex> = OnceLock::new();
    static CLIENT: OnceLock<Regex> = OnceLock::new();
    static PS: OnceLock<Regex> = OnceLock::new();
    let line = line.trim_start();
    if let Some(rest) = line.strip_prefix("$ ") {
        return Some(Prompt::Shell(rest));
    }
    // `user@host:~$ `, `host $ `, `[root@much ~]# `, `root@web1:~# `
    let host = re(
        &HOST,
        r"^(?:(?:\[[^\]]+\]|[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+(?::\S*)?)\s?([$#])|[A-Za-z0-9_.-]+(?::\S*)?\s?(\$)) (.*)$",
    );
    if let Some(c) = host.captures(line) {
        let rest = c.get(3).map_or("", |m| m.as_str());
        let start = line.len() - rest.len();
        let sign = c.get(1).or_else(|| c.get(2)).map_or("$", |m| m.as_str());
        return Some(if sign == "#" {
            Prompt::Root(&line[start..])
        } else {
            Prompt::Shell(&line[start..])
        });
    }
    let ps = re(&PS, r"^PS(?: [^>]*)?> (.*)$");
    if let Some(c) = ps.captures(line) {
        let start = line.len() - c.get(1).map_or(0, |m| m.as_str().len());
        return Some(Prompt::PowerShell(&line[start..]));
    }
    // `mysql> `, `app=# `, `postgres=> `, `127.0.0.1:6379> `
    let client = re(
        &CLIENT,
        r"^(?:(?:mysql|mariadb|sqlite|redis[^>\s]*)>|[a-z_][a-z0-9_]*=[#>]|\d+\.\d+\.\d+\.\d+:\d+>) (.*)$",
    );
    if let Some(c) = client.captures(line) {
        let start = line.len() - c.get(1).map_or(0, |m| m.as_str().len());
        return Some(Prompt::Client(&line[start..]));
    }
    None
}

/// Why a line of a block with no prompts is not a command, if it is not one.
fn not_a_command(line: &str, context: Context) -> Option<&'static str> {
    static LOG: OnceLock<Regex> = OnceLock::new();
    static TABLE: OnceLock<Regex> = OnceLock::new();
    let log = re(
        &LOG,
        r"^(?:[A-Z][a-z]{2} [ 0-9]?\d \d\d:\d\d:\d\d |\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\[\d{4}-\d\d-\d\d|HTTP/\d|[●○] |[A-Z][A-Za-z ]+: )",
    );
    if log.is_match(line) {
        return Some("output");
    }
    let table = re(&TABLE, r"^[A-Z][A-Z_-]+(?:\s{2,}[A-Z][A-Z_-]+)+\s*$");
    if table.is_match(line) {
        return Some("output");
    }
    if query_like(line) || (context.query && !super::shell::known_command(line)) {
        return Some("a query for another tool, not a shell command");
    }
    None
}

/// PromQL and the like: a call before any space (`rate(x[5m])`), a parenthesis first, or a
/// lone metric name.
fn query_like(line: &str) -> bool {
    let first = line.split_whitespace().next().unwrap_or("");
    if line.starts_with('(') {
        return true;
    }
    if let Some(paren) = first.find('(') {
        let name = &first[..paren];
        return !name.is_empty()
            && !name.contains('$')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    }
    let lone = line.split_whitespace().count() == 1;
    lone && first.contains('_')
        && first.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '{' | '}' | '=' | '"' | '[' | ']')
        })
        && !super::shell::known_command(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(code: &str) -> Vec<String> {
        pieces(code, Context::default())
            .into_iter()
            .filter_map(|p| match p {
                Piece::Command { text, .. } => Some(text),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_transcript_keeps_commands_and_sets_output_apart() {
        let p = pieces(
            "web1 $ systemctl is-active nginx\nactive\n",
            Context::default(),
        );
        assert_eq!(
            p,
            vec![Piece::Command {
                text: "systemctl is-active nginx".into(),
                output: vec!["active".into()]
            }]
        );
        assert_eq!(
            commands("root@web1:~# nginx -t\nnginx: ok\nroot@web1:~# systemctl reload nginx\n"),
            ["nginx -t", "systemctl reload nginx"]
        );
        assert_eq!(
            commands("$ awk '$9 ~ /^5/' log \\\n>   | wc -l\n3\n"),
            ["awk '$9 ~ /^5/' log \\\n| wc -l"]
        );
        assert_eq!(
            commands("[root@much ~]# hostnamectl\n   Static hostname: much\n"),
            ["hostnamectl"]
        );
    }

    #[test]
    fn queries_and_logs_are_not_commands() {
        assert!(commands(
            "min_over_time(node_timex_sync_status[5m])\nnode_timex_maxerror_seconds\n"
        )
        .is_empty());
        assert!(commands("(a_bytes / b_bytes) * 100\n").is_empty());
        assert!(commands("Oct 18 19:39:36 ip-1 chronyd[2055]: System clock wrong\n").is_empty());
        assert_eq!(
            commands("systemctl status chronyd\n"),
            ["systemctl status chronyd"]
        );
        let ctx = Context {
            output: true,
            query: false,
        };
        assert!(pieces("sudo tail\n", ctx)
            .iter()
            .all(|p| matches!(p, Piece::Output { .. })));
    }
}
