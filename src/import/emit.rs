//! Walking the document: each section's text and blocks become steps, in the sessions the
//! document opened, with gates, checks, conditions and rollbacks where the text asks for them.

use std::collections::BTreeSet;

use super::block::{self, Context, Kind, Piece};
use super::cues::{condition, only_logins, starts_like_check, tells_to_log_in};
use super::danger;
use super::draft::{Chunk, Draft, Line, Steps};
use super::markdown::{self, Item, Section};
use super::params::Params;
use super::session::{self, Frame, Sessions};
use super::shell;
use super::structure::{self, Role};
use super::text::{comment_block, comment_lines};

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
pub(super) struct Cues {
    pub(super) check: bool,
    pub(super) danger: bool,
    pub(super) condition: Option<String>,
    pub(super) context: Context,
}

#[derive(Default)]
pub(super) struct Importer {
    pub(super) params: Params,
    pub(super) hosts: BTreeSet<String>,
    pub(super) steps: Steps,
    pub(super) summary: Summary,
    pub(super) sessions: Sessions,
    /// The heading level of the section being read.
    pub(super) level: usize,
}

/// What the document's sections make, before it is written out (`render.rs`).
pub(super) fn read(doc: &markdown::Document, stem: &str) -> Importer {
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
    im
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

    /// Sessions still open at the end: an interactive client never given input is a review item.
    fn close_sessions(&mut self) {
        let mut draft = Draft::new("", None, false);
        while let Some(frame) = self.sessions.pop() {
            self.unused_client(&mut draft, frame);
        }
        self.steps.finish(draft, false);
    }
}
