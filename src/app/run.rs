//! `runbook run`: check, plan, take the lock, open the journal, execute.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::drive::{drive, Journaled, Opening};
use super::session::{self, Loaded, Settings, Style};
use super::Error;
use crate::cli::{RunArgs, RunbookArgs, SessionArgs};
use crate::exec::interp::{Approvals, Wait};
use crate::exec::{self, Options};
use crate::journal::record::{now, ParamRecord, FORMAT};
use crate::journal::store::RunLock;
use crate::journal::{self, Location, Record, Store, Writer};
use crate::plan::Request;
use crate::report::run::Detail;
use crate::report::{ColorChoice, Reporter};
use crate::syntax::ast::Stmt;

pub fn run(
    reporter: &Reporter,
    color: ColorChoice,
    location: &Location,
    args: &RunArgs,
) -> Result<i32, Error> {
    let file = &args.runbook.file;
    let request = request(&args.runbook);
    if args.dry_run {
        return super::plan::plan(reporter, color, file, request, args.session.json);
    }
    let loaded = session::load(file, &request)?;
    let settings = settings(color, &args.session);
    let path = absolute(file);
    let run_id = uuid::Uuid::now_v7().to_string();
    let opening = Opening {
        reporter,
        loaded: &loaded,
        settings: &settings,
        args: &args.session,
    };
    let mut opened: Option<(Store, RunLock)> = None;
    let options = Options {
        no_rollback: args.session.no_rollback,
    };
    let status = drive(
        &opening,
        |_| {
            let (store, lock, writer) =
                open_run(reporter, location, &path, &loaded.plan.name, &run_id)?;
            let journaled = Journaled {
                run_id: run_id.clone(),
                vault: store.vault(&run_id),
                gates: store.gates(),
                writer: Some(writer),
                first: started_record(&loaded, &path, &run_id),
                earlier: None,
            };
            opened = Some((store, lock));
            Ok(journaled)
        },
        |plan, interp, transports| exec::execute(plan, interp, transports, options, None),
    )?;
    let code = status.exit_code();
    if let Some((store, _lock)) = &opened {
        reporter.run_footer(&run_id, code, &store.journal_name(&run_id));
    }
    Ok(code)
}

pub fn settings(color: ColorChoice, s: &SessionArgs) -> Settings {
    let detail = if s.quiet {
        Detail::Quiet
    } else if s.verbose >= 2 {
        Detail::Debug
    } else if s.verbose == 1 {
        Detail::Verbose
    } else {
        Detail::Normal
    };
    Settings {
        style: Style {
            color,
            json: s.json,
            detail,
        },
        approvals: Approvals {
            yes: s.yes,
            steps: s.approve.clone(),
            wait: s.wait.map(|limit| match limit.0 {
                Some(d) => Wait::UpTo(d),
                None => Wait::Unlimited,
            }),
        },
        approver: s.approver.clone(),
    }
}

pub fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| std::env::current_dir().unwrap_or_default().join(path))
}

/// The state, the runbook's lock and a fresh journal.
fn open_run(
    reporter: &Reporter,
    location: &Location,
    runbook: &Path,
    name: &str,
    run_id: &str,
) -> Result<(Store, RunLock, Writer), Error> {
    let store = Store::open(location)?;
    store.prepare()?;
    let (lock, stale) = store.lock(runbook, name, run_id)?;
    if let Some(stale) = stale {
        reporter.warn(&format!(
            "run {} (pid {}) ended without releasing its lock (killed or crashed); taking it over. `runbook resume {}` continues it",
            stale.run_id, stale.pid, stale.run_id
        ));
    }
    let writer = store.create(run_id, name, runbook)?;
    Ok((store, lock, writer))
}

fn started_record(loaded: &Loaded, path: &Path, run_id: &str) -> Record {
    let params: BTreeMap<String, ParamRecord> = loaded
        .plan
        .params
        .iter()
        .map(|p| {
            let value = serde_json::to_value(&p.value).unwrap_or(serde_json::Value::Null);
            let origin = serde_json::to_value(p.origin)
                .ok()
                .and_then(|o| o.as_str().map(str::to_string))
                .unwrap_or_default();
            (p.name.clone(), ParamRecord { value, origin })
        })
        .collect();
    let secrets = loaded
        .plan
        .ast
        .stmts
        .iter()
        .filter_map(|s| match &s.node {
            Stmt::Secret(s) => Some(s.name.node.clone()),
            _ => None,
        })
        .collect();
    Record::RunStarted {
        format: FORMAT,
        run_id: run_id.to_string(),
        runbook: loaded.plan.name.clone(),
        path: path.display().to_string(),
        fingerprint: journal::fingerprint(&loaded.sources, &loaded.files(), &params),
        steps: journal::step_hashes(&loaded.plan.ast),
        params,
        secrets,
        selection: Box::new(loaded.plan.selection.clone()),
        at: now(),
        pid: std::process::id(),
        user: journal::user(),
    }
}

/// What the command line asks of a plan: its params and the steps it chose.
pub fn request(runbook: &RunbookArgs) -> Request {
    Request {
        sets: runbook.params.sets.clone(),
        set_files: runbook.params.set_files.clone(),
        selection: runbook.select.selection(),
        ..Request::default()
    }
}
