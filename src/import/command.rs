//! One command of the document: where it runs (the sessions open, `ssh HOST "…"`), whether
//! it can run unattended, and the statement it becomes, gated and checked as the text asks.

use super::cues::{expectation, is_setup, join_when, looks_like_check};
use super::danger;
use super::draft::{Draft, Line};
use super::emit::{Cues, Importer};
use super::endless::endless;
use super::params::assignment;
use super::session::{self, Frame};
use super::shell::{self, Target};
use super::text::one_line;

impl Importer {
    pub(super) fn command(
        &mut self,
        draft: &mut Draft,
        text: &str,
        output: &[String],
        cues: &Cues,
    ) {
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

    pub(super) fn emit(
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

    pub(super) fn unused_client(&mut self, draft: &mut Draft, frame: Frame) {
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
}
