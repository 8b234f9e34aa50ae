//! `runbook runs` and `runbook show RUN_ID`: what the journals say.

use std::path::Path;

use crate::exit;
use crate::journal;
use crate::report::history;
use crate::report::Reporter;

pub fn runs(reporter: &Reporter, state_dir: Option<&Path>, json: bool) -> i32 {
    let dir = journal::state_dir(state_dir);
    let mut states = Vec::new();
    for path in journal::list(&dir) {
        match journal::read(&path) {
            Ok(j) => states.push(journal::state(&j)),
            Err(e) => reporter.diagnostic(&e),
        }
    }
    history::runs(&states, json);
    exit::SUCCESS
}

pub fn show(reporter: &Reporter, state_dir: Option<&Path>, run_id: &str, json: bool) -> i32 {
    let dir = journal::state_dir(state_dir);
    let journal = match journal::find(&dir, run_id).and_then(|p| journal::read(&p)) {
        Ok(j) => j,
        Err(e) => {
            reporter.diagnostic(&e);
            return exit::INVALID;
        }
    };
    if let Some(line) = journal.torn_line {
        reporter.warn(&format!(
            "the last line (line {line}) was torn by a crash and is ignored"
        ));
    }
    history::show(&journal, &journal::state(&journal), json);
    exit::SUCCESS
}
