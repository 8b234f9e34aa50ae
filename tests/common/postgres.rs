//! A throwaway PostgreSQL cluster for the tests: trust authentication on 127.0.0.1, a free
//! port, data in a tempdir; stopped when dropped. As root (CI), it belongs to `postgres`,
//! since PostgreSQL refuses to run as root.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// PostgreSQL refuses to run as root: as root, the cluster belongs to `postgres`.
    pub fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    pub fn start(dir: &Path) -> Cluster {
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
        cluster.up();
        cluster
    }

    /// Starts the server (again), and waits until it accepts connections.
    pub fn up(&self) {
        let dir = self.data.parent().expect("the cluster's dir");
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            dir.display()
        );
        let start = self
            .command("pg_ctl")
            .args(["-w", "-s", "-D"])
            .arg(&self.data)
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
    }

    /// Stops the server at once, as a crash or a lost machine would (`-m immediate`).
    pub fn down(&self) {
        let stop = self
            .command("pg_ctl")
            .args(["-w", "-s", "-m", "immediate", "-D"])
            .arg(&self.data)
            .arg("stop")
            .output()
            .expect("pg_ctl");
        assert!(stop.status.success(), "pg_ctl stop");
    }

    /// `psql -c SQL` as the superuser on `db`; its stdout.
    pub fn sql(&self, db: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
            ])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                db,
                "-c",
                sql,
            ])
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A fresh database, and the URL a role reaches it by.
    pub fn database(&self, name: &str) -> String {
        self.sql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(name, "postgres")
    }

    pub fn url(&self, db: &str, role: &str) -> String {
        format!("postgres://{role}@127.0.0.1:{}/{db}", self.port)
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
