//! `lock hosts`: a lock on each ssh host itself, held for the whole run, so that operators
//! with separate state (two laptops) still cannot run against one host at the same moment.
//!
//! On the host, a shell takes `flock` on `/tmp/runbook-host.lock`, writes who holds it
//! beside it, and waits on its stdin: the lock lives exactly as long as this run's
//! connection does (a run that ends, or is killed, closes it; the kernel releases it).

use std::sync::Arc;

use openssh::{Child, Session, Stdio};
use tokio::io::AsyncBufReadExt;

/// The lock file on every host, shared by every user who runs runbook there.
pub const PATH: &str = "/tmp/runbook-host.lock";

/// `$1` is who holds it. The first line out says how it went: `held`, `busy WHO` or
/// `nolock WHY`.
const SCRIPT: &str = r#"f=/tmp/runbook-host.lock
command -v flock >/dev/null 2>&1 || { echo "nolock flock is not installed"; exit 0; }
( umask 000; : >> "$f" ) 2>/dev/null
exec 9<"$f" 2>/dev/null || { echo "nolock cannot open $f"; exit 0; }
if flock -n 9; then
  ( umask 000; printf '%s\n' "$1" > "$f.who" ) 2>/dev/null
  echo held
  exec cat >/dev/null
fi
echo "busy $(cat "$f.who" 2>/dev/null)"
"#;

/// A lock held on a host: dropping it lets go.
#[derive(Debug)]
pub struct Held {
    _holder: Child<Arc<Session>>,
}

/// Takes the lock over `session`; why not, in words, when another run holds it or the host
/// cannot be locked.
pub async fn take(session: &Arc<Session>, host: &str, who: &str) -> Result<Held, String> {
    let mut cmd = session.clone().arc_command("sh");
    cmd.arg("-c").arg(SCRIPT).arg("runbook-lock").arg(who);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd
        .spawn()
        .await
        .map_err(|e| format!("cannot lock {host}: {e}"))?;
    let Some(out) = child.stdout().take() else {
        return Err(format!("cannot lock {host}: no output"));
    };
    let mut line = String::new();
    let mut reader = tokio::io::BufReader::new(out);
    reader
        .read_line(&mut line)
        .await
        .map_err(|e| format!("cannot lock {host}: {e}"))?;
    let line = line.trim_end();
    match line.split_once(' ').unwrap_or((line, "")) {
        ("held", _) => Ok(Held { _holder: child }),
        ("busy", holder) if !holder.is_empty() => {
            Err(format!("{host} is locked by another run: {holder}"))
        }
        ("busy", _) => Err(format!("{host} is locked by another run ({PATH})")),
        ("nolock", why) => Err(format!("cannot lock {host}: {why}")),
        _ => Err(format!("cannot lock {host}: the shell said `{line}`")),
    }
}
