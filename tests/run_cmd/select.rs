//! Choosing what runs: `--only`, `--from`, `--skip`, `--tags`. The others are skipped with
//! the reason, in the output and the journal; `resume` keeps the selection; a selection
//! that cannot work is refused before anything runs.

use super::{read, run};
use crate::common;

const STEPS: &str = r#"step fetch "Fetch" tags [code] {
  run "echo fetch >> trace"
  let head = run("echo abc").stdout.trim()
}

step migrate "Migrate" tags [db] {
  run "echo migrate >> trace"
}

step deploy "Deploy" tags [code] {
  run "echo deploy {{ head }} >> trace"
}

step verify "Verify" {
  run "echo verify >> trace"
  run "test -f fixed || test -z \"$FAIL_VERIFY\""
}
"#;

#[test]
fn only_from_skip_and_tags_choose_the_steps_that_run() {
    let (t, out) = run(STEPS, &["--only", "migrate,verify"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(read(t.path(), "trace"), "migrate\nverify\n");
    assert!(
        out.stdout
            .contains("left out: not in --only migrate,verify"),
        "{}",
        out.stdout
    );
    let records = common::records(&common::journal(t.path()).expect("journal"));
    let skipped: Vec<&str> = records
        .iter()
        .filter(|r| r["type"] == "step_result" && r["status"] == "skipped")
        .filter_map(|r| r["step"].as_str())
        .collect();
    assert_eq!(
        skipped,
        ["fetch", "deploy"],
        "left-out steps are journaled as skipped"
    );
    assert_eq!(
        records[0]["selection"]["only"],
        serde_json::json!(["migrate", "verify"])
    );

    let (t, _) = run(STEPS, &["--from", "deploy", "--skip", "verify"]);
    // `deploy` needs `fetch`'s capture: refused, nothing run.
    assert_eq!(read(t.path(), "trace"), "");
    let (t, out) = run(STEPS, &["--tags", "code", "--skip", "verify"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(read(t.path(), "trace"), "fetch\ndeploy abc\n");
    let (t, out) = run(STEPS, &["--from", "migrate", "--skip", "deploy"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(read(t.path(), "trace"), "migrate\nverify\n");
}

#[test]
fn a_selection_that_cannot_work_is_refused_before_anything_runs() {
    let (t, out) = run(STEPS, &["--only", "deploy"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("runbook::plan::left_out_capture"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("step `deploy` uses `head`, which step `fetch` captures"),
        "{}",
        out.stderr
    );
    assert!(
        common::journal(t.path()).is_none(),
        "no journal: nothing ran"
    );
    let (_, out) = run(STEPS, &["--only", "verfy"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("runbook::plan::unknown_step"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("did you mean `verify`?"),
        "{}",
        out.stderr
    );
    let (_, out) = run(STEPS, &["--tags", "web"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("runbook::plan::unknown_tag"),
        "{}",
        out.stderr
    );
}

#[test]
fn resume_keeps_the_selection_of_the_run() {
    let t = common::Runbook::new().file("t.rb", format!("runbook t \"Test\"\n\n{STEPS}"));
    let failed = t.run_env(
        &["run", "t.rb", "--only", "migrate,verify"],
        &[("FAIL_VERIFY", "1")],
    );
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    std::fs::write(t.path().join("fixed"), "").expect("fix");
    let resumed = t.run_args(&["resume"]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    // fetch and deploy stay left out; migrate is done; verify runs again.
    assert_eq!(read(t.path(), "trace"), "migrate\nverify\nverify\n");
}

#[test]
fn the_plan_marks_what_is_left_out() {
    let t = common::Runbook::new().file("t.rb", format!("runbook t \"Test\"\n\n{STEPS}"));
    let plan = t.run_args(&["plan", "t.rb", "--tags", "db"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(
        plan.stdout
            .contains("1. fetch · Fetch · on local\n  left out: has none of --tags db\n"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("$ echo migrate >> trace"),
        "{}",
        plan.stdout
    );
    let json = t.run_args(&["plan", "t.rb", "--skip", "verify", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(doc["steps"][3]["verdict"], "left out: --skip");
}
