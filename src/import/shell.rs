//! Shell code blocks as commands: prompts stripped, `\` continuations joined, heredocs kept
//! whole, comments kept apart; and `ssh HOST "cmd"` unwrapped.

use std::sync::OnceLock;

use regex::Regex;

#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    Comment(String),
    Command(String),
}

pub fn split(code: &str) -> Vec<Line> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i].trim_end();
        i += 1;
        let line = raw.trim_start();
        let line = line.strip_prefix("$ ").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            out.push(Line::Comment(comment.trim().to_string()));
            continue;
        }
        let mut command = line.to_string();
        while command.ends_with('\\') && i < lines.len() {
            command.pop();
            command.push_str("\\\n");
            command.push_str(lines[i].trim());
            i += 1;
        }
        if let Some(word) = heredoc_word(&command) {
            while i < lines.len() {
                let body = lines[i];
                i += 1;
                command.push('\n');
                command.push_str(body);
                if body.trim() == word {
                    break;
                }
            }
        }
        out.push(Line::Command(command));
    }
    out
}

/// The terminator of a heredoc the command opens (`<<EOF`, `<<-'EOF'`, `<< "END"`).
fn heredoc_word(command: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r#"<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?"#)
            .unwrap_or_else(|_| unreachable!("a valid regex"))
    });
    re.captures(command).map(|c| c[1].to_string())
}

/// A command run over ssh: `ssh [options] HOST "remote command"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Remote {
    pub host: String,
    pub command: String,
}

pub enum Target {
    Local(String),
    Remote(Remote),
    /// Cannot be unwrapped faithfully: why.
    Unclear(String),
}

/// Splits off an `ssh HOST` prefix. Options other than `-p`, `-i`, `-l` and `-o` are not
/// understood (port forwards, interactive terminals): such lines go to review.
pub fn target(command: &str) -> Target {
    let trimmed = command.trim_start();
    if !(trimmed.starts_with("ssh ") || trimmed == "ssh") {
        return Target::Local(command.to_string());
    }
    let Some(words) = shlex::split(trimmed) else {
        return Target::Unclear("its quoting could not be read".into());
    };
    let mut it = words.into_iter().skip(1).peekable();
    let mut host = None;
    while let Some(w) = it.next() {
        match w.as_str() {
            "-p" | "-i" | "-l" | "-o" => {
                it.next();
            }
            "-t" | "-tt" => {
                return Target::Unclear("it asks for an interactive terminal (ssh -t)".into())
            }
            w if w.starts_with('-') => {
                return Target::Unclear(format!("ssh option `{w}` is not understood"))
            }
            _ => {
                host = Some(w);
                break;
            }
        }
    }
    let Some(host) = host else {
        return Target::Unclear("no host after `ssh`".into());
    };
    let rest: Vec<String> = it.collect();
    if rest.is_empty() {
        return Target::Unclear(format!("an interactive login to {host}"));
    }
    Target::Remote(Remote {
        host,
        command: rest.join(" "),
    })
}

/// Why a command cannot run unattended, if it looks like it cannot.
pub fn interactive(command: &str) -> Option<&'static str> {
    let padded = format!(" {command} ");
    let checks: [(&str, &str); 8] = [
        (" -it ", "it needs an interactive terminal (-it)"),
        (" -ti ", "it needs an interactive terminal (-ti)"),
        ("logs -f ", "it follows a log forever (-f)"),
        (" tail -f ", "it follows a file forever (tail -f)"),
        (" journalctl -f", "it follows the journal forever (-f)"),
        (" watch ", "it refreshes forever (watch)"),
        (" tcpdump ", "it captures until stopped (tcpdump)"),
        (" top ", "it is interactive (top)"),
    ];
    checks
        .iter()
        .find(|(needle, _)| padded.contains(needle))
        .map(|(_, why)| *why)
}
