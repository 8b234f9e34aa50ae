//! A failed step is told as a diagnostic: its code, the runbook's line that failed, what to
//! do, and the last lines the command wrote on stderr; `--json` streams it as `step_problem`.

use super::common::Runbook;
use super::HEAD;

/// Runs `step` (a whole step) and returns stdout.
fn failing(step: &str, env: &[(&str, &str)]) -> String {
    let t = Runbook::new().file("t.rb", format!("{HEAD}{step}"));
    let out = t.run_env(&["run", "t.rb"], env);
    assert_ne!(out.code, 0, "{}", out.stdout);
    out.stdout
}

#[test]
fn each_kind_of_failure_has_its_code_and_points_at_its_line() {
    // The step, its code, a detail of what is shown, and the line shown (the runbook's
    // header takes lines 1-2, the step's line is 3).
    let cases: &[(&str, &str, &str, usize)] = &[
        (
            "step s \"S\" {\n  log \"first\"\n  run \"echo boom >&2; exit 3\"\n}\n",
            "runbook::run::command_failed",
            "│ boom",
            5,
        ),
        (
            "step s \"S\" {\n  run \"no-such-tool-rb --version\"\n}\n",
            "runbook::run::command_not_found",
            "install it on local",
            4,
        ),
        (
            "step s \"S\" {\n  check run(\"false\", ok: [1]).ok else \"not ready\"\n}\n",
            "runbook::run::check_failed",
            "false on local",
            4,
        ),
        ("step s \"S\" {\n  fail \"stop here\"\n}\n", "runbook::run::failed", "× stop here", 4),
        (
            "step s \"S\" {\n  wait_until run(\"false\", ok: [1]).ok every 1s timeout 2s\n}\n",
            "runbook::run::wait_timed_out",
            "still false on local",
            4,
        ),
        (
            "step s \"S\" timeout 1s {\n  run \"sleep 5\"\n}\n",
            "runbook::run::step_timed_out",
            "when the step's time ran out",
            4,
        ),
        (
            "step s \"S\" {\n  let n = run(\"echo abc\").stdout.trim().to_int()\n  log \"{{ n }}\"\n}\n",
            "runbook::run::bad_value",
            "here, on local",
            4,
        ),
    ];
    for (step, code, detail, line) in cases {
        let shown = failing(step, &[]);
        assert!(shown.contains(code), "{code}:\n{shown}");
        assert!(shown.contains(detail), "{code}: {detail:?}\n{shown}");
        assert!(
            shown.contains(&format!("─[t.rb:{line}:3]")),
            "{code}: line {line}\n{shown}"
        );
    }
    // Without a shell to start, nothing ran.
    let shown = failing(
        "step s \"S\" {\n  run \"true\"\n}\n",
        &[("PATH", "/nonexistent")],
    );
    assert!(shown.contains("runbook::run::not_started"), "{shown}");
}

#[test]
fn the_problem_is_streamed_with_its_place() {
    let t = Runbook::new().file(
        "t.rb",
        format!("{HEAD}step s \"S\" {{\n  run \"echo bad >&2; exit 2\"\n}}\n"),
    );
    let out = t.run_args(&["run", "t.rb", "--json"]);
    assert_eq!(out.code, 1);
    let problem: serde_json::Value = out
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["event"] == "step_problem")
        .expect("a step_problem event");
    let p = &problem["problem"];
    assert_eq!(p["code"], "runbook::run::command_failed");
    assert_eq!(
        (p["file"].as_str(), p["line"].as_u64(), p["column"].as_u64()),
        (Some("t.rb"), Some(4), Some(3))
    );
    assert_eq!(p["stderr"], serde_json::json!(["bad"]));
}
