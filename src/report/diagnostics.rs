//! miette rendering of parse and check problems, with the source of the file they point into.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use crate::check::Problem;
use crate::source::SourceMap;

/// Wide enough for a command line, fixed so output does not depend on the terminal.
const WIDTH: usize = 100;

/// Labels further right than this are not drawn under their line (miette cannot pad that
/// far, and nobody reads such a line): the location is given as `file:line:column`.
const MAX_LABEL_COLUMN: usize = 1000;

pub fn render_problem(problem: &Problem, sources: &SourceMap, color: bool) -> String {
    let text = sources.text(problem.file());
    let far = problem
        .diagnostic()
        .labels()
        .into_iter()
        .flatten()
        .find(|l| column(text, l.offset() + l.len()) > MAX_LABEL_COLUMN);
    let source = sources.named_source(problem.file());
    let mut prefix = String::new();
    if let Some(label) = &far {
        let (line, col) = line_col(text, label.offset());
        prefix = format!("at {}:{line}:{col}\n", sources.get(problem.file()).name);
    }
    let diagnostic = WithSource {
        inner: problem.diagnostic(),
        source: (far.is_none()).then_some(&source),
    };
    prefix + &render_plain(&diagnostic, color)
}

fn column(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    offset - text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

pub(super) use crate::source::line_col;

/// A diagnostic as miette draws it (with its source, when it carries one).
pub fn render_plain(d: &dyn Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, d).is_err() {
        out = format!("{d}\n");
    }
    out
}

/// A diagnostic lent the source text it points into.
struct WithSource<'a> {
    inner: &'a dyn Diagnostic,
    source: Option<&'a NamedSource<String>>,
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
        self.source.and_then(|_| self.inner.labels())
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.map(|s| s as &dyn SourceCode)
    }
}
