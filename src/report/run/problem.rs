//! A failed step's diagnostic, drawn as `check` draws its own: the runbook's line that
//! failed under its code and message, what to do, and the command's last stderr lines.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use super::{RunReport, State};
use crate::exec::event::Problem;
use crate::report::diagnostics::render_plain;

/// The failures shown in full after the table; the table lists them all.
const MAX_SHOWN: usize = 3;

impl RunReport {
    pub(super) fn problems(&self, state: &State) {
        let Some(sources) = self.sources.get() else {
            return;
        };
        for (host, problem) in state.problems.iter().take(MAX_SHOWN) {
            let text = sources
                .files()
                .find(|f| f.name == problem.file)
                .map(|f| f.text.to_string());
            let shown = Shown {
                problem,
                source: text.map(|t| NamedSource::new(problem.file.clone(), t)),
            };
            let mut out = render_plain(&shown, self.color);
            if !problem.stderr.is_empty() {
                out.push_str(&format!("  stderr on {host}, last lines:\n"));
                for line in &problem.stderr {
                    out.push_str(&format!("    │ {line}\n"));
                }
            }
            self.line(state, "");
            self.line(state, out.trim_end());
        }
    }
}

struct Shown<'a> {
    problem: &'a Problem,
    source: Option<NamedSource<String>>,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.problem, f)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.problem.code))
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.problem.help))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let p = self.problem;
        let span = LabeledSpan::new(
            Some(p.label.clone()),
            p.start,
            p.end.saturating_sub(p.start),
        );
        Some(Box::new(std::iter::once(span)))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
}
