//! A step's own repair and clean-up: `on_failure { }` when it failed, `always { }` when it
//! ran at all, on the host it ran on, each journaled as a `cleanup` record.

use std::time::Instant;

use super::announce::{emit, millis};
use super::event::Event;
use super::interp::{Failure, Interpreter, Target};
use super::planned::{Planned, StepEnd};
use crate::journal::record::now;
use crate::journal::Record;
use crate::syntax::ast::{self, Stmt};

/// A failure of the step itself, that its `on_failure` may repair: not a pause, a
/// refusal, an interrupt or a journal that cannot be written.
fn repairable(f: &Failure) -> bool {
    !matches!(
        f,
        Failure::Interrupted
            | Failure::AwaitingApproval { .. }
            | Failure::Declined
            | Failure::Denied { .. }
            | Failure::Journal { .. }
    )
}

/// A step's `on_failure` (when it failed) and `always` (when it ran at all), on the host it
/// ran on. `on_failure` failing leaves the step failed as it was; `always` failing fails a
/// step that had succeeded.
pub(super) fn cleanups(
    interp: &mut Interpreter,
    step: Planned<'_>,
    target: &Target,
    outcome: Result<StepEnd, Failure>,
) -> Result<StepEnd, Failure> {
    let ran = match &outcome {
        Ok(StepEnd::Done) => true,
        Ok(StepEnd::Skipped(_)) => false,
        Err(f) => repairable(f),
    };
    if !ran {
        return outcome;
    }
    let block = |want: fn(&Stmt) -> Option<&ast::Block>| {
        step.tree.body.stmts.iter().find_map(|s| want(&s.node))
    };
    let on_failure = block(|s| match s {
        Stmt::OnFailure(b) => Some(b),
        _ => None,
    });
    let always = block(|s| match s {
        Stmt::Always(b) => Some(b),
        _ => None,
    });
    if let (Err(_), Some(b)) = (&outcome, on_failure) {
        // Only the journal's own failure stops here: a failing repair is reported by it.
        cleanup(interp, target, "on_failure", b)?;
    }
    let Some(b) = always else {
        return outcome;
    };
    match (cleanup(interp, target, "always", b), outcome) {
        (Ok(Some(f)), Ok(_)) | (Err(f), _) => Err(f),
        (_, outcome) => outcome,
    }
}

/// Runs one cleanup block, reports and journals how it ended: the failure it had, if any;
/// an error only when the journal cannot be written.
fn cleanup(
    interp: &mut Interpreter,
    target: &Target,
    which: &str,
    block: &ast::Block,
) -> Result<Option<Failure>, Failure> {
    let start = Instant::now();
    let unbounded = Target {
        step: target.step.clone(),
        host: target.host.clone(),
        transport: target.transport,
        // The step's timeout is for its work: what repairs or cleans up after it may run.
        deadline: None,
        quiet: false,
        sudo: target.sudo,
    };
    let result = interp.run_rollback(block, &unbounded);
    let failure = result.err();
    let note = failure.as_ref().map_or(String::new(), Failure::note);
    interp.record(&Record::Cleanup {
        step: target.step.clone(),
        host: target.host.clone(),
        block: which.to_string(),
        ok: failure.is_none(),
        note: note.clone(),
        duration_ms: millis(start.elapsed()),
        at: now(),
    })?;
    let message = match &failure {
        None => format!("{which}: done"),
        Some(_) => format!("{which} failed: {note}"),
    };
    emit(
        interp,
        Event::Log {
            step: target.step.clone(),
            host: target.host.clone(),
            message,
        },
    );
    Ok(failure)
}
