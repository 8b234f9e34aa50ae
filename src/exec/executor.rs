//! The step loop: guards, attempts, timeouts, the rollback chain, and the run's verdict.
//! Every transition is journaled before it takes effect.

use std::time::{Duration, Instant};

use super::announce::{emit, emit_finished, millis};
use super::event::{Event, RollbackFinished, RunStatus, StepStatus};
use super::hosts::Transports;
use super::interp::{Failure, Interpreter, Target};
use super::planned::Planned;
use super::step::{
    capture_label, fan_out_limits, run_in_parallel, run_in_turn, verdict, HostOutcome,
};
use super::taint;
use super::value::{self, Value};
use crate::journal;
use crate::journal::reader::{Captured, StepKey};
use crate::journal::record::now;
use crate::journal::Record;
use crate::plan::{self, Plan};
use crate::syntax::ast::{self, Block, Stmt};

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Leave the system as it is when a step fails.
    pub no_rollback: bool,
}

/// What a resumed run takes from its journal.
#[derive(Debug, Clone, Default)]
pub struct Resume {
    pub completed: Vec<StepKey>,
    /// What the completed steps captured, in order.
    pub captures: Vec<Captured>,
}

/// A completed step whose rollback may be needed.
struct Done<'p> {
    step: String,
    host: String,
    rollback: &'p Block,
    sudo: bool,
}

/// Params, secrets and top-level values; then the steps. Returns the exit code, or the
/// problems that kept the run from starting.
pub fn execute(
    plan: &Plan,
    interp: &mut Interpreter,
    transports: &Transports,
    options: Options,
    resume: Option<&Resume>,
) -> RunStatus {
    let started = Instant::now();
    let steps: Vec<Planned> = Planned::all(plan).collect();
    begin(plan, interp, steps.len());
    let mut done: Vec<Done> = Vec::new();
    let mut status = RunStatus::Succeeded;
    'steps: for step in steps {
        let title = render_title(interp, step);
        let mut pending = Vec::new();
        for host in step.head.targets.clone() {
            let key = (step.head.id.clone(), host.clone());
            if resume.is_some_and(|r| r.completed.contains(&key)) {
                let target = Target {
                    step: key.0.clone(),
                    host: host.clone(),
                    transport: transports.get(&host),
                    deadline: None,
                    quiet: false,
                    sudo: step.head.sudo,
                };
                let note = "done before the resume: not run again".to_string();
                emit_finished(
                    interp,
                    &target,
                    &title,
                    StepStatus::Done,
                    Duration::ZERO,
                    note,
                );
                if let Some(rollback) = rollback_of(step) {
                    done.push(Done {
                        step: key.0,
                        host,
                        rollback,
                        sudo: step.head.sudo,
                    });
                }
            } else {
                pending.push(host);
            }
        }
        if pending.is_empty() {
            continue;
        }
        if *interp.services.stop.borrow() {
            status = RunStatus::Interrupted;
            break 'steps;
        }
        let hosts = step.head.targets.clone().len();
        let (parallel, budget) = fan_out_limits(interp, step, hosts);
        let fanned = Instant::now();
        let results = if parallel > 1 && pending.len() > 1 {
            run_in_parallel(interp, transports, step, &title, &pending, parallel, budget)
        } else {
            run_in_turn(interp, transports, step, &title, &pending, budget)
        };
        if hosts > 1 {
            interp.services.observer.event(Event::FanoutFinished {
                step: step.head.id.clone(),
                title: title.clone(),
                hosts,
                max_fail: budget,
                duration_ms: u64::try_from(fanned.elapsed().as_millis()).unwrap_or(u64::MAX),
            });
        }
        let mut failures = Vec::new();
        for (host, result) in results {
            match result {
                HostOutcome::Done => {
                    if let Some(rollback) = rollback_of(step) {
                        done.push(Done {
                            step: step.head.id.clone(),
                            host,
                            rollback,
                            sudo: step.head.sudo,
                        });
                    }
                }
                HostOutcome::Skipped => {}
                HostOutcome::Failed(f) => failures.push(f),
            }
        }
        // Within the failure budget the run goes on; an interrupt or a gate stops it anyway.
        let stopping = failures
            .iter()
            .find(|f| verdict(f).1 != RunStatus::Failed || matches!(f, Failure::Journal { .. }));
        let failure = match (stopping, failures.len() > budget) {
            (Some(f), _) => f.clone(),
            (None, true) => failures.swap_remove(0),
            (None, false) => continue,
        };
        status = verdict(&failure).1;
        let journal_broken = matches!(failure, Failure::Journal { .. });
        if journal_broken {
            // Nothing may run that cannot be journaled, a compensation included.
            status = RunStatus::JournalFailed;
        } else if status == RunStatus::Failed && options.no_rollback {
            status = RunStatus::FailedNoRollback;
        } else if status == RunStatus::Failed {
            status = match roll_back(interp, transports, &done) {
                Undone::All => RunStatus::Failed,
                Undone::Failed => RunStatus::RollbackFailed,
                Undone::Stopped => RunStatus::Interrupted,
            };
        }
        break 'steps;
    }
    finish_run(interp, status, started.elapsed())
}

/// `runbook rollback RUN_ID`: the compensations of the completed steps, newest first.
pub fn roll_back_run(
    plan: &Plan,
    interp: &mut Interpreter,
    transports: &Transports,
    resume: &Resume,
) -> RunStatus {
    let started = Instant::now();
    begin(plan, interp, 0);
    let mut done = Vec::new();
    for step in Planned::all(plan) {
        for host in step.head.targets.clone() {
            let key = (step.head.id.clone(), host.clone());
            if let (true, Some(rollback)) = (resume.completed.contains(&key), rollback_of(step)) {
                done.push(Done {
                    step: key.0,
                    host,
                    rollback,
                    sudo: step.head.sudo,
                });
            }
        }
    }
    let status = match roll_back(interp, transports, &done) {
        Undone::All => RunStatus::RolledBack,
        Undone::Failed => RunStatus::RollbackFailed,
        Undone::Stopped => RunStatus::Interrupted,
    };
    finish_run(interp, status, started.elapsed())
}

/// Announces the session and restores what earlier sessions captured.
fn begin(plan: &Plan, interp: &mut Interpreter, steps: usize) {
    // Values are set before the first session begins: the title may show them.
    let title = plan
        .ast
        .stmts
        .iter()
        .find_map(|s| match &s.node {
            Stmt::Header(h) => Some(shown_title(interp, &h.title.node)),
            _ => None,
        })
        .unwrap_or_default();
    let event = Event::RunStarted {
        run_id: interp.run_id.clone(),
        runbook: plan.name.clone(),
        title,
        steps,
    };
    emit(interp, event);
}

/// Gives a resumed session the captures of the sessions before it; a capture locked with
/// secrets that are not the same now is refused, never replaced by its mask.
pub fn restore_captures(interp: &mut Interpreter, resume: &Resume) -> Result<(), journal::Error> {
    let masker = interp.services.masker.clone();
    let vault = interp.vault.clone();
    for c in &resume.captures {
        let value = match (&c.record.locked, &vault) {
            (Some(locked), Some(vault)) => {
                let label = capture_label(&c.step, &c.host, &c.name);
                let clear =
                    vault
                        .open(&label, locked, |n| masker.value_of(n))
                        .map_err(|refusal| journal::Error::CaptureLocked {
                            capture: format!("{}.{}", c.step, c.name),
                            reason: refusal.to_string(),
                        })?;
                // Locked because it came from these secrets: a secret again.
                taint::taint(value::from_json(clear), locked.from.clone())
            }
            _ => value::from_json(c.record.restore(|v| masker.unseal_json(v))),
        };
        interp.restore_capture(&c.host, &c.step, &c.name, value);
    }
    Ok(())
}

fn finish_run(interp: &mut Interpreter, status: RunStatus, elapsed: Duration) -> RunStatus {
    let exit_code = status.exit_code();
    notify_end(interp, status);
    if status.is_settled() {
        if let Some(inbox) = &interp.inbox {
            inbox.discard(&interp.run_id);
        }
    }
    // The verdict is the last record; if it cannot be written the journal still shows
    // where the run stopped.
    let _ = interp.record(&Record::RunFinished {
        status,
        exit_code,
        duration_ms: millis(elapsed),
        at: now(),
    });
    emit(
        interp,
        Event::RunFinished {
            status,
            duration_ms: millis(elapsed),
            exit_code,
        },
    );
    status
}

/// Tells the channels how the session ended (an approval already told at its gate is not
/// told twice; an interrupted run is not an event).
fn notify_end(interp: &mut Interpreter, status: RunStatus) {
    let event = match status {
        RunStatus::Succeeded => "succeeded",
        RunStatus::RolledBack => "rolled_back",
        RunStatus::Declined => "declined",
        RunStatus::AwaitingApproval if interp.told_gate.is_none() => "awaiting_approval",
        RunStatus::Failed
        | RunStatus::FailedNoRollback
        | RunStatus::RollbackFailed
        | RunStatus::JournalFailed => "failed",
        RunStatus::AwaitingApproval | RunStatus::Interrupted => return,
    };
    let mut notice = interp.notice(event, status.name());
    if let Some((step, host, why)) = interp.last_failure.clone() {
        if matches!(event, "failed" | "rolled_back" | "declined") {
            notice.step = Some(step);
            notice.host = Some(host);
            notice.message = Some(why);
        }
    }
    interp.tell(notice);
}

/// How far a chain of compensations got.
enum Undone {
    All,
    /// One failed (or could not be journaled): the chain stopped there.
    Failed,
    /// A signal stopped it: the run is interrupted, not failed, and resumes like a crash.
    Stopped,
}

/// Runs the rollbacks of completed steps, newest first, each journaled.
fn roll_back(interp: &mut Interpreter, transports: &Transports, done: &[Done]) -> Undone {
    for d in done.iter().rev() {
        if *interp.services.stop.borrow() {
            return Undone::Stopped;
        }
        emit(
            interp,
            Event::RollbackStarted {
                step: d.step.clone(),
                host: d.host.clone(),
            },
        );
        let start = Instant::now();
        let target = Target {
            step: d.step.clone(),
            host: d.host.clone(),
            transport: transports.get(&d.host),
            deadline: None,
            quiet: false,
            sudo: d.sudo,
        };
        let result = interp
            .record(&Record::RollbackIntent {
                step: d.step.clone(),
                host: d.host.clone(),
                at: now(),
            })
            .and_then(|()| interp.run_rollback(d.rollback, &target));
        let (ok, note) = match &result {
            Ok(()) => (true, String::new()),
            Err(f) => (false, f.note()),
        };
        let cut = matches!(result, Err(Failure::Interrupted));
        let elapsed = millis(start.elapsed());
        let journaled = interp.record(&Record::RollbackResult {
            step: d.step.clone(),
            host: d.host.clone(),
            ok,
            note: note.clone(),
            duration_ms: elapsed,
            at: now(),
            cut,
        });
        emit(
            interp,
            Event::RollbackFinished(RollbackFinished {
                step: d.step.clone(),
                host: d.host.clone(),
                ok,
                duration_ms: elapsed,
                note,
                cut,
            }),
        );
        if cut {
            return Undone::Stopped;
        }
        if !ok || journaled.is_err() {
            return Undone::Failed;
        }
    }
    Undone::All
}

/// What `runbook rollback` would undo, newest first: each completed step (on each host) that
/// has a compensation.
pub fn undo_list(plan: &Plan, completed: &[(String, String)]) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = Planned::all(plan)
        .filter(|step| step.head.has_rollback)
        .flat_map(|step| {
            step.head
                .targets
                .clone()
                .into_iter()
                .map(|host| (step.head.id.clone(), host))
        })
        .filter(|key| completed.contains(key))
        .collect();
    list.reverse();
    list
}

fn rollback_of<'p>(step: Planned<'p>) -> Option<&'p Block> {
    step.tree.body.stmts.iter().find_map(|s| match &s.node {
        Stmt::Rollback(b) => Some(b),
        _ => None,
    })
}

fn render_title(interp: &mut Interpreter, step: Planned<'_>) -> String {
    shown_title(interp, &step.tree.title.node)
}

/// A runbook's or a step's title, its `{{ }}` filled and masked.
fn shown_title(interp: &mut Interpreter, title: &ast::Template) -> String {
    let title = interp.title(title);
    interp.services.masker.mask(&title).into_owned()
}

/// Params, then secrets (masked from here on), then top-level values.
pub fn init_globals(plan: &Plan, interp: &mut Interpreter) -> Result<(), Vec<plan::Error>> {
    for p in &plan.params {
        interp.set_global(&p.name, p.value.clone());
    }
    let mut errors = Vec::new();
    for stmt in &plan.ast.stmts {
        if let Stmt::Secret(s) = &stmt.node {
            match interp.evaluate(&s.source) {
                Ok(Value::Str(v)) => {
                    interp.services.masker.add(&s.name.node, &v);
                    let secret = taint::taint(Value::Str(v), vec![s.name.node.clone()]);
                    interp.set_global(&s.name.node, secret);
                }
                Ok(other) => errors.push(plan::Error::SecretUnavailable {
                    name: s.name.node.clone(),
                    reason: format!("it is {}", other.type_name()),
                    span: s.source.span.into(),
                }),
                Err(f) => errors.push(plan::Error::SecretUnavailable {
                    name: s.name.node.clone(),
                    reason: f.note(),
                    span: s.source.span.into(),
                }),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    interp.init_values().map_err(|(name, f)| {
        vec![plan::Error::ValueFailed {
            name,
            reason: f.note(),
        }]
    })?;
    // A step the selection leaves out never runs in this run: its settings cannot stop it.
    let kept = Planned::all(plan)
        .filter(|s| !plan.left_out.contains_key(&s.head.id))
        .map(|s| s.tree);
    let settings = plan::settings::resolve(kept, &mut |e| {
        interp
            .evaluate(e)
            .map(|v| taint::reveal(v, &mut Vec::new()))
            .map_err(|f| f.note())
    })?;
    interp.settings = std::sync::Arc::new(settings);
    interp.channels = std::sync::Arc::new(interp.notify_channels()?);
    Ok(())
}
