//! Reading a journal back, and the state of a run it describes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::Error;
use super::record::{CaptureRecord, ParamRecord, Record, RunStatus, StepStatus};
use super::seal;

#[derive(Debug, Clone)]
pub struct Journal {
    pub path: PathBuf,
    pub records: Vec<Record>,
    /// The last line could not be read: a crash tore it. Its number, 1-based.
    pub torn_line: Option<usize>,
}

pub fn read(path: &Path) -> Result<Journal, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Corrupt {
        path: path.display().to_string(),
        line: 0,
        reason: e.to_string(),
    })?;
    parse(path, &bytes)
}

/// A journal from its lines, wherever they were kept (a file, or the rows of a database
/// named by `path`).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Journal, Error> {
    let corrupt = |line, reason: String| Error::Corrupt {
        path: path.display().to_string(),
        line,
        reason,
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Empty {
            path: path.display().to_string(),
        });
    }
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.split('\n').collect();
    let mut records = Vec::new();
    let mut torn_line = None;
    // From format 2 on, every line carries its checksum; format 1 had none.
    let mut sealed = None;
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Record>(line) {
            Ok(r) => {
                if let Record::RunStarted { format, .. } = &r {
                    sealed.get_or_insert(*format >= 2);
                }
                match seal::check(line) {
                    seal::Check::Damaged => {
                        return Err(corrupt(
                            i + 1,
                            "its checksum does not match: the line changed since it was written"
                                .into(),
                        ))
                    }
                    seal::Check::Unsealed if sealed == Some(true) => {
                        return Err(corrupt(
                            i + 1,
                            "it has no checksum, unlike the lines before it".into(),
                        ))
                    }
                    _ => {}
                }
                records.push(r);
            }
            // Only a last line without its newline was torn (a write cut by a crash): a
            // line that ends in a newline was written whole, so a bad one is damage.
            Err(_) if i + 1 == lines.len() => torn_line = Some(i + 1),
            Err(e) => return Err(corrupt(i + 1, e.to_string())),
        }
    }
    if !matches!(records.first(), Some(Record::RunStarted { .. })) {
        return Err(corrupt(
            1,
            "it does not begin with a run_started record".into(),
        ));
    }
    Ok(Journal {
        path: path.to_path_buf(),
        records,
        torn_line,
    })
}

/// A step on one host.
pub type StepKey = (String, String);

/// What the journal says of a run.
#[derive(Debug, Clone, Default)]
pub struct RunState {
    pub run_id: String,
    pub runbook: String,
    pub path: String,
    pub fingerprint: String,
    pub steps: BTreeMap<String, String>,
    pub params: BTreeMap<String, ParamRecord>,
    /// The steps the run's command line chose.
    pub selection: crate::plan::Selection,
    pub started_at: String,
    pub last_at: String,
    /// The last session's verdict; `None` when it ended without one (killed, crashed): the
    /// run is unfinished.
    pub status: Option<RunStatus>,
    pub exit_code: Option<i32>,
    pub duration_ms: u64,
    /// Steps done (ok or skipped) and not undone by a rollback, in order.
    pub completed: Vec<StepKey>,
    /// Steps that began and have no result: they may have partly happened.
    pub interrupted: Vec<StepKey>,
    /// Steps whose rollback began in the last session and has no result: the step may be
    /// partly undone, so it no longer counts as completed.
    pub rollback_interrupted: Vec<StepKey>,
    pub failed: Option<(StepKey, String)>,
    pub paused: Option<StepKey>,
    /// Every capture of the completed steps, in the order they were made (a later one
    /// of the same name and host replaces an earlier one).
    pub captures: Vec<Captured>,
    pub rolled_back: Vec<StepKey>,
    pub sessions: usize,
}

/// A value a step captured on a host.
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    pub step: String,
    pub host: String,
    pub name: String,
    pub record: CaptureRecord,
}

impl RunState {
    /// As written in journals and `--json`: `rolled_back`, or `unfinished`.
    pub fn status_name(&self) -> &'static str {
        self.status.map_or("unfinished", RunStatus::name)
    }

    /// As people read it: `rolled back`.
    pub fn status_words(&self) -> String {
        self.status_name().replace('_', " ")
    }

    /// Nothing is left to resume: succeeded, or rolled back.
    pub fn is_settled(&self) -> bool {
        self.status.is_some_and(RunStatus::is_settled)
    }

    pub fn is_finished(&self) -> bool {
        self.status == Some(RunStatus::Succeeded)
    }

    /// The step to name in listings: the one that failed, paused or was cut.
    pub fn stopped_at(&self) -> Option<String> {
        self.interrupted
            .last()
            .or(self.paused.as_ref())
            .or(self.failed.as_ref().map(|(k, _)| k))
            .map(|(s, h)| {
                if h == "local" {
                    s.clone()
                } else {
                    format!("{s} ({h})")
                }
            })
    }
}

pub fn state(journal: &Journal) -> RunState {
    let mut s = RunState::default();
    let mut pending: Vec<StepKey> = Vec::new();
    let mut undoing: Vec<StepKey> = Vec::new();
    // A compensation cut by a crash may have undone part of its step: that step is not
    // completed any more, and runs again.
    let cut = |s: &mut RunState, undoing: &mut Vec<StepKey>| {
        s.rollback_interrupted.clear();
        for key in undoing.drain(..) {
            s.completed.retain(|k| *k != key);
            s.rollback_interrupted.push(key);
        }
    };
    for r in &journal.records {
        match r {
            Record::RunStarted {
                run_id,
                runbook,
                path,
                fingerprint,
                steps,
                params,
                selection,
                at,
                ..
            } => {
                s.selection = (**selection).clone();
                s.run_id = run_id.clone();
                s.runbook = runbook.clone();
                s.path = path.clone();
                s.fingerprint = fingerprint.clone();
                s.steps = steps.clone();
                s.params = params.clone();
                s.started_at = at.clone();
                s.last_at = at.clone();
                s.status = None;
                s.sessions = 1;
            }
            Record::Resumed { at, .. } => {
                cut(&mut s, &mut undoing);
                s.status = None;
                s.exit_code = None;
                s.failed = None;
                s.paused = None;
                s.sessions += 1;
                s.last_at = at.clone();
                pending.clear();
            }
            Record::StepIntent { step, host, at, .. } => {
                let key = (step.clone(), host.clone());
                if !pending.contains(&key) {
                    pending.push(key);
                }
                s.last_at = at.clone();
            }
            Record::StepResult {
                step,
                host,
                status,
                note,
                captures,
                at,
                ..
            } => {
                let key = (step.clone(), host.clone());
                pending.retain(|k| *k != key);
                s.last_at = at.clone();
                match status {
                    StepStatus::Ok | StepStatus::Skipped => {
                        if !s.completed.contains(&key) {
                            s.completed.push(key.clone());
                        }
                        s.rolled_back.retain(|k| *k != key);
                        for (name, c) in captures {
                            s.captures.push(Captured {
                                step: step.clone(),
                                host: host.clone(),
                                name: name.clone(),
                                record: c.clone(),
                            });
                        }
                    }
                    StepStatus::AwaitingApproval | StepStatus::Declined => s.paused = Some(key),
                    _ => s.failed = Some((key, note.clone())),
                }
            }
            Record::RollbackIntent { step, host, at } => {
                undoing.push((step.clone(), host.clone()));
                s.last_at = at.clone();
            }
            Record::RollbackResult {
                step,
                host,
                ok,
                at,
                cut: stopped,
                ..
            } => {
                let key = (step.clone(), host.clone());
                // A compensation stopped by a signal is as unfinished as one cut by a crash.
                if !stopped {
                    undoing.retain(|k| *k != key);
                }
                if *ok {
                    s.completed.retain(|k| *k != key);
                    s.rolled_back.push(key);
                }
                s.last_at = at.clone();
            }
            Record::RunFinished {
                status,
                exit_code,
                duration_ms,
                at,
            } => {
                s.status = Some(*status);
                s.exit_code = Some(*exit_code);
                s.duration_ms += duration_ms;
                s.last_at = at.clone();
            }
            Record::Approval { .. }
            | Record::Cleanup { .. }
            | Record::Notified { .. }
            | Record::Unknown => {}
        }
    }
    if !undoing.is_empty() {
        cut(&mut s, &mut undoing);
    } else if s.sessions > 1 && !s.rollback_interrupted.is_empty() {
        // Reported once, by the session after the cut; a later session has redone the step.
        s.rollback_interrupted.retain(|k| !s.completed.contains(k));
    }
    s.interrupted = pending;
    s
}
