//! The dry-run plan for people (and as one JSON document).

use std::io::{self, Write};

use owo_colors::OwoColorize;

use crate::plan::doc::{Action, PlanDoc, Setting, StepDoc};

pub fn plan(doc: &PlanDoc, json: bool, color: bool) {
    let text = if json {
        serde_json::to_string_pretty(doc).unwrap_or_default() + "\n"
    } else {
        render(doc, color)
    };
    let _ = io::stdout().lock().write_all(text.as_bytes());
}

struct Out {
    text: String,
    color: bool,
}

impl Out {
    fn line(&mut self, depth: usize, s: &str) {
        for _ in 0..depth {
            self.text.push_str("  ");
        }
        self.text.push_str(s);
        self.text.push('\n');
    }

    fn faint(&self, s: &str) -> String {
        if self.color {
            s.dimmed().to_string()
        } else {
            s.to_string()
        }
    }

    fn strong(&self, s: &str) -> String {
        if self.color {
            s.bold().to_string()
        } else {
            s.to_string()
        }
    }

    fn caution(&self, s: &str) -> String {
        if self.color {
            s.yellow().to_string()
        } else {
            s.to_string()
        }
    }
}

pub fn render(doc: &PlanDoc, color: bool) -> String {
    let mut o = Out {
        text: String::new(),
        color,
    };
    o.line(
        0,
        &format!(
            "plan · {} · {} · {} · nothing is run",
            o.strong(&doc.runbook),
            doc.title,
            super::counted(doc.steps.len(), "step")
        ),
    );
    if !doc.params.is_empty() {
        let params: Vec<String> = doc
            .params
            .iter()
            .map(|p| format!("{} = {} ({})", p.name, p.value, p.origin.replace('_', "-")))
            .collect();
        o.line(0, &format!("params: {}", params.join(", ")));
    }
    if !doc.secrets.is_empty() {
        o.line(
            0,
            &format!("secrets: {} (masked as ••••)", doc.secrets.join(", ")),
        );
    }
    if !doc.hosts.is_empty() {
        let hosts: Vec<String> = doc
            .hosts
            .iter()
            .map(|h| format!("{} = {}", h.name, h.target))
            .collect();
        o.line(0, &format!("hosts: {}", hosts.join(", ")));
    }
    if !doc.locked_hosts.is_empty() {
        o.line(
            0,
            &format!(
                "locks: {} (lock hosts: taken on the host before the first step)",
                doc.locked_hosts.join(", ")
            ),
        );
    }
    if !doc.notify.is_empty() {
        o.line(
            0,
            &format!("notify: {} (a dry run tells nobody)", doc.notify.join("; ")),
        );
    }
    for (i, step) in doc.steps.iter().enumerate() {
        o.line(0, "");
        step_lines(&mut o, i + 1, step);
    }
    o.text
}

fn step_lines(o: &mut Out, n: usize, step: &StepDoc) {
    let on = match &step.group {
        Some(g) => format!("on {g} [{}]", step.hosts.join(", ")),
        None => format!("on {}", step.hosts.join(", ")),
    };
    let mut extras: Vec<String> = step
        .settings()
        .into_iter()
        .map(|s| match s {
            Setting::Parallel(p) => format!("parallel {p}"),
            Setting::MaxFail(m) => format!("max_fail {m}"),
            Setting::Timeout(t) => format!("timeout {t}"),
            Setting::Retry(r) => format!("retry {r}"),
        })
        .collect();
    if step.disconnects {
        extras.push("disconnects".into());
    }
    let extras = if extras.is_empty() {
        String::new()
    } else {
        format!(" · {}", extras.join(" · "))
    };
    o.line(
        0,
        &format!(
            "{n}. {} · {} {}",
            o.strong(&step.id),
            step.title,
            o.faint(&format!("· {on}{extras}"))
        ),
    );
    if let Some(left_out) = step.verdict.strip_prefix("left out: ") {
        o.line(1, &o.caution(&format!("left out: {left_out}")));
        return;
    }
    if let Some(g) = &step.guard {
        let verdict = match step.verdict.as_str() {
            "skipped" if g.kind == "when" => format!("skipped: `{}` is false", g.condition),
            "skipped" => format!("skipped: `{}` is true", g.condition),
            v => v.to_string(),
        };
        o.line(
            1,
            &format!("{} {} → {}", g.kind, g.condition, o.caution(&verdict)),
        );
        actions(o, 2, &g.commands);
    }
    actions(o, 1, &step.actions);
    if !step.on_failure.is_empty() {
        o.line(1, "on failure (here, before the rollbacks):");
        actions(o, 2, &step.on_failure);
    }
    if !step.always.is_empty() {
        o.line(1, "always, at the end of the step:");
        actions(o, 2, &step.always);
    }
    if !step.rollback.is_empty() {
        o.line(1, "rollback:");
        actions(o, 2, &step.rollback);
    }
}

fn actions(o: &mut Out, depth: usize, list: &[Action]) {
    for a in list {
        match a {
            Action::Run {
                command,
                ok_codes,
                stdin,
                ..
            } => {
                let ok = if ok_codes == &[0] {
                    String::new()
                } else {
                    o.faint(&format!("  (ok: {ok_codes:?})"))
                };
                o.line(depth, &format!("$ {command}{ok}"));
                if let Some(stdin) = stdin {
                    o.line(depth + 1, "stdin:");
                    for line in stdin.lines() {
                        o.line(depth + 2, line);
                    }
                }
            }
            Action::Capture { name, commands } => {
                o.line(depth, &format!("let {name} = output of:"));
                actions(o, depth + 1, commands);
            }
            Action::Check {
                condition,
                message,
                commands,
            } => {
                let message = message
                    .as_ref()
                    .map_or(String::new(), |m| format!(" else \"{m}\""));
                o.line(depth, &format!("check {condition}{message}"));
                actions(o, depth + 1, commands);
            }
            Action::WaitUntil {
                condition,
                every,
                timeout,
                commands,
            } => {
                o.line(
                    depth,
                    &format!("wait until {condition} (every {every}, at most {timeout})"),
                );
                actions(o, depth + 1, commands);
            }
            Action::Approve { message, dangerous } => {
                let kind = if *dangerous {
                    "approve (dangerous: the step id must be typed)"
                } else {
                    "approve"
                };
                o.line(depth, &format!("{} \"{message}\"", o.caution(kind)));
            }
            Action::Log { message } => o.line(depth, &format!("log \"{message}\"")),
            Action::Fail { message } => o.line(depth, &format!("fail \"{message}\"")),
            Action::Problem { message } => {
                o.line(depth, &o.caution(&format!("would fail: {message}")))
            }
            Action::If {
                condition,
                commands,
                known,
                then,
                otherwise,
            } => if_lines(o, depth, "if", condition, commands, *known, then, otherwise),
            Action::For {
                name,
                list,
                commands,
                items,
                body,
            } => {
                let how = match items {
                    Some(1) => "1 item, shown".to_string(),
                    Some(n) => format!("{n} items, each shown"),
                    None => format!("the items are known at run time; `{name}` is each"),
                };
                o.line(
                    depth,
                    &format!("for {name} in {list} {}", o.faint(&format!("({how})"))),
                );
                actions(o, depth + 2, commands);
                actions(o, depth + 1, body);
            }
        }
    }
}

/// An `if` and its branches; an `else if` reads as one, at the same depth.
#[allow(clippy::too_many_arguments)] // the fields of one action, drawn together
fn if_lines(
    o: &mut Out,
    depth: usize,
    head: &str,
    condition: &str,
    commands: &[Action],
    known: Option<bool>,
    then: &[Action],
    otherwise: &[Action],
) {
    let verdict = match known {
        Some(true) => "true: this branch runs",
        Some(false) => "false: passed over",
        None => "decided at run time",
    };
    o.line(
        depth,
        &format!("{head} {condition} {}", o.faint(&format!("({verdict})"))),
    );
    actions(o, depth + 2, commands);
    actions(o, depth + 1, then);
    match otherwise {
        [] => {}
        [Action::If {
            condition,
            commands,
            known,
            then,
            otherwise,
        }] => if_lines(
            o, depth, "else if", condition, commands, *known, then, otherwise,
        ),
        _ if known == Some(true) => {}
        list => {
            o.line(depth, "else");
            actions(o, depth + 1, list);
        }
    }
}
