//! What a person sees of a run (colour off, not a terminal), with timings normalised.

use crate::common;

use common::Runbook;

/// Durations become `[t]`; table cells keep their width so the table stays aligned.
fn normalise(text: &str) -> String {
    let cell = regex::Regex::new(r"│ (\d+(?:\.\d+)?m?s)( *)│").expect("regex");
    let text = cell.replace_all(text, |c: &regex::Captures| {
        let width = c[1].len() + c[2].len();
        format!("│ {:<width$}│", "[t]")
    });
    let inline = regex::Regex::new(r"(· |after |in )\d+(?:\.\d+)?m?s\b").expect("regex");
    let text = inline.replace_all(&text, "${1}[t]");
    let run_id = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        .expect("regex");
    let text = run_id.replace_all(&text, "[run-id]");
    let tmp = regex::Regex::new(r"journal \S*/\.state/runbook/").expect("regex");
    tmp.replace_all(&text, "journal [state]/").into_owned()
}

fn snapshot(name: &str, fixture: &str, args: &[&str]) {
    let text = std::fs::read_to_string(common::root().join(fixture)).expect("fixture");
    let t = Runbook::new().file("run.rb", text);
    let mut all = vec!["run", "run.rb"];
    all.extend_from_slice(args);
    let out = t.run_args(&all);
    let shown = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.code, out.stdout, out.stderr
    );
    insta::assert_snapshot!(name, normalise(&shown));
}

#[test]
fn hello() {
    snapshot("hello", "runbooks/hello.rb", &["--set", "name=Snapshot"]);
}

#[test]
fn failing_deploy_rolls_back() {
    snapshot("rollback", "tests/fixtures/runs/rollback.rb", &[]);
}

#[test]
fn retries_guards_and_waits() {
    snapshot("retry", "tests/fixtures/runs/retry.rb", &["-v"]);
}
