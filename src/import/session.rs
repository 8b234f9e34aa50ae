//! Sessions a document opens: `ssh HOST`, `oc rsh`, `kubectl exec -it`, `oc debug node/N`,
//! `chroot`, `sudo -i`, `su - USER`, an interactive `psql`. The commands that follow run where
//! the session ran them: on the declared host, wrapped as one non-interactive command, or (for
//! a client) given to it on stdin. `exit` ends the innermost one.

/// One session the commands that follow run inside.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A login to a host: the commands run `on` it.
    Host(String),
    /// A shell somewhere else: each command is wrapped as `PREFIX sh -c 'COMMAND'`.
    Wrap { opener: String, prefix: String },
    /// An interactive client (`psql`, `redis-cli`): what is typed into it goes to its stdin.
    Client { command: String, used: bool },
}

/// What a command does to the sessions, if it opens one.
pub fn opener(command: &str) -> Option<Frame> {
    let text = command.trim();
    let bare = unquoted(text);
    if bare.contains('\n') || bare.contains("&&") || bare.contains(';') || bare.contains('|') {
        return None;
    }
    let words: Vec<&str> = bare.split_whitespace().collect();
    match words.as_slice() {
        ["ssh", ..] => ssh_login(&words),
        ["oc" | "kubectl", ..] if words.contains(&"rsh") && !words.contains(&"--") => {
            Some(wrap(text, text.to_string()))
        }
        ["oc", ..] if words.contains(&"debug") && !words.contains(&"--") => {
            Some(wrap(text, format!("{text} --")))
        }
        ["kubectl" | "oc", ..] if words.contains(&"exec") => exec_shell(text, &words, "--"),
        ["docker" | "podman", ..] if words.contains(&"exec") => exec_shell(text, &words, ""),
        ["chroot", dir] => Some(wrap(text, format!("chroot {dir}"))),
        ["sudo", "-i"]
        | ["sudo", "-s"]
        | ["sudo", "su"]
        | ["sudo", "su", "-"]
        | ["su"]
        | ["su", "-"]
        | ["su", "root"]
        | ["su", "-", "root"]
        | ["sudo", "bash"] => Some(wrap(text, "sudo -n".into())),
        ["su", "-", user]
        | ["sudo", "su", "-", user]
        | ["sudo", "-iu", user]
        | ["sudo", "-i", "-u", user]
        | ["sudo", "-u", user, "-i"] => Some(wrap(text, format!("sudo -n -iu {user}"))),
        _ if client(&words) => Some(Frame::Client {
            command: text.to_string(),
            used: false,
        }),
        _ => None,
    }
}

/// The command with quoted strings and `$( )` substitutions emptied: what the shell sees as
/// operators and words at its top level.
fn unquoted(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                if depth == 0 {
                    out.push(c);
                }
            }
            (Some(_), _) => {}
            (None, '\'' | '"') => {
                quote = Some(c);
                if depth == 0 {
                    out.push(c);
                }
            }
            (None, '$') if chars.peek() == Some(&'(') => {
                chars.next();
                depth += 1;
                if depth == 1 {
                    out.push_str("$()");
                }
            }
            (None, '(') if depth > 0 => depth += 1,
            (None, ')') if depth > 0 => depth -= 1,
            (None, c) if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn wrap(opener: &str, prefix: String) -> Frame {
    Frame::Wrap {
        opener: opener.to_string(),
        prefix,
    }
}

/// `ssh HOST` with no command: a login.
fn ssh_login(words: &[&str]) -> Option<Frame> {
    let mut i = 1;
    while i < words.len() && words[i].starts_with('-') {
        i += if matches!(words[i], "-p" | "-i" | "-l" | "-o" | "-J") {
            2
        } else {
            1
        };
    }
    match &words[i.min(words.len())..] {
        [host] => Some(if host.contains('$') || host.contains('<') {
            wrap(&words.join(" "), format!("ssh {host}"))
        } else {
            Frame::Host((*host).to_string())
        }),
        _ => None,
    }
}

/// `kubectl exec -it POD -- bash`, `docker exec -it C sh`: a shell in a container.
fn exec_shell(text: &str, words: &[&str], separator: &str) -> Option<Frame> {
    let last = *words.last()?;
    let words: Vec<&str> = text.split_whitespace().collect();
    if !matches!(
        last,
        "bash" | "sh" | "/bin/bash" | "/bin/sh" | "zsh" | "ash"
    ) {
        return None;
    }
    let kept: Vec<&str> = words[..words.len() - 1]
        .iter()
        .copied()
        .filter(|w| !matches!(*w, "-it" | "-ti" | "-i" | "-t" | "--stdin" | "--tty" | "--"))
        .collect();
    let prefix = if separator.is_empty() {
        kept.join(" ")
    } else {
        format!("{} {separator}", kept.join(" "))
    };
    Some(wrap(text, prefix))
}

/// An interactive database or console client, started with nothing to run.
fn client(words: &[&str]) -> bool {
    let program = words
        .iter()
        .copied()
        .skip_while(|w| *w == "sudo" || w.starts_with('-') || w.contains('='))
        .find(|w| !matches!(*w, "postgres" | "root"))
        .unwrap_or("");
    let program = program.rsplit('/').next().unwrap_or(program);
    let after: Vec<&str> = words
        .iter()
        .copied()
        .skip_while(|w| !w.ends_with(program))
        .skip(1)
        .collect();
    match program {
        "psql" | "gitlab-psql" | "mysql" | "mariadb" => !after
            .iter()
            .any(|w| matches!(*w, "-c" | "-f" | "-e" | "--command" | "--file" | "<" | "-l")),
        "redis-cli" | "gitlab-redis-cli" | "mongosh" | "mongo" => {
            // Options take a value; a word that is neither is the command to run.
            let mut i = 0;
            while i < after.len() && after[i].starts_with('-') {
                i += 2;
            }
            i >= after.len()
        }
        "gitlab-rails" => after.first() == Some(&"console") || after.first() == Some(&"c"),
        _ => false,
    }
}

/// The sessions open at a point of the document, outermost first.
#[derive(Debug, Default)]
pub struct Sessions {
    frames: Vec<Frame>,
    /// The heading level of the section each frame was opened in: a heading at that level or
    /// above ends it, as a new part of the document starts from the control machine again.
    levels: Vec<usize>,
    /// Whether a command has run in each frame: a login nothing ran in was named, not worked
    /// in, and the next login replaces it.
    used: Vec<bool>,
    /// `cd DIR` and `NAME=value` lines given in each session (index 0: before any).
    setup: Vec<Vec<String>>,
}

impl Sessions {
    /// Opens a session in a section at heading `level`. A login to a host the commands
    /// already run on goes back to that host: documents repeat `ssh HOST` rather than nest it.
    pub fn push(&mut self, frame: Frame, level: usize) -> Vec<Frame> {
        if self.setup.is_empty() {
            self.setup.push(Vec::new());
        }
        if let Some(at) = self
            .frames
            .iter()
            .position(|f| f == &frame && matches!(f, Frame::Host(_)))
        {
            return self.truncate(at + 1);
        }
        let mut ended = Vec::new();
        if matches!(frame, Frame::Host(_)) && self.used.last() == Some(&false) {
            ended.extend(self.pop());
        }
        self.frames.push(frame);
        self.levels.push(level);
        self.used.push(false);
        self.setup.push(Vec::new());
        ended
    }

    /// Ends the innermost session (`exit`), and gives it back.
    pub fn pop(&mut self) -> Option<Frame> {
        let frame = self.frames.pop()?;
        self.levels.pop();
        self.used.pop();
        self.setup.pop();
        Some(frame)
    }

    /// A heading at `level`: the sessions opened at that level or deeper end; gives them back.
    pub fn heading(&mut self, level: usize) -> Vec<Frame> {
        let keep = self.levels.iter().take_while(|l| **l < level).count();
        self.truncate(keep)
    }

    /// Ends every session but the outermost `keep`, innermost first.
    fn truncate(&mut self, keep: usize) -> Vec<Frame> {
        let mut ended = Vec::new();
        while self.frames.len() > keep {
            ended.extend(self.pop());
        }
        ended
    }

    /// A `cd` or an assignment for the commands that follow in this session.
    pub fn setup(&mut self, line: &str) {
        if self.setup.is_empty() {
            self.setup.push(Vec::new());
        }
        let Some(current) = self.setup.last_mut() else {
            unreachable!("setup has a level for each session and one before them")
        };
        if line.starts_with("cd ") {
            current.retain(|l| !l.starts_with("cd "));
        }
        current.push(line.to_string());
    }

    /// The client typed into, if the innermost session is one.
    pub fn client(&mut self) -> Option<String> {
        match self.frames.last_mut() {
            Some(Frame::Client { command, used }) => {
                *used = true;
                self.used.iter_mut().for_each(|u| *u = true);
                Some(command.clone())
            }
            _ => None,
        }
    }

    /// Ends a client session the next shell command shows is over; gives it back.
    pub fn leave_client(&mut self) -> Option<Frame> {
        match self.frames.last() {
            Some(Frame::Client { .. }) => self.pop(),
            _ => None,
        }
    }

    /// The host the commands run on: a login that is the outermost session.
    pub fn host(&self) -> Option<&str> {
        match self.frames.first() {
            Some(Frame::Host(h)) => Some(h),
            _ => None,
        }
    }

    pub fn is_open(&self) -> bool {
        !self.frames.is_empty()
    }

    /// The command as it must be typed from the control machine (or from the host).
    pub fn place(&mut self, command: &str) -> String {
        self.used.iter_mut().for_each(|u| *u = true);
        let level = |i: usize| self.setup.get(i).map_or(&[][..], |v| v.as_slice());
        let with_setup = |i: usize, c: String| {
            let mut parts: Vec<String> = level(i).to_vec();
            parts.push(c);
            parts.join(" && ")
        };
        let mut cmd = with_setup(self.frames.len(), command.to_string());
        for (i, frame) in self.frames.iter().enumerate().rev() {
            cmd = match frame {
                Frame::Host(_) if i == 0 => cmd,
                Frame::Host(h) => format!("ssh {h} {}", quote(&cmd)),
                Frame::Wrap { prefix, .. } => format!("{prefix} sh -c {}", quote(&cmd)),
                Frame::Client { .. } => cmd,
            };
            cmd = with_setup(i, cmd);
        }
        cmd
    }
}

fn quote(command: &str) -> String {
    shlex::try_quote(command).map_or_else(|_| format!("'{command}'"), |q| q.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_run_where_the_session_ran_them() {
        let mut s = Sessions::default();
        s.push(opener("oc -n default debug node/<node>").expect("debug"), 2);
        s.push(opener("chroot /host").expect("chroot"), 2);
        assert_eq!(
            s.place("systemctl status chronyd"),
            "oc -n default debug node/<node> -- sh -c \"chroot /host sh -c 'systemctl status chronyd'\""
        );
        let _ = s.place("true");
        assert_eq!(s.heading(3).len(), 0, "a sub-section stays in the session");
        assert_eq!(
            s.heading(2).len(),
            2,
            "a sibling section starts from the control machine"
        );
        s.push(opener("ssh redis-02").expect("ssh"), 2);
        s.setup("cd /srv");
        assert_eq!(s.host(), Some("redis-02"));
        assert_eq!(s.place("ls"), "cd /srv && ls");
        s.push(opener("su - mastodon").expect("su"), 3);
        s.setup("cd live");
        assert_eq!(
            s.place("git fetch"),
            "cd /srv && sudo -n -iu mastodon sh -c 'cd live && git fetch'"
        );
        assert_eq!(
            s.push(opener("ssh redis-02").expect("ssh"), 3).len(),
            1,
            "back on the host"
        );
        assert_eq!(s.place("ls"), "cd /srv && ls");
        let mut list = Sessions::default();
        list.push(opener("ssh web-a").expect("ssh"), 1);
        assert_eq!(
            list.push(opener("ssh web-b").expect("ssh"), 1).len(),
            1,
            "a list of logins"
        );
        assert_eq!(list.host(), Some("web-b"));
        assert!(opener("sudo -u postgres psql -d app").is_some());
        assert!(opener("sudo -u postgres psql -c 'select 1'").is_none());
        assert!(opener("sudo gitlab-redis-cli info replication").is_none());
        assert!(opener("sudo gitlab-redis-cli").is_some());
        assert!(opener("ssh web1 uptime").is_none());
        assert!(
            opener("ssh web1 \"sudo ls | head\"").is_none(),
            "a quoted command is not a login"
        );
        assert!(opener("kubectl exec -it web-0 -- bash").is_some());
    }
}
