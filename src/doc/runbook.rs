//! A runbook as markdown for people: what it does, its params and hosts, and each step
//! with the exact commands it runs (from the dry run, so stdlib calls are expanded).

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use super::notes::{self, Notes, RunbookNotes, Text};
use crate::plan::doc::{Action, PlanDoc, Setting, StepDoc};
use crate::plan::Plan;
use crate::syntax::ast::Stmt;

/// `source` is the runbook's text: its comments and `# review:` items are part of the
/// document, so that warnings survive a round trip through markdown.
pub fn runbook_markdown(doc: &PlanDoc, about: Option<&str>, plan: &Plan, source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", doc.title);
    if let Some(about) = about {
        let _ = writeln!(out, "{}\n", about.trim());
    }
    let _ = writeln!(
        out,
        "Runbook `{}`: run it with `runbook run {}.rb`, see the plan with `runbook plan`.\n",
        doc.runbook, doc.runbook
    );
    if !doc.params.is_empty() {
        out.push_str("## Params\n\n| param | default | |\n|---|---|---|\n");
        for p in &doc.params {
            let doc_text = param_doc(plan, &p.name).unwrap_or_default();
            let _ = writeln!(out, "| `{}` | `{}` | {} |", p.name, p.value, doc_text);
        }
        out.push('\n');
    }
    if !doc.hosts.is_empty() {
        out.push_str("## Hosts\n\n");
        for h in &doc.hosts {
            let _ = writeln!(out, "- `{}`: `{}`", h.name, h.target);
        }
        out.push('\n');
    }
    if !doc.secrets.is_empty() {
        let _ = writeln!(
            out,
            "Secrets: {} (never shown).\n",
            doc.secrets
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let known = Known::of(plan, doc, source);
    for (i, step) in doc.steps.iter().enumerate() {
        step_markdown(&mut out, i + 1, step, &known);
    }
    text(&mut out, &known.notes.end, &[]);
    out
}

/// Comments as paragraphs, and review items as a warning a reader cannot miss. Indented
/// comment lines (output an import kept, a table) are shown as they are, in a text block;
/// a heading that only repeats a title shown anyway (`# ## Mitigation` above the step
/// `Mitigation`, which an import writes) is left out.
fn text(out: &mut String, text: &Text, titles: &[&str]) {
    if text.is_empty() {
        return;
    }
    if !text.review.is_empty() {
        out.push_str("> **Review before running:**\n>\n> ```text\n");
        for item in &text.review {
            let _ = writeln!(out, "> {}", item.trim());
        }
        out.push_str("> ```\n\n");
    }
    let mut lines = text.lines.iter().peekable();
    let mut paragraph = Vec::new();
    while let Some(line) = lines.next() {
        let heading = line.trim_start_matches('#');
        if line.starts_with('#') && titles.contains(&heading.trim()) {
            continue;
        }
        if !line.starts_with("  ") {
            if line.is_empty() {
                end_paragraph(out, &mut paragraph);
            } else {
                paragraph.push(line.as_str());
            }
            continue;
        }
        end_paragraph(out, &mut paragraph);
        out.push_str("```text\n");
        let _ = writeln!(out, "{}", &line[2..]);
        while let Some(next) = lines.next_if(|l| l.starts_with("  ")) {
            let _ = writeln!(out, "{}", &next[2..]);
        }
        out.push_str("```\n\n");
    }
    end_paragraph(out, &mut paragraph);
}

fn end_paragraph(out: &mut String, paragraph: &mut Vec<&str>) {
    if !paragraph.is_empty() {
        let _ = writeln!(out, "{}\n", paragraph.join("\n"));
        paragraph.clear();
    }
}

/// What the steps' sections need of the runbook, looked up once (not once per step: a
/// runbook of 100,000 steps is documented in one pass).
struct Known<'a> {
    step_docs: HashMap<&'a str, &'a str>,
    remote_hosts: HashSet<&'a str>,
    notes: RunbookNotes,
    title: &'a str,
}

impl<'a> Known<'a> {
    fn of(plan: &'a Plan, doc: &'a PlanDoc, source: &str) -> Self {
        let step_docs = plan
            .trees()
            .filter_map(|s| s.doc.as_deref().map(|d| (s.id.node.as_str(), d)))
            .collect();
        // Declared `ssh(...)` hosts and the inventory's ssh hosts alike.
        let remote_hosts = plan
            .hosts
            .iter()
            .filter(|(_, spec)| !matches!(spec, crate::plan::HostKind::Local))
            .map(|(name, _)| name.as_str())
            .collect();
        Known {
            step_docs,
            remote_hosts,
            notes: notes::of(&plan.ast, source),
            title: &doc.title,
        }
    }
}

fn param_doc(plan: &Plan, name: &str) -> Option<String> {
    plan.ast.stmts.iter().find_map(|s| match &s.node {
        Stmt::Param(p) if p.name.node == name => p.doc.clone().map(|d| d.replace('\n', " ")),
        _ => None,
    })
}

fn step_markdown(out: &mut String, n: usize, step: &StepDoc, known: &Known) {
    let no_notes = Notes::default();
    let notes = known.notes.steps.get(step.id.as_str()).unwrap_or(&no_notes);
    text(out, &notes.before, &[step.title.as_str(), known.title]);
    let _ = writeln!(out, "## {n}. {}\n", step.title);
    let mut facts = vec![format!("step `{}`", step.id)];
    match &step.group {
        Some(g) => facts.push(format!("on `{g}` ({})", step.hosts.join(", "))),
        None => facts.push(format!("on `{}`", step.hosts.join(", "))),
    }
    facts.extend(step.settings().into_iter().map(|s| match s {
        Setting::Parallel(p) => format!("{p} hosts at a time"),
        Setting::MaxFail(m) => format!("up to {m} hosts may fail"),
        Setting::Timeout(t) => format!("timeout {t}"),
        Setting::Retry(r) => format!("retry {r}"),
    }));
    let _ = writeln!(out, "_{}_\n", facts.join(" · "));
    if let Some(d) = known.step_docs.get(step.id.as_str()) {
        let _ = writeln!(out, "{}\n", d.trim());
    }
    text(out, &notes.inside, &[]);
    if let Some(g) = &step.guard {
        let what = if g.kind == "when" {
            "Runs only when"
        } else {
            "Skipped when"
        };
        let _ = writeln!(out, "{what} `{}`.\n", g.condition);
        commands(out, &g.commands, host_of(step, known), Some("Decided by"));
    }
    actions(out, &step.actions, host_of(step, known));
    if !step.on_failure.is_empty() {
        let _ = writeln!(out, "### If {} fails\n", step.title);
        out.push_str(
            "It restores what it changed, before the rollbacks of the steps before it:\n\n",
        );
        actions(out, &step.on_failure, host_of(step, known));
    }
    if !step.always.is_empty() {
        let _ = writeln!(out, "### At the end of {}\n", step.title);
        out.push_str("Whether it succeeded or failed:\n\n");
        actions(out, &step.always, host_of(step, known));
    }
    if !step.rollback.is_empty() {
        let _ = writeln!(out, "### Rollback of {}\n", step.title);
        out.push_str("If a later step fails, this undoes it:\n\n");
        actions(out, &step.rollback, host_of(step, known));
    }
}

/// The host commands are shown on: `ssh HOST` for one remote host.
/// The one remote host a step's commands are typed for (`ssh HOST '...'`); none for a step
/// on this machine (`local`, or a host declared `= local`) or on a group.
fn host_of<'a>(step: &'a StepDoc, known: &Known) -> Option<&'a str> {
    match step.hosts.as_slice() {
        [one] if step.group.is_none() && known.remote_hosts.contains(one.as_str()) => Some(one),
        _ => None,
    }
}

fn actions(out: &mut String, list: &[Action], host: Option<&str>) {
    let mut block: Vec<&Action> = Vec::new();
    for a in list {
        if matches!(a, Action::Run { .. }) {
            block.push(a);
            continue;
        }
        flush(out, &mut block, host);
        match a {
            Action::Capture { name, commands: c } => {
                let _ = writeln!(out, "Captures `{name}` from:\n");
                commands(out, c, host, None);
            }
            Action::Check {
                condition,
                message,
                commands: c,
            } => {
                let message = message
                    .as_ref()
                    .map_or(String::new(), |m| format!(" (else: {m})"));
                let _ = writeln!(out, "Check that `{condition}`{message}:\n");
                commands(out, c, host, Some("Check"));
            }
            Action::WaitUntil {
                condition,
                every,
                timeout,
                commands: c,
            } => {
                let _ = writeln!(
                    out,
                    "Wait until `{condition}`, trying every {every} for at most {timeout}:\n"
                );
                commands(out, c, host, Some("Verify"));
            }
            Action::Approve {
                message,
                dangerous: true,
            } => {
                let _ = writeln!(
                    out,
                    "> **DANGER**: approval required, typing the step id: {message}\n"
                );
            }
            Action::Approve {
                message,
                dangerous: false,
            } => {
                let _ = writeln!(out, "> Needs explicit approval: {message}\n");
            }
            Action::Log { message } => {
                let _ = writeln!(out, "Logs: {message}\n");
            }
            Action::Fail { message } => {
                let _ = writeln!(out, "Stops with: {message}\n");
            }
            Action::Problem { message } => {
                let _ = writeln!(out, "Would fail: {message}\n");
            }
            Action::Run { .. } => {}
            Action::If {
                condition,
                commands: c,
                known,
                then,
                otherwise,
            } => match known {
                // The document is for the params it was made with: a branch they rule out
                // is not shown, one they choose is shown with the reason.
                Some(false) => actions(out, otherwise, host),
                Some(true) => {
                    let _ = writeln!(out, "Since `{condition}`:\n");
                    actions(out, then, host);
                }
                None => {
                    let _ = writeln!(out, "If `{condition}`:\n");
                    commands(out, c, host, Some("Decided by"));
                    actions(out, then, host);
                    if !otherwise.is_empty() {
                        out.push_str("Otherwise:\n\n");
                        actions(out, otherwise, host);
                    }
                }
            },
            Action::For {
                name,
                list,
                commands: c,
                items,
                body,
            } => {
                let each = match items {
                    Some(1) => " (1 item)".to_string(),
                    Some(n) => format!(" ({n} items)"),
                    None => String::new(),
                };
                let _ = writeln!(out, "For each `{name}` in `{list}`{each}:\n");
                commands(out, c, host, Some("The list from"));
                actions(out, body, host);
            }
        }
    }
    flush(out, &mut block, host);
}

fn flush(out: &mut String, block: &mut Vec<&Action>, host: Option<&str>) {
    if block.is_empty() {
        return;
    }
    let list: Vec<Action> = block.drain(..).cloned().collect();
    commands(out, &list, host, None);
}

/// `COMMAND <<'EOF'` with the text it reads, under a delimiter the text does not hold.
fn heredoc(command: &str, text: &str) -> String {
    let mut mark = "EOF".to_string();
    while text.lines().any(|l| l == mark) {
        mark.push('_');
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    format!("{command} <<'{mark}'\n{body}\n{mark}")
}

/// A ```bash block; `ssh HOST 'cmd'` for a remote host, as the commands would be typed.
fn commands(out: &mut String, list: &[Action], host: Option<&str>, label: Option<&str>) {
    let lines: Vec<String> = list
        .iter()
        .filter_map(|a| match a {
            Action::Run { command, stdin, .. } => {
                let typed = match host {
                    Some(h) => format!(
                        "ssh {h} {}",
                        shlex::try_quote(command)
                            .map(|c| c.into_owned())
                            .unwrap_or_else(|_| command.clone())
                    ),
                    None => command.clone(),
                };
                Some(match stdin {
                    Some(text) => heredoc(&typed, text),
                    None => typed,
                })
            }
            _ => None,
        })
        .collect();
    if lines.is_empty() {
        return;
    }
    out.push_str("```bash\n");
    if let Some(label) = label {
        let _ = writeln!(out, "# {label}:");
    }
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
    out.push_str("```\n\n");
}
