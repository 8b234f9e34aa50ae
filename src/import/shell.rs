//! Shell commands as words: the programs an operator types, heredocs, and `ssh HOST "cmd"`
//! unwrapped.

use std::sync::OnceLock;

use regex::Regex;

/// The terminator of a heredoc the command opens (`<<EOF`, `<<-'EOF'`, `<< "END"`).
pub fn heredoc_word(command: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r#"<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?"#)
            .unwrap_or_else(|_| unreachable!("a valid regex"))
    });
    re.captures(command).map(|c| c[1].to_string())
}

/// A command and the comment that ends its line (`ssh web1   # as root`), read with the
/// shell's quoting: a `#` inside quotes or a word is not a comment.
pub fn split_comment(command: &str) -> (&str, Option<&str>) {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (i, c) in command.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') if previous.is_whitespace() && i > 0 && !command.contains('\n') => {
                return (command[..i].trim_end(), Some(command[i..].trim()));
            }
            _ => {}
        }
        previous = c;
    }
    (command, None)
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
    if trimmed.starts_with("ssh ") && (trimmed.contains(" \\\"") || trimmed.contains(" \\'")) {
        // `ssh host \"cmd\"`: the quotes reach the remote shell, which reads them otherwise.
        return Target::Unclear("its escaped quotes reach the remote shell as quotes".into());
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

/// Programs an operator types: a line starting with one of them is a shell command.
const PROGRAMS: &[&str] = &[
    "apt",
    "apt-get",
    "awk",
    "borg",
    "btrfs",
    "bundle",
    "cat",
    "cd",
    "certbot",
    "chmod",
    "chown",
    "chroot",
    "cp",
    "crontab",
    "curl",
    "dd",
    "df",
    "dig",
    "dnf",
    "docker",
    "docker-compose",
    "du",
    "echo",
    "etcdctl",
    "export",
    "find",
    "free",
    "fsck",
    "git",
    "gitlab-ctl",
    "gitlab-rake",
    "grep",
    "helm",
    "ip",
    "journalctl",
    "kill",
    "kubectl",
    "ln",
    "ls",
    "lsblk",
    "make",
    "mkdir",
    "mkfs",
    "mount",
    "mv",
    "nginx",
    "npm",
    "oc",
    "openssl",
    "pg_dump",
    "pg_restore",
    "ping",
    "pkill",
    "podman",
    "psql",
    "reboot",
    "restic",
    "rm",
    "rsync",
    "scp",
    "sed",
    "service",
    "shutdown",
    "smartctl",
    "ss",
    "ssh",
    "sudo",
    "systemctl",
    "tail",
    "tar",
    "tee",
    "terraform",
    "test",
    "tootctl",
    "touch",
    "ufw",
    "umount",
    "wget",
    "yarn",
    "zfs",
    "zpool",
];

/// Whether the line starts like a command: a known program, a path, or `NAME=value cmd`.
pub fn known_command(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let mut first = words.next().unwrap_or("");
    while first.contains('=') && !first.starts_with('=') {
        first = words.next().unwrap_or("");
    }
    PROGRAMS.contains(&first) || first.starts_with("./") || first.starts_with('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_comment_is_split_off() {
        assert_eq!(
            split_comment("ssh web1   # as root"),
            ("ssh web1", Some("# as root"))
        );
        assert_eq!(
            split_comment("echo 'a # b' #c"),
            ("echo 'a # b'", Some("#c"))
        );
        assert_eq!(
            split_comment("curl http://x/#frag"),
            ("curl http://x/#frag", None)
        );
    }
}
