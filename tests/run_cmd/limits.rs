//! Runbooks that multiply their own work: refused by `check` when the call graph shows it,
//! failed as a step when a value outgrows the limit, never left to exhaust memory.

use super::common::{journal, journals, records, Runbook};
use super::HEAD;

/// Each function calls the next twice: 2^17 calls from `f0`. Refused before anything runs.
#[test]
fn functions_that_multiply_their_calls_are_refused_before_the_run() {
    let mut body = String::from(HEAD);
    for i in 0..17 {
        let ret = if i < 16 {
            format!("f{n}(x) + f{n}(x)", n = i + 1)
        } else {
            "x".into()
        };
        body.push_str(&format!("fn f{i}(x) {{\n  return {ret}\n}}\n\n"));
    }
    body.push_str("step one \"One\" {\n  run \"touch ran\"\n  log f0(\"a\")\n}\n");
    let t = Runbook::new().file("t.rb", body);
    for args in [
        &["run", "t.rb"][..],
        &["run", "--dry-run", "t.rb"],
        &["check", "t.rb"],
    ] {
        let out = t.run_args(args);
        assert_eq!(out.code, 2, "{args:?}: {}\n{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("runbook::check::call_explosion")
                && out
                    .stderr
                    .contains("one call of `f0` makes 131,071 function calls"),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert!(!t.path().join("ran").exists());
    assert!(
        journals(t.path()).is_empty(),
        "a refused run leaves no journal"
    );
}

/// A string doubled in 27 `let`s would hold 256 MiB: the step fails with the reason, the
/// journal records it, and the dry run says the same.
#[test]
fn a_value_that_outgrows_the_limit_fails_its_step() {
    let mut body = String::from(HEAD);
    body.push_str("step grow \"Grow\" {\n  let v0 = \"ab\"\n");
    for i in 1..28 {
        body.push_str(&format!("  let v{i} = v{p} + v{p}\n", p = i - 1));
    }
    body.push_str("  log v27.length()\n}\n");
    let t = Runbook::new().file("t.rb", body);
    let dry = t.run_args(&["run", "--dry-run", "t.rb"]);
    assert!(
        dry.stdout
            .contains("would fail: this value would hold 128 MiB"),
        "{}",
        dry.stdout
    );
    let out = t.run_args(&["run", "t.rb"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("this value would hold 128 MiB, more than a value may (64 MiB)"),
        "{}",
        out.stdout
    );
    let journal = journal(t.path()).expect("a journal");
    let failed = records(&journal)
        .into_iter()
        .any(|r| r["type"] == "step_result" && r["step"] == "grow" && r["status"] == "failed");
    assert!(failed, "the journal records the failed step");
}
