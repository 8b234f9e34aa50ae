//! std.postgres against a real PostgreSQL: a throwaway cluster started by the test (trust
//! authentication on 127.0.0.1, a free port, data in a tempdir), removed afterwards.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::common::Runbook;
use super::logs;

struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// PostgreSQL refuses to run as root: as root, the cluster belongs to `postgres`.
    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn start(dir: &Path) -> Cluster {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL is installed (.ci/run installs it)")
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|b| b.join("initdb").exists())
            .max()
            .expect("a PostgreSQL with initdb");
        let as_postgres = nix::unistd::geteuid().is_root();
        let data = dir.join("pgdata");
        std::fs::create_dir_all(&data).expect("mkdir");
        if as_postgres {
            let pg = nix::unistd::User::from_name("postgres")
                .ok()
                .flatten()
                .expect("a postgres user");
            for p in [dir, data.as_path()] {
                nix::unistd::chown(p, Some(pg.uid), Some(pg.gid)).expect("chown");
            }
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let cluster = Cluster {
            bin,
            data,
            port,
            as_postgres,
        };
        let init = cluster
            .command("initdb")
            .args(["--no-sync", "-A", "trust", "-U", "postgres", "-D"])
            .arg(&cluster.data)
            .output()
            .expect("initdb");
        assert!(
            init.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -k {}",
            dir.display()
        );
        let start = cluster
            .command("pg_ctl")
            .args(["-w", "-s", "-D"])
            .arg(&cluster.data)
            .args(["-l"])
            .arg(dir.join("pg.log"))
            .args(["-o", &options, "start"])
            .output()
            .expect("pg_ctl");
        assert!(
            start.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&start.stderr)
        );
        cluster
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-w", "-s", "-m", "immediate", "-D"])
            .arg(&self.data)
            .arg("stop")
            .output();
    }
}

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
