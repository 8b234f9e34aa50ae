//! One live session of a run, the same for `run`, `resume` and `rollback`: the interpreter,
//! the ssh connections (and the hosts' locks), the journal, the body, and a clean close.

use std::sync::{Arc, Mutex};

use super::session::{self, Loaded, Settings};
use super::Error;
use crate::cli::SessionArgs;
use crate::exec::hosts::Transports;
use crate::exec::interp::Interpreter;
use crate::exec::Resume;
use crate::exit;
use crate::journal::gates::Gates;
use crate::journal::record::RunStatus;
use crate::journal::vault::Vault;
use crate::journal::{Record, Writer};
use crate::plan::Plan;
use crate::report::Reporter;

/// Where a session writes: opened once the hosts are known to be reachable and free.
pub struct Journaled {
    pub run_id: String,
    pub vault: Vault,
    pub gates: Gates,
    pub writer: Option<Writer>,
    /// The record that opens this session (`run_started`, `resumed`).
    pub first: Record,
    /// What earlier sessions captured, for a run continued.
    pub earlier: Option<Resume>,
}

/// What a session needs before it opens its journal.
pub struct Opening<'a> {
    pub reporter: &'a Reporter,
    pub loaded: &'a Loaded,
    pub settings: &'a Settings,
    pub args: &'a SessionArgs,
}

/// Runs `body` in a live session. Hosts are resolved, and locked, before `journal` opens the
/// journal: a run refused for a bad or busy host leaves no record behind.
pub fn drive(
    opening: &Opening<'_>,
    journal: impl FnOnce(&mut Interpreter) -> Result<Journaled, Error>,
    body: impl FnOnce(&Plan, &mut Interpreter, &Transports) -> RunStatus,
) -> Result<RunStatus, Error> {
    let Opening {
        reporter,
        loaded,
        settings,
        args,
    } = *opening;
    let runtime = session::runtime()?;
    let report = session::report(&settings.style);
    let mut interp = session::interpreter(reporter, loaded, &runtime, &report, settings)?;
    let pool = session::ssh_pool(loaded, &mut interp, args)?;
    let status = open(&mut interp, journal).map(|()| {
        let transports = Transports::new(&loaded.plan, Some(&pool));
        body(&loaded.plan, &mut interp, &transports)
    });
    runtime.block_on(pool.close());
    drop(interp);
    runtime.shutdown_background();
    status
}

/// Opens the journal and writes the session's first record; captures of earlier sessions
/// are read back through the vault, so after it is set.
fn open(
    interp: &mut Interpreter,
    journal: impl FnOnce(&mut Interpreter) -> Result<Journaled, Error>,
) -> Result<(), Error> {
    let opened = journal(interp)?;
    interp.run_id = opened.run_id;
    interp.vault = Some(opened.vault);
    interp.inbox = Some(opened.gates);
    interp.journal = opened.writer.map(|w| Arc::new(Mutex::new(w)));
    if let Some(earlier) = &opened.earlier {
        crate::exec::restore_captures(interp, earlier)?;
    }
    interp.record(&opened.first).map_err(|e| {
        Error::refused(
            format!("cannot write the journal: {}", e.note()),
            exit::INVALID,
        )
    })
}
