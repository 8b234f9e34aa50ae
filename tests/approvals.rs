//! Approval gates on a real pseudo-terminal (through `script`, which runs the binary on a
//! pty and types what we give it) and without one.

use crate::common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::Runbook;

const GATES: &str = "runbook gates \"Gates\"\n\nstep one \"Gate\" {\n  approve \"Go on with the deploy?\"\n  run \"touch approved\"\n}\n\nstep two \"Danger\" {\n  approve dangerous \"Drop the database?\"\n  run \"touch dropped\"\n}\n";

/// Runs `runbook ARGS` on a pty in `dir`, typing `input`; exit code and everything shown.
fn on_tty(dir: &Path, args: &[&str], input: &str) -> (i32, String) {
    on_tty_after(dir, args, std::time::Duration::ZERO, input)
}

/// As [`on_tty`], typing `input` only after `wait` (when the prompt is up).
fn on_tty_after(
    dir: &Path,
    args: &[&str],
    wait: std::time::Duration,
    input: &str,
) -> (i32, String) {
    on_tty_typing(dir, args, &[(wait, input)])
}

/// As [`on_tty`], typing each input after its wait.
fn on_tty_typing(
    dir: &Path,
    args: &[&str],
    typed: &[(std::time::Duration, &str)],
) -> (i32, String) {
    let mut line = vec![shlex::try_quote(env!("CARGO_BIN_EXE_runbook"))
        .expect("quote")
        .into_owned()];
    line.extend(
        args.iter()
            .map(|a| shlex::try_quote(a).expect("quote").into_owned()),
    );
    let mut child = Command::new("script")
        .args(["-qec", &line.join(" "), "/dev/null"])
        .current_dir(dir)
        .env("XDG_STATE_HOME", std::path::Path::new(&dir).join(".state"))
        .env_remove("RUNBOOK_STATE_DIR")
        .env("USER", "tester")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs the binary on a pty");
    let mut stdin = child.stdin.take().expect("stdin");
    for (wait, input) in typed {
        std::thread::sleep(*wait);
        stdin.write_all(input.as_bytes()).expect("type");
        stdin.flush().expect("flush");
    }
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    let shown = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    (out.status.code().unwrap_or(-1), shown)
}

/// The records of the one run made in `dir`.
fn records(dir: &Path) -> Vec<serde_json::Value> {
    common::records(common::journals(dir).first().expect("a journal"))
}

#[test]
fn yes_on_the_terminal_continues_and_is_journaled() {
    let t = Runbook::new().file("g.rb", GATES);
    let (code, shown) = on_tty(t.path(), &["run", "g.rb", "--approve", "two"], "y\n");
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("approval needed · runbook gates · step one on local"),
        "{shown}"
    );
    assert!(shown.contains("Go on with the deploy? [y/N]"), "{shown}");
    assert!(t.path().join("approved").exists() && t.path().join("dropped").exists());
    assert_eq!(
        common::approvals(&records(t.path())),
        [
            ("one".into(), "tester".into(), "prompt".into()),
            ("two".into(), "tester".into(), "--approve".into())
        ]
    );
}

#[test]
fn anything_else_declines_and_the_run_can_be_resumed() {
    let t = Runbook::new().file("g.rb", GATES);
    let (code, shown) = on_tty(t.path(), &["run", "g.rb"], "n\n");
    assert_eq!(code, 6, "declined has its own exit code: {shown}");
    assert!(
        shown.contains("the approval of step one was declined"),
        "{shown}"
    );
    assert!(!t.path().join("approved").exists());
    let recs = records(t.path());
    assert!(
        recs.iter()
            .any(|r| r["type"] == "step_result" && r["step"] == "one" && r["status"] == "declined"),
        "{recs:?}"
    );
    let out = t.run_args(&["resume", "--approve", "one", "--approve", "two"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(t.path().join("approved").exists() && t.path().join("dropped").exists());
}

#[test]
fn a_dangerous_gate_needs_the_step_id_typed() {
    let t = Runbook::new().file("g.rb", GATES);
    let (code, shown) = on_tty(t.path(), &["run", "g.rb", "--yes"], "y\nn\n");
    assert_eq!(code, 6, "`y` does not approve a dangerous gate: {shown}");
    assert!(
        shown.contains("DANGEROUS: type the step id `two` to approve")
            && shown.contains("this gate wants the step id, not yes: type `two` to approve"),
        "{shown}"
    );
    assert!(t.path().join("approved").exists() && !t.path().join("dropped").exists());
    // After the reminder, the step id approves.
    let t = Runbook::new().file("g.rb", GATES);
    let (code, shown) = on_tty(t.path(), &["run", "g.rb", "--yes"], "yes\ntwo\n");
    assert_eq!(code, 0, "{shown}");
    assert!(t.path().join("dropped").exists());
    let t = Runbook::new().file("g.rb", GATES);
    let (code, shown) = on_tty(t.path(), &["run", "g.rb", "--yes"], "two\n");
    assert_eq!(code, 0, "{shown}");
    assert!(t.path().join("dropped").exists());
}

#[test]
fn without_a_terminal_the_run_pauses_and_says_how_to_go_on() {
    let t = Runbook::new().file("g.rb", GATES);
    let out = t.run_args(&["run", "g.rb", "--yes"]);
    assert_eq!(out.code, 3, "--yes leaves the dangerous gate closed");
    assert!(t.path().join("approved").exists() && !t.path().join("dropped").exists());
    let hint = out
        .stdout
        .lines()
        .find(|l| l.contains("continue with"))
        .expect("a hint");
    let command = hint.split('`').nth(1).expect("a command in backticks");
    assert!(
        command.starts_with("runbook resume ") && command.ends_with(" --approve two"),
        "{command}"
    );
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    let resumed = t.run_args(&args);
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    assert!(t.path().join("dropped").exists());
    assert!(
        resumed
            .stdout
            .contains("✓ Gate · local — done before the resume"),
        "step one is not asked again: {}",
        resumed.stdout
    );
    let show = t.run_args(&["show", args[1]]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    assert!(
        show.stdout.contains("two on local: approved by"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains("(--approve)") && show.stdout.contains("(--yes)"),
        "{}",
        show.stdout
    );
}

#[test]
fn on_a_terminal_a_spinner_shows_steps_running_longer_than_a_second() {
    let t = Runbook::new().file(
        "s.rb",
        "runbook s \"S\"\n\nstep quick \"Quick\" {\n  run \"true\"\n}\n\nstep slow \"Slow\" {\n  run \"sleep 2\"\n}\n",
    );
    let (code, shown) = on_tty(t.path(), &["run", "s.rb"], "");
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("Slow · local 1s"),
        "a spinner with the elapsed time: {shown}"
    );
    assert!(
        !shown.contains("Quick · local 0s"),
        "no spinner flickers for a quick step: {shown}"
    );
}

/// Ctrl-C at an approval prompt ends the prompt and the run at once: nothing typed after it is
/// taken for an answer, the run is journaled as interrupted (130), and it resumes.
#[test]
fn ctrl_c_at_a_prompt_ends_the_run_cleanly() {
    let t = Runbook::new().file("g.rb", GATES);
    let (code, shown) = on_tty_after(
        t.path(),
        &["run", "g.rb"],
        std::time::Duration::from_millis(800),
        "\u{3}y\n",
    );
    assert_eq!(code, 130, "{shown}");
    assert!(shown.contains("interrupted at step one"), "{shown}");
    assert!(
        !t.path().join("approved").exists(),
        "the `y` after Ctrl-C approved nothing"
    );
    let recs = records(t.path());
    assert!(
        recs.iter()
            .any(|r| r["type"] == "run_finished" && r["status"] == "interrupted"),
        "{recs:?}"
    );
    let out = t.run_args(&["resume", "--approve", "one", "--approve", "two"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(t.path().join("approved").exists());
}

/// A second Ctrl-C ends the process at once, while the command still ignores the first: the
/// spinner's line is cleared, not left on screen, and the user is told what was left.
#[test]
fn a_second_ctrl_c_clears_the_spinner_and_says_what_was_left() {
    let t = Runbook::new().file(
        "s.rb",
        "runbook s \"S\"\n\nstep slow \"Slow\" {\n  run \"trap '' INT TERM; sleep 3; sleep 3\"\n}\n",
    );
    let second = std::time::Duration::from_millis(400);
    let (code, shown) = on_tty_typing(
        t.path(),
        &["run", "s.rb"],
        &[
            (std::time::Duration::from_millis(1800), "\u{3}"),
            (second, "\u{3}"),
        ],
    );
    assert_eq!(code, 130, "{shown}");
    let frame = shown.rfind("Slow · local").expect("the spinner was shown");
    let notice = shown
        .find("\r\u{1b}[2Kstopped at once by a second signal")
        .unwrap_or_else(|| panic!("the spinner's line is cleared, then the notice: {shown:?}"));
    assert!(
        frame < notice,
        "no spinner frame after the notice: {shown:?}"
    );
}
