//! Writing the runbook text.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::sync::OnceLock;

use regex::Regex;

use super::markdown::{self, Item, Section};
use super::shell::{self, Line, Target};

/// What the import made of the document, for the summary on stderr.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub steps: usize,
    pub runs: usize,
    pub checks: usize,
    pub approvals: usize,
    pub dangerous: usize,
    pub params: usize,
    pub hosts: usize,
    pub review: usize,
}

#[derive(Debug, Clone)]
pub struct Imported {
    pub text: String,
    pub summary: Summary,
}

/// Code blocks in these languages are commands; others (configs, logs) are kept as comments.
const SHELLS: &[&str] = &["", "bash", "sh", "shell", "console", "zsh", "shell-session"];

#[derive(Default)]
struct Importer {
    hosts: BTreeSet<String>,
    params: BTreeMap<String, String>,
    step_ids: BTreeSet<String>,
    summary: Summary,
}

/// A step being written: its host and its lines.
struct Draft {
    host: Option<String>,
    lines: Vec<String>,
    commands: usize,
}

pub fn import(markdown: &str, stem: &str) -> Imported {
    let doc = markdown::parse(markdown);
    let mut im = Importer::default();
    let mut body = String::new();
    let intro_has_commands = doc
        .intro
        .iter()
        .any(|i| matches!(i, Item::Code { lang, .. } if SHELLS.contains(&lang.as_str())));
    if intro_has_commands {
        // Commands before any heading (a plain numbered list, say) form a step of their own.
        let heading = doc.title.clone().unwrap_or_else(|| stem.to_string());
        im.section(
            &mut body,
            &Section {
                heading,
                level: 1,
                items: doc.intro.clone(),
            },
        );
    } else {
        for item in &doc.intro {
            comment_item(&mut body, "", item);
        }
    }
    for section in &doc.sections {
        im.section(&mut body, section);
    }
    let name = ident(doc.id.as_deref().unwrap_or(stem));
    let title = doc.title.clone().unwrap_or_else(|| stem.to_string());
    let mut out = String::new();
    let _ = writeln!(out, "## Imported from {stem}.md by `runbook import`: read the `# review:` comments before running it.");
    let _ = writeln!(out, "runbook {name} {}\n", literal_plain(&title));
    for (param, placeholder) in &im.params {
        let _ = writeln!(out, "## Stands for `{placeholder}` in the original.");
        let _ = writeln!(out, "param {param}: string");
    }
    for host in &im.hosts {
        let _ = writeln!(out, "host {} = ssh({})", ident(host), literal_plain(host));
    }
    out.push('\n');
    out.push_str(&body);
    im.summary.params = im.params.len();
    im.summary.hosts = im.hosts.len();
    Imported {
        text: out,
        summary: im.summary,
    }
}

impl Importer {
    fn section(&mut self, out: &mut String, section: &Section) {
        let text: String = section
            .items
            .iter()
            .filter_map(|i| {
                if let Item::Text(t) = i {
                    Some(t.as_str())
                } else {
                    None
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let danger = is_danger(&section.heading) || is_danger(&text);
        let consent = text.to_lowercase().contains("explicit approval");
        let verify = starts_like_check(&section.heading);
        let mut drafts: Vec<Draft> = Vec::new();
        let mut draft = Draft {
            host: None,
            lines: Vec::new(),
            commands: 0,
        };
        let mut gated = false;
        let mut next_check = false;
        let mut next_danger = false;
        for item in &section.items {
            match item {
                Item::Text(t) => comment_lines(&mut draft.lines, t),
                Item::Code { lang, code } if SHELLS.contains(&lang.as_str()) => {
                    for line in shell::split(code) {
                        match line {
                            Line::Comment(c) => {
                                next_check |= starts_like_check(&c);
                                next_danger |= is_danger(&c);
                                draft.lines.push(format!("# {c}"));
                            }
                            Line::Command(cmd) => {
                                let (host, command) = match shell::target(&cmd) {
                                    Target::Local(c) => (None, c),
                                    Target::Remote(r) => (Some(r.host), r.command),
                                    Target::Unclear(why) => {
                                        self.review(&mut draft.lines, &why, &cmd);
                                        continue;
                                    }
                                };
                                if let Some(why) = shell::interactive(&command) {
                                    self.review(&mut draft.lines, why, &cmd);
                                    continue;
                                }
                                if draft.commands > 0 && draft.host != host {
                                    drafts.push(std::mem::replace(
                                        &mut draft,
                                        Draft {
                                            host: host.clone(),
                                            lines: Vec::new(),
                                            commands: 0,
                                        },
                                    ));
                                    gated = false;
                                }
                                draft.host = host.clone();
                                if let Some(h) = &host {
                                    self.hosts.insert(h.clone());
                                }
                                let destructive = next_danger || is_destructive(&command);
                                if destructive || ((danger || consent) && !gated) {
                                    let kind = if destructive || danger {
                                        "approve dangerous"
                                    } else {
                                        "approve"
                                    };
                                    let message = format!(
                                        "{}: run `{}`?",
                                        section.heading,
                                        one_line(&command)
                                    );
                                    draft
                                        .lines
                                        .push(format!("{kind} {}", literal_plain(&message)));
                                    self.summary.approvals += 1;
                                    if kind == "approve dangerous" {
                                        self.summary.dangerous += 1;
                                    }
                                    gated = true;
                                }
                                let lit = self.command_literal(&command);
                                if next_check || verify || looks_like_check(&command) {
                                    let message = format!("`{}` failed", one_line(&command));
                                    draft.lines.push(format!(
                                        "check run({lit}).ok else {}",
                                        literal_plain(&message)
                                    ));
                                    self.summary.checks += 1;
                                } else {
                                    draft.lines.push(format!("run {lit}"));
                                    self.summary.runs += 1;
                                }
                                draft.commands += 1;
                                next_check = false;
                                next_danger = false;
                            }
                        }
                    }
                }
                Item::Code { lang, code } => {
                    draft.lines.push(format!("# ```{lang}"));
                    for l in code.lines() {
                        draft.lines.push(format!("# {l}").trim_end().to_string());
                    }
                    draft.lines.push("# ```".into());
                }
            }
        }
        drafts.push(draft);
        let with_commands = drafts.iter().filter(|d| d.commands > 0).count();
        let _ = writeln!(out, "# {} {}", "#".repeat(section.level), section.heading);
        for d in drafts {
            if d.commands == 0 {
                for l in &d.lines {
                    let _ = writeln!(out, "{l}");
                }
                continue;
            }
            let mut title = section.heading.clone();
            if with_commands > 1 {
                title = format!("{title} ({})", d.host.as_deref().unwrap_or("local"));
            }
            let id = self.step_id(&title);
            let on = d
                .host
                .as_ref()
                .map_or(String::new(), |h| format!(" on {}", ident(h)));
            let _ = writeln!(out, "step {id} {}{on} {{", literal_plain(&title));
            for l in &d.lines {
                for part in l.split('\n') {
                    let _ = writeln!(out, "  {part}");
                }
            }
            let _ = writeln!(out, "}}\n");
            self.summary.steps += 1;
        }
        out.push('\n');
    }

    fn review(&mut self, lines: &mut Vec<String>, why: &str, command: &str) {
        self.summary.review += 1;
        lines.push(format!("# review: not imported, {why}:"));
        for l in command.lines() {
            lines.push(format!("# review:   {l}"));
        }
    }

    fn step_id(&mut self, title: &str) -> String {
        let base = ident(title);
        let mut id = base.clone();
        let mut n = 2;
        while !self.step_ids.insert(id.clone()) {
            id = format!("{base}_{n}");
            n += 1;
        }
        id
    }

    /// The command as a runbook string: escaped, placeholders turned into params (closing
    /// and reopening the shell quotes around them, so the value stays one quoted word).
    fn command_literal(&mut self, command: &str) -> String {
        static RE: OnceLock<Regex> = OnceLock::new();
        let re = RE.get_or_init(|| {
            Regex::new(r"<[a-z][a-z0-9_-]*>|YYYY-?MM-?DD(?:-HHMMSS)?")
                .unwrap_or_else(|_| unreachable!("a valid regex"))
        });
        let mut out = String::from("\"");
        let mut quote: Option<char> = None;
        let mut last = 0;
        // A heredoc's body is data (HTML, config), not placeholders: only its first line counts.
        let searched = if command.contains("<<") {
            command.split('\n').next().unwrap_or("")
        } else {
            command
        };
        for m in re.find_iter(searched) {
            quote = escape_into(&mut out, &command[last..m.start()], quote);
            let placeholder = m.as_str();
            let name = ident(placeholder.trim_matches(['<', '>']).to_lowercase().as_str());
            self.params.insert(name.clone(), placeholder.to_string());
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

/// Appends `text` escaped for a runbook string; returns the shell quote state after it.
fn escape_into(out: &mut String, text: &str, mut quote: Option<char>) -> Option<char> {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push_str("\\\\");
                if quote != Some('\'') {
                    if let Some(n) = chars.next() {
                        push_escaped(out, n);
                    }
                }
                continue;
            }
            '\'' if quote.is_none() => quote = Some('\''),
            '\'' if quote == Some('\'') => quote = None,
            '"' if quote.is_none() => quote = Some('"'),
            '"' if quote == Some('"') => quote = None,
            _ => {}
        }
        if c == '{' && matches!(chars.peek(), Some('{' | '%' | '#')) {
            out.push_str("\\{");
            continue;
        }
        push_escaped(out, c);
    }
    quote
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '{' => out.push('{'),
        c => out.push(c),
    }
}

/// A plain runbook string (no interpolation).
fn literal_plain(text: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' && matches!(chars.peek(), Some('{' | '%' | '#')) {
            out.push_str("\\{");
            continue;
        }
        push_escaped(&mut out, c);
    }
    out.push('"');
    out
}

fn comment_item(out: &mut String, indent: &str, item: &Item) {
    let mut lines = Vec::new();
    match item {
        Item::Text(t) => comment_lines(&mut lines, t),
        Item::Code { lang, code } => {
            lines.push(format!("# ```{lang}"));
            lines.extend(
                code.lines()
                    .map(|l| format!("# {l}").trim_end().to_string()),
            );
            lines.push("# ```".into());
        }
    }
    for l in lines {
        let _ = writeln!(out, "{indent}{l}");
    }
}

/// Text as `#` comment lines of at most ~96 characters.
fn comment_lines(lines: &mut Vec<String>, text: &str) {
    let mut line = String::from("#");
    for word in text.split_whitespace() {
        if line.len() + word.len() > 96 && line.len() > 1 {
            lines.push(std::mem::replace(&mut line, String::from("#")));
        }
        line.push(' ');
        line.push_str(word);
    }
    if line.len() > 1 {
        lines.push(line);
    }
}

/// A name the language accepts: lowercase, `_` for the rest, not a keyword, not empty.
fn ident(text: &str) -> String {
    let mut s = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('_') {
            s.push('_');
        }
    }
    let mut s = s.trim_matches('_').to_string();
    if s.len() > 40 {
        s.truncate(40);
        s = s.trim_end_matches('_').to_string();
    }
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("s_{s}");
    }
    if crate::syntax::is_keyword(&s)
        || matches!(s.as_str(), "local" | "run" | "env" | "file" | "ssh")
    {
        s.push('_');
    }
    s
}

fn one_line(command: &str) -> String {
    let flat = command.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 70 {
        format!("{}…", flat.chars().take(70).collect::<String>())
    } else {
        flat
    }
}

fn is_danger(text: &str) -> bool {
    let lower = text.to_lowercase();
    text.contains("DANGER")
        || lower.contains("destroys all data")
        || lower.contains("destroy all")
        || lower.contains("irreversible")
}

fn is_destructive(command: &str) -> bool {
    let lower = command.to_lowercase();
    command.contains("--yes")
        || lower.contains("drop database")
        || lower.contains("rm -rf")
        || lower.contains("mkfs")
        || lower.contains("sysrq-trigger")
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
