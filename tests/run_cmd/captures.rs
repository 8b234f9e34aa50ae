//! Captures are scoped to their step: the same name in two steps, `STEP.NAME` from later
//! steps, `none` for a skipped step's, what each rollback sees, and what resume restores.
//! Also expressions inside `{{ }}`.

use super::{read, run};

const TWO_VERSIONS: &str = r#"param fail_report = false

step before "Before" {
  let version = run("echo 1.0").stdout.trim()
  run "echo before {{ version }} >> trace"
  rollback {
    run "echo undo before {{ version }} >> trace"
  }
}

step upgrade "Upgrade" {
  let version = run("echo 2.0").stdout.trim()
  run "echo upgrade {{ version }} from {{ before.version }} >> trace"
  rollback {
    run "echo undo upgrade {{ version }} >> trace"
  }
}

step report "Report" {
  run "echo report {{ before.version }} to {{ upgrade.version }} >> trace"
  run "test {{ fail_report }} = false && test ! -f stop"
}
"#;

#[test]
fn the_same_name_in_two_steps_is_told_apart_by_its_step() {
    let (t, out) = run(TWO_VERSIONS, &["-q"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        read(t.path(), "trace"),
        "before 1.0\nupgrade 2.0 from 1.0\nreport 1.0 to 2.0\n"
    );
}

#[test]
fn each_rollback_sees_its_own_steps_capture() {
    let (t, out) = run(TWO_VERSIONS, &["-q", "--set", "fail_report=true"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        read(t.path(), "trace"),
        "before 1.0\nupgrade 2.0 from 1.0\nreport 1.0 to 2.0\n\
         undo upgrade 2.0\nundo before 1.0\n"
    );
}

#[test]
fn resume_restores_every_steps_capture_under_its_step() {
    let t = common_runbook(TWO_VERSIONS);
    std::fs::write(t.path().join("stop"), "").unwrap_or_default();
    let first = t.run_args(&["run", "t.rb", "-q", "--no-rollback"]);
    assert_eq!(
        first.code, 5,
        "failed, left as it is: {}\n{}",
        first.stdout, first.stderr
    );
    std::fs::remove_file(t.path().join("stop")).unwrap_or_default();
    let resumed = t.run_args(&["resume", "-q"]);
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    // The resumed report is given both values from the journal, each from its own step.
    assert_eq!(
        read(t.path(), "trace"),
        "before 1.0\nupgrade 2.0 from 1.0\nreport 1.0 to 2.0\nreport 1.0 to 2.0\n"
    );
}

fn common_runbook(body: &str) -> crate::common::Runbook {
    crate::common::Runbook::new().file("t.rb", format!("runbook t \"Test\"\n\n{body}"))
}

#[test]
fn a_skipped_steps_capture_is_none_and_takes_a_fallback() {
    let body = r#"param env = "staging"

step tag "Tag a release" when env == "prod" {
  let tag = run("echo v9").stdout.trim()
  let note = "tagged"
}

step say "Say" {
  run "echo {{ tag.tag ?? "untagged" }} {{ note ?? "no note" }} >> trace"
}
"#;
    let (t, out) = run(body, &["-q"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(read(t.path(), "trace"), "untagged no note\n");
    let (t, out) = run(body, &["-q", "--set", "env=prod"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(read(t.path(), "trace"), "v9 tagged\n");
}

#[test]
fn a_fan_out_step_captures_on_each_host_under_its_name() {
    let body = r#"host a = local
host b = local
group both = [a, b]

step probe "Probe" on both {
  let id = run("echo {{ host.name }}-id").stdout.trim()
}

step report "Report" on both {
  run "echo {{ host.name }} {{ probe.id }} >> trace"
}
"#;
    let (t, out) = run(body, &["-q"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(read(t.path(), "trace"), "a a-id\nb b-id\n");
}

#[test]
fn an_interpolation_takes_fields_methods_and_indexes_and_stays_one_word() {
    let body = r#"let services = ["web", "db"]

step show "Show" {
  let r = run("echo '  two words  '")
  run "printf '%s|' {{ r.stdout.trim() }} {{ services[1].upper() }} {{ services.join(",") }} {{ services.length() + 1 }} >> trace"
}
"#;
    let (t, out) = run(body, &["-q"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(read(t.path(), "trace"), "two words|DB|web,db|3|");
}
