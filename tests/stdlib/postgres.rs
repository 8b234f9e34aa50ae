//! std.postgres against a real PostgreSQL: a throwaway cluster started by the test (trust
//! authentication on 127.0.0.1, a free port, data in a tempdir), removed afterwards.

use super::common::postgres::Cluster;
use super::common::Runbook;
use super::logs;

#[test]
fn dump_drop_restore_round_trip() {
    let t = Runbook::new();
    let dir = t.path().join("pg");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let cluster = Cluster::start(&dir);
    let port = cluster.port;
    let dump = t.path().join("app.dump").display().to_string();
    let sql = t.path().join("app.sql").display().to_string();
    let conn = format!("server: \"127.0.0.1\", port: {port}");
    let body = format!(
        r#"  postgres.create_db("app", {conn})
  postgres.psql("app", "create table notes (id int primary key, body text); insert into notes select g, 'note ' || g from generate_series(1, 42) g", {conn})
  let before = postgres.query("app", "select count(*) as n, max(body) as last from notes", {conn})
  log "{{{{ before | first }}}}"
  let there = postgres.exists("app", {conn})
  postgres.dump("app", {dump:?}, {conn})
  postgres.drop_db("app", {conn})
  let gone = postgres.exists("app", {conn})
  log "{{{{ there }}}} {{{{ gone }}}}"
  postgres.create_db("app", {conn})
  postgres.restore("app", {dump:?}, {conn})
  let after = postgres.query("app", "select count(*) as n from notes where body like 'note %'", {conn})
  let row = after[0]
  log "{{{{ row.n }}}}"
  let odd = postgres.exists("it's \"odd\"", {conn})
  log "{{{{ odd }}}}"
  let printed = postgres.psql("app", "select 'a' || 'b' as joined", {conn})
  log printed.trim()
  run "pg_dump -h 127.0.0.1 -p {port} -U postgres -d app > {sql}"
  postgres.drop_db("app", {conn})
  postgres.create_db("app", {conn})
  postgres.restore("app", {sql:?}, {conn})
  let plain = postgres.query("app", "select count(*) as n from notes", {conn})
  let row2 = plain[0]
  log "{{{{ row2.n }}}}""#
    );
    let logs = logs(&t, &["postgres"], &body, &[]);
    drop(cluster);
    assert_eq!(
        logs[0], "{last: note 9, n: 42}",
        "rows are maps by column name"
    );
    assert_eq!(logs[1], "true false");
    assert_eq!(logs[2], "42", "the restore brought every row back");
    assert_eq!(
        logs[3], "false",
        "a name with quotes is passed as data, not SQL"
    );
    assert!(logs[4].contains("ab"), "{}", logs[4]);
    assert_eq!(
        logs[5], "42",
        "a plain-SQL dump (the seed's `pg_dump > x.sql`) restores through psql"
    );
}
