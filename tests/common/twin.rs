//! The twin of the seed's server (`scripts/twin`): its own network namespace, sshd, a
//! non-root login user with NOPASSWD sudo, and the app's git work tree. One per test, so
//! tests run side by side; removed when dropped.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::common::{root, run_in, Output};

static NEXT: AtomicU32 = AtomicU32::new(0);

#[derive(Debug)]
pub struct Twin {
    name: String,
    net: u32,
    dir: PathBuf,
    pub ssh_config: PathBuf,
    /// The login user's home on the twin (`~`).
    pub home: PathBuf,
    /// Where runs of this twin's tests keep their journals.
    pub state: tempfile::TempDir,
}

impl Twin {
    /// A twin without Docker: many can run side by side.
    pub fn up() -> Twin {
        Twin::start(false)
    }

    /// A twin whose app runs under the machine's Docker: one at a time (web's container
    /// name and port are the seed's).
    pub fn with_docker() -> Twin {
        Twin::start(true)
    }

    fn start(docker: bool) -> Twin {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let name = format!("rbt{}{n}", std::process::id() % 1000);
        let net = 20 + n;
        let dir = PathBuf::from(format!("/tmp/{name}"));
        let out = twin(&name, net, &dir, "up", docker);
        assert!(
            out.status.success(),
            "scripts/twin up failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ssh_config = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let home = std::fs::read_to_string(dir.join("home")).expect("the twin's home");
        Twin {
            name,
            net,
            dir,
            ssh_config,
            home: PathBuf::from(home.trim()),
            state: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// `runbook ARGS` against the twin, from a directory of its own.
    pub fn runbook(&self, args: &[&str]) -> Output {
        let mut all = vec![
            "--ssh-config".to_string(),
            self.ssh_config.display().to_string(),
            "--state-dir".to_string(),
            self.state.path().display().to_string(),
        ];
        all.extend(args.iter().map(|a| a.to_string()));
        run_in(self.state.path(), &all, &[])
    }

    /// Runs a shipped runbook (`runbooks/NAME.rb`) for real against the twin. It runs from a
    /// copy of this twin's own: a runbook's lock is held per path, and twins run side by side.
    pub fn run(&self, name: &str, args: &[&str]) -> Output {
        let path = self.state.path().join(format!("{name}.rb"));
        std::fs::copy(root().join("runbooks").join(format!("{name}.rb")), &path)
            .expect("copy the runbook");
        // The shipped inventory goes beside it, as `inventory "hosts.toml"` expects.
        std::fs::copy(
            root().join("runbooks/hosts.toml"),
            self.state.path().join("hosts.toml"),
        )
        .expect("copy the inventory");
        let mut all = vec!["run", path.to_str().expect("utf-8 path")];
        all.extend(args);
        self.runbook(&all)
    }

    /// A shell command on the twin as its login user, for setting up and looking.
    pub fn sh(&self, command: &str) -> String {
        self.ssh("hemma", command)
    }

    /// A command as root on the twin.
    pub fn root(&self, command: &str) -> String {
        self.ssh("hemma-root", command)
    }

    fn ssh(&self, alias: &str, command: &str) -> String {
        let out = Command::new("ssh")
            .arg("-F")
            .arg(&self.ssh_config)
            .arg(alias)
            .arg(command)
            .output()
            .expect("ssh");
        assert!(
            out.status.success(),
            "`{command}` on the twin ({alias}) failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Commits a change to the app's remote (as a developer's push would); its hash.
    pub fn push(&self, change: &str, message: &str) -> String {
        self.sh(&format!(
            "cd ~/src && {{ {change}; }} && git add -A && git commit -qm {message:?} && git push -q origin main && git rev-parse HEAD"
        ))
        .trim()
        .to_string()
    }

    /// What web answers on the twin: `commit=HASH env=VALUE`.
    pub fn web(&self) -> String {
        self.sh("curl -s --max-time 5 http://127.0.0.1:8000/ || true")
            .trim()
            .to_string()
    }

    /// What the stand-ins (systemctl, journalctl, ...) were called with.
    pub fn stand_in_calls(&self) -> String {
        std::fs::read_to_string(self.dir.join("state/calls")).unwrap_or_default()
    }

    /// The twin's default gateway: the control machine's end of its link.
    pub fn gateway(&self) -> String {
        std::fs::read_to_string(self.dir.join("gateway"))
            .expect("the twin's gateway")
            .trim()
            .to_string()
    }

    /// The twin's network number (its addresses are 10.250.NET.x).
    pub fn net(&self) -> u32 {
        self.net
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Twin {
    fn drop(&mut self) {
        let _ = twin(&self.name, self.net, &self.dir, "down", true);
    }
}

fn twin(name: &str, net: u32, dir: &Path, verb: &str, docker: bool) -> std::process::Output {
    Command::new("bash")
        .arg(root().join("scripts/twin"))
        .arg(verb)
        .env("TWIN_NAME", name)
        .env("TWIN_NET", net.to_string())
        .env("TWIN_DIR", dir)
        .env("TWIN_DOCKER", if docker { "1" } else { "0" })
        // Under Docker, nginx-proxy serves a certificate that certbot must renew (it renews
        // below 30 days); without, openssl serves a fresh one.
        .env("TWIN_CERT_DAYS", if docker { "20" } else { "90" })
        .output()
        .expect("bash")
}
