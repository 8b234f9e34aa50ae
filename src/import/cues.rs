//! What the text says of its commands: cues read from the prose around a block and from
//! the commands themselves (a check, a condition, a set-up line, a list of logins).

use super::block::Piece;
use super::session::{self, Frame};
use super::shell;

pub(super) fn join_when(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a} and {b}")),
        (a, b) => a.or(b),
    }
}

/// `cd DIR` or `name=value` alone: set up for the commands that follow.
pub(super) fn is_setup(command: &str) -> bool {
    let single = !command.contains("&&") && !command.contains(';') && !command.contains('\n');
    single
        && (command.starts_with("cd ")
            || command.split_once('=').is_some_and(|(n, v)| {
                !n.is_empty()
                    && !v.contains(' ')
                    && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            }))
}

/// A block of two or more `ssh HOST` lines and nothing else: the ways in, as a list.
pub(super) fn only_logins(pieces: &[Piece]) -> bool {
    let mut logins = 0;
    for piece in pieces {
        match piece {
            Piece::Command { text, .. } => match session::opener(shell::split_comment(text).0) {
                Some(Frame::Host(_)) => logins += 1,
                _ => return false,
            },
            Piece::Comment(_) => {}
            _ => return false,
        }
    }
    logins >= 2
}

/// "SSH to the box: `ssh web1`", "runs on db1: `ssh db1`, then …"; not "`ssh web1` times out".
pub(super) fn tells_to_log_in(text: &str) -> bool {
    let lower = text.to_lowercase();
    [
        "ssh to",
        "ssh into",
        "log in",
        "log into",
        "log on",
        "login to",
        "sign in",
        "connect to",
        "then",
        "first",
        "runs",
        "run on",
    ]
    .iter()
    .any(|cue| lower.contains(cue))
}

/// "If the link is down, restart it:", "Roll back to X if needed:".
pub(super) fn condition(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    lower.starts_with("if ")
        || [
            " if needed",
            " if necessary",
            " if required",
            " only if ",
            " if you need",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

/// Output that is plainly what the command must show: a status line, or one word of state.
pub(super) fn expectation(output: &[String]) -> Option<String> {
    let [line] = output else {
        return None;
    };
    let line = line.trim();
    if line.starts_with("HTTP/") && line.split_whitespace().nth(1).is_some_and(|c| c.len() == 3) {
        return Some(format!(
            ".stdout.contains({})",
            super::text::literal_plain(line)
        ));
    }
    const STATES: &[&str] = &[
        "active", "running", "enabled", "ok", "OK", "PONG", "true", "healthy", "ready", "up",
    ];
    STATES
        .contains(&line)
        .then(|| format!(".stdout.trim() == {}", super::text::literal_plain(line)))
}

pub(super) fn starts_like_check(text: &str) -> bool {
    let t = text.trim_start().to_lowercase();
    t.starts_with("verify") || t.starts_with("check") || t.starts_with("quick check")
}

pub(super) fn looks_like_check(command: &str) -> bool {
    command.contains("systemctl status")
        || (command.contains("curl") && command.contains("health"))
        || command.trim_start().starts_with("test ")
}
