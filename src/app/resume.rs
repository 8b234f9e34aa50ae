//! `runbook resume` and `runbook rollback`: a run continued (or undone) from its journal.

use std::collections::HashMap;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use super::drive::{drive, Journaled, Opening};
use super::run::{absolute, settings};
use super::session::{self, Loaded};
use super::Error;
use crate::cli::{ResumeArgs, RollbackArgs, SessionArgs};
use crate::exec::interp::Interpreter;
use crate::exec::{self, Options, Resume};
use crate::exit;
use crate::journal::record::{now, RunStatus};
use crate::journal::store::RunLock;
use crate::journal::{self, Location, Record, RunState, Store, Writer};
use crate::plan::{Origin, Request};
use crate::report::{ColorChoice, Reporter};

pub fn resume(
    reporter: &Reporter,
    color: ColorChoice,
    location: &Location,
    args: &ResumeArgs,
) -> Result<i32, Error> {
    let runbook = args.runbook.as_deref().map(absolute);
    let store = Store::open(location)?;
    let found = match &args.run_id {
        Some(id) => store.find(id)?,
        None => newest_unfinished(&store, runbook.as_deref())?,
    };
    let state = open_journal(reporter, &store, &found)?;
    unsettled(&state)?;
    // What the journal says once the lock is held: another session may have finished the
    // run between the first read and the lock.
    // A run id names the run wherever its runbook is now: `--runbook` points at this
    // operator's copy (its meaning must match the journal's).
    let here = args.run_id.as_ref().and(runbook.as_deref());
    let (loaded, mut lock_and_writer, state) = reopen(reporter, &store, here, &state, args.force)?;
    unsettled(&state)?;
    for (step, host) in &state.interrupted {
        reporter.warn(&format!(
            "step {step} on {host} was interrupted in the last session: it may have partly happened, and runs again from its start"
        ));
    }
    for (step, host) in &state.rollback_interrupted {
        reporter.warn(&format!(
            "the rollback of step {step} on {host} was cut in the last session: the step may be partly undone, and runs again from its start"
        ));
    }
    if (!state.interrupted.is_empty() || !state.rollback_interrupted.is_empty())
        && !args.session.yes
        && io::stdin().is_terminal()
        && !reporter.confirm("Run it again? [y/N] ")
    {
        reporter.warn("not resumed: the journal is unchanged");
        return Ok(exit::AWAITING_APPROVAL);
    }
    let resume = resume_of(&state);
    let settings = settings(color, &args.session);
    let opening = Opening {
        reporter,
        loaded: &loaded,
        settings: &settings,
        args: &args.session,
    };
    let first = resumed(args.force);
    let status = drive(
        &opening,
        continuing(&store, &state, &mut lock_and_writer, first),
        |plan, interp, transports| {
            let options = Options {
                no_rollback: args.session.no_rollback,
            };
            exec::execute(plan, interp, transports, options, Some(&resume))
        },
    )?;
    let code = status.exit_code();
    reporter.run_footer(&state.run_id, code, &store.journal_name(&state.run_id));
    Ok(code)
}

/// A run that ended (succeeded, or was rolled back) has nothing left to resume.
fn unsettled(state: &RunState) -> Result<(), Error> {
    if state.is_settled() {
        return Err(Error::Journal(journal::Error::Finished {
            run_id: state.run_id.clone(),
            status: state.status_words(),
        }));
    }
    Ok(())
}

pub fn rollback(
    reporter: &Reporter,
    color: ColorChoice,
    location: &Location,
    args: &RollbackArgs,
) -> Result<i32, Error> {
    let store = Store::open(location)?;
    let state = open_journal(reporter, &store, &store.find(&args.run_id)?)?;
    let here = args.runbook.as_deref().map(absolute);
    let (loaded, mut lock_and_writer, state) =
        reopen(reporter, &store, here.as_deref(), &state, args.force)?;
    for (step, host) in &state.rollback_interrupted {
        reporter.warn(&format!(
            "the rollback of step {step} on {host} was cut in the last session: it may have partly happened, and runs again from its start"
        ));
    }
    // A step cut while it ran has no result: its compensation may undo what never happened
    // (or need a capture it never made), so it is not run; but it is never passed over quietly.
    for (step, host) in &state.interrupted {
        reporter.warn(&format!(
            "step {step} on {host} was cut while it ran: it may have partly happened, and is not undone; check it by hand"
        ));
    }
    // A compensation cut by a crash is run again, from its start.
    let mut resume = resume_of(&state);
    resume
        .completed
        .extend(state.rollback_interrupted.iter().cloned());
    // Undoing is a change as real as doing: it is shown first, and asked for.
    let undo = exec::undo_list(&loaded.plan, &resume.completed);
    let shown: Vec<String> = undo
        .iter()
        .map(|(step, host)| format!("{step} on {host}"))
        .collect();
    if undo.is_empty() {
        reporter.warn(&format!(
            "run {}: no completed step has a rollback: nothing to undo",
            state.run_id
        ));
        return Ok(exit::SUCCESS);
    }
    reporter.warn(&format!(
        "rollback of run {} ({}) undoes, newest first: {}",
        state.run_id,
        state.status_words(),
        shown.join(", ")
    ));
    if args.dry_run {
        return Ok(exit::SUCCESS);
    }
    if !args.yes {
        if !io::stdin().is_terminal() {
            reporter.warn("not rolled back: without a terminal to ask on, pass --yes");
            return Ok(exit::AWAITING_APPROVAL);
        }
        if !reporter.confirm("Undo these steps? [y/N] ") {
            reporter.warn("not rolled back: the journal is unchanged");
            return Ok(exit::DECLINED);
        }
    }
    let session = SessionArgs {
        json: args.json,
        quiet: false,
        verbose: 0,
        yes: false,
        approve: Vec::new(),
        approver: None,
        no_rollback: false,
        accept_new_host_keys: false,
        wait: None,
        ssh_config: args.ssh_config.clone(),
    };
    let settings = settings(color, &session);
    let opening = Opening {
        reporter,
        loaded: &loaded,
        settings: &settings,
        args: &session,
    };
    let first = resumed(args.force);
    drive(
        &opening,
        continuing(&store, &state, &mut lock_and_writer, first),
        |plan, interp, transports| exec::roll_back_run(plan, interp, transports, &resume),
    )
    .map(RunStatus::exit_code)
}

type Held = (RunLock, Option<Writer>);

/// How a session of a run already journaled opens: it appends to that journal.
fn continuing<'h>(
    store: &'h Store,
    state: &'h RunState,
    held: &'h mut Held,
    first: Record,
) -> impl FnOnce(&mut Interpreter) -> Result<Journaled, Error> + 'h {
    move |_| {
        Ok(Journaled {
            run_id: state.run_id.clone(),
            vault: store.vault(&state.run_id),
            gates: store.gates(),
            writer: held.1.take(),
            first,
            earlier: Some(resume_of(state)),
        })
    }
}

fn open_journal(reporter: &Reporter, store: &Store, run_id: &str) -> Result<RunState, Error> {
    let journal = store.read_to_act(run_id)?;
    if let Some(line) = journal.torn_line {
        reporter.warn(&format!(
            "the last line of {} (line {line}) was torn by a crash and is ignored",
            journal.path.display()
        ));
    }
    Ok(journal::state(&journal))
}

/// Loads the runbook as the run knew it, checks it did not change, takes the lock, and
/// reads the journal again under it: the state a session may act on.
fn reopen(
    reporter: &Reporter,
    store: &Store,
    here: Option<&Path>,
    state: &RunState,
    force: bool,
) -> Result<(Loaded, Held, RunState), Error> {
    let restored: HashMap<String, (serde_json::Value, Origin)> = state
        .params
        .iter()
        .map(|(name, p)| {
            let origin = serde_json::from_value(serde_json::Value::String(p.origin.clone()))
                .unwrap_or(Origin::Set);
            (name.clone(), (p.value.clone(), origin))
        })
        .collect();
    let request = Request {
        restored: Some(restored),
        selection: state.selection.clone(),
        ..Request::default()
    };
    let runbook = here.map_or_else(|| PathBuf::from(&state.path), Path::to_path_buf);
    let loaded = session::load(&runbook, &request)?;
    let fingerprint = journal::fingerprint(&loaded.sources, &loaded.files(), &state.params);
    if fingerprint != state.fingerprint {
        let now_steps = journal::step_hashes(&loaded.plan.ast);
        let changes = describe_changes(&state.steps, &now_steps);
        if !force {
            return Err(Error::Journal(journal::Error::Changed {
                run_id: state.run_id.clone(),
                changes,
            }));
        }
        reporter.warn(&format!(
            "the runbook changed since the run began ({changes}); going on because of --force"
        ));
    }
    store.prepare()?;
    let (lock, stale) = store.lock(&runbook, &state.runbook, &state.run_id)?;
    if let Some(stale) = stale.filter(|s| s.run_id != state.run_id) {
        reporter.warn(&format!(
            "run {} (pid {}) ended without releasing its lock; taking it over",
            stale.run_id, stale.pid
        ));
    }
    let fresh = open_journal(reporter, store, &state.run_id)?;
    let writer = store.append(&state.run_id)?;
    Ok((loaded, (lock, Some(writer)), fresh))
}

fn describe_changes(
    before: &std::collections::BTreeMap<String, String>,
    now: &std::collections::BTreeMap<String, String>,
) -> String {
    let mut parts = Vec::new();
    let changed: Vec<&str> = before
        .iter()
        .filter(|(id, h)| now.get(*id).is_some_and(|n| n != *h))
        .map(|(id, _)| id.as_str())
        .collect();
    let added: Vec<&str> = now
        .keys()
        .filter(|id| !before.contains_key(*id))
        .map(String::as_str)
        .collect();
    let removed: Vec<&str> = before
        .keys()
        .filter(|id| !now.contains_key(*id))
        .map(String::as_str)
        .collect();
    for (what, ids) in [("changed", changed), ("added", added), ("removed", removed)] {
        if !ids.is_empty() {
            parts.push(format!("steps {what}: {}", ids.join(", ")));
        }
    }
    if parts.is_empty() {
        "no step's text changed, but its functions, declarations, modules or inventory did".into()
    } else {
        parts.join("; ")
    }
}

/// The run to resume when none is named: the newest run of each runbook, if it did not end
/// well. An older unfinished run whose runbook has since run to its end is superseded (its
/// work was done again): it is resumed only by its id. A journal that cannot be read stops
/// the search: it may be the newest run, and guessing past it could resume the wrong one.
fn newest_unfinished(store: &Store, runbook: Option<&Path>) -> Result<String, journal::Error> {
    let mut seen = std::collections::HashSet::new();
    let mut superseded = Vec::new();
    for journal in store.journals()?.into_iter().rev() {
        let s = journal::state(&journal?);
        let newest_of_its_runbook = seen.insert(s.path.clone());
        if runbook.is_some_and(|r| Path::new(&s.path) != r) {
            continue;
        }
        let unfinished = !s.is_settled();
        match (unfinished, newest_of_its_runbook) {
            (true, true) => return Ok(s.run_id),
            (true, false) => superseded.push(s.run_id),
            (false, _) => {}
        }
    }
    Err(journal::Error::NothingToResume {
        dir: store.shown(),
        superseded: if superseded.is_empty() {
            String::new()
        } else {
            format!(
                " (older unfinished runs, superseded by a later run of their runbook: {}; resume one by its id)",
                superseded.join(", ")
            )
        },
    })
}

/// What a new session takes from the journal of its run.
fn resume_of(state: &RunState) -> Resume {
    Resume {
        completed: state.completed.clone(),
        captures: state.captures.clone(),
    }
}

/// The record that opens a new session of a run.
fn resumed(forced: bool) -> Record {
    Record::Resumed {
        at: now(),
        pid: std::process::id(),
        user: journal::user(),
        forced,
    }
}
