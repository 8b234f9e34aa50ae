//! The step loop: guards, attempts, timeouts, the rollback chain, and the run's verdict.
//! Every transition is journaled before it takes effect.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::event::{Event, RunStatus, StepStatus};
use super::hosts::Transports;
use super::interp::{Failure, Interp, Target};
use super::value::{self, Value};
use crate::exit;
use crate::journal::reader::StepKey;
use crate::journal::record::{now, CaptureRecord};
use crate::journal::Record;
use crate::plan::{self, Plan};
use crate::syntax::ast::{self, Block, FailBudget, Modifier, Stmt};

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Leave the system as it is when a step fails.
    pub no_rollback: bool,
}

/// What a resumed run takes from its journal.
#[derive(Debug, Clone, Default)]
pub struct Resume {
    pub completed: Vec<StepKey>,
    pub captures: BTreeMap<String, serde_json::Value>,
}

/// A completed step whose rollback may be needed.
struct Done<'p> {
    step: String,
    host: String,
    rollback: &'p Block,
}

/// Params, secrets and top-level values; then the steps. Returns the exit code, or the
/// problems that kept the run from starting.
pub fn execute(
    plan: &Plan,
    interp: &mut Interp,
    transports: &Transports,
    options: Options,
    resume: Option<&Resume>,
) -> i32 {
    let started = Instant::now();
    let steps: Vec<&ast::Step> = plan.steps().collect();
    begin(plan, interp, steps.len(), resume);
    let mut done: Vec<Done> = Vec::new();
    let mut status = RunStatus::Succeeded;
    'steps: for step in steps {
        let title = render_title(interp, step);
        let mut pending = Vec::new();
        for host in plan.targets(step) {
            let key = (step.id.node.clone(), host.clone());
            if resume.is_some_and(|r| r.completed.contains(&key)) {
                let target = Target {
                    step: key.0.clone(),
                    host: host.clone(),
                    transport: transports.get(&host),
                    deadline: None,
                    quiet: false,
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
        let (parallel, budget) = fan_out_limits(step, plan.targets(step).len());
        let results = if parallel > 1 && pending.len() > 1 {
            run_in_parallel(interp, transports, step, &title, &pending, parallel, budget)
        } else {
            run_in_turn(interp, transports, step, &title, &pending, budget)
        };
        let mut failures = Vec::new();
        for (host, result) in results {
            match result {
                HostOutcome::Done => {
                    if let Some(rollback) = rollback_of(step) {
                        done.push(Done {
                            step: step.id.node.clone(),
                            host,
                            rollback,
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
        if status == RunStatus::Failed
            && !options.no_rollback
            && !journal_broken
            && !roll_back(interp, transports, &done)
        {
            status = RunStatus::RollbackFailed;
        }
        break 'steps;
    }
    finish_run(interp, status, started.elapsed())
}

/// `runbook rollback RUN_ID`: the compensations of the completed steps, newest first.
pub fn roll_back_run(
    plan: &Plan,
    interp: &mut Interp,
    transports: &Transports,
    resume: &Resume,
) -> i32 {
    let started = Instant::now();
    begin(plan, interp, 0, Some(resume));
    let mut done = Vec::new();
    for step in plan.steps() {
        for host in plan.targets(step) {
            let key = (step.id.node.clone(), host.clone());
            if let (true, Some(rollback)) = (resume.completed.contains(&key), rollback_of(step)) {
                done.push(Done {
                    step: key.0,
                    host,
                    rollback,
                });
            }
        }
    }
    let status = if roll_back(interp, transports, &done) {
        RunStatus::RolledBack
    } else {
        RunStatus::RollbackFailed
    };
    finish_run(interp, status, started.elapsed())
}

/// Announces the session and restores what earlier sessions captured.
fn begin(plan: &Plan, interp: &mut Interp, steps: usize, resume: Option<&Resume>) {
    let event = Event::RunStarted {
        run_id: interp.run_id.clone(),
        runbook: plan.name.clone(),
        title: title_of(plan),
        steps,
    };
    emit(interp, event);
    for (name, v) in resume.map(|r| &r.captures).into_iter().flatten() {
        interp.restore_capture(name, value::from_json(v.clone()));
    }
}

fn finish_run(interp: &mut Interp, status: RunStatus, elapsed: Duration) -> i32 {
    let exit_code = match status {
        RunStatus::Succeeded | RunStatus::RolledBack => exit::SUCCESS,
        RunStatus::Failed => exit::STEP_FAILED,
        RunStatus::RollbackFailed => exit::ROLLBACK_FAILED,
        RunStatus::AwaitingApproval => exit::AWAITING_APPROVAL,
        RunStatus::Interrupted => exit::INTERRUPTED,
    };
    let status_text = serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    // The verdict is the last record; if it cannot be written the journal still shows
    // where the run stopped.
    let _ = interp.record(&Record::RunFinished {
        status: status_text,
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
    exit_code
}

/// The step's result and the values it captured, secrets masked.
fn journal_result(
    interp: &mut Interp,
    step: &ast::Step,
    target: &Target,
    status: StepStatus,
    elapsed: Duration,
    note: &str,
) -> Result<(), Failure> {
    let mut captures = BTreeMap::new();
    if status == StepStatus::Ok {
        for s in &step.body.stmts {
            if let Stmt::Let(l) = &s.node {
                if let Some(v) = interp.captures().get(&l.name.node) {
                    let json = serde_json::to_value(v).unwrap_or(serde_json::Value::Null);
                    let text = json.to_string();
                    let masked_text = interp.services.masker.mask(&text).into_owned();
                    let capture = if masked_text == text {
                        CaptureRecord {
                            value: json,
                            masked: false,
                        }
                    } else {
                        CaptureRecord {
                            value: serde_json::from_str(&masked_text)
                                .unwrap_or(serde_json::Value::Null),
                            masked: true,
                        }
                    };
                    captures.insert(l.name.node.clone(), capture);
                }
            }
        }
    }
    let status = serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
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

/// `parallel N` (1 when absent) and the number of hosts that may fail (`max_fail`).
fn fan_out_limits(step: &ast::Step, hosts: usize) -> (usize, usize) {
    let mut parallel = 1;
    let mut budget = 0;
    for m in &step.modifiers {
        match &m.node {
            Modifier::Parallel(n) => parallel = n.node as usize,
            Modifier::MaxFail(b) => {
                budget = match b.node {
                    FailBudget::Hosts(n) => n as usize,
                    FailBudget::Percent(p) => hosts * p as usize / 100,
                }
            }
            _ => {}
        }
    }
    (parallel.max(1), budget)
}

/// How the step ended on one host.
enum HostOutcome {
    Done,
    Skipped,
    Failed(Failure),
}

type HostResult = (String, HostOutcome);

/// One host after the other; stops launching once the budget is spent.
fn run_in_turn(
    interp: &mut Interp,
    transports: &Transports,
    step: &ast::Step,
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
fn run_in_parallel(
    interp: &mut Interp,
    transports: &Transports,
    step: &ast::Step,
    title: &str,
    hosts: &[String],
    parallel: usize,
    budget: usize,
) -> Vec<HostResult> {
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, HostResult)>> = Mutex::new(Vec::new());
    let forks: Vec<Interp> = std::thread::scope(|scope| {
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
fn run_host(
    interp: &mut Interp,
    transports: &Transports,
    step: &ast::Step,
    title: &str,
    host: &str,
    fanout: bool,
) -> HostOutcome {
    let target = Target {
        step: step.id.node.clone(),
        host: host.to_string(),
        transport: transports.get(host),
        deadline: None,
        quiet: false,
    };
    let start = Instant::now();
    let (status, note, failure) = match run_step(interp, step, &target, title, fanout) {
        Ok(StepEnd::Skipped(note)) => (StepStatus::Skipped, note, None),
        Ok(StepEnd::Done) => (StepStatus::Ok, String::new(), None),
        Err(f) => (verdict(&f).0, f.note(), Some(f)),
    };
    let journaled = journal_result(interp, step, &target, status, start.elapsed(), &note);
    emit_finished(interp, &target, title, status, start.elapsed(), note);
    match (failure, journaled) {
        (Some(f), _) | (None, Err(f)) => HostOutcome::Failed(f),
        (None, Ok(())) if status == StepStatus::Skipped => HostOutcome::Skipped,
        (None, Ok(())) => HostOutcome::Done,
    }
}

enum StepEnd {
    Done,
    Skipped(String),
}

/// How a failure ends the step and the run.
fn verdict(f: &Failure) -> (StepStatus, RunStatus) {
    match f {
        Failure::Interrupted => (StepStatus::Interrupted, RunStatus::Interrupted),
        Failure::AwaitingApproval { .. } => {
            (StepStatus::AwaitingApproval, RunStatus::AwaitingApproval)
        }
        Failure::Declined => (StepStatus::Declined, RunStatus::AwaitingApproval),
        Failure::TimedOut | Failure::StepTimeout(_) => (StepStatus::TimedOut, RunStatus::Failed),
        _ => (StepStatus::Failed, RunStatus::Failed),
    }
}

fn run_step(
    interp: &mut Interp,
    step: &ast::Step,
    target: &Target,
    title: &str,
    fanout: bool,
) -> Result<StepEnd, Failure> {
    let mut timeout = None;
    let mut retry = None;
    for m in &step.modifiers {
        match &m.node {
            Modifier::When(e) if !interp.guard(e, target)? => {
                return Ok(StepEnd::Skipped(format!(
                    "`{}` is false",
                    interp.guard_text(e)
                )))
            }
            Modifier::Unless(e) if interp.guard(e, target)? => {
                return Ok(StepEnd::Skipped(format!(
                    "`{}` is true",
                    interp.guard_text(e)
                )))
            }
            Modifier::Timeout(d) => timeout = Some(d.node),
            Modifier::Retry(r) => retry = Some(r),
            _ => {}
        }
    }
    // Guards only look; the intent goes to the journal before anything can change.
    interp.record(&Record::StepIntent {
        step: target.step.clone(),
        host: target.host.clone(),
        attempt: 1,
        at: now(),
    })?;
    let tries = retry.map_or(1, |r| r.times.node + 1);
    let mut delay = retry.map_or(Duration::ZERO, |r| r.every.node);
    let backoff = retry
        .and_then(|r| r.backoff.as_ref())
        .map_or(1.0, |b| b.node);
    for attempt in 1..=tries {
        let attempt_target = Target {
            step: target.step.clone(),
            host: target.host.clone(),
            transport: target.transport,
            deadline: timeout.map(|d| Instant::now() + d),
            quiet: false,
        };
        emit(
            interp,
            Event::StepStarted {
                step: target.step.clone(),
                title: title.into(),
                host: target.host.clone(),
                attempt,
                fanout,
            },
        );
        let failure = match interp.run_block(&step.body, &attempt_target) {
            Ok(()) => return Ok(StepEnd::Done),
            Err(Failure::TimedOut) => timeout.map_or(Failure::TimedOut, Failure::StepTimeout),
            Err(f) => f,
        };
        let retryable = !matches!(
            failure,
            Failure::Interrupted
                | Failure::AwaitingApproval { .. }
                | Failure::Declined
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

/// Runs the rollbacks of completed steps, newest first, each journaled; false when one
/// failed (the chain stops there).
fn roll_back(interp: &mut Interp, transports: &Transports, done: &[Done]) -> bool {
    for d in done.iter().rev() {
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
        let elapsed = millis(start.elapsed());
        let journaled = interp.record(&Record::RollbackResult {
            step: d.step.clone(),
            host: d.host.clone(),
            ok,
            note: note.clone(),
            duration_ms: elapsed,
            at: now(),
        });
        emit(
            interp,
            Event::RollbackFinished {
                step: d.step.clone(),
                host: d.host.clone(),
                ok,
                duration_ms: elapsed,
                note,
            },
        );
        if !ok || journaled.is_err() {
            return false;
        }
    }
    true
}

fn rollback_of(step: &ast::Step) -> Option<&Block> {
    step.body.stmts.iter().find_map(|s| match &s.node {
        Stmt::Rollback(b) => Some(b),
        _ => None,
    })
}

fn emit_finished(
    interp: &Interp,
    target: &Target,
    title: &str,
    status: StepStatus,
    elapsed: Duration,
    note: String,
) {
    emit(
        interp,
        Event::StepFinished {
            step: target.step.clone(),
            title: title.into(),
            host: target.host.clone(),
            status,
            duration_ms: millis(elapsed),
            note,
        },
    );
}

fn emit(interp: &Interp, event: Event) {
    interp.services.observer.event(event);
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn title_of(plan: &Plan) -> String {
    plan.ast
        .stmts
        .iter()
        .find_map(|s| match &s.node {
            Stmt::Header(h) => h.title.node.as_plain(),
            _ => None,
        })
        .unwrap_or_default()
}

fn render_title(interp: &mut Interp, step: &ast::Step) -> String {
    let title = interp.title(&step.title.node);
    interp.services.masker.mask(&title).into_owned()
}

/// Params, then secrets (masked from here on), then top-level values.
pub fn init_globals(plan: &Plan, interp: &mut Interp) -> Result<(), Vec<plan::Error>> {
    for p in &plan.params {
        interp.set_global(&p.name, p.value.clone());
    }
    let mut errors = Vec::new();
    for stmt in &plan.ast.stmts {
        if let Stmt::Secret(s) = &stmt.node {
            match interp.evaluate(&s.source) {
                Ok(Value::Str(v)) => {
                    interp.services.masker.add(&v);
                    interp.set_global(&s.name.node, Value::Str(v));
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
    })
}
