//! One run of a runbook at a time: an advisory lock (flock) on a file in the state
//! directory. The kernel drops it when the last process that holds it ends: the run, and
//! every local command of the run, which inherits it. So a `kill -9` of the run does not free
//! the lock while a step's command it started is still running. The file's contents say who
//! held it last.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::OwnedFd;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::error::Error;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Holder {
    pub run_id: String,
    pub pid: u32,
}

#[derive(Debug)]
pub struct Lock {
    file: File,
    /// The same lock under a name no file operation can remove and no `--state-dir` can
    /// change: an abstract socket named after the runbook's path. The kernel frees the name
    /// when the last descriptor of it closes.
    _name: UnixListener,
}

impl Lock {
    /// Takes the lock for `run_id`. A previous holder that died without releasing it (kill
    /// -9, power loss) is returned so the caller can say so.
    pub fn acquire(path: &Path, run_id: &str) -> Result<(Lock, Option<Holder>), Error> {
        let io = |e: std::io::Error| Error::StateDir {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        // Never through a symbolic link: a planted one would make this truncate its target.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
            .open(path)
            .map_err(|e| match e.raw_os_error() {
                Some(code) if code == nix::errno::Errno::ELOOP as i32 => Error::Untrusted {
                    path: path.display().to_string(),
                    reason: "it is a symbolic link".into(),
                },
                _ => io(e),
            })?;
        super::trust(path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = read_holder(&mut file).unwrap_or(Holder {
                    run_id: "?".into(),
                    pid: 0,
                });
                // Its process is gone, yet the lock is held: by a command it started. One
                // that was ending with its run (a `kill -9 $PPID`) lets go in moments.
                if holder.pid != 0 && !alive(holder.pid) {
                    if orphan_lets_go(&file) {
                        return Self::hold(path, run_id, file);
                    }
                    return Err(Error::LockedByCommand {
                        run_id: holder.run_id,
                        pid: holder.pid,
                        path: path.display().to_string(),
                    });
                }
                return Err(Error::Locked {
                    run_id: holder.run_id,
                    pid: holder.pid,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        Self::hold(path, run_id, file)
    }

    /// Holds the file lock just taken: binds the name beside it and records the holder.
    fn hold(
        path: &Path,
        run_id: &str,
        mut file: std::fs::File,
    ) -> Result<(Lock, Option<Holder>), Error> {
        let io = |e: std::io::Error| Error::StateDir {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let name = match bind_free_name(path) {
            Ok(name) => name,
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                let _ = file.unlock();
                return Err(Error::LockedElsewhere {
                    name: name_of(path),
                });
            }
            Err(e) => return Err(io(e)),
        };
        let stale = read_holder(&mut file);
        if let (Ok(fd), Ok(socket)) = (file.try_clone(), name.try_clone()) {
            *HELD.lock().unwrap_or_else(|p| p.into_inner()) = Some((fd, socket));
        }
        let me = Holder {
            run_id: run_id.to_string(),
            pid: std::process::id(),
        };
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let line = serde_json::to_string(&me).map_err(|e| io(std::io::Error::other(e)))?;
        file.write_all(line.as_bytes()).map_err(io)?;
        Ok((Lock { file, _name: name }, stale))
    }
}

/// The lock this process holds (its file and its name), for a child to inherit: while the
/// child (or anything it started) lives, the lock stays held.
static HELD: Mutex<Option<(File, UnixListener)>> = Mutex::new(None);

/// Descriptors of the held lock for a child process (file, name), if this process holds one.
pub fn for_child() -> Option<(OwnedFd, OwnedFd)> {
    let held = HELD.lock().unwrap_or_else(|p| p.into_inner());
    let (file, name) = held.as_ref()?;
    Some((
        OwnedFd::from(file.try_clone().ok()?),
        OwnedFd::from(name.try_clone().ok()?),
    ))
}

/// The abstract socket name of a lock: `runbook/` and the lock file's name (the runbook's
/// name and a hash of its absolute path).
fn name_of(path: &Path) -> String {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("runbook/{file}")
}

/// The name, once free. A holder that is exiting (a killed run's last command) closes its
/// descriptors one by one: the file's lock may be free a moment before the name. Only a name
/// still bound after that moment is held by a run elsewhere.
/// Waits a moment for a dead run's command to let go of the lock; true when it did (and
/// the lock is now ours).
fn orphan_lets_go(file: &std::fs::File) -> bool {
    for _ in 0..25 {
        std::thread::sleep(std::time::Duration::from_millis(20));
        if file.try_lock().is_ok() {
            return true;
        }
    }
    false
}

fn bind_free_name(path: &Path) -> std::io::Result<UnixListener> {
    let mut tries = 0;
    loop {
        match bind_name(path) {
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && tries < 20 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            result => return result,
        }
    }
}

fn bind_name(path: &Path) -> std::io::Result<UnixListener> {
    let address = std::os::unix::net::SocketAddr::from_abstract_name(name_of(path).as_bytes())?;
    UnixListener::bind_addr(&address)
}

/// Whether a process of this pid exists (signal 0 only asks).
pub(crate) fn alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    !matches!(
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None),
        Err(nix::errno::Errno::ESRCH)
    )
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

impl Drop for Lock {
    /// A clean exit empties the file: only a holder that died leaves its name behind.
    fn drop(&mut self) {
        *HELD.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}
