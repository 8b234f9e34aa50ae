//! `kill -9` at every step boundary, inside every step and at arbitrary moments; then
//! `resume`. Completed steps never run twice, interrupted ones are reported and run again
//! from their start, and the journal always parses.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const STEPS: usize = 10;

#[derive(Debug, Clone, Copy)]
enum Kill {
    /// The guard of step k kills runbook: after step k-1's result, before step k's intent.
    Boundary(usize),
    /// Step k kills runbook after its first line, before its second.
    Inside(usize),
    /// An outside SIGKILL after this many milliseconds.
    After(u64),
}

/// A runbook whose steps each write `sN` then `sN-end`, with one kill built in.
fn runbook(kill: Kill) -> String {
    let mut s = String::from("runbook crash \"Crash\"\n\n");
    for i in 1..=STEPS {
        let guard = match kill {
            // One-shot: the marker file makes the resumed run pass the guard.
            Kill::Boundary(k) if k == i => {
                " when run(\"test -e killed || { touch killed; exec kill -9 $PPID; }\").ok"
                    .to_string()
            }
            _ => String::new(),
        };
        let cut = match kill {
            Kill::Inside(k) if k == i => {
                "  run \"test -e cut || { touch cut; exec kill -9 $PPID; }\"\n"
            }
            _ => "  run \"sleep 0.02\"\n",
        };
        s.push_str(&format!("step s{i} \"Step {i}\"{guard} {{\n  run \"echo s{i} >> out\"\n{cut}  run \"echo s{i}-end >> out\"\n}}\n\n"));
    }
    s
}

fn journal(dir: &Path) -> Vec<serde_json::Value> {
    let runs = dir.join(".state/runbook/runs");
    let Some(path) = std::fs::read_dir(runs)
        .ok()
        .and_then(|mut e| e.next())
        .and_then(Result::ok)
        .map(|e| e.path())
    else {
        return Vec::new();
    };
    let text = std::fs::read_to_string(path).expect("journal");
    let lines: Vec<&str> = text.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| match serde_json::from_str(l) {
            Ok(v) => Some(v),
            // Only the last line may be torn by the kill.
            Err(e) => {
                assert_eq!(
                    i + 1,
                    lines.len(),
                    "line {} of the journal is damaged: {e}: {l}",
                    i + 1
                );
                None
            }
        })
        .collect()
}

fn trial(kill: Kill) {
    let t = common::Runbook::new().file("c.rb", runbook(kill));
    let dir = t.path();
    let mut child = Command::new(env!("CARGO_BIN_EXE_runbook"))
        .args(["run", "c.rb", "-q"])
        .current_dir(dir)
        .env("XDG_STATE_HOME", std::path::Path::new(&dir).join(".state"))
        .env_remove("RUNBOOK_STATE_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    if let Kill::After(ms) = kill {
        std::thread::sleep(Duration::from_millis(ms));
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    let status = child.wait().expect("wait");
    if !matches!(kill, Kill::After(_)) {
        assert_eq!(
            status.code(),
            None,
            "{kill:?}: runbook was killed by its own step"
        );
    }
    // What the journal said when the process died.
    let before = journal(dir);
    if before.is_empty() {
        // Killed before the journal began: nothing ran.
        assert_eq!(
            std::fs::read_to_string(dir.join("out")).unwrap_or_default(),
            "",
            "{kill:?}"
        );
        return;
    }
    let completed: Vec<String> = before
        .iter()
        .filter(|r| r["type"] == "step_result" && r["status"] == "ok")
        .map(|r| r["step"].as_str().unwrap_or("").to_string())
        .collect();
    let finished = before.iter().any(|r| r["type"] == "run_finished");
    let mut notes = String::new();
    if !finished {
        let mut resumed = false;
        for _ in 0..50 {
            let out = t.run_args(&["resume", "-q"]);
            if out.stderr.contains("runbook::journal::locked_by_command") {
                // The killed run's command is still ending: its lock keeps a resume out.
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            notes.push_str(&out.stderr);
            if out.code == 0 {
                resumed = true;
                break;
            }
        }
        assert!(resumed, "{kill:?}: resume did not finish the run:\n{notes}");
    }
    let after = journal(dir);
    assert_eq!(
        after.last().map(|r| r["status"].clone()),
        Some(serde_json::json!("succeeded")),
        "{kill:?}"
    );
    let out = std::fs::read_to_string(dir.join("out")).unwrap_or_default();
    for i in 1..=STEPS {
        let step = format!("s{i}");
        let starts = out.lines().filter(|l| *l == step).count();
        let ends = out.lines().filter(|l| *l == format!("{step}-end")).count();
        let interrupted = notes.contains(&format!("step {step} on local was interrupted"));
        if completed.contains(&step) {
            assert_eq!(
                (starts, ends),
                (1, 1),
                "{kill:?}: completed step {step} ran again:\n{out}"
            );
        } else if interrupted {
            // It may have partly (or wholly) happened before the kill, and ran again whole.
            assert!(
                (1..=2).contains(&starts) && (1..=2).contains(&ends),
                "{kill:?}: {step}:\n{out}"
            );
        } else {
            assert_eq!(
                (starts, ends),
                (1, 1),
                "{kill:?}: {step} ran twice unannounced:\n{out}\n{notes}"
            );
        }
    }
    match kill {
        Kill::Boundary(_) => assert!(
            !notes.contains("was interrupted"),
            "{kill:?}: a boundary kill interrupts no step:\n{notes}"
        ),
        Kill::Inside(k) => {
            assert!(
                notes.contains(&format!("step s{k} on local was interrupted")),
                "{kill:?}:\n{notes}"
            );
            assert_eq!(
                out.lines().filter(|l| *l == format!("s{k}")).count(),
                2,
                "{kill:?}: its first half ran twice"
            );
        }
        Kill::After(_) => {}
    }
}

#[test]
fn kill_nine_anywhere_then_resume() {
    let mut kills: Vec<Kill> = (1..=STEPS).map(Kill::Boundary).collect();
    kills.extend((1..=STEPS).map(Kill::Inside));
    kills.extend([30, 60, 90, 120, 160, 220].map(Kill::After));
    assert!(kills.len() >= 20);
    std::thread::scope(|scope| {
        for chunk in kills.chunks(kills.len().div_ceil(4)) {
            scope.spawn(move || {
                for kill in chunk {
                    trial(*kill);
                }
            });
        }
    });
}
