//! What the executor tells its observer of a step: one place, so that the step runner, the
//! cleanups and the run loop say it alike.

use std::time::Duration;

use super::event::{Event, StepFinished, StepStatus};
use super::interp::{Interpreter, Target};

pub(super) fn emit_finished(
    interp: &Interpreter,
    target: &Target,
    title: &str,
    status: StepStatus,
    elapsed: Duration,
    note: String,
) {
    emit(
        interp,
        Event::StepFinished(StepFinished {
            step: target.step.clone(),
            title: title.into(),
            host: target.host.clone(),
            status,
            duration_ms: millis(elapsed),
            note,
        }),
    );
}

pub(super) fn emit(interp: &Interpreter, event: Event) {
    interp.services.observer.event(event);
}

pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
