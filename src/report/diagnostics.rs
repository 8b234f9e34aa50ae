//! miette rendering of parse and check problems, with the source of the file they point into.

use std::fmt;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

use crate::check::Problem;
use crate::source::SourceMap;

/// Wide enough for a command line, fixed so output does not depend on the terminal.
const WIDTH: usize = 100;

pub fn render_problem(problem: &Problem, sources: &SourceMap, color: bool) -> String {
    let source = sources.named_source(problem.file());
    let diagnostic = WithSource { inner: problem.diagnostic(), source: &source };
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(WIDTH).with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, &diagnostic).is_err() {
        out = format!("{}\n", problem.diagnostic());
    }
    out
}

/// A diagnostic lent the source text it points into.
struct WithSource<'a> {
    inner: &'a dyn Diagnostic,
    source: &'a NamedSource<String>,
}

impl fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for WithSource<'_> {}

impl Diagnostic for WithSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }
}
