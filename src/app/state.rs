//! `runbook state migrate`: file journals moved into a shared database.

use crate::cli::StateCommand;
use crate::exit;
use crate::journal::postgres::{Database, Url};
use crate::journal::{self, Location};
use crate::report::Reporter;

pub fn state(
    reporter: &Reporter,
    location: &Location,
    command: &StateCommand,
) -> Result<i32, super::Error> {
    match command {
        StateCommand::Migrate { from, to } => {
            let from = from.clone().unwrap_or_else(|| location.local());
            let url = match (to, location) {
                (Some(text), _) => Url::parse(text).ok_or(journal::Error::StateUrl {
                    value: text.clone(),
                    from: "--to".into(),
                }),
                (None, Location::Database(url)) => Ok(url.clone()),
                (None, Location::Files(_)) => Err(journal::Error::StateUrl {
                    value: String::new(),
                    from: "neither --to nor --state".into(),
                }),
            };
            let db = Database::open(&url?)?;
            Ok(migrate(reporter, &from, &db))
        }
    }
}

/// Copies each journal whose run the database does not have, whole and as written (the
/// same sealed lines). A run in progress is left for later: its journal is still growing.
fn migrate(reporter: &Reporter, dir: &std::path::Path, db: &Database) -> i32 {
    let (mut copied, mut present, mut left) = (0, 0, 0);
    for path in journal::list(dir) {
        let journal = match journal::read(&path) {
            Ok(j) => j,
            Err(e) => {
                reporter.diagnostic(&e);
                left += 1;
                continue;
            }
        };
        let state = journal::state(&journal);
        let lock = journal::lock_path(dir, std::path::Path::new(&state.path));
        let Ok(_held) = journal::lock::Lock::acquire(&lock, &state.run_id) else {
            reporter.warn(&format!(
                "run {} is in progress (its runbook is locked): left in {}",
                state.run_id,
                dir.display()
            ));
            left += 1;
            continue;
        };
        match db.import(&state, &lines(&path, journal.torn_line)) {
            Ok(true) => copied += 1,
            Ok(false) => present += 1,
            Err(e) => {
                reporter.diagnostic(&e);
                left += 1;
            }
        }
    }
    reporter.print(&format!(
        "{copied} run(s) copied into {}, {present} already there, {left} left behind\n",
        db.url()
    ));
    if left > 0 {
        exit::INVALID
    } else {
        exit::SUCCESS
    }
}

/// The journal's lines as written, without a line a crash tore.
fn lines(path: &std::path::Path, torn: Option<usize>) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.split('\n')
        .enumerate()
        .filter(|(i, line)| !line.trim().is_empty() && Some(i + 1) != torn)
        .map(|(_, line)| line.to_string())
        .collect()
}
