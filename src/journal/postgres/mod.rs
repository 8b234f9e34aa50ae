//! The PostgreSQL state backend: the same journals as the file state (the same sealed JSON
//! lines, one row each, append-only), the run index, and runbook locks, in one database a
//! team shares. Chosen with `--state postgres://…`, `RUNBOOK_STATE`, or `state = "…"` in the
//! config file (docs/team.md).

mod conn;
mod gates;
mod lock;
pub mod schema;
mod tls;
pub mod url;

use std::path::PathBuf;
use std::sync::Arc;

pub use lock::DbLock;
pub use url::Url;

use super::error::Error;
use super::reader::{self, Journal};
use super::record::Record;
use conn::Conn;

/// A connection to the state database, migrated to this build's schema.
#[derive(Debug, Clone)]
pub struct Database {
    conn: Arc<Conn>,
    /// The role the server authenticated: who this operator is here.
    role: String,
}

impl Database {
    pub fn open(url: &Url) -> Result<Database, Error> {
        let unreachable = |reason: String| Error::Database {
            url: url.shown(),
            reason,
        };
        let conn = Conn::open(url).map_err(unreachable)?;
        let role: String = conn
            .call(|c| {
                c.query_one("SELECT session_user::text", &[])
                    .map(|r| r.get(0))
            })
            .map_err(unreachable)?;
        match conn.call(schema::migrate).map_err(unreachable)? {
            Ok(_) => Ok(Database {
                conn: Arc::new(conn),
                role,
            }),
            Err(newer) => Err(Error::SchemaNewer {
                url: url.shown(),
                found: newer.found,
                known: newer.known,
            }),
        }
    }

    pub fn role(&self) -> &str {
        &self.role
    }

    pub fn url(&self) -> &Url {
        &self.conn.url
    }

    /// How messages name a run's journal here.
    pub fn journal_name(&self, run_id: &str) -> String {
        format!("{} run {run_id}", self.url())
    }

    fn failed(&self, run_id: &str) -> impl Fn(String) -> Error + '_ {
        let path = self.journal_name(run_id);
        move |reason| Error::WriteFailed {
            path: path.clone(),
            reason,
        }
    }

    /// A new run in the index, and the appender of its journal.
    pub fn create(&self, run_id: &str, runbook: &str, path: &str) -> Result<Appender, Error> {
        let (id, name, file) = (run_id.to_string(), runbook.to_string(), path.to_string());
        self.conn
            .call(move |c| {
                c.execute(
                    "INSERT INTO runbook_runs (run_id, runbook, path) VALUES ($1, $2, $3)",
                    &[&id, &name, &file],
                )
            })
            .map_err(self.failed(run_id))?;
        Ok(Appender {
            db: self.clone(),
            run_id: run_id.to_string(),
            next: 1,
        })
    }

    /// The appender of an existing run's journal (resume, rollback), after its last row.
    pub fn append(&self, run_id: &str) -> Result<Appender, Error> {
        let id = run_id.to_string();
        let last: i32 = self
            .conn
            .call(move |c| {
                c.query_one(
                    "SELECT coalesce(max(seq), 0) FROM runbook_records WHERE run_id = $1",
                    &[&id],
                )
                .map(|row| row.get(0))
            })
            .map_err(self.failed(run_id))?;
        Ok(Appender {
            db: self.clone(),
            run_id: run_id.to_string(),
            next: last + 1,
        })
    }

    pub fn read(&self, run_id: &str) -> Result<Journal, Error> {
        let id = run_id.to_string();
        let lines: Vec<String> = self
            .conn
            .call(move |c| {
                let rows = c.query(
                    "SELECT line FROM runbook_records WHERE run_id = $1 ORDER BY seq",
                    &[&id],
                )?;
                Ok(rows.iter().map(|r| r.get(0)).collect())
            })
            .map_err(|reason| self.unreachable(reason))?;
        self.parse(run_id, &lines)
    }

    fn parse(&self, run_id: &str, lines: &[String]) -> Result<Journal, Error> {
        let mut text = lines.join("\n");
        text.push('\n');
        reader::parse(&PathBuf::from(self.journal_name(run_id)), text.as_bytes())
    }

    fn unreachable(&self, reason: String) -> Error {
        Error::Database {
            url: self.url().shown(),
            reason,
        }
    }

    /// Every run's journal, oldest first (run ids are time-ordered), in one query.
    pub fn journals(&self) -> Result<Vec<Result<Journal, Error>>, Error> {
        let runs: Vec<(String, Vec<String>)> = self
            .conn
            .call(|c| {
                let rows = c.query(
                    "SELECT r.run_id, coalesce(array_agg(j.line ORDER BY j.seq)
                                               FILTER (WHERE j.line IS NOT NULL), '{}')
                     FROM runbook_runs r LEFT JOIN runbook_records j USING (run_id)
                     GROUP BY r.run_id ORDER BY r.run_id",
                    &[],
                )?;
                Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
            })
            .map_err(|reason| self.unreachable(reason))?;
        Ok(runs
            .iter()
            .map(|(id, lines)| self.parse(id, lines))
            .collect())
    }

    /// The run whose id is `prefix`, or the one run whose id starts with it.
    pub fn find(&self, prefix: &str) -> Result<String, Error> {
        let pattern = escape_like(prefix);
        let ids: Vec<String> = self
            .conn
            .call(move |c| {
                let rows = c.query(
                    "SELECT run_id FROM runbook_runs WHERE run_id LIKE $1 ORDER BY run_id",
                    &[&pattern],
                )?;
                Ok(rows.iter().map(|r| r.get(0)).collect())
            })
            .map_err(|reason| self.unreachable(reason))?;
        match ids.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(Error::UnknownRun {
                id: prefix.into(),
                dir: self.url().shown(),
            }),
            many => Err(Error::AmbiguousRun {
                id: prefix.into(),
                matches: many.join(", "),
            }),
        }
    }

    /// A run moved from a state directory, its lines as they were written, in one
    /// transaction; false when the database has the run already.
    pub fn import(&self, run: &super::RunState, lines: &[String]) -> Result<bool, Error> {
        let (id, name, path) = (run.run_id.clone(), run.runbook.clone(), run.path.clone());
        let lines = lines.to_vec();
        self.conn
            .call(move |c| {
                let mut tx = c.transaction()?;
                let added = tx.execute(
                    "INSERT INTO runbook_runs (run_id, runbook, path) VALUES ($1, $2, $3)
                     ON CONFLICT (run_id) DO NOTHING",
                    &[&id, &name, &path],
                )?;
                if added == 0 {
                    return Ok(false);
                }
                let insert = tx.prepare(
                    "INSERT INTO runbook_records (run_id, seq, line) VALUES ($1, $2, $3)",
                )?;
                for (i, line) in lines.iter().enumerate() {
                    tx.execute(&insert, &[&id, &(i as i32 + 1), line])?;
                }
                tx.commit()?;
                Ok(true)
            })
            .map_err(self.failed(&run.run_id))
    }

    /// Takes the lock `name` for `run_id` (see `lock.rs`).
    pub fn lock(
        &self,
        name: &str,
        run_id: &str,
    ) -> Result<(DbLock, Option<super::lock::Holder>), Error> {
        DbLock::acquire(self.conn.clone(), name, run_id)
    }
}

/// `prefix%` for LIKE, with LIKE's own characters taken literally.
fn escape_like(prefix: &str) -> String {
    let mut out = String::new();
    for c in prefix.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Appends records to one run's journal. Each row is its own committed transaction: once
/// `write` returns, the record survives a `kill -9` of the run. As on files, records that
/// precede side effects (intents) or end a session are durable at once; a step's result is
/// committed without waiting for the server's disk (`synchronous_commit = off`), and made
/// durable by the next durable commit, which comes before anything else can change.
#[derive(Debug)]
pub struct Appender {
    db: Database,
    run_id: String,
    next: i32,
}

impl Appender {
    pub fn write(&mut self, record: &Record) -> std::io::Result<()> {
        let json = serde_json::to_vec(record).map_err(std::io::Error::other)?;
        let line = String::from_utf8(super::seal::seal(json)).map_err(std::io::Error::other)?;
        let (id, seq) = (self.run_id.clone(), self.next);
        let deferred = matches!(
            record,
            Record::StepResult { .. } | Record::RollbackResult { .. }
        );
        self.db
            .conn
            .call(move |c| {
                const INSERT: &str =
                    "INSERT INTO runbook_records (run_id, seq, line) VALUES ($1, $2, $3)";
                if !deferred {
                    return c.execute(INSERT, &[&id, &seq, &line]).map(|_| ());
                }
                let mut tx = c.transaction()?;
                tx.batch_execute("SET LOCAL synchronous_commit = off")?;
                tx.execute(INSERT, &[&id, &seq, &line])?;
                tx.commit()
            })
            .map_err(std::io::Error::other)?;
        self.next += 1;
        Ok(())
    }

    pub fn name(&self) -> String {
        self.db.journal_name(&self.run_id)
    }
}
