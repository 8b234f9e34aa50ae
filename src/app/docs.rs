//! `runbook import` and `runbook doc FILE`: markdown in, markdown out.

use std::path::Path;

use super::Error;
use crate::exit;
use crate::plan::Request;
use crate::report::{ColorChoice, Reporter};

/// The document into `output`, or on stdout.
pub fn write_out(reporter: &Reporter, text: &str, output: Option<&Path>) -> Result<i32, Error> {
    match output {
        Some(path) => std::fs::write(path, text)
            .map(|()| exit::SUCCESS)
            .map_err(|e| {
                Error::refused(
                    format!("cannot write {}: {e}", path.display()),
                    exit::INVALID,
                )
            }),
        None => {
            reporter.print(text);
            Ok(exit::SUCCESS)
        }
    }
}

pub fn import(reporter: &Reporter, file: &Path, output: Option<&Path>) -> Result<i32, Error> {
    let markdown = std::fs::read_to_string(file).map_err(|e| {
        Error::refused(
            format!("cannot read {}: {e}", file.display()),
            exit::INVALID,
        )
    })?;
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "imported".into());
    let imported = crate::import::import(&markdown, &stem);
    write_out(reporter, &imported.text, output)?;
    reporter.import_summary(&file.display().to_string(), &imported.summary);
    let found = imported.summary.runs + imported.summary.checks > 0;
    Ok(if found {
        exit::SUCCESS
    } else {
        exit::NOTHING_IMPORTED
    })
}

/// The runbook as markdown, its commands as the dry run sees them (stdlib calls expanded).
pub fn runbook_doc(
    reporter: &Reporter,
    color: ColorChoice,
    file: &Path,
    output: Option<&Path>,
) -> Result<i32, Error> {
    let request = Request {
        dry_run: true,
        symbolic: true,
        ..Request::default()
    };
    let (loaded, doc) = super::plan::dry_plan(reporter, color, file, &request)?;
    let header_doc = loaded.plan.ast.stmts.iter().find_map(|s| match &s.node {
        crate::syntax::ast::Stmt::Header(h) => h.doc.clone(),
        _ => None,
    });
    let source = loaded.sources.text(loaded.file);
    let text = crate::doc::runbook_markdown(&doc, header_doc.as_deref(), &loaded.plan, source);
    write_out(reporter, &text, output)
}
