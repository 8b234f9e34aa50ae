//! `runbook fmt`: one canonical layout, comments kept, strings untouched, idempotent; the
//! shipped runbooks and the stdlib are in it (CI runs this).

use crate::common::{self, Runbook};

/// Every `.rb` file under `dir`, sorted.
fn rb_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rb") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_shipped_runbooks_and_the_stdlib_are_formatted() {
    let mut args = vec!["fmt".to_string(), "--check".to_string()];
    for dir in ["runbooks", "stdlib"] {
        let files = rb_files(&common::root().join(dir));
        assert!(!files.is_empty(), "{dir} has runbooks");
        args.extend(files.iter().map(|f| f.display().to_string()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::runbook(&args);
    assert_eq!(out.code, 0, "run `runbook fmt` on them:\n{}", out.stderr);
}

/// Formatting any file that parses gives a file that parses, and formatting it again
/// changes nothing: over every runbook, module and fixture of the project.
#[test]
fn formatting_is_idempotent_and_keeps_every_file_parsing() {
    let mut checked = 0;
    for dir in ["runbooks", "stdlib", "tests/fixtures"] {
        for path in rb_files(&common::root().join(dir)) {
            let text = std::fs::read_to_string(&path).expect("read");
            if runbook::syntax::parse(&text, runbook::source::FileId(0)).is_err() {
                continue;
            }
            let once = runbook::format::format(&text);
            assert!(
                runbook::syntax::parse(&once, runbook::source::FileId(0)).is_ok(),
                "{} no longer parses once formatted:\n{once}",
                path.display()
            );
            assert_eq!(runbook::format::format(&once), once, "{}", path.display());
            // Only whitespace outside strings may change.
            let squash = |t: &str| t.split_whitespace().collect::<String>();
            assert_eq!(squash(&once), squash(&text), "{}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 40, "the files were found: {checked}");
}

#[test]
fn fmt_lays_a_file_out_in_place_and_check_lists_what_is_not() {
    let messy = "runbook m \"M\"\n\n\n# why: the cache\nstep a \"A\" {\n\n      run \"echo {\"   # a brace in a string\n        }\nstep b \"B\" {\nlog \"\"\"\n   as written\n\"\"\"\n}\n";
    let tidy = "runbook m \"M\"\n\n# why: the cache\nstep a \"A\" {\n  run \"echo {\"   # a brace in a string\n}\n\nstep b \"B\" {\n  log \"\"\"\n   as written\n\"\"\"\n}\n";
    let t = Runbook::new().file("m.rb", messy);
    let check = t.run_args(&["fmt", "--check", "m.rb"]);
    assert_eq!(check.code, 10, "{}", check.stderr);
    assert!(
        check.stderr.contains("m.rb: not formatted (from line 3)"),
        "{}",
        check.stderr
    );
    let unchanged = std::fs::read_to_string(t.path().join("m.rb")).expect("m.rb");
    assert_eq!(unchanged, messy, "--check changes nothing");
    let out = t.run_args(&["fmt", "m.rb"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let formatted = std::fs::read_to_string(t.path().join("m.rb")).expect("m.rb");
    assert_eq!(formatted, tidy);
    assert_eq!(t.run_args(&["fmt", "--check", "m.rb"]).code, 0);
    assert_eq!(t.run_args(&["check", "m.rb"]).code, 0);
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_left_alone() {
    let broken = "runbook b \"B\"\nstep a \"A\" {\n  run \"x\"\n";
    let t = Runbook::new().file("b.rb", broken);
    let out = t.run_args(&["fmt", "b.rb"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("runbook::parse::"),
        "a coded diagnostic: {}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("b.rb")).expect("b.rb"),
        broken
    );
}
