//! `runbook import` and `runbook doc FILE`: markdown in, markdown out.

use std::path::Path;

use crate::exit;
use crate::plan::Request;
use crate::report::{ColorChoice, Reporter};

pub fn write_out(reporter: &Reporter, text: &str, output: Option<&Path>) -> i32 {
    match output {
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => exit::SUCCESS,
            Err(e) => {
                reporter.fatal(&format!("cannot write {}: {e}", path.display()), None);
                exit::INVALID
            }
        },
        None => {
            reporter.print(text);
            exit::SUCCESS
        }
    }
}

pub fn import(reporter: &Reporter, file: &Path, output: Option<&Path>) -> i32 {
    let markdown = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            reporter.fatal(&format!("cannot read {}: {e}", file.display()), None);
            return exit::INVALID;
        }
    };
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "imported".into());
    let imported = crate::import::import(&markdown, &stem);
    let code = write_out(reporter, &imported.text, output);
    reporter.import_summary(&file.display().to_string(), &imported.summary);
    let found = imported.summary.runs + imported.summary.checks > 0;
    if code == exit::SUCCESS && !found {
        return exit::NOTHING_IMPORTED;
    }
    code
}

/// The runbook as markdown, its commands as the dry run sees them (stdlib calls expanded).
pub fn runbook_doc(
    reporter: &Reporter,
    color: ColorChoice,
    file: &Path,
    output: Option<&Path>,
) -> i32 {
    let request = Request {
        dry_run: true,
        symbolic: true,
        ..Request::default()
    };
    let (loaded, doc) = match super::plan::dry_plan(reporter, color, file, &request) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let header_doc = loaded.plan.ast.stmts.iter().find_map(|s| match &s.node {
        crate::syntax::ast::Stmt::Header(h) => h.doc.clone(),
        _ => None,
    });
    let source = loaded.sources.text(loaded.file);
    let text = crate::doc::runbook_markdown(&doc, header_doc.as_deref(), &loaded.plan, source);
    write_out(reporter, &text, output)
}
