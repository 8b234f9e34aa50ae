//! The local transport: `sh -c` in a process group of its own, so a timeout or Ctrl-C
//! stops everything the command started.

use std::process::Stdio;
use std::time::Duration;

use command_fds::{CommandFdExt, FdMapping};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};
use tokio::sync::watch;

use super::pump::{pump, sleep_until, Cut};
use super::transport::{CommandSpec, LineSink, Ran, RunFuture, Transport, TransportError};
use super::value::CmdResult;

/// Where a command finds the run's lock: one digit, as POSIX shells only redirect those.
const LOCK_FD: i32 = 7;
/// And the lock's name (an abstract socket), which a removed lock file does not free.
const LOCK_NAME_FD: i32 = 6;

/// How long a stopped command gets between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_secs(2);

#[derive(Debug, Default)]
pub struct Local;

impl Transport for Local {
    fn run<'a>(
        &'a self,
        spec: &'a CommandSpec,
        on_line: LineSink<'a>,
        stop: watch::Receiver<bool>,
    ) -> RunFuture<'a> {
        Box::pin(async move { run(spec, on_line, stop).await.map(Ran::Finished) })
    }
}

async fn run(
    spec: &CommandSpec,
    on_line: LineSink<'_>,
    mut stop: watch::Receiver<bool>,
) -> Result<CmdResult, TransportError> {
    let mut command = Command::new("sh");
    // The command holds the run's lock too: if the run dies under it, no other run of the
    // runbook can start until the command (and all it started) has ended.
    if let Some((file, name)) = crate::journal::lock::for_child() {
        let _ = command.fd_mappings(vec![
            FdMapping {
                parent_fd: file,
                child_fd: LOCK_FD,
            },
            FdMapping {
                parent_fd: name,
                child_fd: LOCK_NAME_FD,
            },
        ]);
    }
    let mut child = command
        .arg("-c")
        .arg(&spec.command)
        .process_group(0)
        .stdin(if spec.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| TransportError::Spawn(format!("cannot start sh: {e}")))?;
    if let (Some(input), Some(mut pipe)) = (spec.stdin.clone(), child.stdin.take()) {
        tokio::spawn(async move {
            // A command that does not read its stdin closes the pipe: not an error.
            let _ = pipe.write_all(input.as_bytes()).await;
        });
    }
    let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(TransportError::Spawn("no output pipes".into()));
    };
    let mut sink = |stream, line: &str| {
        on_line(stream, line);
        true
    };
    let (stdout, stderr) = match pump(out, err, spec.deadline, &mut stop, &mut sink).await {
        Ok(output) => output,
        Err(cut) => return Err(stop_child(&mut child, cut).await),
    };
    let deadline = spec.deadline.map(tokio::time::Instant::from_std);
    let status = tokio::select! {
        s = child.wait() => s.map_err(|e| TransportError::Spawn(e.to_string()))?,
        _ = sleep_until(deadline) => return Err(stop_child(&mut child, Cut::Deadline).await),
        _ = stop.changed() => return Err(stop_child(&mut child, Cut::Stop).await),
    };
    // A signal-killed shell has no code: report it as the shell would (128 + signal).
    let code = status.code().unwrap_or_else(|| {
        128 + std::os::unix::process::ExitStatusExt::signal(&status).unwrap_or(0)
    });
    Ok(CmdResult {
        code,
        stdout,
        stderr,
    })
}

/// SIGTERM to the whole process group (SIGKILL on a timeout), SIGKILL if it is still there
/// after the grace period.
async fn stop_child(child: &mut Child, cut: Cut) -> TransportError {
    let why = match cut {
        Cut::Deadline => TransportError::TimedOut,
        Cut::Stop => TransportError::Interrupted,
    };
    if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
        let group = Pid::from_raw(pid);
        let first = if cut == Cut::Deadline {
            Signal::SIGKILL
        } else {
            Signal::SIGTERM
        };
        let _ = killpg(group, first);
        if tokio::time::timeout(GRACE, child.wait()).await.is_err() {
            let _ = killpg(group, Signal::SIGKILL);
        }
        // Whatever the group left behind (a background job of the command) goes too.
        let _ = killpg(group, Signal::SIGKILL);
    }
    let _ = child.wait().await;
    why
}
