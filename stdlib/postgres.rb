##! PostgreSQL through its command-line clients on the target host, directly or inside a
##! container (`container: "shared-postgres"` runs them with `docker exec`). Connection:
##! `server` (a host name or address; empty: the local socket), `port`, `user`; a password comes from the target's
##! environment or ~/.pgpass, never from the runbook.

## The words that start a client: `docker exec -i CONTAINER` when in a container, then the
## tool and the connection options.
fn _client(tool, container, server, port, user) {
  return flag(container != "", ["docker", "exec", "-i", container]) + [tool] + flag(server != "", ["-h", server]) + ["-p", port, "-U", user]
}

## Runs SQL and returns what psql prints; stops at the first error.
##
## Runs: `psql -X -q -v ON_ERROR_STOP=1 -d DB -c SQL`
## Returns: string
## Example: `postgres.psql("skriptoteket", "vacuum analyze", container: "shared-postgres")`
fn psql(db, sql, server = "", port = 5432, user = "postgres", container = "", sudo = false) {
  let cmd = _client("psql", container, server, port, user)
  return run("{{cmd}} -X -q -v ON_ERROR_STOP=1 -d {{db}} -c {{sql}}", sudo: sudo).stdout
}

## The rows of a query, each a map from column name to value.
##
## Runs: `psql -X -A -t -d DB -c "select coalesce(json_agg(t), '[]') from (SQL) t"`
## Returns: list of maps
## Example: `check postgres.query("app", "select count(*) as n from users")[0].n > 0`
fn query(db, sql, server = "", port = 5432, user = "postgres", container = "", sudo = false) {
  let cmd = _client("psql", container, server, port, user)
  let wrapped = "select coalesce(json_agg(t), '[]'::json) from ({{ sql }}) t"
  return parse_json(run("{{cmd}} -X -A -t -v ON_ERROR_STOP=1 -d {{db}} -c {{wrapped}}", sudo: sudo).stdout)
}

## True when database `db` exists.
##
## Runs: `psql -X -A -t -d postgres -v db=DB` with `select 1 from pg_database where datname = :'db'`
## Returns: bool
## Example: `check not postgres.exists("scratch")`
fn exists(db, server = "", port = 5432, user = "postgres", container = "", sudo = false) {
  let cmd = _client("psql", container, server, port, user)
  let out = run("{{cmd}} -X -A -t -v ON_ERROR_STOP=1 -d postgres -v db={{db}} -f -", stdin: "select 1 from pg_database where datname = :'db';", sudo: sudo)
  return out.stdout.trim() == "1"
}

## Creates database `db`.
##
## Runs: `psql -d postgres -v db=DB` with `create database :"db"`
## Example: `postgres.create_db("skriptoteket_restore", container: "shared-postgres")`
fn create_db(db, server = "", port = 5432, user = "postgres", container = "", sudo = false) {
  let cmd = _client("psql", container, server, port, user)
  run("{{cmd}} -X -q -v ON_ERROR_STOP=1 -d postgres -v db={{db}} -f -", stdin: "create database :\"db\";", sudo: sudo)
}

## Drops database `db` if it exists (connections to it are refused first).
##
## Runs: `psql -d postgres -v db=DB` with `drop database if exists :"db" with (force)`
## Example: `postgres.drop_db("skriptoteket_test")`
fn drop_db(db, server = "", port = 5432, user = "postgres", container = "", sudo = false) {
  let cmd = _client("psql", container, server, port, user)
  run("{{cmd}} -X -q -v ON_ERROR_STOP=1 -d postgres -v db={{db}} -f -", stdin: "drop database if exists :\"db\" with (force);", sudo: sudo)
}

## Dumps `db` to the file `to` on the target, in pg_dump's custom format.
##
## Runs: `pg_dump -Fc -d DB > TO`
## Example: `postgres.dump("skriptoteket", "/root/backups/skriptoteket-{{ stamp }}.dump", container: "shared-postgres")`
fn dump(db, to, server = "", port = 5432, user = "postgres", container = "", sudo = false) {
  let cmd = _client("pg_dump", container, server, port, user)
  run("{{cmd}} -Fc -d {{db}} > {{to}}", sudo: sudo)
}

## Restores the dump `from` into `db` (which must exist), whichever way it was made: a
## custom-format dump (`postgres.dump`, starts with `PGDMP`) through pg_restore, replacing
## the objects it contains; a plain-SQL dump (the seed's `pg_dump > x.sql`) through psql,
## stopping at the first error (restore it into an empty database).
##
## Runs: `pg_restore --clean --if-exists --no-owner -d DB < FROM`, or `psql -X -q -v ON_ERROR_STOP=1 -d DB < FROM`
## Example: `postgres.restore("skriptoteket", "~/backups/skriptoteket-20260101.sql", container: "shared-postgres")`
fn restore(db, from, server = "", port = 5432, user = "postgres", container = "", sudo = false) {
  let custom = _client("pg_restore", container, server, port, user)
  let plain = _client("psql", container, server, port, user)
  run("if head -c 5 {{from}} | grep -q ^PGDMP; then {{custom}} --clean --if-exists --no-owner -d {{db}} < {{from}}; else {{plain}} -X -q -v ON_ERROR_STOP=1 -d {{db}} < {{from}}; fi", sudo: sudo)
}
