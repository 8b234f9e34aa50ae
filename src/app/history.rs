//! `runbook runs` and `runbook show RUN_ID`: what the journals say.

use crate::exit;
use crate::journal::{self, Location, Store};
use crate::report::history;
use crate::report::Reporter;

pub fn runs(reporter: &Reporter, location: &Location, json: bool) -> i32 {
    let journals = match Store::open(location).and_then(|store| store.journals()) {
        Ok(j) => j,
        Err(e) => {
            reporter.diagnostic(&e);
            return e.exit_code();
        }
    };
    let mut states = Vec::new();
    let mut damaged = 0;
    for journal in journals {
        match journal {
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

pub fn show(reporter: &Reporter, location: &Location, run_id: &str, json: bool) -> i32 {
    let found = Store::open(location).and_then(|store| store.read(&store.find(run_id)?));
    let journal = match found {
        Ok(j) => j,
        Err(e) => {
            reporter.diagnostic(&e);
            return e.exit_code();
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
