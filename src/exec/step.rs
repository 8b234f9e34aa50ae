//! One step on its hosts: in turn or in parallel within the failure budget, each host with
//! its intent, guards, attempts and result journaled and reported.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::announce::{emit, emit_finished, millis};
use super::event::{Event, RunStatus, StepStarted, StepStatus};
use super::hosts::Transports;
use super::interp::{Failure, Interpreter, Target};
use super::planned::{Planned, StepEnd};
use super::taint;
use super::value::Value;
use crate::journal::record::{now, CaptureRecord};
use crate::journal::Record;
use crate::plan::Guard;
use crate::syntax::ast::Stmt;

/// The step's result and the values it captured, secrets masked.
pub(super) fn journal_result(
    interp: &mut Interpreter,
    step: Planned<'_>,
    target: &Target,
    status: StepStatus,
    elapsed: Duration,
    note: &str,
) -> Result<(), Failure> {
    let mut captures = BTreeMap::new();
    if status == StepStatus::Ok {
        for s in &step.tree.body.stmts {
            if let Stmt::Let(l) = &s.node {
                if let Some(v) = interp.capture_on(&target.host, &target.step, &l.name.node) {
                    let label = capture_label(&target.step, &target.host, &l.name.node);
                    let capture = capture_record(interp, &label, v.clone())?;
                    captures.insert(l.name.node.clone(), capture);
                }
            }
        }
    }
    if !matches!(
        status,
        StepStatus::Ok | StepStatus::Skipped | StepStatus::AwaitingApproval
    ) {
        interp.last_failure = Some((target.step.clone(), target.host.clone(), note.to_string()));
    }
    interp.record(&Record::StepResult {
        step: target.step.clone(),
        host: target.host.clone(),
        status,
        duration_ms: millis(elapsed),
        note: note.to_string(),
        captures,
        at: now(),
    })
}

/// What names a capture in its lock: it opens only as the same step's, host's and name's.
pub(super) fn capture_label(step: &str, host: &str, name: &str) -> String {
    format!("{step}\0{host}\0{name}")
}

/// A captured value for the journal: as it is, or, when it holds a secret (by taint, or
/// by its text: output that printed one), shown masked and locked for a resumed run.
fn capture_record(interp: &Interpreter, label: &str, v: Value) -> Result<CaptureRecord, Failure> {
    let masker = &interp.services.masker;
    let mut value = serde_json::to_value(&v).unwrap_or(serde_json::Value::Null);
    let mut from = Vec::new();
    let clear = serde_json::to_value(taint::reveal(v, &mut from)).unwrap_or_default();
    from.extend(masker.found_in(&clear));
    from.sort();
    from.dedup();
    let masked = masker.mask_json(&mut value) || !from.is_empty();
    let locked = match (&interp.vault, from.is_empty()) {
        (Some(vault), false) => {
            let pairs: Vec<(String, String)> = from
                .iter()
                .filter_map(|n| masker.value_of(n).map(|v| (n.clone(), v.to_string())))
                .collect();
            let locked = vault
                .lock(label, &pairs, &clear)
                .map_err(|e| Failure::Journal {
                    message: format!("cannot lock a capture made from a secret: {e}"),
                })?;
            Some(locked)
        }
        _ => None,
    };
    Ok(CaptureRecord {
        value,
        masked,
        sealed: None,
        locked,
    })
}

/// `parallel N` (1 when absent) and the number of hosts that may fail (`max_fail`).
pub(super) fn fan_out_limits(
    interp: &Interpreter,
    step: Planned<'_>,
    hosts: usize,
) -> (usize, usize) {
    let settings = interp.settings_of(&step.head.id);
    let parallel = settings.parallel.unwrap_or(1).max(1);
    (parallel as usize, settings.budget(hosts))
}

/// How the step ended on one host.
pub(super) enum HostOutcome {
    Done,
    Skipped,
    Failed(Failure),
}

pub(super) type HostResult = (String, HostOutcome);

/// One host after the other; stops launching once the budget is spent.
pub(super) fn run_in_turn(
    interp: &mut Interpreter,
    transports: &Transports,
    step: Planned<'_>,
    title: &str,
    hosts: &[String],
    budget: usize,
) -> Vec<HostResult> {
    let mut results = Vec::new();
    let mut failed = 0;
    for host in hosts {
        let result = run_host(interp, transports, step, title, host, hosts.len() > 1);
        if let HostOutcome::Failed(f) = &result {
            failed += 1;
            if failed > budget || verdict(f).1 != RunStatus::Failed {
                results.push((host.clone(), result));
                break;
            }
        }
        results.push((host.clone(), result));
    }
    results
}

/// At most `parallel` hosts at once, each with an interpreter of its own; no new host
/// starts once the budget is spent. Results come back in host order.
pub(super) fn run_in_parallel(
    interp: &mut Interpreter,
    transports: &Transports,
    step: Planned<'_>,
    title: &str,
    hosts: &[String],
    parallel: usize,
    budget: usize,
) -> Vec<HostResult> {
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, HostResult)>> = Mutex::new(Vec::new());
    let forks: Vec<Interpreter> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..parallel.min(hosts.len()))
            .map(|_| {
                let mut fork = interp.fork();
                let (next, failed, results) = (&next, &failed, &results);
                scope.spawn(move || {
                    loop {
                        if failed.load(Ordering::SeqCst) > budget || *fork.services.stop.borrow() {
                            break;
                        }
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(host) = hosts.get(i) else { break };
                        let result = run_host(&mut fork, transports, step, title, host, true);
                        if matches!(result, HostOutcome::Failed(_)) {
                            failed.fetch_add(1, Ordering::SeqCst);
                        }
                        results
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((i, (host.clone(), result)));
                    }
                    fork
                })
            })
            .collect();
        workers.into_iter().filter_map(|w| w.join().ok()).collect()
    });
    for fork in &forks {
        interp.merge_captures(fork);
    }
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// The step on one host: intent, guards, attempts, result, all journaled and reported.
pub(super) fn run_host(
    interp: &mut Interpreter,
    transports: &Transports,
    step: Planned<'_>,
    title: &str,
    host: &str,
    fanout: bool,
) -> HostOutcome {
    let target = Target {
        step: step.head.id.clone(),
        host: host.to_string(),
        transport: transports.get(host),
        deadline: None,
        quiet: false,
        sudo: step.head.sudo,
    };
    let start = Instant::now();
    interp.failed_at.clear();
    let outcome = run_step(interp, step, &target, title, fanout);
    let outcome = super::cleanup::cleanups(interp, step, &target, outcome);
    let (status, note, failure) = match outcome {
        Ok(StepEnd::Skipped(note)) => (StepStatus::Skipped, note, None),
        Ok(StepEnd::Done) => (StepStatus::Ok, String::new(), None),
        Err(f) => (verdict(&f).0, f.note(), Some(f)),
    };
    if let Some(f) = &failure {
        report_problem(interp, step, &target, f);
    }
    let journaled = journal_result(interp, step, &target, status, start.elapsed(), &note);
    emit_finished(interp, &target, title, status, start.elapsed(), note);
    match (failure, journaled) {
        (Some(f), _) | (None, Err(f)) => HostOutcome::Failed(f),
        (None, Ok(())) if status == StepStatus::Skipped => HostOutcome::Skipped,
        (None, Ok(())) => HostOutcome::Done,
    }
}

/// How a failure ends the step and the run.
pub(super) fn verdict(f: &Failure) -> (StepStatus, RunStatus) {
    match f {
        Failure::Interrupted => (StepStatus::Interrupted, RunStatus::Interrupted),
        Failure::AwaitingApproval { .. } => {
            (StepStatus::AwaitingApproval, RunStatus::AwaitingApproval)
        }
        Failure::Declined | Failure::Denied { .. } => (StepStatus::Declined, RunStatus::Declined),
        Failure::TimedOut | Failure::StepTimeout(_) => (StepStatus::TimedOut, RunStatus::Failed),
        _ => (StepStatus::Failed, RunStatus::Failed),
    }
}

pub(super) fn run_step(
    interp: &mut Interpreter,
    step: Planned<'_>,
    target: &Target,
    title: &str,
    fanout: bool,
) -> Result<StepEnd, Failure> {
    let settings = interp.settings_of(&step.head.id);
    let (timeout, retry) = (settings.timeout, settings.retry);
    if let Some(reason) = interp.left_out(&step.head.id) {
        return Ok(StepEnd::Skipped(format!("left out: {reason}")));
    }
    for guard in &step.head.guards {
        match guard {
            Guard::When(e) if !interp.guard(e, target)? => {
                return Ok(StepEnd::Skipped(format!(
                    "`{}` is false",
                    interp.guard_text(e)
                )))
            }
            Guard::Unless(e) if interp.guard(e, target)? => {
                return Ok(StepEnd::Skipped(format!(
                    "`{}` is true",
                    interp.guard_text(e)
                )))
            }
            Guard::When(_) | Guard::Unless(_) => {}
        }
    }
    // Guards only look; the intent goes to the journal before anything can change.
    interp.record(&Record::StepIntent {
        step: target.step.clone(),
        host: target.host.clone(),
        attempt: 1,
        at: now(),
    })?;
    let tries = retry.map_or(1, |r| r.times + 1);
    let mut delay = retry.map_or(Duration::ZERO, |r| r.every);
    let backoff = retry.map_or(1.0, |r| r.backoff);
    for attempt in 1..=tries {
        let attempt_target = Target {
            step: target.step.clone(),
            host: target.host.clone(),
            transport: target.transport,
            deadline: timeout.map(|d| Instant::now() + d),
            quiet: false,
            sudo: target.sudo,
        };
        emit(
            interp,
            Event::StepStarted(StepStarted {
                step: target.step.clone(),
                title: title.into(),
                host: target.host.clone(),
                attempt,
                fanout,
            }),
        );
        let failure = match interp.run_block(&step.tree.body, &attempt_target) {
            Ok(()) => return Ok(StepEnd::Done),
            // The host went away under the command, as the step said it would: the command
            // did its work (a reboot has begun); what follows it in the step does not run.
            Err(Failure::Dropped { message, .. }) if step.head.disconnects => {
                emit(
                    interp,
                    Event::Log {
                        step: target.step.clone(),
                        host: target.host.clone(),
                        message: format!("{message}, as the step expects (`disconnects`)"),
                    },
                );
                return Ok(StepEnd::Done);
            }
            Err(Failure::TimedOut) => timeout.map_or(Failure::TimedOut, Failure::StepTimeout),
            Err(f) => f,
        };
        let retryable = !matches!(
            failure,
            Failure::Interrupted
                | Failure::AwaitingApproval { .. }
                | Failure::Declined
                | Failure::Denied { .. }
                | Failure::Journal { .. }
        );
        if attempt == tries || !retryable {
            return Err(failure);
        }
        emit(
            interp,
            Event::StepRetrying {
                step: target.step.clone(),
                host: target.host.clone(),
                attempt: attempt + 1,
                delay_ms: millis(delay),
                reason: failure.note(),
            },
        );
        interp.sleep(delay, None)?;
        delay = delay.mul_f64(backoff);
    }
    unreachable!("the last attempt returns")
}

/// Tells where and why the step failed: at the runbook's own statement that failed (a
/// stdlib function's line is the module's business), or at the step when a guard did.
fn report_problem(interp: &Interpreter, step: Planned<'_>, target: &Target, failure: &Failure) {
    let main = interp.main_file();
    let span = interp
        .failed_at
        .iter()
        .rev()
        .find(|s| s.file == main)
        .copied()
        .unwrap_or(step.tree.id.span);
    let Some(error) = crate::exec::error::Error::of(failure, &target.host, span) else {
        return;
    };
    let stderr = match failure {
        Failure::Command { stderr, .. } => stderr.as_str(),
        _ => "",
    };
    let problem = crate::exec::error::problem(&error, span, interp.services.sources, stderr);
    interp.services.observer.event(Event::StepProblem {
        step: target.step.clone(),
        host: target.host.clone(),
        problem,
    });
}
