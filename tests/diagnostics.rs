//! Every broken fixture renders its diagnostic (code, label on the span, help) and exits 2;
//! every warning fixture renders its warning and still exits 0.

use crate::common;

use std::path::Path;

fn rendered(path: &Path) -> (i32, String) {
    let out = common::runbook(&["check", &common::relative(path)]);
    assert!(
        !out.stderr.contains('\u{1b}'),
        "no colour when stderr is not a terminal"
    );
    (
        out.code,
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            out.code, out.stdout, out.stderr
        ),
    )
}

#[test]
fn invalid_fixtures() {
    insta::glob!("fixtures/invalid/*.rb", |path| {
        let (code, text) = rendered(path);
        assert_eq!(code, 2, "{} must be rejected", path.display());
        insta::assert_snapshot!(text);
    });
}

#[test]
fn warning_fixtures() {
    insta::glob!("fixtures/warnings/*.rb", |path| {
        let (code, text) = rendered(path);
        assert_eq!(code, 0, "{} has only warnings", path.display());
        assert!(
            text.contains("⚠"),
            "a warning is shown for {}",
            path.display()
        );
        insta::assert_snapshot!(text);
    });
}

#[test]
fn each_invalid_fixture_has_one_mistake() {
    // One mistake may have a consequence (a misspelt target leaves its host unused), so
    // count errors, not warnings.
    for entry in std::fs::read_dir(common::root().join("tests/fixtures/invalid")).expect("fixtures")
    {
        let path = entry.expect("entry").path();
        let out = common::runbook(&["check", &path.display().to_string()]);
        assert!(
            out.stderr.ends_with(": 1 error\n") || out.stderr.contains(": 1 error, "),
            "{}:\n{}",
            path.display(),
            out.stderr
        );
    }
}
