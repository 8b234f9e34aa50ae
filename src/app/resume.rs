//! `runbook resume` and `runbook rollback`: a run continued (or undone) from its journal.

use std::collections::HashMap;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use super::run::{absolute, style};
use super::session::{self, Loaded};
use crate::cli::{ResumeArgs, RollbackArgs, SessionArgs};
use crate::exec::hosts::Transports;
use crate::exec::{self, Options, Resume};
use crate::exit;
use crate::journal::record::now;
use crate::journal::{self, lock::Lock, Record, RunState, Writer};
use crate::plan::{Origin, Request};
use crate::report::{ColorChoice, Reporter};

pub fn resume(
    reporter: &Reporter,
    color: ColorChoice,
    state_dir: Option<&Path>,
    args: &ResumeArgs,
) -> i32 {
    let runbook = args.runbook.as_deref().map(absolute);
    let dir = journal::state_dir(state_dir);
    let found = match &args.run_id {
        Some(id) => journal::find(&dir, id),
        None => newest_unfinished(&dir, runbook.as_deref()),
    };
    let Some((journal_path, state)) = open_journal(reporter, found) else {
        return exit::INVALID;
    };
    if state.is_settled() {
        reporter.diagnostic(&journal::Error::Finished {
            run_id: state.run_id.clone(),
            status: state.status_words(),
        });
        return exit::INVALID;
    }
    // What the journal says once the lock is held: another session may have finished the
    // run between the first read and the lock.
    let (loaded, mut lock_and_writer, state) =
        match reopen(reporter, &dir, &journal_path, &state, args.force) {
            Ok(reopened) => reopened,
            Err(code) => return code,
        };
    if state.is_settled() {
        reporter.diagnostic(&journal::Error::Finished {
            run_id: state.run_id.clone(),
            status: state.status_words(),
        });
        return exit::INVALID;
    }
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
        return exit::AWAITING_APPROVAL;
    }
    let resume = resume_of(&state);
    let record = resumed(args.force);
    go(
        reporter,
        color,
        &loaded,
        &state,
        &args.session,
        &mut lock_and_writer,
        record,
        |plan, interp, transports| {
            exec::execute(
                plan,
                interp,
                transports,
                Options {
                    no_rollback: args.session.no_rollback,
                },
                Some(&resume),
            )
        },
    )
    .map_or(exit::INVALID, |code| {
        reporter.run_footer(&state.run_id, code, &dir);
        code
    })
}

pub fn rollback(
    reporter: &Reporter,
    color: ColorChoice,
    state_dir: Option<&Path>,
    args: &RollbackArgs,
) -> i32 {
    let dir = journal::state_dir(state_dir);
    let Some((journal_path, state)) = open_journal(reporter, journal::find(&dir, &args.run_id))
    else {
        return exit::INVALID;
    };
    let (loaded, mut lock_and_writer, state) =
        match reopen(reporter, &dir, &journal_path, &state, args.force) {
            Ok(reopened) => reopened,
            Err(code) => return code,
        };
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
        return exit::SUCCESS;
    }
    reporter.warn(&format!(
        "rollback of run {} ({}) undoes, newest first: {}",
        state.run_id,
        state.status_words(),
        shown.join(", ")
    ));
    if args.dry_run {
        return exit::SUCCESS;
    }
    if !args.yes {
        if !io::stdin().is_terminal() {
            reporter.warn("not rolled back: without a terminal to ask on, pass --yes");
            return exit::AWAITING_APPROVAL;
        }
        if !reporter.confirm("Undo these steps? [y/N] ") {
            reporter.warn("not rolled back: the journal is unchanged");
            return exit::DECLINED;
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
    let record = resumed(args.force);
    go(
        reporter,
        color,
        &loaded,
        &state,
        &session,
        &mut lock_and_writer,
        record,
        |plan, interp, transports| exec::roll_back_run(plan, interp, transports, &resume),
    )
    .unwrap_or(exit::INVALID)
}

type Held = (Lock, Option<Writer>);

/// Runs `body` in a session that appends to the run's journal.
#[allow(clippy::too_many_arguments)]
fn go(
    reporter: &Reporter,
    color: ColorChoice,
    loaded: &Loaded,
    state: &RunState,
    args: &SessionArgs,
    held: &mut Held,
    first: Record,
    body: impl FnOnce(&crate::plan::Plan, &mut crate::exec::interp::Interp, &Transports) -> i32,
) -> Option<i32> {
    let style = style(color, args);
    let runtime = session::runtime(reporter).ok()?;
    let report = session::report(&style);
    let mut interp = session::interpreter(reporter, loaded, &runtime, &report, &style).ok()?;
    interp.run_id = state.run_id.clone();
    interp.vault = held
        .1
        .as_ref()
        .map(|w| journal::vault::Vault::beside(w.path()));
    // The journal is STATE/runs/RUN_ID.jsonl; gates wait in STATE/inbox.
    interp.inbox = held.1.as_ref().and_then(|w| {
        Some(crate::exec::interp::Inbox {
            state: w.path().parent()?.parent()?.to_path_buf(),
        })
    });
    if let Err(refused) = crate::exec::restore_captures(&mut interp, &resume_of(state)) {
        reporter.diagnostic(&refused);
        return Some(exit::INVALID);
    }
    interp.journal = held
        .1
        .take()
        .map(|w| std::sync::Arc::new(std::sync::Mutex::new(w)));
    if let Err(e) = interp.record(&first) {
        reporter.fatal(&format!("cannot write the journal: {}", e.note()), None);
        return None;
    }
    let pool = session::ssh_pool(reporter, loaded, &mut interp, args).ok()?;
    let transports = Transports::new(&loaded.plan, Some(&pool));
    let code = body(&loaded.plan, &mut interp, &transports);
    drop(transports);
    runtime.block_on(pool.close());
    drop(interp);
    runtime.shutdown_background();
    Some(code)
}

fn open_journal(
    reporter: &Reporter,
    found: Result<PathBuf, journal::Error>,
) -> Option<(PathBuf, RunState)> {
    let path = found.map_err(|e| reporter.diagnostic(&e)).ok()?;
    // Another user's journal would make this session run their runbook as this user.
    journal::trust(&path)
        .map_err(|e| reporter.diagnostic(&e))
        .ok()?;
    let journal = journal::read(&path)
        .map_err(|e| reporter.diagnostic(&e))
        .ok()?;
    if let Some(line) = journal.torn_line {
        reporter.warn(&format!(
            "the last line of {} (line {line}) was torn by a crash and is ignored",
            path.display()
        ));
    }
    Some((path, journal::state(&journal)))
}

/// Loads the runbook as the run knew it, checks it did not change, takes the lock, and
/// reads the journal again under it: the state a session may act on.
fn reopen(
    reporter: &Reporter,
    dir: &Path,
    journal_path: &Path,
    state: &RunState,
    force: bool,
) -> Result<(Loaded, Held, RunState), i32> {
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
    let runbook = PathBuf::from(&state.path);
    let loaded = session::load(reporter, &runbook, &request)?;
    let fingerprint = journal::fingerprint(&loaded.sources, &loaded.files(), &state.params);
    if fingerprint != state.fingerprint {
        let now_steps = journal::step_hashes(&loaded.plan.ast);
        let changes = describe_changes(&state.steps, &now_steps);
        if !force {
            reporter.diagnostic(&journal::Error::Changed {
                run_id: state.run_id.clone(),
                changes,
            });
            return Err(exit::INVALID);
        }
        reporter.warn(&format!(
            "the runbook changed since the run began ({changes}); going on because of --force"
        ));
    }
    journal::prepare(dir).map_err(|e| {
        reporter.diagnostic(&e);
        exit::INVALID
    })?;
    let (lock, stale) = match Lock::acquire(&journal::lock_path(dir, &runbook), &state.run_id) {
        Ok(held) => held,
        Err(e) => {
            reporter.diagnostic(&e);
            return Err(e.exit_code());
        }
    };
    if let Some(stale) = stale.filter(|s| s.run_id != state.run_id) {
        reporter.warn(&format!(
            "run {} (pid {}) ended without releasing its lock; taking it over",
            stale.run_id, stale.pid
        ));
    }
    let (_, fresh) = open_journal(reporter, Ok(journal_path.to_path_buf())).ok_or(exit::INVALID)?;
    let writer = Writer::append(journal_path)
        .map_err(|e| {
            reporter.diagnostic(&journal::Error::WriteFailed {
                path: journal_path.display().to_string(),
                reason: e.to_string(),
            })
        })
        .map_err(|()| exit::INVALID)?;
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
fn newest_unfinished(dir: &Path, runbook: Option<&Path>) -> Result<PathBuf, journal::Error> {
    let mut seen = std::collections::HashSet::new();
    let mut superseded = Vec::new();
    for path in journal::list(dir).into_iter().rev() {
        let s = journal::state(&journal::read(&path)?);
        let newest_of_its_runbook = seen.insert(s.path.clone());
        if runbook.is_some_and(|r| Path::new(&s.path) != r) {
            continue;
        }
        let unfinished = !s.is_settled();
        match (unfinished, newest_of_its_runbook) {
            (true, true) => return Ok(path),
            (true, false) => superseded.push(s.run_id),
            (false, _) => {}
        }
    }
    Err(journal::Error::NothingToResume {
        dir: dir.display().to_string(),
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
