//! A step that fails restores what it broke: `on_failure { }` runs on its host before the
//! rollbacks of the steps before it; `always { }` runs at its end, failed or not. Both are
//! journaled and shown by the dry run.

use super::{read, run};
use crate::common;

const UPGRADE: &str = r#"step prepare "Prepare" {
  run "echo prepared >> trace"
  rollback {
    run "echo undo prepare >> trace"
  }
}

step upgrade "Upgrade" {
  run "echo stop service >> trace"
  run "echo upgrade >> trace; test -f works"
  on_failure {
    run "echo start service again >> trace"
  }
  always {
    run "echo remove temp >> trace"
  }
}
"#;

#[test]
fn a_failing_step_repairs_itself_before_the_rollbacks_run() {
    let (t, out) = run(UPGRADE, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        read(t.path(), "trace"),
        "prepared\nstop service\nupgrade\nstart service again\nremove temp\nundo prepare\n"
    );
    let records = common::records(&common::journal(t.path()).expect("journal"));
    let cleanups: Vec<(&str, bool)> = records
        .iter()
        .filter(|r| r["type"] == "cleanup")
        .map(|r| (r["block"].as_str().unwrap_or(""), r["ok"] == true))
        .collect();
    assert_eq!(cleanups, [("on_failure", true), ("always", true)]);
}

#[test]
fn always_runs_after_success_and_on_failure_does_not() {
    let t = common::Runbook::new()
        .file("t.rb", format!("runbook t \"Test\"\n\n{UPGRADE}"))
        .file("works", "");
    let out = t.run_args(&["run", "t.rb"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        read(t.path(), "trace"),
        "prepared\nstop service\nupgrade\nremove temp\n"
    );
}

#[test]
fn a_failing_always_fails_the_step_and_a_failing_on_failure_keeps_the_first_failure() {
    let body = "step one \"One\" {\n  run \"echo one >> trace\"\n  rollback {\n    run \"echo undo one >> trace\"\n  }\n}\n\nstep two \"Two\" {\n  run \"true\"\n  always {\n    run \"echo cleanup fails; exit 4\"\n  }\n}\n";
    let (t, out) = run(body, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("always failed: `echo cleanup fails; exit 4` exited with 4"),
        "{}",
        out.stdout
    );
    assert_eq!(
        read(t.path(), "trace"),
        "one\nundo one\n",
        "the run rolled back"
    );
    let body = "step two \"Two\" {\n  run \"exit 3\"\n  on_failure {\n    run \"exit 5\"\n  }\n}\n";
    let (_, out) = run(body, &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("on_failure failed: `exit 5` exited with 5"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("— `exit 3` exited with 3"),
        "the step's own failure: {}",
        out.stdout
    );
}

/// A step that did not run (skipped by a guard) or that paused at a gate has nothing to
/// repair or clean up yet.
#[test]
fn a_skipped_or_paused_step_runs_neither() {
    let body = "param go = false\n\nstep one \"One\" when go {\n  run \"true\"\n  always {\n    run \"echo always >> trace\"\n  }\n}\n\nstep two \"Two\" {\n  approve \"Go on?\"\n  run \"true\"\n  on_failure {\n    run \"echo repair >> trace\"\n  }\n  always {\n    run \"echo always >> trace\"\n  }\n}\n";
    let (t, out) = run(body, &[]);
    assert_eq!(out.code, 3, "paused at the gate: {}", out.stderr);
    assert_eq!(read(t.path(), "trace"), "");
}

#[test]
fn the_plan_shows_both_blocks() {
    let t = common::Runbook::new().file("t.rb", format!("runbook t \"Test\"\n\n{UPGRADE}"));
    let plan = t.run_args(&["plan", "t.rb"]);
    assert!(
        plan.stdout.contains("  on failure (here, before the rollbacks):\n    $ echo start service again >> trace\n  always, at the end of the step:\n    $ echo remove temp >> trace\n"),
        "{}",
        plan.stdout
    );
    let json = t.run_args(&["plan", "t.rb", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(
        doc["steps"][1]["on_failure"][0]["command"],
        "echo start service again >> trace"
    );
    assert_eq!(
        doc["steps"][1]["always"][0]["command"],
        "echo remove temp >> trace"
    );
}
