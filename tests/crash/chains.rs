//! Kills that land in the recovery itself: `kill -9` of a resume, again and again, and of a
//! rollback (in the run, then in `runbook rollback`), at moments spread over the work. After
//! each chain the run is finished, and every step (or compensation) either ran once or was
//! announced as cut before it ran again: no doubled step, no silent loss.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use super::common;

/// How one session ended: what it printed on stderr, and whether it finished.
struct Session {
    stderr: String,
    code: Option<i32>,
}

/// Runs `runbook ARGS` in `dir`, killed with SIGKILL after `kill_after` if still running.
fn session(dir: &Path, args: &[&str], kill_after: Option<Duration>) -> Session {
    let child = common::binary(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    let killer = kill_after.map(|after| {
        std::thread::spawn(move || {
            std::thread::sleep(after);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        })
    });
    let out = child.wait_with_output().expect("wait");
    if let Some(k) = killer {
        let _ = k.join();
    }
    Session {
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

/// The first session, killed after `ms`; a kill so early that no journal was begun ran
/// nothing (the crash matrix of tests/crash.rs checks that) and is tried again later, half
/// as late again each time: a loaded machine may take a second to start the binary.
fn begun(dir: &Path, args: &[&str], ms: u64) -> Session {
    let mut after = ms;
    for _ in 0..20 {
        let s = session(dir, args, Some(Duration::from_millis(after)));
        let journal = common::journal(dir);
        match journal {
            Some(j) if std::fs::metadata(&j).is_ok_and(|m| m.len() > 0) => return s,
            // Killed as the journal was made: `runbook::journal::empty` says to remove it.
            Some(j) => std::fs::remove_file(j).expect("remove the empty journal"),
            None => {}
        }
        assert_eq!(
            std::fs::read_to_string(dir.join("out")).unwrap_or_default(),
            "",
            "{args:?} killed after {after} ms: a command ran before the journal began:\n{}",
            s.stderr
        );
        after += after / 2;
    }
    panic!("{args:?}: the run never began, killed at last after {after} ms");
}

/// A session that is refused while the killed one's command still ends is tried again.
fn until_unlocked(dir: &Path, args: &[&str], kill_after: Option<Duration>) -> Session {
    let mut last = String::new();
    for _ in 0..100 {
        let s = session(dir, args, kill_after);
        if !s.stderr.contains("runbook::journal::locked_by_command") {
            return s;
        }
        last = s.stderr;
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{args:?}: the lock of the killed run was never freed:\n{last}");
}

/// The status of the last `run_finished` of the one journal in `dir`.
fn final_status(dir: &Path) -> Option<String> {
    let path = common::journal(dir)?;
    common::records(&path)
        .iter()
        .rev()
        .find(|r| r["type"] == "run_finished")
        .and_then(|r| r["status"].as_str().map(str::to_string))
}

fn count(text: &str, line: &str) -> usize {
    text.lines().filter(|l| *l == line).count()
}

/// What one chain found; summed over the trials into the figures.
#[derive(Debug, Default, Clone, Copy)]
pub struct Found {
    pub trials: usize,
    pub kills: usize,
    /// Kills that landed while compensations ran (a `rollback_intent` was journaled).
    pub in_rollback: usize,
    pub doubled: usize,
    pub lost: usize,
}

impl std::ops::AddAssign for Found {
    fn add_assign(&mut self, o: Found) {
        self.trials += o.trials;
        self.kills += o.kills;
        self.in_rollback += o.in_rollback;
        self.doubled += o.doubled;
        self.lost += o.lost;
    }
}

const STEPS: usize = 8;

fn steps_runbook() -> String {
    let mut s = String::from("runbook chain \"Chain\"\n\n");
    for i in 1..=STEPS {
        s.push_str(&format!(
            "step s{i} \"Step {i}\" {{\n  run \"echo s{i} >> out\"\n  run \"sleep 0.03\"\n  run \"echo s{i}-end >> out\"\n}}\n\n"
        ));
    }
    s
}

/// The run is killed, then each resume is killed too (`delays`, in ms), then a last resume
/// finishes it.
pub fn kills_during_resume(delays: &[u64]) -> Found {
    let t = common::Runbook::new().file("c.rb", steps_runbook());
    let dir = t.path();
    let mut notes = String::new();
    let mut kills = 0;
    let first = begun(dir, &["run", "c.rb", "-q"], delays[0]);
    kills += usize::from(first.code.is_none());
    for d in &delays[1..] {
        let s = until_unlocked(dir, &["resume", "-q"], Some(Duration::from_millis(*d)));
        kills += usize::from(s.code.is_none());
        notes.push_str(&s.stderr);
    }
    let last = until_unlocked(dir, &["resume", "-q"], None);
    notes.push_str(&last.stderr);
    // A killed session may have finished the run just before its kill: then nothing is left.
    assert_eq!(
        final_status(dir).as_deref(),
        Some("succeeded"),
        "{delays:?}: the run did not finish:\n{notes}"
    );
    let out = std::fs::read_to_string(dir.join("out")).unwrap_or_default();
    let mut found = Found {
        trials: 1,
        kills,
        ..Found::default()
    };
    for i in 1..=STEPS {
        let step = format!("s{i}");
        let announced = notes
            .matches(&format!("step {step} on local was interrupted"))
            .count();
        let starts = count(&out, &step);
        if starts > 1 + announced {
            found.doubled += 1;
        }
        // The step's last start was followed by its end: its effect is whole.
        let lines: Vec<&str> = out.lines().collect();
        let last_start = lines.iter().rposition(|l| *l == step);
        let last_end = lines.iter().rposition(|l| *l == format!("{step}-end"));
        if !matches!((last_start, last_end), (Some(s), Some(e)) if s < e) {
            found.lost += 1;
        }
    }
    found
}

fn rollback_runbook() -> String {
    let mut s = String::from("runbook undo \"Undo\"\n\n");
    for i in 1..=STEPS {
        s.push_str(&format!(
            "step s{i} \"Step {i}\" {{\n  run \"echo s{i} >> out\"\n  rollback {{\n    run \"echo undo-s{i} >> out\"\n    run \"sleep 0.03\"\n    run \"echo undo-s{i}-end >> out\"\n  }}\n}}\n\n"
        ));
    }
    s.push_str("step last \"Fails\" {\n  run \"false\"\n}\n");
    s
}

/// Every step completes, the last fails, and the rollback is killed after `delays[0]` ms;
/// each `runbook rollback` after it is killed too, then a last one finishes the undoing.
#[allow(clippy::print_stderr)] // what a failing trial saw, for whoever reads the failure
pub fn kills_during_rollback(delays: &[u64]) -> Found {
    let t = common::Runbook::new().file("u.rb", rollback_runbook());
    let dir = t.path();
    let mut notes = String::new();
    let mut kills = 0;
    let first = begun(dir, &["run", "u.rb", "-q"], delays[0]);
    kills += usize::from(first.code.is_none());
    let undoing = |dir: &Path| {
        common::journals(dir)
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .flat_map(|p| common::records(p))
            .filter(|r| r["type"] == "rollback_intent")
            .count()
    };
    let mut in_rollback = usize::from(first.code.is_none() && undoing(dir) > 0);
    let id = common::journal(dir)
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .expect("a journal");
    for d in &delays[1..] {
        let before = undoing(dir);
        let s = until_unlocked(
            dir,
            &["rollback", &id, "--yes"],
            Some(Duration::from_millis(*d)),
        );
        kills += usize::from(s.code.is_none());
        in_rollback += usize::from(s.code.is_none() && undoing(dir) > before);
        notes.push_str(&s.stderr);
    }
    let last = until_unlocked(dir, &["rollback", &id, "--yes"], None);
    notes.push_str(&last.stderr);
    assert_eq!(
        last.code,
        Some(0),
        "{delays:?}: the rollback did not finish:\n{notes}"
    );
    assert!(
        matches!(final_status(dir).as_deref(), Some("rolled_back" | "failed")),
        "{delays:?}: {:?}\n{notes}",
        final_status(dir)
    );
    let out = std::fs::read_to_string(dir.join("out")).unwrap_or_default();
    let mut found = Found {
        trials: 1,
        kills,
        in_rollback,
        ..Found::default()
    };
    for i in 1..=STEPS {
        let undo = format!("undo-s{i}");
        let cut = notes
            .matches(&format!("the rollback of step s{i} on local was cut"))
            .count();
        let ends = count(&out, &format!("{undo}-end"));
        // A kill before the failing step leaves later steps never run: nothing to undo.
        let ran = count(&out, &format!("s{i}"));
        if ran > 1 || count(&out, &undo) > 1 + cut || ends > 1 + cut {
            found.doubled += 1;
            eprintln!("doubled s{i} {delays:?}:\n{out}\n{notes}");
        }
        let said = notes.contains(&format!("step s{i} on local was cut while it ran"));
        if ran == 1 && ends == 0 && !said {
            found.lost += 1;
            eprintln!("lost s{i} {delays:?}:\n{out}\n{notes}");
        }
    }
    found
}
