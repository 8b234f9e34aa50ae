//! `if` / `else if` / `else` and `for` in steps and functions: the branch that runs, the
//! items a loop goes over, the scope of what they bind, resume, and the dry run.

use super::{read, run};
use crate::common::{self, Runbook};

const SERVICES: &str = r#"param action = "status"
param services = ["web", "worker"]

step act "Act on each service" {
  for s in services {
    if action == "start" {
      run "echo start {{ s }} >> trace"
    } else if action == "stop" {
      run "echo stop {{ s }} >> trace"
    } else {
      let state = run("echo active").stdout.trim()
      run "echo {{ s }} {{ state }} >> trace"
    }
  }
}
"#;

#[test]
fn the_first_branch_that_holds_runs_for_each_item() {
    let (t, out) = run(SERVICES, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(read(t.path(), "trace"), "web active\nworker active\n");
    let (t, out) = run(SERVICES, &["--set", "action=stop"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(read(t.path(), "trace"), "stop web\nstop worker\n");
}

#[test]
fn a_loop_goes_over_the_lines_of_a_command_and_a_function_returns_from_inside_it() {
    let body = r#"fn first_big(sizes) {
  for s in sizes {
    if s.to_int() > 10 {
      return s
    }
  }
  return "none"
}

step sizes "Sizes" {
  let lines = run("printf '3\n12\n40\n'").stdout.lines()
  for l in lines {
    run "echo line {{ l }} >> trace"
  }
  let big = first_big(lines)
  log "first big: {{ big }}"
}
"#;
    let (t, out) = run(body, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(read(t.path(), "trace"), "line 3\nline 12\nline 40\n");
    assert!(out.stdout.contains("first big: 12"), "{}", out.stdout);
}

/// What an `if` or a `for` binds is its own: it is not a capture of the step, and a name
/// used after the block is an error found before anything runs.
#[test]
fn names_bound_in_a_block_stay_in_it() {
    let body = "step a \"A\" {\n  for s in [\"x\"] {\n    let inner = s\n  }\n  log inner\n}\n";
    let t = Runbook::new().file("t.rb", format!("runbook t \"T\"\n\n{body}"));
    let out = t.run_args(&["check", "t.rb"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("runbook::check::undefined_variable"),
        "{}",
        out.stderr
    );
    let (t, out) = run(SERVICES, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let journal = common::journal(t.path()).expect("a journal");
    let records = common::records(&journal);
    let captured: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| r["captures"].as_object().is_some_and(|c| !c.is_empty()))
        .collect();
    assert!(
        captured.is_empty(),
        "a let in a loop is not journaled: {captured:?}"
    );
}

/// The step is the unit of resume: a step whose loop failed on its second item runs
/// again whole, its first item included (docs/journal.md).
#[test]
fn resume_runs_a_failed_loop_again_from_its_first_item() {
    let body = r#"step each "Each" {
  for s in ["a", "b", "c"] {
    run "echo {{ s }} >> trace"
    run "test {{ s }} != b || test -f fixed"
  }
}
"#;
    let (t, out) = run(body, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(read(t.path(), "trace"), "a\nb\n");
    std::fs::write(t.path().join("fixed"), "").expect("fix");
    let resumed = t.run_args(&["resume"]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert_eq!(read(t.path(), "trace"), "a\nb\na\nb\nc\n");
}

#[test]
fn the_dry_run_shows_the_branch_it_can_tell_and_both_it_cannot() {
    let body = r#"param env = "staging"
param services = ["web", "worker"]

step deploy "Deploy" {
  if env == "production" {
    approve "Deploy to production?"
  }
  for s in services {
    run "systemctl restart {{ s }}"
  }
  let health = run("curl -s localhost/health").stdout.trim()
  if health == "ok" {
    log "healthy"
  } else {
    fail "unhealthy: {{ health }}"
  }
  log "done"
}
"#;
    let t = Runbook::new().file("t.rb", format!("runbook t \"T\"\n\n{body}"));
    let plan = t.run_args(&["plan", "t.rb"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    insta::assert_snapshot!(plan.stdout);
    let prod = t.run_args(&["plan", "t.rb", "--set", "env=production"]);
    assert!(
        prod.stdout
            .contains("if env == \"production\" (true: this branch runs)"),
        "{}",
        prod.stdout
    );
    assert!(
        prod.stdout.contains("approve \"Deploy to production?\""),
        "{}",
        prod.stdout
    );
    let json = t.run_args(&["plan", "t.rb", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let actions = &doc["steps"][0]["actions"];
    assert_eq!(actions[1]["kind"], "for");
    assert_eq!(actions[1]["items"], 2);
    assert_eq!(actions[3]["kind"], "if");
    assert!(
        actions[3].get("known").is_none(),
        "decided at run time: {}",
        actions[3]
    );
}
