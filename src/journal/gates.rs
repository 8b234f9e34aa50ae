//! Where a run's gates wait for decisions from anywhere: the inbox directory of a file state
//! (`inbox.rs`), or the tables of a state database (`postgres/gates.rs`). The policy
//! (`Gate::verdict`) is the same for both; only who vouches for an approver differs: the
//! kernel (a file's owner) or the database (the authenticated role).

use std::path::PathBuf;
use std::time::Duration;

use super::inbox::{self, Decision, Gate, Signed};
use super::postgres::Database;

#[derive(Debug, Clone)]
pub enum Gates {
    Files(PathBuf),
    Database(Database),
}

/// Who is deciding, as the state will sign it.
#[derive(Debug)]
pub struct Approver {
    pub user: String,
    pub uid: Option<u32>,
    /// In a database: the roles of the gate's `by` this role is a member of.
    pub roles: Option<Vec<String>>,
}

impl Gates {
    /// Where the gates are, for messages.
    pub fn shown(&self) -> String {
        match self {
            Gates::Files(state) => state.join("inbox").display().to_string(),
            Gates::Database(db) => db.url().shown(),
        }
    }

    /// Who started the run, as decisions are told apart from it: a uid on files (the run's
    /// process is the starter's), the authenticated role in a database.
    pub fn starter(&self) -> (String, Option<u32>) {
        match self {
            Gates::Files(_) => {
                let uid = nix::unistd::geteuid().as_raw();
                (inbox::user_name(uid), Some(uid))
            }
            Gates::Database(db) => (db.role().to_string(), None),
        }
    }

    /// Who this process decides as, for `gate`.
    pub fn approver(&self, gate: &Gate) -> Result<Approver, String> {
        match self {
            Gates::Files(_) => {
                let uid = nix::unistd::geteuid().as_raw();
                Ok(Approver {
                    user: inbox::user_name(uid),
                    uid: Some(uid),
                    roles: None,
                })
            }
            Gates::Database(db) => Ok(Approver {
                user: db.role().to_string(),
                uid: None,
                roles: Some(db.member_of(&gate.by)?),
            }),
        }
    }

    pub fn open(&self, gate: &Gate) -> Result<(), String> {
        match self {
            Gates::Files(state) => inbox::open(state, gate).map_err(|e| e.to_string()),
            Gates::Database(db) => db.open_gate(gate),
        }
    }

    pub fn close(&self, run_id: &str, step: &str, denied: bool) {
        match self {
            Gates::Files(state) => inbox::close(state, run_id, step, denied),
            Gates::Database(db) => db.close_gate(run_id, step, denied),
        }
    }

    /// A settled run: nothing of it is left to approve.
    pub fn discard(&self, run_id: &str) {
        match self {
            Gates::Files(state) => inbox::discard(state, run_id),
            Gates::Database(db) => db.settle_gates(run_id),
        }
    }

    pub fn gate(&self, run_id: &str) -> Result<Option<Gate>, String> {
        match self {
            Gates::Files(state) => inbox::gate(state, run_id).map_err(|e| e.to_string()),
            Gates::Database(db) => db.gate(run_id),
        }
    }

    pub fn decide(&self, run_id: &str, decision: &Decision) -> Result<(), String> {
        match self {
            Gates::Files(state) => inbox::decide(state, run_id, decision)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Gates::Database(db) => db.decide(run_id, decision),
        }
    }

    /// The decisions on the gate's step; `None` when this user may not list them (a file
    /// inbox is listed by its owner only).
    pub fn decisions(&self, run_id: &str, gate: &Gate) -> Option<Vec<Signed>> {
        match self {
            Gates::Files(state) => inbox::decisions(state, run_id, &gate.step),
            Gates::Database(db) => db.decisions(run_id, &gate.step, &gate.by).ok(),
        }
    }

    /// Waits for a decision to come in, `limit` at most: files are looked at again after
    /// it; a database announces a decision the moment it is committed.
    pub fn wait(&self, limit: Duration) {
        match self {
            Gates::Files(_) => std::thread::sleep(limit),
            Gates::Database(db) => {
                db.wait_for_decision(limit);
            }
        }
    }
}
