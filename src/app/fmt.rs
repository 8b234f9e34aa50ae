//! `runbook fmt [--check] FILE…`: each file in the canonical layout, written in place, or
//! (with `--check`) the files that are not, listed. A file that does not parse is reported
//! and left alone: its layout cannot be judged.

use std::path::PathBuf;

use crate::check::{self, Options};
use crate::exit;
use crate::report::Reporter;
use crate::source::SourceMap;
use crate::syntax;

pub fn fmt(reporter: &Reporter, files: &[PathBuf], check_only: bool) -> i32 {
    let mut code = exit::SUCCESS;
    for path in files {
        let shown = path.display().to_string();
        let text = match super::read::read_source(path) {
            Ok(text) => text,
            Err(e) => {
                reporter.diagnostic(&e);
                code = exit::INVALID;
                continue;
            }
        };
        let mut sources = SourceMap::default();
        let file = sources.add(shown.clone(), text.clone());
        if syntax::parse(&text, file).is_err() {
            let verdict = check::check_file(&mut sources, file, Options::default());
            reporter.check_result(&shown, &sources, &verdict);
            code = exit::INVALID;
            continue;
        }
        let formatted = crate::format::format(&text);
        if formatted == text {
            continue;
        }
        if check_only {
            let line = first_difference(&text, &formatted);
            reporter.warn(&format!(
                "{shown}: not formatted (from line {line}); run `runbook fmt {shown}`"
            ));
            if code == exit::SUCCESS {
                code = exit::NOT_FORMATTED;
            }
        } else if let Err(e) = std::fs::write(path, &formatted) {
            reporter.fatal(&format!("cannot write {shown}: {e}"), None);
            code = exit::INVALID;
        }
    }
    code
}

/// The first line (from 1) where the two texts differ.
fn first_difference(a: &str, b: &str) -> usize {
    a.lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| a.lines().count().min(b.lines().count()))
        + 1
}
