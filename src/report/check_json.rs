//! `check --json`: every file's verdict and every problem as one JSON document, for editors
//! and CI. Spans are byte offsets, with 1-based lines and columns (in characters) beside
//! them. docs/json.md describes the shape.

use miette::Diagnostic;
use serde_json::{json, Value};

use super::diagnostics::line_col;
use crate::check::{Problem, Summary, Verdict};
use crate::source::SourceMap;

/// The version of this document's shape (docs/json.md).
pub const VERSION: u32 = 1;

/// The whole document, from each file's entry.
pub fn document(files: Vec<Value>) -> Value {
    let count = |severity: &str| {
        files
            .iter()
            .flat_map(|f| f["diagnostics"].as_array().cloned().unwrap_or_default())
            .filter(|d| d["severity"] == severity)
            .count()
    };
    let (errors, warnings) = (count("error"), count("warning"));
    json!({ "v": VERSION, "ok": errors == 0, "errors": errors, "warnings": warnings, "files": files })
}

/// A file that was read and checked.
pub fn checked(path: &str, sources: &SourceMap, outcome: &Verdict) -> Value {
    let diagnostics: Vec<Value> = outcome
        .problems
        .iter()
        .map(|p| problem(p, sources))
        .collect();
    let summary = match &outcome.summary {
        Some(Summary::Runbook { name, steps }) => {
            json!({ "kind": "runbook", "name": name, "steps": steps })
        }
        Some(Summary::Module { functions }) => json!({ "kind": "module", "functions": functions }),
        None => Value::Null,
    };
    json!({
        "path": path,
        "ok": !outcome.has_errors(),
        "summary": summary,
        "diagnostics": diagnostics,
    })
}

/// A file that could not be read (missing, not UTF-8, too large).
pub fn unreadable(path: &str, d: &dyn Diagnostic) -> Value {
    json!({
        "path": path,
        "ok": false,
        "summary": Value::Null,
        "diagnostics": [diagnostic(d, None, path)],
    })
}

fn problem(p: &Problem, sources: &SourceMap) -> Value {
    let file = sources.get(p.file());
    let mut value = diagnostic(p.diagnostic(), Some(sources.text(p.file())), &file.name);
    value["severity"] = json!(if p.is_warning() { "warning" } else { "error" });
    value
}

fn diagnostic(d: &dyn Diagnostic, text: Option<&str>, file: &str) -> Value {
    let labels: Vec<Value> = match text {
        Some(text) => d
            .labels()
            .into_iter()
            .flatten()
            .map(|l| {
                let (line, column) = line_col(text, l.offset());
                let (end_line, end_column) = line_col(text, l.offset() + l.len());
                json!({
                    "label": l.label(),
                    "start": l.offset(),
                    "end": l.offset() + l.len(),
                    "line": line,
                    "column": column,
                    "end_line": end_line,
                    "end_column": end_column,
                })
            })
            .collect(),
        None => Vec::new(),
    };
    json!({
        "code": d.code().map(|c| c.to_string()),
        "severity": "error",
        "message": d.to_string(),
        "help": d.help().map(|h| h.to_string()),
        "file": file,
        "labels": labels,
    })
}
