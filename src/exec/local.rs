//! The local transport: `sh -c` in a process group of its own, so a timeout or Ctrl-C
//! stops everything the command started.

use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::watch;

use super::event::Stream;
use super::transport::{CommandSpec, LineSink, RunFuture, Transport, TransportError};
use super::value::CmdResult;

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
        Box::pin(run(spec, on_line, stop))
    }
}

async fn run(
    spec: &CommandSpec,
    on_line: LineSink<'_>,
    mut stop: watch::Receiver<bool>,
) -> Result<CmdResult, TransportError> {
    let mut child = Command::new("sh")
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
    let mut out = BufReader::new(out);
    let mut err = BufReader::new(err);
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let (mut out_open, mut err_open) = (true, true);
    let deadline = spec.deadline.map(tokio::time::Instant::from_std);
    let mut out_line = Vec::new();
    let mut err_line = Vec::new();
    if *stop.borrow() {
        return Err(stop_child(&mut child, TransportError::Interrupted).await);
    }
    while out_open || err_open {
        tokio::select! {
            n = read_line(&mut out, &mut out_line), if out_open => {
                out_open = deliver(n, &mut out_line, &mut stdout, Stream::Stdout, on_line);
            }
            n = read_line(&mut err, &mut err_line), if err_open => {
                err_open = deliver(n, &mut err_line, &mut stderr, Stream::Stderr, on_line);
            }
            _ = sleep_until(deadline) => return Err(stop_child(&mut child, TransportError::TimedOut).await),
            _ = stop.changed() => return Err(stop_child(&mut child, TransportError::Interrupted).await),
        }
    }
    let status = tokio::select! {
        s = child.wait() => s.map_err(|e| TransportError::Spawn(e.to_string()))?,
        _ = sleep_until(deadline) => return Err(stop_child(&mut child, TransportError::TimedOut).await),
        _ = stop.changed() => return Err(stop_child(&mut child, TransportError::Interrupted).await),
    };
    // A signal-killed shell has no code: report it as the shell would (128 + signal).
    let code = status.code().unwrap_or_else(|| {
        128 + std::os::unix::process::ExitStatusExt::signal(&status).unwrap_or(0)
    });
    Ok(CmdResult {
        code,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

async fn read_line<R: AsyncRead + Unpin>(
    r: &mut BufReader<R>,
    buf: &mut Vec<u8>,
) -> std::io::Result<usize> {
    r.read_until(b'\n', buf).await
}

/// Hands a line to the sink and keeps it; false at end of stream. `read_until` is not
/// cancel-safe: when `select!` drops it mid-line, what it read stays in `line` and the next
/// call may return 0 at end of stream, so a non-empty `line` is delivered either way.
fn deliver(
    n: std::io::Result<usize>,
    line: &mut Vec<u8>,
    all: &mut Vec<u8>,
    stream: Stream,
    on_line: LineSink<'_>,
) -> bool {
    let open = matches!(n, Ok(n) if n > 0);
    if !line.is_empty() {
        all.extend_from_slice(line);
        let text = String::from_utf8_lossy(line);
        on_line(stream, text.trim_end_matches(['\n', '\r']));
        line.clear();
    }
    open
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// SIGTERM to the whole process group, SIGKILL if it is still there after the grace period.
async fn stop_child(child: &mut Child, why: TransportError) -> TransportError {
    if let Some(pid) = child.id() {
        let Ok(pid) = i32::try_from(pid) else {
            return why;
        };
        let group = Pid::from_raw(pid);
        let first = if why == TransportError::TimedOut {
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
