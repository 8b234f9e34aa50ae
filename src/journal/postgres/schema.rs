//! The schema of the state database, versioned: each migration runs once, in order, in one
//! transaction with the version it brings, under a transaction-level advisory lock so that two
//! operators starting at once do not both apply it. A database whose schema is newer than
//! this build knows is refused, never written with an older idea of the tables.

use postgres::Client;

/// The advisory lock key of migrations (any constant the other locks cannot hash to:
/// those are `hashtextextended` of a text key).
const MIGRATION_LOCK: i64 = 0x7275_6e62_6f6f_6b00; // "runbook\0"

/// Migration N brings schema version N (1-based). A migration is never edited once released:
/// a change is a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: journals (append-only), the run index, runbook locks.
    r"
    CREATE TABLE runbook_runs (
        run_id     text PRIMARY KEY,
        runbook    text NOT NULL,
        path       text NOT NULL,
        started_by text NOT NULL DEFAULT session_user,
        started_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE runbook_records (
        run_id     text NOT NULL REFERENCES runbook_runs (run_id),
        seq        integer NOT NULL,
        line       text NOT NULL,
        written_by text NOT NULL DEFAULT session_user,
        written_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (run_id, seq)
    );
    CREATE FUNCTION runbook_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'runbook journals are append-only';
    END
    $$;
    CREATE TRIGGER runbook_records_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON runbook_records
        FOR EACH STATEMENT EXECUTE FUNCTION runbook_append_only();
    CREATE TABLE runbook_locks (
        name       text PRIMARY KEY,
        run_id     text NOT NULL,
        holder     text NOT NULL DEFAULT session_user,
        os_user    text NOT NULL,
        machine    text NOT NULL,
        pid        integer NOT NULL,
        since      timestamptz NOT NULL DEFAULT now()
    );
    ",
    // 2: approvals from anywhere. Both tables are append-only, and who wrote a row is the
    // role the server authenticated, whatever the INSERT says.
    r"
    CREATE TABLE runbook_gates (
        id        bigserial PRIMARY KEY,
        run_id    text NOT NULL REFERENCES runbook_runs (run_id),
        step      text NOT NULL,
        event     text NOT NULL CHECK (event IN ('open', 'approved', 'denied', 'settled')),
        gate      text,
        by_role   text NOT NULL DEFAULT session_user,
        at        timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX runbook_gates_run ON runbook_gates (run_id, id);
    CREATE TABLE runbook_decisions (
        id         bigserial PRIMARY KEY,
        run_id     text NOT NULL REFERENCES runbook_runs (run_id),
        step       text NOT NULL,
        approver   text NOT NULL DEFAULT session_user,
        decision   text NOT NULL,
        decided_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX runbook_decisions_run ON runbook_decisions (run_id, step, id);
    CREATE FUNCTION runbook_signed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_TABLE_NAME = 'runbook_decisions' THEN
            NEW.approver := session_user;
        ELSE
            NEW.by_role := session_user;
        END IF;
        RETURN NEW;
    END
    $$;
    CREATE TRIGGER runbook_decisions_signed BEFORE INSERT ON runbook_decisions
        FOR EACH ROW EXECUTE FUNCTION runbook_signed();
    CREATE TRIGGER runbook_gates_signed BEFORE INSERT ON runbook_gates
        FOR EACH ROW EXECUTE FUNCTION runbook_signed();
    CREATE TRIGGER runbook_decisions_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON runbook_decisions
        FOR EACH STATEMENT EXECUTE FUNCTION runbook_append_only();
    CREATE TRIGGER runbook_gates_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON runbook_gates
        FOR EACH STATEMENT EXECUTE FUNCTION runbook_append_only();
    ",
];

/// Brings the schema up to date; the version it is at. An up-to-date schema is only read,
/// so an operator's role needs no right to create tables once an owner has migrated it.
pub fn migrate(client: &mut Client) -> Result<Result<i32, Newer>, postgres::Error> {
    let known = MIGRATIONS.len() as i32;
    let exists: bool = client
        .query_one("SELECT to_regclass('runbook_schema') IS NOT NULL", &[])?
        .get(0);
    if exists {
        let at: i32 = client
            .query_one("SELECT coalesce(max(version), 0) FROM runbook_schema", &[])?
            .get(0);
        if at > known {
            return Ok(Err(Newer { found: at, known }));
        }
        if at == known {
            return Ok(Ok(at));
        }
    }
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS runbook_schema (
            version    integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        )",
    )?;
    let at: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM runbook_schema", &[])?
        .get(0);
    if at > known {
        return Ok(Err(Newer { found: at, known }));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(at as usize) {
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO runbook_schema (version) VALUES ($1)",
            &[&(i as i32 + 1)],
        )?;
    }
    tx.commit()?;
    Ok(Ok(known))
}

/// The database was migrated by a newer runbook.
#[derive(Debug)]
pub struct Newer {
    pub found: i32,
    pub known: i32,
}
