//! A real OpenSSH server on 127.0.0.1 for the tests: a free port, throwaway host and client
//! keys in a tempdir, public-key authentication only. `config` is an ssh_config giving the
//! alias `host_alias` everything needed to reach it (port, user, key, known_hosts).

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Sshd {
    pub dir: PathBuf,
    pub port: u16,
    pub alias: String,
    child: Option<Child>,
}

fn keygen(path: &Path) {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen (openssh-client)")
        .success();
    assert!(ok, "ssh-keygen {}", path.display());
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

pub fn user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| {
            let out = Command::new("id").arg("-un").output().expect("id");
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        })
}

impl Sshd {
    /// Starts sshd in `dir` (which must outlive it) under the name `alias`.
    pub fn start(dir: &Path, alias: &str) -> Sshd {
        std::fs::create_dir_all(dir).expect("mkdir");
        let host_key = dir.join("host_key");
        let client_key = dir.join("client_key");
        if !host_key.exists() {
            keygen(&host_key);
            keygen(&client_key);
            std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys"))
                .expect("authorized_keys");
        }
        if nix::unistd::geteuid().is_root() {
            // sshd's privilege separation needs it; a fresh container may lack it.
            let _ = std::fs::create_dir_all("/run/sshd");
        }
        let port = free_port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {hk}\nPidFile {dir}/sshd.pid\nAuthorizedKeysFile {dir}/authorized_keys\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\nUsePAM no\nStrictModes no\n\
             PermitRootLogin prohibit-password\nMaxSessions 30\nMaxStartups 100\nLogLevel VERBOSE\n",
            hk = host_key.display(),
            dir = dir.display()
        );
        std::fs::write(dir.join("sshd_config"), config).expect("sshd_config");
        let host_pub = std::fs::read_to_string(dir.join("host_key.pub")).expect("host key");
        std::fs::write(
            dir.join("known_hosts"),
            format!("[127.0.0.1]:{port} {host_pub}"),
        )
        .expect("known_hosts");
        let client = format!(
            "Host {alias}\n  HostName 127.0.0.1\n  Port {port}\n  User {user}\n  IdentityFile {dir}/client_key\n  IdentitiesOnly yes\n  UserKnownHostsFile {dir}/known_hosts\n",
            user = user(),
            dir = dir.display()
        );
        std::fs::write(dir.join("ssh_config"), client).expect("ssh_config");
        let mut sshd = Sshd {
            dir: dir.to_path_buf(),
            port,
            alias: alias.to_string(),
            child: None,
        };
        sshd.spawn();
        sshd
    }

    fn spawn(&mut self) {
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-E"])
            .arg(self.dir.join("sshd.log"))
            .arg("-f")
            .arg(self.dir.join("sshd_config"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sshd (openssh-server; .ci/run installs it)");
        self.child = Some(child);
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "sshd did not start on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The client configuration to pass as `config:` (or `ssh -F`).
    pub fn config(&self) -> PathBuf {
        self.dir.join("ssh_config")
    }

    /// Stops sshd and the connections it serves (its whole process group), as a crash
    /// would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            // Connections are served by descendants of the listener, in sessions of their own.
            for pid in descendants(c.id() as i32) {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// How many times a client logged in (each master connection is one).
    pub fn logins(&self) -> usize {
        std::fs::read_to_string(self.dir.join("sshd.log"))
            .unwrap_or_default()
            .matches("Accepted publickey")
            .count()
    }

    /// Starts it again on the same port with the same keys.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

/// Every process below `root`, read from /proc.
fn descendants(root: i32) -> Vec<i32> {
    let mut parent_of = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let ppid = stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<i32>().ok());
        if let Some(ppid) = ppid {
            parent_of.push((pid, ppid));
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let p = found[i];
        found.extend(parent_of.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    found.remove(0);
    found
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.kill();
    }
}
