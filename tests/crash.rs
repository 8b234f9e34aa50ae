//! `kill -9` at every step boundary, inside every step and at arbitrary moments; then
//! `resume`. Completed steps never run twice, interrupted ones are reported and run again
//! from their start, and the journal always parses.

#[path = "crash/chains.rs"]
mod chains;
use crate::common;

use std::path::Path;
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
    let mut child = common::silent(dir, &["run", "c.rb", "-q"])
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

/// Three steps with compensations; the third fails until `fixed` exists, and the second's
/// compensation kills runbook (kill -9) half way, once.
const CUT_ROLLBACK: &str = "runbook cut \"Cut rollback\"\n\nstep s1 \"One\" {\n  run \"echo s1 >> log\"\n  rollback {\n    run \"echo undo-s1 >> log\"\n  }\n}\n\nstep s2 \"Two\" {\n  run \"echo s2 >> log\"\n  rollback {\n    run \"echo undo-s2-begin >> log\"\n    run \"test -e cut || { touch cut; exec kill -9 $PPID; }\"\n    run \"echo undo-s2-end >> log\"\n  }\n}\n\nstep s3 \"Three\" {\n  run \"echo s3 >> log; test -e fixed\"\n}\n";

fn killed_in_a_rollback() -> common::Runbook {
    let t = common::Runbook::new().file("c.rb", CUT_ROLLBACK);
    let status = common::silent(t.path(), &["run", "c.rb", "-q"])
        .status()
        .expect("run");
    assert_eq!(status.code(), None, "killed by its own rollback");
    assert_eq!(
        std::fs::read_to_string(t.path().join("log")).unwrap_or_default(),
        "s1\ns2\ns3\nundo-s2-begin\n"
    );
    t
}

/// A kill -9 during a rollback is never hidden: resume says the step may be partly undone
/// and runs it again, so the run ends with the step's effect in place.
#[test]
fn a_kill_during_a_rollback_is_announced_and_the_step_redone_on_resume() {
    let t = killed_in_a_rollback();
    std::fs::write(t.path().join("fixed"), "").expect("fix");
    let out = t.run_args(&["resume", "--yes"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("the rollback of step s2 on local was cut in the last session"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("log")).unwrap_or_default(),
        "s1\ns2\ns3\nundo-s2-begin\ns2\ns3\n",
        "s1 (not undone) is not run again; s2, half undone, is"
    );
}

/// `runbook rollback` after a kill in a rollback says so and runs the cut compensation again,
/// then the rest.
#[test]
fn a_kill_during_a_rollback_is_announced_by_rollback_too() {
    let t = killed_in_a_rollback();
    let id = common::journals(t.path())[0]
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let out = t.run_args(&["rollback", &id, "--yes"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("the rollback of step s2 on local was cut in the last session: it may have partly happened"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("log")).unwrap_or_default(),
        "s1\ns2\ns3\nundo-s2-begin\nundo-s2-begin\nundo-s2-end\nundo-s1\n"
    );
}

/// Resumes of one run started at the same moment: exactly one proceeds, the others are told
/// the run is locked (or already finished), and the step runs once.
#[test]
fn concurrent_resumes_of_one_run_let_exactly_one_proceed() {
    let body = "runbook race \"Race\"\n\nstep slow \"Slow\" {\n  run \"test -e fixed && echo ran >> log && sleep 1\"\n}\n";
    let t = common::Runbook::new().file("r.rb", body);
    assert_eq!(t.run_args(&["run", "r.rb"]).code, 1);
    std::fs::write(t.path().join("log"), "").expect("truncate");
    std::fs::write(t.path().join("fixed"), "").expect("fix");
    let children: Vec<_> = (0..4)
        .map(|_| {
            common::silent(t.path(), &["resume", "-q"])
                .spawn()
                .expect("spawn")
        })
        .collect();
    let codes: Vec<Option<i32>> = children
        .into_iter()
        .map(|mut c| c.wait().expect("wait").code())
        .collect();
    assert_eq!(
        codes.iter().filter(|c| **c == Some(0)).count(),
        1,
        "exactly one resume proceeds: {codes:?}"
    );
    assert!(
        codes.iter().all(|c| matches!(c, Some(0 | 2 | 7))),
        "the others are locked out (7) or find the run finished (2): {codes:?}"
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("log")).unwrap_or_default(),
        "ran\n",
        "the step ran once"
    );
}

/// The matrix of kills in the recovery: resumes killed again and again, rollbacks killed in
/// the run and in `runbook rollback`, at moments spread over the work (4 threads). The
/// figures are printed; every trial must show 0 doubled steps and 0 silent losses.
#[test]
#[allow(clippy::print_stderr)]
fn kills_during_resume_and_rollback_double_nothing_and_lose_nothing() {
    let resumes: Vec<Vec<u64>> = (0..12u64)
        .map(|i| vec![40 + 25 * i, 30 + 17 * (i % 5), 60 + 11 * i])
        .collect();
    let rollbacks: Vec<Vec<u64>> = (0..12u64)
        .map(|i| vec![120 + 20 * i, 25 + 15 * (i % 6)])
        .collect();
    // Two threads per kind of chain, each on half of its trials.
    type Chain = fn(&[u64]) -> chains::Found;
    let kinds: [(&str, Chain, &[Vec<u64>]); 2] = [
        ("kills during resume", chains::kills_during_resume, &resumes),
        (
            "kills during rollback",
            chains::kills_during_rollback,
            &rollbacks,
        ),
    ];
    let by_kind: Vec<(&str, chains::Found)> = std::thread::scope(|scope| {
        let halves: Vec<_> = kinds
            .iter()
            .flat_map(|(kind, chain, trials)| {
                trials.chunks(trials.len().div_ceil(2)).map(move |half| {
                    (
                        *kind,
                        scope.spawn(move || {
                            let mut f = chains::Found::default();
                            for delays in half {
                                f += chain(delays);
                            }
                            f
                        }),
                    )
                })
            })
            .collect();
        let mut sums: Vec<(&str, chains::Found)> = Vec::new();
        for (kind, half) in halves {
            // The chain's own message, not only "a thread panicked", ends the test.
            let found = half
                .join()
                .unwrap_or_else(|cause| panic!("{kind}: {}", panic_text(cause.as_ref())));
            match sums.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, sum)) => *sum += found,
                None => sums.push((kind, found)),
            }
        }
        sums
    });
    let mut total = chains::Found::default();
    for (kind, f) in &by_kind {
        eprintln!(
            "{kind}: {} trials, {} kills landed ({} while compensations ran), {} doubled steps, {} silent losses",
            f.trials, f.kills, f.in_rollback, f.doubled, f.lost
        );
        total += *f;
    }
    assert_eq!((total.doubled, total.lost), (0, 0), "{by_kind:?}");
    assert!(total.kills >= total.trials, "the kills landed: {by_kind:?}");
    assert!(
        by_kind[1].1.in_rollback >= 6,
        "kills landed in rollbacks: {by_kind:?}"
    );
}

/// What a panic said, whether it was given a literal or a formatted message.
fn panic_text(cause: &(dyn std::any::Any + Send)) -> String {
    cause
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| cause.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_else(|| "a panic without a message".into())
}

/// `runbook rollback` after a kill inside a step: the completed steps are undone, and the cut
/// step, which may have partly happened, is named rather than passed over.
#[test]
fn rollback_names_a_step_cut_while_it_ran() {
    let body = "runbook cut \"Cut step\"\n\nstep s1 \"One\" {\n  run \"echo s1 >> log\"\n  rollback {\n    run \"echo undo-s1 >> log\"\n  }\n}\n\nstep s2 \"Two\" {\n  run \"echo s2 >> log\"\n  run \"exec kill -9 $PPID\"\n  rollback {\n    run \"echo undo-s2 >> log\"\n  }\n}\n";
    let t = common::Runbook::new().file("c.rb", body);
    let status = common::silent(t.path(), &["run", "c.rb", "-q"])
        .status()
        .expect("run");
    assert_eq!(status.code(), None, "killed by its own step");
    let id = common::journals(t.path())[0]
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let out = t.run_args(&["rollback", &id, "--yes"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(
            "step s2 on local was cut while it ran: it may have partly happened, and is not undone"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("log")).unwrap_or_default(),
        "s1\ns2\nundo-s1\n"
    );
}
