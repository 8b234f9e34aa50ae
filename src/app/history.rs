//! `runbook runs` and `runbook show RUN_ID`: what the journals say.

use std::path::Path;

use crate::exit;
use crate::journal;
use crate::report::history;
use crate::report::Reporter;

pub fn runs(reporter: &Reporter, state_dir: Option<&Path>, json: bool) -> i32 {
    let dir = journal::state_dir(state_dir);
    let mut states = Vec::new();
    let mut damaged = 0;
    for path in journal::list(&dir) {
        match journal::read(&path) {
            Ok(j) => states.push(journal::state(&j)),
            Err(e) => {
                damaged += 1;
                reporter.diagnostic(&e);
            }
        }
    }
    // A damaged journal is a run too: never "no runs yet", never a quiet success.
    if !(states.is_empty() && damaged > 0) {
        history::runs(&states, json);
    }
    if damaged > 0 {
        exit::INVALID
    } else {
        exit::SUCCESS
    }
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
