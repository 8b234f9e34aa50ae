//! The dry run: every step walked in order with commands recorded instead of run. No host
//! is connected to and no command is started; values only known at run time stay symbolic.

use super::interp::{Failure, Interpreter, Target};
use super::planned::Planned;
use super::recorder::Recorder;
use crate::plan::doc::{Action, GuardDoc, HostDoc, ParamDoc, PlanDoc, StepDoc, FORMAT};
use crate::plan::settings::StepSettings;
use crate::plan::Guard;
use crate::plan::{HostKind, Plan};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{self, FailBudget, Stmt};

use super::value::Value;

pub fn dry_run(plan: &Plan, sources: &SourceMap, interp: &mut Interpreter) -> PlanDoc {
    interp.plan_walk();
    let recorder = Recorder;
    let mut steps = Vec::new();
    for step in Planned::all(plan) {
        let hosts = step.head.targets.clone();
        let target = Target {
            step: step.head.id.clone(),
            host: hosts.first().cloned().unwrap_or_else(|| "local".into()),
            transport: &recorder,
            deadline: None,
            quiet: true,
            sudo: step.head.sudo,
        };
        steps.push(step_doc(plan, interp, step, hosts, &target));
    }
    let params = plan
        .params
        .iter()
        .map(|p| ParamDoc {
            name: p.name.clone(),
            value: serde_json::to_value(&p.value).unwrap_or_default(),
            origin: serde_json::to_value(p.origin)
                .ok()
                .and_then(|o| o.as_str().map(str::to_string))
                .unwrap_or_default(),
        })
        .collect();
    let text = sources.text(plan.file);
    let mut secrets = Vec::new();
    let mut hosts = Vec::new();
    let mut title = String::new();
    for stmt in &plan.ast.stmts {
        match &stmt.node {
            Stmt::Secret(s) => secrets.push(s.name.node.clone()),
            Stmt::Host(h) => {
                let target = match plan.hosts.get(&h.name.node) {
                    Some(HostKind::Ssh(declared)) => {
                        text.get(declared.span.range()).unwrap_or("").to_string()
                    }
                    _ => "local".into(),
                };
                hosts.push(HostDoc {
                    name: h.name.node.clone(),
                    target,
                });
            }
            Stmt::Header(h) => title = interp.title(&h.title.node),
            _ => {}
        }
    }
    if let Some(inv) = &plan.inventory {
        hosts.extend(inv.hosts.iter().map(|(name, h)| HostDoc {
            name: name.clone(),
            target: match &h.target {
                crate::inventory::Target::Local => format!("local (from {})", inv.shown),
                crate::inventory::Target::Ssh(ssh) => {
                    format!("ssh({:?}) (from {})", ssh.destination, inv.shown)
                }
            },
        }));
    }
    PlanDoc {
        format: FORMAT,
        runbook: plan.name.clone(),
        title,
        params,
        secrets,
        hosts,
        notify: interp.channels.iter().map(|c| c.describe()).collect(),
        locked_hosts: plan.locked_hosts(),
        steps,
    }
}

fn step_doc(
    plan: &Plan,
    interp: &mut Interpreter,
    step: Planned<'_>,
    hosts: Vec<String>,
    target: &Target,
) -> StepDoc {
    let mut doc = StepDoc {
        id: step.head.id.clone(),
        title: interp.title(&step.tree.title.node),
        hosts,
        group: None,
        guard: None,
        timeout: None,
        retry: None,
        parallel: None,
        max_fail: None,
        disconnects: step.head.disconnects,
        verdict: "runs".into(),
        actions: Vec::new(),
        rollback: Vec::new(),
        on_failure: Vec::new(),
        always: Vec::new(),
    };
    if let Some(reason) = plan.left_out.get(&step.head.id) {
        doc.verdict = format!("left out: {reason}");
        return doc;
    }
    doc.group.clone_from(&step.head.group);
    for guard in &step.head.guards {
        let (kind, e) = match guard {
            Guard::When(e) => ("when", e),
            Guard::Unless(e) => ("unless", e),
        };
        interp.dry_begin();
        let value = interp
            .guard_value(e, target)
            .map(|v| crate::exec::taint::reveal(v, &mut Vec::new()));
        let commands = interp.dry_end();
        doc.verdict = match (kind, value) {
            ("when", Ok(Value::Bool(false))) | ("unless", Ok(Value::Bool(true))) => {
                "skipped".into()
            }
            (_, Ok(Value::Bool(_))) => "runs".into(),
            (_, Ok(_)) => "decided at run time".into(),
            (_, Err(f)) => format!("fails: {}", f.note()),
        };
        doc.guard = Some(GuardDoc {
            kind: kind.into(),
            condition: interp.guard_text(e),
            commands,
        });
    }
    let settings = interp.settings_of(&step.head.id);
    settings_doc(&mut doc, &settings, |span| interp.source_text(span));
    interp.dry_begin();
    let result = interp.run_block(&step.tree.body, target);
    let mut actions = interp.dry_end();
    match result {
        Ok(()) | Err(Failure::Fail { .. }) => {}
        Err(f) => actions.push(Action::Problem { message: f.note() }),
    }
    doc.actions = actions;
    doc.rollback = interp.dry_take_rollback();
    (doc.on_failure, doc.always) = interp.dry_take_cleanups();
    doc
}

/// The step's settings as resolved before the run, or as written when only the run can
/// compute them.
fn settings_doc(doc: &mut StepDoc, settings: &StepSettings, source: impl Fn(Span) -> String) {
    let written = |what: &str| {
        settings
            .unknown
            .iter()
            .find(|(w, _)| w.starts_with(what))
            .map(|(_, span)| format!("`{}` (known when it runs)", source(*span)))
    };
    // A width only the run can tell is not shown as the default of 1.
    if written("parallel").is_none() {
        doc.parallel = settings.parallel;
    }
    doc.max_fail = written("max_fail").or(settings.max_fail.map(|b| match b {
        FailBudget::Hosts(n) => n.to_string(),
        FailBudget::Percent(p) => format!("{p}%"),
    }));
    doc.timeout = written("timeout").or(settings.timeout.map(ast::human_duration));
    doc.retry = written("retry").or(settings.retry.map(|r| {
        let backoff = if r.backoff == 1.0 {
            String::new()
        } else {
            format!(" backoff {}", r.backoff)
        };
        format!(
            "{} every {}{backoff}",
            r.times,
            ast::human_duration(r.every)
        )
    }));
}
