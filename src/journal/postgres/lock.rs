//! A runbook's lock in the state database: a session-level advisory lock on the run's own
//! connection, so it spans every operator's machine, and PostgreSQL releases it when the run's
//! connection ends (a crash, `kill -9`, a lost network): a stale lock is recovered by the
//! server, never guessed from a pid. A row in `runbook_locks` says who holds it and since when.

use std::sync::Arc;

use super::conn::Conn;
use crate::journal::error::Error;
use crate::journal::lock::Holder;

#[derive(Debug)]
pub struct DbLock {
    conn: Arc<Conn>,
    name: String,
    run_id: String,
}

/// Who holds a lock, as its row says.
struct Row {
    run_id: String,
    holder: String,
    os_user: String,
    machine: String,
    pid: i32,
    since: String,
}

impl DbLock {
    pub fn acquire(
        conn: Arc<Conn>,
        name: &str,
        run_id: &str,
    ) -> Result<(DbLock, Option<Holder>), Error> {
        let database = |reason: String| Error::Database {
            url: conn.url.shown(),
            reason,
        };
        let key = name.to_string();
        let (taken, previous) = conn
            .call(move |c| {
                let taken: bool = c
                    .query_one(
                        "SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                        &[&key],
                    )?
                    .get(0);
                let row = c.query_opt(
                    "SELECT run_id, holder, os_user, machine, pid,
                            to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
                     FROM runbook_locks WHERE name = $1",
                    &[&key],
                )?;
                Ok((
                    taken,
                    row.map(|r| Row {
                        run_id: r.get(0),
                        holder: r.get(1),
                        os_user: r.get(2),
                        machine: r.get(3),
                        pid: r.get(4),
                        since: r.get(5),
                    }),
                ))
            })
            .map_err(database)?;
        if !taken {
            let row = previous.unwrap_or(Row {
                run_id: "?".into(),
                holder: "?".into(),
                os_user: "?".into(),
                machine: "?".into(),
                pid: 0,
                since: "?".into(),
            });
            return Err(Error::HeldBy {
                name: name.to_string(),
                run_id: row.run_id,
                who: format!(
                    "{} (database role {}) on {}, pid {}, since {}",
                    row.os_user, row.holder, row.machine, row.pid, row.since
                ),
            });
        }
        let (key, id) = (name.to_string(), run_id.to_string());
        let (os_user, machine) = (crate::journal::user(), machine());
        let pid = std::process::id() as i32;
        conn.call(move |c| {
            c.execute(
                "INSERT INTO runbook_locks (name, run_id, os_user, machine, pid)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (name) DO UPDATE SET run_id = $2, holder = session_user,
                     os_user = $3, machine = $4, pid = $5, since = now()",
                &[&key, &id, &os_user, &machine, &pid],
            )
        })
        .map_err(database)?;
        // A row left behind is a run that ended without letting go: its connection died.
        let stale = previous.map(|row| Holder {
            run_id: row.run_id,
            pid: row.pid.max(0) as u32,
        });
        Ok((
            DbLock {
                conn,
                name: name.to_string(),
                run_id: run_id.to_string(),
            },
            stale,
        ))
    }
}

impl Drop for DbLock {
    fn drop(&mut self) {
        let (key, id) = (self.name.clone(), self.run_id.clone());
        // Best effort: if the connection is gone, so is the lock.
        let _ = self.conn.call(move |c| {
            c.execute(
                "DELETE FROM runbook_locks WHERE name = $1 AND run_id = $2",
                &[&key, &id],
            )?;
            c.execute(
                "SELECT pg_advisory_unlock(hashtextextended($1, 0))",
                &[&key],
            )
        });
    }
}

fn machine() -> String {
    nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "?".into())
}
