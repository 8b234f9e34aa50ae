//! Step and wait settings computed from params and values: the run and the plan use the
//! computed values, and one that cannot work stops the run before anything runs.

use super::{read, run};
use crate::common;

const FLAKY: &str = r#"use std.fs

param tries = 2
param poll = 50ms
param limit = 5s
param budget = 0
let patience = limit

host a = local
host b = local
host c = local
group all = [a, b, c]

step flaky "Flaky" retry tries every poll timeout patience {
  run "echo try >> tries; test $(wc -l < tries) -ge 3"
}

step spread "Spread" on all max_fail budget {
  run "echo {{ budget }} >> spread; false"
}

step settle "Settle" {
  for pause in [poll, poll * 2] {
    wait_until fs.exists("tries") every pause timeout limit
  }
}
"#;

#[test]
fn retry_timeout_and_max_fail_take_their_values_from_params() {
    // Two retries: the third try succeeds; every host of the fan-out fails, within budget.
    let (t, out) = run(FLAKY, &["-q", "--set", "budget=3"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(read(t.path(), "tries"), "try\ntry\ntry\n");
    assert_eq!(read(t.path(), "spread"), "3\n3\n3\n");

    // One retry is not enough, and the run stops there.
    let (t, out) = run(FLAKY, &["-q", "--set", "tries=1"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(read(t.path(), "tries"), "try\ntry\n");

    // The budget from the command line: no failure allowed, the first failing host ends it.
    let (t, out) = run(FLAKY, &["-q", "--set", "budget=0"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(read(t.path(), "spread"), "0\n");
}

#[test]
fn a_computed_timeout_stops_the_step() {
    let body = "param limit = 5s\n\nstep slow \"Slow\" timeout limit {\n  run \"sleep 10\"\n}\n";
    let (_, out) = run(body, &["--set", "limit=300ms"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("timed out after 300ms"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_setting_that_cannot_work_stops_the_run_before_anything_runs() {
    let (t, out) = run(FLAKY, &["--set", "tries=0", "--set", "limit=0s"]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    for said in [
        "runbook::plan::setting_failed",
        "step `flaky`: `retry` cannot be computed: it is 0; it must be at least 1",
        "step `flaky`: `timeout` cannot be computed: it is 0s",
        "retry tries every poll timeout patience",
    ] {
        assert!(out.stderr.contains(said), "{said}:\n{}", out.stderr);
    }
    assert_eq!(read(t.path(), "tries"), "", "nothing ran");
    assert!(common::journal(t.path()).is_none(), "no run was begun");
}

#[test]
fn a_computed_wait_interval_is_checked_where_the_wait_runs() {
    let body = "use std.fs\n\nparam interval = 1s\n\nstep w \"Wait\" {\n  wait_until fs.exists(\"never\") every interval timeout 500ms\n}\n";
    let (_, out) = run(body, &[]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("`wait_until` polls every 1s but gives up after 500ms"),
        "{}",
        out.stdout
    );
}

#[test]
fn the_plan_shows_computed_settings_with_their_values() {
    let t = common::Runbook::new().file("t.rb", format!("runbook t \"Test\"\n\n{FLAKY}"));
    let out = t.run_args(&["plan", "t.rb", "--set", "tries=4", "--set", "poll=1s"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    for shown in [
        "timeout 5s · retry 4 every 1s",
        "max_fail 0",
        "(every 1s, at most 5s)",
        "(every 2s, at most 5s)",
    ] {
        assert!(out.stdout.contains(shown), "{shown}:\n{}", out.stdout);
    }
}

/// `host` in a step is the host it runs on: each host of a fan-out sees its own name, in
/// its commands, its guard and its rollback; outside a step there is no `host`.
#[test]
fn a_fan_out_step_knows_its_current_host() {
    let body = r#"host a = local
host b = local
host c = local
group all = [a, b, c]

step greet "Greet" on all parallel 2 when host.name != "c" {
  run "echo {{ host.name }} >> seen"
  rollback {
    run "echo undo-{{ host.name }} >> seen"
  }
}

step last "Fails" {
  run "echo {{ host.name }} >> seen; false"
}
"#;
    let (t, out) = run(body, &["-q"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let seen = read(t.path(), "seen");
    let mut lines: Vec<&str> = seen.lines().collect();
    let undone = lines.split_off(3);
    lines[..2].sort_unstable();
    assert_eq!(lines, ["a", "b", "local"], "{seen}");
    assert_eq!(undone.len(), 2, "{seen}");
    assert!(
        undone.contains(&"undo-a") && undone.contains(&"undo-b"),
        "{seen}"
    );

    let t = common::Runbook::new().file(
        "f.rb",
        "runbook f \"F\"\n\nfn where_() {\n  return host.name\n}\n\nstep s \"S\" {\n  log where_()\n}\n",
    );
    let out = t.run_args(&["check", "f.rb"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("runbook::check::undefined_variable"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_left_out_steps_setting_does_not_stop_the_run() {
    // `flaky`'s retry of 0 cannot work, but `--skip flaky` means it never runs (and
    // `settle` waits for what `flaky` writes).
    let (t, out) = run(
        FLAKY,
        &[
            "-q",
            "--set",
            "tries=0",
            "--skip",
            "flaky,settle",
            "--set",
            "budget=3",
        ],
    );
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(read(t.path(), "tries"), "", "flaky was left out");
    assert_eq!(read(t.path(), "spread"), "3\n3\n3\n");
}
