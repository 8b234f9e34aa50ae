//! Team modules: `use "lib/ops.rb" as ops` beside the runbook or on `RUNBOOK_PATH`, checked
//! across files, run and planned like the stdlib, and covered by the run's fingerprint.

use super::read;
use crate::common::{self, Runbook};

const OPS: &str = r#"##! The team's helpers.

use std.http

## Restarts `unit`, then says whether `url` answers.
fn bounce(unit, url) {
  run "echo restart {{ unit }} >> trace"
  return http.status(url, max_time: 1)
}
"#;

const NOTIFY: &str =
    "## Tells the team.\nfn say(text) {\n  run \"echo say {{ text }} >> trace\"\n}\n";

const DEPLOY: &str = r#"runbook deploy "Deploy"

use "lib/ops.rb" as ops
use "notify.rb" as notify

step bounce "Bounce" {
  let code = ops.bounce("web", "http://127.0.0.1:9/")
  notify.say("web answered {{ code }}")
}

step done "Done" {
  run "test -f go"
}
"#;

fn team() -> Runbook {
    Runbook::new()
        .file("deploy.rb", DEPLOY)
        .file("lib/ops.rb", OPS)
        .file("shared/notify.rb", NOTIFY)
}

#[test]
fn a_runbook_runs_and_plans_with_its_teams_modules() {
    let t = team();
    let shared = t.path().join("shared").display().to_string();
    let env = [("RUNBOOK_PATH", shared.as_str())];
    let out = t.run_env(&["check", "deploy.rb"], &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let plan = t.run_env(&["plan", "deploy.rb"], &env);
    assert!(
        plan.stdout.contains("$ echo restart web >> trace"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("curl -s -o /dev/null"),
        "the module's stdlib call: {}",
        plan.stdout
    );
    std::fs::write(t.path().join("go"), "").expect("go");
    let run = t.run_env(&["run", "deploy.rb"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(t.path(), "trace"), "restart web\nsay web answered 0\n");
}

#[test]
fn a_module_that_is_not_found_is_one_error_at_its_use() {
    let out = team().run_args(&["check", "deploy.rb"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("runbook::check::module_file_not_found"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("RUNBOOK_PATH"), "{}", out.stderr);
    assert!(
        out.stderr.ends_with("deploy.rb: 1 error\n"),
        "no error follows from it: {}",
        out.stderr
    );
}

#[test]
fn a_mistake_in_a_module_is_shown_in_the_module() {
    let t = team().file("lib/ops.rb", OPS.replace("max_time: 1", "max_tme: 1"));
    let shared = t.path().join("shared").display().to_string();
    let out = t.run_env(
        &["check", "deploy.rb"],
        &[("RUNBOOK_PATH", shared.as_str())],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("lib/ops.rb:8"),
        "the module's file and line: {}",
        out.stderr
    );
}

/// A module is part of what a run ran: editing it between a failure and `resume` is seen.
#[test]
fn resume_notices_an_edited_module() {
    let t = team();
    let shared = t.path().join("shared").display().to_string();
    let env = [("RUNBOOK_PATH", shared.as_str())];
    let failed = t.run_env(&["run", "deploy.rb"], &env);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    std::fs::write(
        t.path().join("lib/ops.rb"),
        OPS.replace("restart", "reload"),
    )
    .expect("edit");
    let resumed = t.run_env(&["resume"], &env);
    assert_eq!(resumed.code, 2, "{}", resumed.stderr);
    assert!(
        resumed.stderr.contains("runbook::journal::changed"),
        "{}",
        resumed.stderr
    );
    assert!(common::journal(t.path()).is_some());
}
