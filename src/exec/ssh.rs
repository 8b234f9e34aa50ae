//! The ssh transport: one multiplexed master connection per host per run (openssh), opened
//! on first use and reused by every command of the run (guards, checks, stdlib calls);
//! closed when the run ends. Host keys are checked strictly unless the user opts in to
//! accept new ones; a changed key is always refused.

pub use crate::plan::ssh_spec::SshSpec;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use openssh::{ControlPersist, KnownHosts, Session, SessionBuilder, Stdio};
use tokio::io::AsyncWriteExt;
use tokio::sync::{watch, Mutex};

use super::event::Stream;
use super::pump::{pump, Cut};
use super::ssh_config::{self, expand_home};
use super::transport::{CommandSpec, LineSink, Ran, RunFuture, Transport, TransportError};
use super::value::{quote, CmdResult};

/// How long connecting may take before the host counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The first stderr line of every remote command: its pid, which leads its process group,
/// so a timeout or Ctrl-C can stop everything it started.
const PID_MARK: &str = "\u{1}runbook-pid ";
/// The remote command under a supervisor, so it dies with the run. The login shell (the
/// leader of the session's process group: sshd starts each session with setsid) prints its
/// pid, then waits for runbook's go-ahead (a line, sent once the pid is read; `read` takes
/// no byte past it): a connection lost before it leaves nothing started, so the command may
/// be sent again on a new one; after it, the command counts as started and is never sent
/// twice. Its stdin comes through a watcher, which hands the command
/// the `input` bytes runbook sends first, then reads on (from a process of its own, so
/// `wait` waits for the command only): runbook keeps its end open until
/// the command has ended, so end of file while the command still runs means runbook is gone
/// (kill -9, a crash, a lost laptop). The watcher then stops the whole group: TERM, then
/// KILL. A command that ended is never touched, nor what it left running on purpose.
fn supervised(command: &str, input: usize) -> Result<String, String> {
    let hand_over = if input > 0 {
        format!("head -c {input}; ")
    } else {
        String::new()
    };
    let script = format!(
        "printf '{PID_MARK}%s\\n' \"$$\" >&2; IFS= read -r go && [ \"$go\" = g ] || exit 255; exec 3<&0; \
         (trap '' TERM PIPE; {hand_over}exec >&- 2>/dev/null; (cat >/dev/null; \
         kill -0 $$ && {{ kill -TERM -$$; sleep 2; kill -KILL -$$; }}) <&3 3<&- &) <&3 | sh -c {command} & \
         c=$!; exec 3<&-; wait $c"
    );
    // In `sh` whatever the user's login shell is (fish has no `$$`); `exec` keeps the pid.
    quote(&script).map(|q| format!("exec sh -c {q}"))
}

#[derive(Debug)]
pub struct SshPool {
    specs: HashMap<String, SshSpec>,
    /// Each host's master connection, once opened; emptied when it is found lost, so the
    /// next command reconnects (a host back from a reboot or a network restart).
    sessions: HashMap<String, Mutex<Option<Arc<Session>>>>,
    /// Short (unix socket paths are limited to 108 bytes) and removed at the end; made only
    /// when the runbook has ssh hosts.
    control_dir: Option<tempfile::TempDir>,
    accept_new: bool,
    /// `lock hosts`: who this run is, written beside each host's lock it takes.
    lock: Option<String>,
    /// The locks held, one per host, for as long as its connection lives.
    held: std::sync::Mutex<HashMap<String, super::host_lock::Held>>,
}

impl SshPool {
    pub fn new(specs: HashMap<String, SshSpec>, accept_new: bool) -> std::io::Result<SshPool> {
        let control_dir = if specs.is_empty() {
            None
        } else {
            sweep_control_dirs();
            Some(
                tempfile::Builder::new()
                    .prefix(&format!("rb-{}-", std::process::id()))
                    .tempdir_in("/tmp")?,
            )
        };
        let sessions = specs
            .keys()
            .map(|h| (h.clone(), Mutex::new(None)))
            .collect();
        Ok(SshPool {
            specs,
            sessions,
            control_dir,
            accept_new,
            lock: None,
            held: std::sync::Mutex::default(),
        })
    }

    /// Each host's connection takes the host's lock (`lock hosts`), as `who`.
    pub fn lock_hosts(&mut self, who: String) {
        self.lock = Some(who);
    }

    /// Connects to `hosts` and takes their locks before anything runs; why for each that
    /// could not be.
    pub async fn lock_all(&self, hosts: &[String]) -> Result<(), Vec<String>> {
        let mut refused = Vec::new();
        for host in hosts {
            match self.session(host).await {
                Err(TransportError::Connect(why) | TransportError::Spawn(why)) => refused.push(why),
                Err(other) => refused.push(format!("{host}: {other:?}")),
                Ok(_) => {}
            }
        }
        if refused.is_empty() {
            Ok(())
        } else {
            Err(refused)
        }
    }

    fn control_path(&self) -> &std::path::Path {
        self.control_dir
            .as_ref()
            .map_or(std::path::Path::new("/tmp"), |d| d.path())
    }

    pub fn hosts(&self) -> impl Iterator<Item = &String> {
        self.specs.keys()
    }

    /// The host's master connection, opened on first use. Hosts connect concurrently.
    async fn session(&self, host: &str) -> Result<Arc<Session>, TransportError> {
        let (Some(cell), Some(spec)) = (self.sessions.get(host), self.specs.get(host)) else {
            return Err(TransportError::Connect(format!(
                "`{host}` is not an ssh host"
            )));
        };
        let mut current = cell.lock().await;
        if let Some(session) = current.as_ref() {
            return Ok(session.clone());
        }
        let session = Arc::new(self.connect(host, spec).await?);
        // A new connection (the first, or after a reboot) takes the host's lock again.
        if let Some(who) = &self.lock {
            let held = super::host_lock::take(&session, host, who)
                .await
                .map_err(TransportError::Connect)?;
            self.held
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(host.to_string(), held);
        }
        *current = Some(session.clone());
        Ok(session)
    }

    /// Drops a master connection found lost, unless another command already replaced it.
    async fn forget(&self, host: &str, lost: &Arc<Session>) {
        if let Some(cell) = self.sessions.get(host) {
            let mut current = cell.lock().await;
            if current.as_ref().is_some_and(|s| Arc::ptr_eq(s, lost)) {
                *current = None;
            }
        }
    }

    async fn connect(&self, host: &str, spec: &SshSpec) -> Result<Session, TransportError> {
        let mut b = SessionBuilder::default();
        b.known_hosts_check(if self.accept_new {
            KnownHosts::Add
        } else {
            KnownHosts::Strict
        })
        .control_directory(self.control_path())
        .connect_timeout(CONNECT_TIMEOUT)
        .server_alive_interval(Duration::from_secs(15));
        // A master left by a killed run goes away by itself.
        if let Some(idle) = std::num::NonZeroUsize::new(60) {
            b.control_persist(ControlPersist::IdleFor(idle));
        }
        if let Some(port) = spec.port {
            b.port(port);
        }
        if let Some(user) = &spec.user {
            b.user(user.clone());
        }
        if let Some(key) = &spec.identity {
            b.keyfile(expand_home(key));
        }
        let config =
            ssh_config::write(self.control_path(), host, spec, self.accept_new).map_err(|e| {
                TransportError::Connect(format!("cannot write the ssh config of {host}: {e}"))
            })?;
        if let Some(config) = config {
            b.config_file(config);
        }
        let jump = match &spec.via {
            Some(_) => Some(ssh_config::jump_alias(host)),
            None => spec.jump.clone(),
        };
        let result = match jump {
            // Jump hosts work with the process mux only (openssh#178).
            Some(jump) => {
                b.jump_hosts([jump.as_str()]);
                b.connect(&spec.destination).await
            }
            None => b.connect_mux(&spec.destination).await,
        };
        result.map_err(|e| TransportError::Connect(connect_error(host, spec, &e)))
    }

    /// Closes every master connection (letting go of the hosts' locks first).
    pub async fn close(self) {
        drop(self.held);
        for (_, cell) in self.sessions {
            if let Some(session) = cell.into_inner().and_then(|s| Arc::try_unwrap(s).ok()) {
                let _ = session.close().await;
            }
        }
    }
}

/// What went wrong connecting, in words a person can act on.
fn connect_error(host: &str, spec: &SshSpec, e: &openssh::Error) -> String {
    let detail = format!(
        "{e} {}",
        std::error::Error::source(e)
            .map(|s| s.to_string())
            .unwrap_or_default()
    );
    let to = match spec.port {
        Some(p) => format!("{} (port {p})", spec.destination),
        None => spec.destination.clone(),
    };
    let lower = detail.to_lowercase();
    if lower.contains("remote host identification has changed")
        || lower.contains("offending")
        || (lower.contains("host key for") && lower.contains("has changed"))
    {
        // Not a host never seen: a host whose key is not the one recorded. Someone may be
        // in the middle; never suggest accepting it.
        let line = offending_line(&detail)
            .map(|at| format!(" (the recorded key: {at})"))
            .unwrap_or_default();
        format!("the host key of {host} ({to}) has CHANGED since it was recorded{line}: someone may be intercepting the connection, or the host was reinstalled. Refusing to connect. Check the new key by another way; only then remove the old one (`ssh-keygen -R`)")
    } else if lower.contains("host key verification failed") {
        format!("host key of {host} ({to}) is unknown: refusing to connect (add it to known_hosts, or pass --accept-new-host-keys for a host never seen before)")
    } else if lower.contains("permission denied") {
        format!("authentication failed on {host} ({to}): no accepted key (keys must be unencrypted or in ssh-agent)")
    } else if lower.contains("connection refused") {
        format!("cannot reach {host} ({to}): connection refused")
    } else if lower.contains("timed out") || lower.contains("timeout") {
        format!("cannot reach {host} ({to}): connection timed out")
    } else if lower.contains("could not resolve") || lower.contains("name or service not known") {
        format!("cannot reach {host} ({to}): the name does not resolve")
    } else {
        format!("cannot connect to {host} ({to}): {}", detail.trim())
    }
}

/// `FILE:LINE` of the known_hosts entry ssh names as offending.
fn offending_line(detail: &str) -> Option<String> {
    let after = &detail[detail.find("Offending")?..];
    let start = after.find(" in ")? + 4;
    let word: String = after[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    (!word.is_empty()).then_some(word)
}

/// Commands to one host, through the pool's master connection.
#[derive(Debug)]
pub struct Ssh<'a> {
    pub pool: &'a SshPool,
    pub host: String,
}

impl Transport for Ssh<'_> {
    fn run<'a>(
        &'a self,
        spec: &'a CommandSpec,
        on_line: LineSink<'a>,
        stop: watch::Receiver<bool>,
    ) -> RunFuture<'a> {
        Box::pin(async move {
            run(self.pool, &self.host, spec, on_line, stop)
                .await
                .map(Ran::Finished)
        })
    }
}

/// Runs a command on the host's master connection. A connection found lost is dropped, so
/// the next command reconnects; when it was lost before the command started (the host
/// rebooted, its network restarted), the command is run once more on a new connection.
/// A command that had started is never run twice: it may have partly happened.
async fn run(
    pool: &SshPool,
    host: &str,
    spec: &CommandSpec,
    on_line: LineSink<'_>,
    stop: watch::Receiver<bool>,
) -> Result<CmdResult, TransportError> {
    let mut retried = false;
    loop {
        let session = pool.session(host).await?;
        let mut started = false;
        let result = run_once(
            pool,
            &session,
            host,
            spec,
            &mut *on_line,
            stop.clone(),
            &mut started,
        )
        .await;
        if let Err(TransportError::Lost(message)) = &result {
            pool.forget(host, &session).await;
            if !started {
                if !retried {
                    retried = true;
                    continue;
                }
                // Nothing ran there: the host is unreachable, not a command cut short.
                return Err(TransportError::Connect(message.clone()));
            }
        }
        return result;
    }
}

async fn run_once(
    pool: &SshPool,
    session: &Session,
    host: &str,
    spec: &CommandSpec,
    on_line: LineSink<'_>,
    mut stop: watch::Receiver<bool>,
    started: &mut bool,
) -> Result<CmdResult, TransportError> {
    let command = if pool.specs.get(host).is_some_and(|s| s.sudo) {
        quote(&super::sudo::wrap(&spec.command).map_err(TransportError::Spawn)?)
    } else {
        quote(&spec.command)
    }
    .map_err(TransportError::Spawn)?;
    let input = spec.stdin.clone().unwrap_or_default();
    let wrapped = supervised(&command, input.len()).map_err(TransportError::Spawn)?;
    let mut cmd = session.raw_command(&wrapped);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().await.map_err(|e| lost(host, &e))?;
    // The supervisor's lifeline: open until this command is over (see `supervised`).
    let (over, lifeline) = tokio::sync::oneshot::channel::<()>();
    // The go-ahead, given once the supervisor's pid is read: from then on it has started.
    let (go, go_ahead) = tokio::sync::oneshot::channel::<()>();
    if let Some(mut pipe) = child.stdin().take() {
        tokio::spawn(async move {
            if go_ahead.await.is_err() {
                return;
            }
            let _ = pipe.write_all(b"g\n").await;
            let _ = pipe.write_all(input.as_bytes()).await;
            let _ = pipe.flush().await;
            let _ = lifeline.await;
        });
    }
    let mut go = Some(go);
    let _over = over;
    let (Some(out), Some(err)) = (child.stdout().take(), child.stderr().take()) else {
        return Err(TransportError::Spawn("no output pipes".into()));
    };
    let mut pid: Option<u32> = None;
    let mut sink = |stream: Stream, line: &str| {
        if stream == Stream::Stderr && pid.is_none() {
            if let Some(p) = line.strip_prefix(PID_MARK) {
                pid = p.trim().parse().ok();
                *started = true;
                if let Some(go) = go.take() {
                    let _ = go.send(());
                }
                return false;
            }
        }
        on_line(stream, line);
        true
    };
    let (stdout, stderr) = match pump(out, err, spec.deadline, &mut stop, &mut sink).await {
        Ok(output) => output,
        Err(cut) => {
            if let Some(pid) = pid {
                // Ends the remote command and everything it started.
                let kill = format!("kill -TERM -{pid} 2>/dev/null; (sleep 2; kill -KILL -{pid}) >/dev/null 2>&1 & true");
                let _ = session.raw_command(kill).output().await;
            }
            drop(child);
            return Err(match cut {
                Cut::Deadline => TransportError::TimedOut,
                Cut::Stop => TransportError::Interrupted,
            });
        }
    };
    let status = match child.wait().await {
        Ok(status) => status,
        // openssh reports exit code 127 as an error of its own: it is the command's result.
        Err(openssh::Error::Remote(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(CmdResult {
                code: 127,
                stdout,
                stderr,
            });
        }
        Err(e) => return Err(lost(host, &e)),
    };
    match status.code() {
        // Through the native mux a started command's 255 is its own; through the process
        // mux (jump hosts) ssh reports a lost connection as 255 with its own last line.
        Some(255)
            if pid.is_none()
                || (pool
                    .specs
                    .get(host)
                    .is_some_and(|s| s.jump.is_some() || s.via.is_some())
                    && stderr.lines().last().is_some_and(|l| {
                        l.starts_with("Connection to") && l.contains("closed")
                    })) =>
        {
            Err(TransportError::Lost(format!(
                "the connection to {host} was lost"
            )))
        }
        Some(code) => Ok(CmdResult {
            code,
            stdout,
            stderr,
        }),
        None => Err(TransportError::Lost(format!(
            "the connection to {host} was lost"
        ))),
    }
}

fn lost(host: &str, e: &openssh::Error) -> TransportError {
    TransportError::Lost(format!("the connection to {host} was lost ({e})"))
}

/// Removes the control directories of runs that were killed (`rb-PID-*` of a process that is
/// gone, and this user's): a `kill -9` leaves its directory behind.
fn sweep_control_dirs() {
    use std::os::unix::fs::MetadataExt;
    let me = nix::unistd::geteuid().as_raw();
    let Ok(entries) = std::fs::read_dir("/tmp") else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("rb-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let gone = !crate::journal::lock::alive(pid);
        let mine = entry.metadata().is_ok_and(|m| m.is_dir() && m.uid() == me);
        if gone && mine {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
