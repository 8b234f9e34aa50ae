//! Commands that never end or need a person: follows, refreshing views, editors, REPLs,
//! pagers, prompts. They go to review; where a bounded form is known, it is offered as well.

use std::sync::OnceLock;

use regex::Regex;

/// Why the command cannot run unattended, and a form of it that ends, when one is known.
#[derive(Debug, Clone, PartialEq)]
pub struct Endless {
    pub why: &'static str,
    pub bounded: Option<String>,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|_| unreachable!("a valid regex")))
}

pub fn endless(command: &str) -> Option<Endless> {
    // `cd /opt/stack && docker stats`: each command of a chain is judged by itself.
    if let Some((head, tail)) = command.rsplit_once(" && ") {
        if let Some(e) = endless(tail) {
            return Some(Endless {
                why: e.why,
                bounded: e.bounded.map(|b| format!("{head} && {b}")),
            });
        }
        return endless(head).map(|e| Endless {
            why: e.why,
            bounded: e.bounded.map(|b| format!("{b} && {tail}")),
        });
    }
    static FOLLOW: OnceLock<Regex> = OnceLock::new();
    static WATCH: OnceLock<Regex> = OnceLock::new();
    static REPL: OnceLock<Regex> = OnceLock::new();
    let padded = format!(" {} ", command.trim());
    let words: Vec<&str> = command.split_whitespace().collect();
    let has = |w: &str| words.contains(&w);
    let first = words
        .iter()
        .copied()
        .find(|w| !matches!(*w, "sudo" | "-n") && !w.contains('='))
        .unwrap_or("");
    let follow = re(&FOLLOW, r"\s(?:-f|-F|--follow|-fn?\s*\d*)(?:\s|$)");
    if follow.is_match(&padded)
        && (padded.contains("tail ") || padded.contains("journalctl") || padded.contains(" logs"))
    {
        let bounded = if padded.contains(" logs") {
            follow.replace(&padded, " --tail 200 ").trim().to_string()
        } else if padded.contains("journalctl") {
            follow
                .replace(&padded, " -n 200 --no-pager ")
                .trim()
                .to_string()
        } else {
            follow.replace(&padded, " -n 200 ").trim().to_string()
        };
        return Some(Endless {
            why: "it follows its output forever (-f)",
            bounded: Some(bounded),
        });
    }
    let watch = re(
        &WATCH,
        r"^\s*(?:sudo\s+)?watch\s+(?:-n\s*\S+\s+|-d\s+)*(.+)$",
    );
    if let Some(c) = watch.captures(command) {
        let inner = c[1].trim().trim_matches('\'').trim_matches('"').to_string();
        return Some(Endless {
            why: "it refreshes forever (watch)",
            bounded: Some(inner),
        });
    }
    if padded.contains(" stats ") && (first == "docker" || first == "podman") && !has("--no-stream")
    {
        return Some(Endless {
            why: "it refreshes forever (stats)",
            bounded: Some(format!("{} --no-stream", command.trim())),
        });
    }
    if matches!(first, "top" | "htop" | "iotop" | "atop") {
        return Some(Endless {
            why: "it is an interactive view",
            bounded: (first == "top").then(|| "top -b -n 1".to_string()),
        });
    }
    if first == "ping" && !has("-c") {
        return Some(Endless {
            why: "it pings until stopped",
            bounded: Some(command.trim().replacen("ping ", "ping -c 4 ", 1)),
        });
    }
    if first == "tcpdump" && !has("-c") {
        return Some(Endless {
            why: "it captures until stopped (tcpdump)",
            bounded: None,
        });
    }
    let editor = matches!(
        first,
        "vi" | "vim" | "nvim" | "nano" | "emacs" | "visudo" | "vipw" | "sudoedit"
    ) || (matches!(first, "kubectl" | "oc" | "systemctl") && has("edit"))
        || (first == "crontab" && has("-e"));
    if editor {
        return Some(Endless {
            why: "it opens an editor for a person",
            bounded: None,
        });
    }
    if re(&REPL, r"(?:^|\s)(?:less|more|most)(?:\s|$)").is_match(command) {
        return Some(Endless {
            why: "it pages its output for a person",
            bounded: Some(
                command
                    .replace("| less", "")
                    .replace("| more", "")
                    .trim()
                    .to_string(),
            )
            .filter(|b| !b.is_empty() && b != command.trim()),
        });
    }
    if first == "read" || padded.contains(" read -p ") {
        return Some(Endless {
            why: "it waits for a person to type (read)",
            bounded: None,
        });
    }
    if padded.contains("while true") || padded.contains("while :;") || padded.contains("while : ") {
        return Some(Endless {
            why: "it loops forever (while true)",
            bounded: None,
        });
    }
    if has("-it") || has("-ti") {
        return Some(terminal(command, &words));
    }
    if matches!(
        first,
        "python" | "python3" | "node" | "irb" | "bash" | "sh" | "zsh"
    ) && words.len() == 1
    {
        return Some(Endless {
            why: "it opens an interactive shell",
            bounded: None,
        });
    }
    None
}

/// `exec -it`: a person's shell or client, or a command that only asked for a terminal out of
/// habit, which runs the same without one (`-i` keeps its stdin).
fn terminal(command: &str, words: &[&str]) -> Endless {
    let last = words
        .last()
        .map_or("", |w| w.trim_matches(|c| c == '"' || c == '\''));
    let shell = matches!(
        last,
        "bash" | "sh" | "/bin/bash" | "/bin/sh" | "zsh" | "ash"
    );
    let client = ["psql", "mysql", "redis-cli", "mongosh", "rails"]
        .iter()
        .any(|c| words.iter().any(|w| w.ends_with(c)))
        && !words
            .iter()
            .any(|w| matches!(*w, "-c" | "-e" | "-f" | "--command"));
    if shell || client {
        return Endless {
            why: "it opens a shell or client for a person (-it)",
            bounded: None,
        };
    }
    let bounded = command
        .split(' ')
        .map(|w| match w {
            "-it" | "-ti" => "-i",
            w => w,
        })
        .collect::<Vec<_>>()
        .join(" ");
    Endless {
        why: "it asks for a terminal (-t) that an unattended run does not have",
        bounded: Some(bounded),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounded(c: &str) -> Option<String> {
        endless(c).and_then(|e| e.bounded)
    }

    #[test]
    fn follows_and_views_have_bounded_forms() {
        assert_eq!(
            bounded("journalctl -u mastodon-web -f").as_deref(),
            Some("journalctl -u mastodon-web -n 200 --no-pager")
        );
        assert_eq!(
            bounded("docker compose logs -f jellyfin").as_deref(),
            Some("docker compose logs --tail 200 jellyfin")
        );
        assert_eq!(
            bounded("sudo tail -f /var/log/x").as_deref(),
            Some("sudo tail -n 200 /var/log/x")
        );
        assert_eq!(
            bounded("docker stats").as_deref(),
            Some("docker stats --no-stream")
        );
        assert_eq!(
            bounded("cd /opt/stack && docker stats").as_deref(),
            Some("cd /opt/stack && docker stats --no-stream")
        );
        assert_eq!(bounded("watch -n 2 'ss -s'").as_deref(), Some("ss -s"));
        assert!(endless("kubectl -n x edit pvc y").is_some());
        assert_eq!(
            bounded("docker exec -it db psql -U postgres -c 'DROP DATABASE x;'").as_deref(),
            Some("docker exec -i db psql -U postgres -c 'DROP DATABASE x;'")
        );
        assert_eq!(bounded("docker exec -it db psql -U postgres -d app"), None);
        assert!(endless("while true; do date; done").is_some());
        assert!(endless("systemctl status chronyd").is_none());
        assert!(endless("git checkout main").is_none());
        assert!(endless("docker compose up -d").is_none());
    }
}
