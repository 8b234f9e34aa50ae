//! SIGINT and SIGTERM during a run: the running command stops, the run ends with the
//! signal's code, and the journal says where.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use super::common::{self, journals, records, Runbook};
use super::{read, running, HEAD};

#[test]
fn sigint_stops_the_running_command_and_says_so() {
    stopped_by(Signal::SIGINT, 130);
}

/// SIGTERM (a service manager, `kill`) stops the run as SIGINT does, with its own code.
#[test]
fn sigterm_stops_the_run_with_143() {
    stopped_by(Signal::SIGTERM, 143);
}

/// Starts `runbook` with `args` in `dir`, its stdout piped.
fn spawn(dir: &Path, args: &[&str]) -> Child {
    common::binary(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

/// Waits until a command of the run wrote its shell's pid into `name`.
fn wait_for_pid(dir: &Path, name: &str) -> i32 {
    let start = Instant::now();
    loop {
        if let Ok(pid) = read(dir, name).trim().parse() {
            return pid;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the command never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, signal: Signal) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    nix::sys::signal::kill(pid, signal).expect("signal");
}

fn stopped_by(sig: Signal, code: i32) {
    let t = Runbook::new().file(
        "t.rb",
        format!("{HEAD}step one \"Long\" {{\n  run \"echo $$ > sh.pid; sleep 30\"\n}}\n\nstep two \"After\" {{\n  run \"touch after\"\n}}\n"),
    );
    let start = Instant::now();
    let child = spawn(t.path(), &["run", "t.rb"]);
    let sh = wait_for_pid(t.path(), "sh.pid");
    signal(&child, sig);
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(code), "{sig}: {stdout}");
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(stdout.contains("⚠ Long · local"), "{stdout}");
    assert!(stdout.contains("interrupted at step one"), "{stdout}");
    assert!(
        !t.path().join("after").exists(),
        "no step runs after an interrupt"
    );
    assert!(!running(sh), "the command was stopped");
}

/// A signal while a failed run is being undone stops the undoing: the run is interrupted
/// (not a failed rollback), the cut compensation is journaled as cut, and both `resume`
/// and `rollback` know that its step may be partly undone.
#[test]
fn a_signal_during_a_rollback_interrupts_the_run() {
    for (sig, code) in [(Signal::SIGINT, 130), (Signal::SIGTERM, 143)] {
        let t = Runbook::new().file(
            "t.rb",
            format!("{HEAD}step one \"Made\" {{\n  run \"touch made\"\n  rollback {{\n    run \"if [ -e slow ]; then echo $$ > undo.pid; sleep 30; fi; rm made\"\n  }}\n}}\n\nstep two \"Breaks\" {{\n  run \"exit 1\"\n}}\n"),
        )
        .file("slow", "");
        let child = spawn(t.path(), &["run", "t.rb"]);
        let undo = wait_for_pid(t.path(), "undo.pid");
        signal(&child, sig);
        let out = child.wait_with_output().expect("wait");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{sig}: {stdout}{stderr}");
        assert!(!running(undo), "the compensation was stopped");
        assert!(stdout.contains("rollback interrupted one"), "{stdout}");
        assert!(
            stdout.contains("interrupted during the rollback")
                && stdout.contains("(one may be partly undone)"),
            "{stdout}"
        );

        let journal = journals(t.path())
            .into_iter()
            .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .expect("a journal");
        let records = records(&journal);
        let cut = records
            .iter()
            .find(|r| r["type"] == "rollback_result")
            .expect("the cut compensation is journaled");
        assert_eq!(
            (cut["ok"].as_bool(), cut["cut"].as_bool()),
            (Some(false), Some(true))
        );
        let last = records.last().expect("records");
        assert_eq!(
            (last["status"].as_str(), last["exit_code"].as_i64()),
            (Some("interrupted"), Some(i64::from(code)))
        );

        // `rollback` runs the cut compensation again, from its start, and says so.
        std::fs::remove_file(t.path().join("slow")).expect("rm");
        let id = journal
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .to_string();
        let again = t.run_args(&["rollback", &id, "--yes"]);
        assert!(
            again
                .stderr
                .contains("the rollback of step one on local was cut"),
            "{}",
            again.stderr
        );
        assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
        assert!(
            !t.path().join("made").exists(),
            "the step is undone at last"
        );
    }
}
