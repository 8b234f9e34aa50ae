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

    /// Serves TLS only, with a certificate for localhost and 127.0.0.1 signed by a CA of the
    /// test's own; restarts the server. The CA's PEM file.
    pub fn tls_only(&self) -> PathBuf {
        let dir = self.data.parent().expect("the cluster's dir").join("tls");
        std::fs::create_dir_all(&dir).expect("mkdir");
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .expect("openssl");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=runbook test CA",
        ]);
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ]);
        std::fs::write(
            dir.join("ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
        )
        .expect("ext");
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext",
        ]);
        for f in ["server.pem", "server.key"] {
            std::fs::copy(dir.join(f), self.data.join(f)).expect("copy");
        }
        let conf = "\nssl = on\nssl_cert_file = 'server.pem'\nssl_key_file = 'server.key'\n";
        let mut text = std::fs::read_to_string(self.data.join("postgresql.conf")).expect("conf");
        text.push_str(conf);
        std::fs::write(self.data.join("postgresql.conf"), text).expect("conf");
        std::fs::write(
            self.data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
        )
        .expect("hba");
        if self.as_postgres {
            let pg = nix::unistd::User::from_name("postgres")
                .ok()
                .flatten()
                .expect("postgres");
            for f in ["server.pem", "server.key", "pg_hba.conf", "postgresql.conf"] {
                nix::unistd::chown(&self.data.join(f), Some(pg.uid), Some(pg.gid)).expect("chown");
            }
        }
        std::fs::set_permissions(
            self.data.join("server.key"),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .expect("chmod");
        self.down();
        self.up();
        dir.join("ca.pem")
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
