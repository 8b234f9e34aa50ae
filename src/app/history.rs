//! `runbook runs` and `runbook show RUN_ID`: what the journals say.

use super::Error;
use crate::exit;
use crate::journal::{self, Location, Store};
use crate::report::history;
use crate::report::Reporter;

pub fn runs(reporter: &Reporter, location: &Location, json: bool) -> Result<i32, Error> {
    let journals = Store::open(location)?.journals()?;
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
    Ok(if damaged > 0 {
        exit::INVALID
    } else {
        exit::SUCCESS
    })
}

pub fn show(
    reporter: &Reporter,
    location: &Location,
    run_id: &str,
    json: bool,
) -> Result<i32, Error> {
    let store = Store::open(location)?;
    let journal = store.read(&store.find(run_id)?)?;
    if let Some(line) = journal.torn_line {
        reporter.warn(&format!(
            "the last line (line {line}) was torn by a crash and is ignored"
        ));
    }
    history::show(&journal, &journal::state(&journal), json);
    Ok(exit::SUCCESS)
}
