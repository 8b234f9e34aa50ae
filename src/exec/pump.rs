//! Reading a command's stdout and stderr as they come, for every transport: lines go to
//! the sink as soon as they are complete, everything is kept for the result, and the
//! deadline and Ctrl-C are watched meanwhile.

use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::watch;

use super::event::Stream;

/// Why reading stopped before the command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    Deadline,
    Stop,
}

/// Reads both streams to their end. `on_line` returns false for a line that is not the
/// command's own (the ssh transport's pid marker): it is then neither shown nor kept.
pub async fn pump<O, E>(
    out: O,
    err: E,
    deadline: Option<Instant>,
    stop: &mut watch::Receiver<bool>,
    on_line: &mut dyn FnMut(Stream, &str) -> bool,
) -> Result<(String, String), Cut>
where
    O: AsyncRead + Unpin,
    E: AsyncRead + Unpin,
{
    let mut out = BufReader::new(out);
    let mut err = BufReader::new(err);
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let (mut out_line, mut err_line) = (Vec::new(), Vec::new());
    let (mut out_open, mut err_open) = (true, true);
    let deadline = deadline.map(tokio::time::Instant::from_std);
    if *stop.borrow() {
        return Err(Cut::Stop);
    }
    while out_open || err_open {
        tokio::select! {
            n = out.read_until(b'\n', &mut out_line), if out_open => {
                out_open = deliver(n, &mut out_line, &mut stdout, Stream::Stdout, on_line);
            }
            n = err.read_until(b'\n', &mut err_line), if err_open => {
                err_open = deliver(n, &mut err_line, &mut stderr, Stream::Stderr, on_line);
            }
            _ = sleep_until(deadline) => return Err(Cut::Deadline),
            _ = stop.changed() => return Err(Cut::Stop),
        }
    }
    Ok((
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    ))
}

/// Hands a line to the sink and keeps it; false at end of stream. `read_until` is not
/// cancel-safe: when `select!` drops it mid-line, what it read stays in `line` and the next
/// call may return 0 at end of stream, so a non-empty `line` is delivered either way.
fn deliver(
    n: std::io::Result<usize>,
    line: &mut Vec<u8>,
    all: &mut Vec<u8>,
    stream: Stream,
    on_line: &mut dyn FnMut(Stream, &str) -> bool,
) -> bool {
    let open = matches!(n, Ok(n) if n > 0);
    if !line.is_empty() {
        let text = String::from_utf8_lossy(line).into_owned();
        if on_line(stream, text.trim_end_matches(['\n', '\r'])) {
            all.extend_from_slice(line);
        }
        line.clear();
    }
    open
}

pub async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
