//! Walking the document: each section's text and blocks become steps, in the sessions the
//! document opened, with gates, checks, conditions and rollbacks where the text asks for them.

use std::collections::BTreeSet;

use super::block::{self, Context, Kind, Piece};
use super::danger;
use super::draft::{Chunk, Draft, Line, Steps};
use super::endless::endless;
use super::markdown::{self, Item, Section};
use super::params::{assignment, Params};
use super::session::{self, Frame, Sessions};
use super::shell::{self, Target};
use super::structure::{self, Role};
use super::text::{comment_block, comment_lines, one_line};

/// What the import made of the document, for the summary on stderr.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub steps: usize,
    pub runs: usize,
    pub checks: usize,
    pub approvals: usize,
    pub params: usize,
    pub hosts: usize,
    pub sessions: usize,
    pub review: usize,
}

#[derive(Debug, Clone)]
pub struct Imported {
    pub text: String,
    pub summary: Summary,
}

/// What the text before a block says of its commands.
#[derive(Debug, Clone, Default)]
struct Cues {
    check: bool,
    danger: bool,
    condition: Option<String>,
    context: Context,
}

#[derive(Default)]
pub(super) struct Importer {
    pub(super) params: Params,
    pub(super) hosts: BTreeSet<String>,
    pub(super) steps: Steps,
    pub(super) summary: Summary,
    sessions: Sessions,
    /// The heading level of the section being read.
    level: usize,
}

pub fn import(markdown: &str, stem: &str) -> Imported {
    let doc = markdown::parse(markdown);
    let mut im = Importer::default();
    let intro_has_commands = doc
        .intro
        .iter()
        .any(|i| matches!(i, Item::Code { lang, .. } if block::kind(lang) != Kind::Data));
    if intro_has_commands {
        // Commands before any heading (a plain numbered list, say) form a step of their own.
        let heading = doc.title.clone().unwrap_or_else(|| stem.to_string());
        let intro = Section {
            heading,
            level: 1,
            items: doc.intro.clone(),
        };
        im.section(&intro, &Role::Plain);
    } else {
        let mut lines = Vec::new();
        for item in &doc.intro {
            comment_item(&mut lines, item);
        }
        im.steps.chunks.push(Chunk::Lines(lines));
    }
    let roles = structure::roles(&doc.sections);
    for (section, role) in doc.sections.iter().zip(&roles) {
        im.section(section, role);
    }
    im.close_sessions();
    super::render::render(im, &doc, stem)
}

fn comment_item(lines: &mut Vec<String>, item: &Item) {
    match item {
        Item::Text { text, .. } => comment_lines(lines, text),
        Item::Code { lang, code } => {
            let body: Vec<String> = code.lines().map(str::to_string).collect();
            comment_block(lines, lang, &body);
        }
    }
}

impl Importer {
    fn section(&mut self, section: &Section, role: &Role) {
        let base_when = match role {
            Role::Alternative { param, value } => {
                self.params.choice(param, value);
                Some(format!("{param} == \"{value}\""))
            }
            Role::Rollback => Some(super::draft::ROLLBACK_PARAM.to_string()),
            Role::Plain => None,
        };
        let warned = danger::warns(&section.heading)
            || section.items.iter().any(|i| match i {
                Item::Text { text, .. } => danger::warns(text),
                Item::Code { .. } => false,
            });
        let has_fence = section
            .items
            .iter()
            .any(|i| matches!(i, Item::Code { lang, .. } if block::kind(lang) != Kind::Data));
        let mut draft = Draft::new(&section.heading, base_when.clone(), warned);
        self.level = section.level;
        for ended in self.sessions.heading(section.level) {
            self.unused_client(&mut draft, ended);
        }
        draft.lines.push(Line::Heading(format!(
            "# {} {}",
            "#".repeat(section.level),
            section.heading
        )));
        let heading_context = Context::of(&section.heading);
        let mut cues = Cues {
            check: starts_like_check(&section.heading),
            context: heading_context,
            ..Cues::default()
        };
        for item in &section.items {
            match item {
                Item::Text { text, inline, list } => {
                    draft.comment_text(text);
                    let context = Context::of(text);
                    cues = Cues {
                        check: starts_like_check(text) || starts_like_check(&section.heading),
                        danger: danger::warns(text),
                        condition: condition(text).then(|| self.params.condition(text)),
                        context: Context {
                            output: context.output,
                            query: context.query || heading_context.query,
                        },
                    };
                    self.inline(&mut draft, text, inline, *list && !has_fence, &cues);
                }
                Item::Code { lang, code } => {
                    self.block(&mut draft, lang, code, &cues);
                    cues.condition = None;
                    cues.danger = false;
                    cues.context.output = false;
                }
            }
        }
        self.steps.finish(draft, role == &Role::Rollback);
    }

    /// Inline code of a paragraph: an `ssh HOST` login where the text says to log in; in a
    /// list with no code blocks, commands.
    fn inline(
        &mut self,
        draft: &mut Draft,
        text: &str,
        inline: &[String],
        commands: bool,
        cues: &Cues,
    ) {
        for code in inline {
            let code = code.trim();
            if let Some(Frame::Host(_)) = session::opener(code) {
                if !tells_to_log_in(text) {
                    continue;
                }
                // A login named in prose is made from the control machine, not from inside
                // the session before it.
                for ended in self.sessions.heading(0) {
                    self.unused_client(draft, ended);
                }
                self.command(draft, code, &[], cues);
            } else if commands && code.contains(' ') && shell::known_command(code) {
                self.command(draft, code, &[], cues);
            }
        }
    }

    fn block(&mut self, draft: &mut Draft, lang: &str, code: &str, cues: &Cues) {
        match block::kind(lang) {
            Kind::Data => {
                let body: Vec<String> = code.lines().map(str::to_string).collect();
                draft.comments(|l| comment_block(l, lang, &body));
            }
            Kind::PowerShell => {
                for line in code.lines().filter(|l| !l.trim().is_empty()) {
                    self.review(draft, "a PowerShell command (runbook runs sh)", line);
                }
            }
            Kind::Sql => self.client_input(draft, code.trim_end(), cues),
            Kind::Shell => {
                let pieces = block::pieces(code, cues.context);
                if only_logins(&pieces) {
                    draft.comments(|l| {
                        l.push("# ways to log in, not a session the commands below run in:".into());
                        l.extend(
                            code.lines()
                                .filter(|c| !c.trim().is_empty())
                                .map(|c| format!("#   {c}")),
                        );
                    });
                    return;
                }
                let mut input = Vec::new();
                for piece in pieces {
                    if !matches!(piece, Piece::ClientInput(_)) && !input.is_empty() {
                        self.client_input(draft, &input.join("\n"), cues);
                        input.clear();
                    }
                    match piece {
                        Piece::Comment(c) => {
                            draft.pending_danger |= danger::warns(&c);
                            draft.pending_check |= starts_like_check(&c);
                            draft.comments(|l| l.push(format!("# {c}")));
                        }
                        Piece::Output { lines, why } => {
                            draft.comments(|l| {
                                l.push(format!("# {why}, not run:"));
                                l.extend(
                                    lines
                                        .iter()
                                        .map(|x| format!("#   {x}").trim_end().to_string()),
                                );
                            });
                        }
                        Piece::ClientInput(s) if s.trim() != "exit" && s.trim() != "\\q" => {
                            input.push(s)
                        }
                        Piece::ClientInput(_) => {}
                        Piece::Foreign(s) => {
                            self.review(draft, "a PowerShell command (runbook runs sh)", &s)
                        }
                        Piece::Command { text, output } => {
                            self.command(draft, &text, &output, cues)
                        }
                    }
                }
                if !input.is_empty() {
                    self.client_input(draft, &input.join("\n"), cues);
                }
            }
        }
    }

    /// SQL or console input: given on stdin to the client the document opened, else review.
    fn client_input(&mut self, draft: &mut Draft, input: &str, cues: &Cues) {
        let Some(client) = self.sessions.client() else {
            self.review(
                draft,
                "input for a client (SQL, a console) that the text does not name",
                input,
            );
            return;
        };
        let client = if client.split_whitespace().any(|w| w.ends_with("psql")) {
            format!("{client} -v ON_ERROR_STOP=1")
        } else {
            client
        };
        let placed = self.sessions.place(&client);
        let host = self.sessions.host().map(str::to_string);
        self.emit(draft, &placed, host, Some(input), &[], cues);
    }

    fn command(&mut self, draft: &mut Draft, text: &str, output: &[String], cues: &Cues) {
        let (trimmed, comment) = shell::split_comment(text.trim());
        if let Some(comment) = comment {
            draft.comments(|l| l.push(comment.to_string()));
        }
        if let Some(frame) = self.sessions.leave_client() {
            self.unused_client(draft, frame);
        }
        if matches!(trimmed, "exit" | "logout" | "quit") {
            let left = self.sessions.pop();
            draft.comments(|l| {
                l.push(match left {
                    Some(_) => format!("# `{trimmed}`: the session above ends here"),
                    None => format!("# `{trimmed}`"),
                })
            });
            return;
        }
        if let Some((name, value)) = assignment(trimmed) {
            self.params.assign(&name, &value);
            draft.comments(|l| l.push(format!("# `{trimmed}`: a param now")));
            return;
        }
        if is_setup(trimmed) {
            self.sessions.setup(trimmed);
            draft.comments(|l| l.push(format!("# `{trimmed}`: for the commands below")));
            return;
        }
        if let Some(frame) = session::opener(trimmed) {
            if let Frame::Host(h) = &frame {
                if !self.sessions.is_open() {
                    self.hosts.insert(h.clone());
                }
            }
            self.summary.sessions += 1;
            draft.comments(|l| {
                l.push(format!(
                    "# session: `{trimmed}`: the commands below run in it"
                ))
            });
            // A session lasts into the sections after it (a Diagnosis opens the shell a
            // Mitigation works in) until the next chapter (`#`).
            let level = self.level.saturating_sub(1).min(1);
            for ended in self.sessions.push(frame, level) {
                self.unused_client(draft, ended);
            }
            return;
        }
        // The command as typed where it runs, and whether the sessions still wrap it.
        let (host, command, in_session) = match shell::target(trimmed) {
            Target::Local(c) => (self.sessions.host().map(str::to_string), c, true),
            Target::Remote(r) if r.host.contains('$') || r.host.contains('<') => (
                self.sessions.host().map(str::to_string),
                trimmed.to_string(),
                true,
            ),
            // `ssh HOST "…"` is typed on the control machine, even in a page that logged in
            // above: it names where it runs.
            Target::Remote(r) => {
                self.hosts.insert(r.host.clone());
                (Some(r.host), r.command, false)
            }
            Target::Unclear(why) => {
                self.review(draft, &why, text);
                return;
            }
        };
        let mut place = |c: &str| {
            if in_session {
                self.sessions.place(c)
            } else {
                c.to_string()
            }
        };
        if let Some(e) = endless(&command) {
            let bounded = e.bounded.map(|b| place(&b));
            self.review(draft, e.why, text);
            if let Some(bounded) = bounded {
                draft.comments(|l| l.push("# review: a bounded form of it, run instead:".into()));
                self.emit(draft, &bounded, host, None, &[], cues);
            }
            return;
        }
        let command = place(&command);
        self.emit(draft, &command, host, None, output, cues);
    }

    fn emit(
        &mut self,
        draft: &mut Draft,
        command: &str,
        host: Option<String>,
        stdin: Option<&str>,
        output: &[String],
        cues: &Cues,
    ) {
        let when = join_when(draft.base_when.clone(), cues.condition.clone());
        let all = format!("{command}\n{}", stdin.unwrap_or(""));
        let destructive = danger::destructive(&all).is_some();
        let gate = destructive || cues.danger || draft.pending_danger || draft.warned;
        self.steps
            .split_if(draft, host.as_deref(), when.as_deref(), gate);
        draft.host = host;
        draft.when = when;
        if gate && !draft.gated {
            let message = format!(
                "{}: run `{}`?",
                draft.heading,
                one_line(stdin.unwrap_or(command))
            );
            draft.lines.push(Line::Gate(message));
            draft.gated = true;
            self.summary.approvals += 1;
        }
        let lit = self.params.command_literal(command);
        let call = match stdin {
            Some(input) => format!("run({lit}, stdin: {})", self.params.command_literal(input)),
            None => format!("run({lit})"),
        };
        let is_check = cues.check || draft.pending_check || looks_like_check(command);
        let statement = match expectation(output) {
            Some(test) => format!(
                "check {call}{test} else {}",
                super::text::literal_plain(&format!(
                    "`{}` did not show `{}`",
                    one_line(command),
                    output[0].trim()
                ))
            ),
            None if is_check => format!(
                "check {call}.ok else {}",
                super::text::literal_plain(&format!("`{}` failed", one_line(command)))
            ),
            None => match stdin {
                Some(input) => format!("run {lit}, stdin: {}", self.params.command_literal(input)),
                None => format!("run {lit}"),
            },
        };
        if statement.starts_with("check") {
            self.summary.checks += 1;
        } else {
            self.summary.runs += 1;
        }
        draft.lines.push(Line::Statement(statement));
        if expectation(output).is_none() && !output.is_empty() {
            draft.comments(|l| {
                l.push("# its output, as the original shows it:".into());
                l.extend(
                    output
                        .iter()
                        .map(|x| format!("#   {x}").trim_end().to_string()),
                );
            });
        }
        draft.commands += 1;
        draft.pending_check = false;
        draft.pending_danger = false;
    }

    pub(super) fn review(&mut self, draft: &mut Draft, why: &str, command: &str) {
        self.summary.review += 1;
        draft.comments(|lines| {
            lines.push(format!("# review: not imported, {why}:"));
            for l in command.lines() {
                lines.push(format!("# review:   {l}"));
            }
        });
    }

    fn unused_client(&mut self, draft: &mut Draft, frame: Frame) {
        if let Frame::Client {
            command,
            used: false,
        } = frame
        {
            self.review(
                draft,
                "an interactive client, and the text gives it nothing to run",
                &command,
            );
        }
    }

    /// Sessions still open at the end: an interactive client never given input is a review item.
    fn close_sessions(&mut self) {
        let mut draft = Draft::new("", None, false);
        while let Some(frame) = self.sessions.pop() {
            self.unused_client(&mut draft, frame);
        }
        self.steps.finish(draft, false);
    }
}

fn join_when(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a} and {b}")),
        (a, b) => a.or(b),
    }
}

/// `cd DIR` or `name=value` alone: set up for the commands that follow.
fn is_setup(command: &str) -> bool {
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
fn only_logins(pieces: &[Piece]) -> bool {
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
fn tells_to_log_in(text: &str) -> bool {
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
fn condition(text: &str) -> bool {
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
fn expectation(output: &[String]) -> Option<String> {
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

fn starts_like_check(text: &str) -> bool {
    let t = text.trim_start().to_lowercase();
    t.starts_with("verify") || t.starts_with("check") || t.starts_with("quick check")
}

fn looks_like_check(command: &str) -> bool {
    command.contains("systemctl status")
        || (command.contains("curl") && command.contains("health"))
        || command.trim_start().starts_with("test ")
}
