//! Steps as they are written: a draft per part of a section, split where the host, the
//! condition or a gate changes, and the sections that undo the procedure set apart.

use std::collections::BTreeSet;

use super::text::{comment_lines, ident};

/// The param behind a rollback procedure that cannot be a step's `rollback { }`.
pub const ROLLBACK_PARAM: &str = "run_rollback";

#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// The section's heading, as a comment before its first step.
    Heading(String),
    Comment(String),
    /// `approve dangerous` with this message.
    Gate(String),
    Statement(String),
}

/// A step being written.
#[derive(Debug)]
pub struct Draft {
    pub heading: String,
    /// The condition of the whole section (an alternative, a rollback).
    pub base_when: Option<String>,
    /// The section's text warns of danger: its first command is gated.
    pub warned: bool,
    pub host: Option<String>,
    pub when: Option<String>,
    pub lines: Vec<Line>,
    pub commands: usize,
    pub gated: bool,
    pub pending_check: bool,
    pub pending_danger: bool,
    part: usize,
}

impl Draft {
    pub fn new(heading: &str, base_when: Option<String>, warned: bool) -> Draft {
        Draft {
            heading: heading.to_string(),
            when: base_when.clone(),
            base_when,
            warned,
            host: None,
            lines: Vec::new(),
            commands: 0,
            gated: false,
            pending_check: false,
            pending_danger: false,
            part: 1,
        }
    }

    pub fn comment_text(&mut self, text: &str) {
        self.comments(|l| comment_lines(l, text));
    }

    pub fn comments(&mut self, write: impl FnOnce(&mut Vec<String>)) {
        let mut lines = Vec::new();
        write(&mut lines);
        self.lines.extend(lines.into_iter().map(Line::Comment));
    }

    /// The rest of the section, in a new step, which takes the comments written since the
    /// last statement (they are about what follows).
    fn next(&mut self) -> Draft {
        let mut next = Draft::new(&self.heading, self.base_when.clone(), false);
        next.part = self.part + 1;
        let last = self
            .lines
            .iter()
            .rposition(|l| matches!(l, Line::Statement(_)))
            .map_or(0, |i| i + 1);
        next.lines = self.lines.split_off(last);
        std::mem::replace(self, next)
    }
}

/// A finished step.
#[derive(Debug)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub host: Option<String>,
    pub when: Option<String>,
    pub lines: Vec<Line>,
    pub rollback: Vec<Line>,
}

#[derive(Debug)]
pub enum Chunk {
    Lines(Vec<String>),
    Step(Step),
}

#[derive(Debug, Default)]
pub struct Steps {
    pub chunks: Vec<Chunk>,
    /// Steps of the sections that undo the procedure.
    pub rollbacks: Vec<Step>,
    ids: BTreeSet<String>,
}

impl Steps {
    /// Ends the draft's step before a command that runs elsewhere, under another condition,
    /// or behind a gate of its own (a gate comes first in its step: what precedes it would run
    /// again when a paused run resumes).
    pub fn split_if(
        &mut self,
        draft: &mut Draft,
        host: Option<&str>,
        when: Option<&str>,
        gate: bool,
    ) {
        let moved = draft.host.as_deref() != host || draft.when.as_deref() != when;
        if draft.commands > 0 && (moved || (gate && !draft.gated)) {
            let done = draft.next();
            self.finish(done, false);
        }
    }

    /// Files the draft: a step if it has commands, else its comments.
    pub fn finish(&mut self, draft: Draft, rollback: bool) {
        let mut lines = draft.lines;
        let heading: Vec<String> = match lines.first() {
            Some(Line::Heading(_)) => match lines.remove(0) {
                Line::Heading(h) => vec![h],
                _ => unreachable!("the first line is a heading"),
            },
            _ => Vec::new(),
        };
        if draft.commands == 0 {
            let mut all = heading;
            all.extend(lines.into_iter().map(|l| match l {
                Line::Heading(t) | Line::Comment(t) => t,
                Line::Gate(m) | Line::Statement(m) => format!("# {m}"),
            }));
            if !all.is_empty() {
                self.chunks.push(Chunk::Lines(all));
            }
            return;
        }
        if !heading.is_empty() {
            self.chunks.push(Chunk::Lines(heading));
        }
        let title = if draft.part > 1 {
            format!("{} (part {})", draft.heading, draft.part)
        } else {
            draft.heading.clone()
        };
        let step = Step {
            id: self.id(&title),
            title,
            host: draft.host,
            when: draft.when,
            lines,
            rollback: Vec::new(),
        };
        if rollback {
            self.rollbacks.push(step);
        } else {
            self.chunks.push(Chunk::Step(step));
        }
    }

    fn id(&mut self, title: &str) -> String {
        let base = ident(title);
        let mut id = base.clone();
        let mut n = 2;
        while !self.ids.insert(id.clone()) {
            id = format!("{base}_{n}");
            n += 1;
        }
        id
    }

    /// The rollback sections become the `rollback { }` of the first step that changes
    /// something, when they run where it runs and ask no approval; else steps behind
    /// `run_rollback`, off by default. True when the param is needed.
    pub fn place_rollbacks(&mut self) -> bool {
        let rollbacks = std::mem::take(&mut self.rollbacks);
        if rollbacks.is_empty() {
            return false;
        }
        let target = self.chunks.iter_mut().find_map(|c| match c {
            Chunk::Step(s) if s.when.is_none() && s.lines.iter().any(is_run) => Some(s),
            _ => None,
        });
        let fits = |t: &Step| {
            rollbacks.iter().all(|r| {
                r.host == t.host
                    && r.when.as_deref() == Some(ROLLBACK_PARAM)
                    && !r.lines.iter().any(|l| matches!(l, Line::Gate(_)))
            })
        };
        match target {
            Some(t) if fits(t) => {
                for r in rollbacks {
                    t.rollback
                        .push(Line::Comment(format!("# from \"{}\"", r.title)));
                    t.rollback.extend(r.lines);
                }
                false
            }
            _ => {
                self.chunks.extend(rollbacks.into_iter().map(Chunk::Step));
                true
            }
        }
    }
}

fn is_run(line: &Line) -> bool {
    matches!(line, Line::Statement(s) if s.starts_with("run "))
}
