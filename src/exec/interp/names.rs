//! Reading a name where `check` said it lives: a frame, the globals, a step's capture or
//! the current host. Nothing is searched for at run time.

use super::{Failure, FrameKind, Interpreter, Outcome};
use crate::exec::value::Value;
use crate::plan::Name;
use crate::source::Span;

impl Interpreter<'_> {
    /// The value of the name read at `span`; `None` when it has none (the capture of a
    /// skipped step, a step not run yet).
    pub(super) fn read(&self, name: &str, span: Span) -> Outcome<Option<&Value>> {
        Ok(match self.plan.names.get(span) {
            Some(Name::Local) => self.local(name),
            Some(Name::Global) => self.global(name),
            Some(Name::Capture(step)) => self.step_capture(step, name),
            Some(Name::Host) => self.host_value.as_ref(),
            Some(Name::Module) => None,
            // Check resolves every name it accepts: this is a bug, and the step fails
            // (journaled, resumable) rather than guess what the name meant.
            None => {
                return Err(Failure::Eval {
                    message: format!(
                        "`{name}` was never resolved by check (a bug in runbook: please report it)"
                    ),
                })
            }
        })
    }

    /// A function's parameter, a loop's variable or a block's `let`: the innermost frame
    /// that has it, up to the function's own frame.
    fn local(&self, name: &str) -> Option<&Value> {
        for frame in self.frames.iter().rev() {
            if let Some(v) = frame.vars.get(name) {
                return Some(v);
            }
            if matches!(
                frame.kind,
                FrameKind::RunbookFunction | FrameKind::ModuleFunction(_)
            ) {
                return None;
            }
        }
        None
    }

    /// A param, secret or top-level `let`: the module's, inside a module's function.
    fn global(&self, name: &str) -> Option<&Value> {
        match self.current_module() {
            Some(module) => self.module_globals.get(module).and_then(|g| g.get(name)),
            None => self.globals.get(name),
        }
    }
}
