//! The step loop: guards, attempts, timeouts, the rollback chain, and the run's verdict.

use std::time::{Duration, Instant};

use super::event::{Event, RunStatus, StepStatus};
use super::interp::{Failure, Interp, Services, Target};
use super::local::Local;
use super::value::Value;
use crate::exit;
use crate::plan::{self, Plan};
use crate::syntax::ast::{self, Block, Modifier, Stmt};

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Leave the system as it is when a step fails.
    pub no_rollback: bool,
}

/// A completed step whose rollback may be needed.
struct Done<'p> {
    step: String,
    host: String,
    rollback: &'p Block,
}

/// Runs the plan; returns the exit code, or the problems that kept it from starting.
pub fn execute(plan: &Plan, services: Services, options: Options) -> Result<i32, Vec<plan::Error>> {
    let local = Local;
    let mut interp = Interp::new(plan, services);
    init_globals(plan, &mut interp)?;
    let started = Instant::now();
    let steps: Vec<&ast::Step> = plan.steps().collect();
    emit(
        &interp,
        Event::RunStarted {
            runbook: plan.name.clone(),
            title: title_of(plan),
            steps: steps.len(),
        },
    );
    let mut done: Vec<Done> = Vec::new();
    let mut status = RunStatus::Succeeded;
    'steps: for step in steps {
        for host in plan.targets(step) {
            if *interp.services.stop.borrow() {
                status = RunStatus::Interrupted;
                break 'steps;
            }
            let target = Target {
                step: step.id.node.clone(),
                host: host.clone(),
                transport: &local,
                deadline: None,
                quiet: false,
            };
            let title = render_title(&mut interp, step);
            let step_start = Instant::now();
            match run_step(&mut interp, step, &target, &title) {
                Ok(StepEnd::Skipped(note)) => finish(
                    &interp,
                    &target,
                    &title,
                    StepStatus::Skipped,
                    step_start,
                    note,
                ),
                Ok(StepEnd::Done) => {
                    finish(
                        &interp,
                        &target,
                        &title,
                        StepStatus::Ok,
                        step_start,
                        String::new(),
                    );
                    if let Some(rollback) = rollback_of(step) {
                        done.push(Done {
                            step: target.step.clone(),
                            host: host.clone(),
                            rollback,
                        });
                    }
                }
                Err(failure) => {
                    let (step_status, run_status) = verdict(&failure);
                    finish(
                        &interp,
                        &target,
                        &title,
                        step_status,
                        step_start,
                        failure.note(),
                    );
                    status = run_status;
                    if run_status == RunStatus::Failed
                        && !options.no_rollback
                        && !roll_back(&mut interp, &local, &done)
                    {
                        status = RunStatus::RollbackFailed;
                    }
                    break 'steps;
                }
            }
        }
    }
    let exit_code = match status {
        RunStatus::Succeeded => exit::SUCCESS,
        RunStatus::Failed => exit::STEP_FAILED,
        RunStatus::RollbackFailed => exit::ROLLBACK_FAILED,
        RunStatus::AwaitingApproval => exit::AWAITING_APPROVAL,
        RunStatus::Interrupted => exit::INTERRUPTED,
    };
    emit(
        &interp,
        Event::RunFinished {
            status,
            duration_ms: millis(started.elapsed()),
            exit_code,
        },
    );
    Ok(exit_code)
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
            },
        );
        let failure = match interp.run_block(&step.body, &attempt_target) {
            Ok(()) => return Ok(StepEnd::Done),
            Err(Failure::TimedOut) => timeout.map_or(Failure::TimedOut, Failure::StepTimeout),
            Err(f) => f,
        };
        let retryable = !matches!(
            failure,
            Failure::Interrupted | Failure::AwaitingApproval { .. } | Failure::Declined
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

/// Runs the rollbacks of completed steps, newest first; false when one failed.
fn roll_back(interp: &mut Interp, local: &Local, done: &[Done]) -> bool {
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
            transport: local,
            deadline: None,
            quiet: false,
        };
        let result = interp.run_rollback(d.rollback, &target);
        let (ok, note) = match &result {
            Ok(()) => (true, String::new()),
            Err(f) => (false, f.note()),
        };
        emit(
            interp,
            Event::RollbackFinished {
                step: d.step.clone(),
                host: d.host.clone(),
                ok,
                duration_ms: millis(start.elapsed()),
                note,
            },
        );
        if !ok {
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

fn finish(
    interp: &Interp,
    target: &Target,
    title: &str,
    status: StepStatus,
    start: Instant,
    note: String,
) {
    emit(
        interp,
        Event::StepFinished {
            step: target.step.clone(),
            title: title.into(),
            host: target.host.clone(),
            status,
            duration_ms: millis(start.elapsed()),
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
fn init_globals(plan: &Plan, interp: &mut Interp) -> Result<(), Vec<plan::Error>> {
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
