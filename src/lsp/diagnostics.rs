//! `check`'s problems as LSP diagnostics: each with its stable code, the range of its first
//! label, and its help. A problem in a module the document uses is shown at the `use`.

use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Position, Range};

use super::position::LineIndex;
use crate::check::{self, Options, Problem, Verdict};
use crate::source::{FileId, SourceMap};

/// Checks `text` as the file `name`: the verdict (its tree, when it parsed) and the
/// problems in LSP's terms.
pub fn check(name: &str, text: &str) -> (Verdict, Vec<Diagnostic>) {
    let mut sources = SourceMap::default();
    let file = sources.add(name.to_string(), text.to_string());
    let verdict = check::check_file(&mut sources, file, Options::default());
    let index = LineIndex::new(text);
    let diagnostics = verdict
        .problems
        .iter()
        .map(|p| diagnostic(p, file, text, &index))
        .collect();
    (verdict, diagnostics)
}

fn diagnostic(problem: &Problem, file: FileId, text: &str, index: &LineIndex) -> Diagnostic {
    let d = problem.diagnostic();
    let label = d.labels().and_then(|mut l| l.next());
    let range = match &label {
        Some(l) if problem.file() == file => index.range(text, l.offset(), l.offset() + l.len()),
        _ => Range::new(Position::new(0, 0), Position::new(0, 0)),
    };
    let mut message = d.to_string();
    if let Some(l) = label.as_ref().and_then(|l| l.label()) {
        if !message.contains(l) {
            message.push_str(&format!(": {l}"));
        }
    }
    if let Some(help) = d.help() {
        message.push_str(&format!("\nhelp: {help}"));
    }
    Diagnostic {
        range,
        severity: Some(if problem.is_warning() {
            DiagnosticSeverity::WARNING
        } else {
            DiagnosticSeverity::ERROR
        }),
        code: d.code().map(|c| NumberOrString::String(c.to_string())),
        source: Some("runbook".into()),
        message,
        ..Diagnostic::default()
    }
}
