//! Tables of runs and of one run's journal.

use std::io::{self, Write};

use tabled::settings::Style;
use tabled::{Table, Tabled};

use crate::journal::{Journal, Record, RunState};

#[derive(Tabled)]
struct RunRow {
    id: String,
    runbook: String,
    started: String,
    duration: String,
    status: String,
    #[tabled(rename = "stopped at")]
    stopped_at: String,
}

fn out(text: &str) {
    let _ = writeln!(io::stdout().lock(), "{text}");
}

fn seconds(ms: u64) -> String {
    format!("{:.1}s", ms as f64 / 1000.0)
}

pub fn runs(states: &[RunState], json: bool) {
    if json {
        let list: Vec<serde_json::Value> = states.iter().map(summary_json).collect();
        out(&serde_json::Value::Array(list).to_string());
        return;
    }
    if states.is_empty() {
        out("no runs yet");
        return;
    }
    let rows: Vec<RunRow> = states
        .iter()
        .map(|s| RunRow {
            id: s.run_id.clone(),
            runbook: s.runbook.clone(),
            started: s.started_at.clone(),
            duration: seconds(s.duration_ms),
            status: s.status_words(),
            stopped_at: s.stopped_at().unwrap_or_default(),
        })
        .collect();
    out(&Table::new(rows).with(Style::rounded()).to_string());
}

fn summary_json(s: &RunState) -> serde_json::Value {
    serde_json::json!({
        "run_id": s.run_id,
        "runbook": s.runbook,
        "path": s.path,
        "started_at": s.started_at,
        "last_at": s.last_at,
        "duration_ms": s.duration_ms,
        "status": s.status_name(),
        "exit_code": s.exit_code,
        "stopped_at": s.stopped_at(),
        "sessions": s.sessions,
        "completed": s.completed.iter().map(|(step, host)| serde_json::json!({"step": step, "host": host})).collect::<Vec<_>>(),
        "interrupted": s.interrupted.iter().map(|(step, host)| serde_json::json!({"step": step, "host": host})).collect::<Vec<_>>(),
    })
}

#[derive(Tabled)]
struct StepRow {
    step: String,
    host: String,
    status: String,
    duration: String,
    note: String,
}

pub fn show(journal: &Journal, state: &RunState, json: bool) {
    if json {
        let doc = serde_json::json!({ "run": summary_json(state), "records": journal.records });
        out(&doc.to_string());
        return;
    }
    out(&format!(
        "run {} · {} · {} · started {}",
        state.run_id,
        state.runbook,
        state.status_words(),
        state.started_at
    ));
    out(&format!("runbook {}", state.path));
    if !state.params.is_empty() {
        let params: Vec<String> = state
            .params
            .iter()
            .map(|(k, p)| format!("{k}={} ({})", p.value, p.origin))
            .collect();
        out(&format!("params {}", params.join(", ")));
    }
    let mut rows: Vec<StepRow> = Vec::new();
    for r in &journal.records {
        match r {
            Record::StepResult {
                step,
                host,
                status,
                duration_ms,
                note,
                ..
            } => {
                let row = StepRow {
                    step: step.clone(),
                    host: host.clone(),
                    status: status.words(),
                    duration: seconds(*duration_ms),
                    note: note.clone(),
                };
                // A step run again (a retry of the session, a resume) keeps its place: the
                // table lists the steps in the order they first ran, each with its last result.
                match rows.iter_mut().find(|r| r.step == *step && r.host == *host) {
                    Some(earlier) => *earlier = row,
                    None => rows.push(row),
                }
            }
            Record::RollbackResult {
                step,
                host,
                ok,
                duration_ms,
                note,
                ..
            } => rows.push(StepRow {
                step: format!("↶ {step}"),
                host: host.clone(),
                status: if *ok {
                    "rolled back".into()
                } else {
                    "rollback failed".into()
                },
                duration: seconds(*duration_ms),
                note: note.clone(),
            }),
            _ => {}
        }
    }
    for (step, host) in &state.interrupted {
        rows.push(StepRow {
            step: step.clone(),
            host: host.clone(),
            status: "interrupted".into(),
            duration: String::new(),
            note: "began, no result: may have partly happened".into(),
        });
    }
    if !rows.is_empty() {
        out("");
        out(&Table::new(rows).with(Style::rounded()).to_string());
    }
    out("");
    out("events:");
    for r in &journal.records {
        out(&format!("  {}", event_line(r)));
    }
}

fn event_line(r: &Record) -> String {
    match r {
        Record::RunStarted { at, user, pid, .. } => format!("{at}  started by {user} (pid {pid})"),
        Record::Resumed {
            at,
            user,
            pid,
            forced,
        } => {
            format!(
                "{at}  resumed by {user} (pid {pid}){}",
                if *forced { " with --force" } else { "" }
            )
        }
        Record::StepIntent { at, step, host, .. } => format!("{at}  {step} on {host}: begin"),
        Record::StepResult {
            at,
            step,
            host,
            status,
            note,
            ..
        } => {
            let note = if note.is_empty() {
                String::new()
            } else {
                format!(" — {note}")
            };
            format!("{at}  {step} on {host}: {}{note}", status.words())
        }
        Record::Approval {
            at,
            step,
            host,
            by,
            how,
            from,
            reason,
            ..
        } => {
            let said = reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            match from {
                Some(from) => {
                    format!("{at}  {step} on {host}: approved by {by} ({how}, from {from}){said}")
                }
                None => format!("{at}  {step} on {host}: approved by {by} ({how}){said}"),
            }
        }
        Record::RollbackIntent { at, step, host } => {
            format!("{at}  {step} on {host}: rollback begins")
        }
        Record::RollbackResult {
            at,
            step,
            host,
            ok,
            note,
            ..
        } => {
            format!(
                "{at}  {step} on {host}: {}{}",
                if *ok {
                    "rolled back"
                } else {
                    "rollback failed"
                },
                if note.is_empty() {
                    String::new()
                } else {
                    format!(" — {note}")
                }
            )
        }
        Record::Cleanup {
            at,
            step,
            host,
            block,
            ok,
            note,
            ..
        } => {
            let how = if *ok { "done" } else { "failed" };
            let note = if note.is_empty() {
                String::new()
            } else {
                format!(" — {note}")
            };
            format!("{at}  {step} on {host}: {block} {how}{note}")
        }
        Record::RunFinished {
            at,
            status,
            exit_code,
            ..
        } => format!("{at}  finished: {} (exit {exit_code})", status.words()),
        Record::Notified {
            at,
            event,
            channel,
            attempts,
            error,
        } => match error {
            None => format!("{at}  told {channel}: {event}"),
            Some(e) => {
                format!("{at}  could not tell {channel} ({event}) after {attempts} tries: {e}")
            }
        },
        Record::Unknown => "(a record of a newer format)".into(),
    }
}
