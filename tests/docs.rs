//! Generated documentation stays in step with the code it is generated from.

use crate::common;

#[test]
fn the_stdlib_reference_is_up_to_date() {
    let out = common::runbook(&["doc", "--stdlib"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let committed =
        std::fs::read_to_string(common::root().join("docs/stdlib.md")).expect("docs/stdlib.md");
    assert!(
        committed == out.stdout,
        "docs/stdlib.md is stale: run `cargo run -- doc --stdlib -o docs/stdlib.md`"
    );
    for (module, _) in runbook::stdlib::MODULES {
        assert!(
            committed.contains(&format!("## std.{module}\n")),
            "std.{module} is documented"
        );
    }
    assert!(
        !committed.contains("_client("),
        "helpers (names starting with `_`) are not documented"
    );
}

#[test]
fn every_stdlib_module_is_used_by_a_shipped_runbook() {
    let mut used = String::new();
    for entry in std::fs::read_dir(common::root().join("runbooks")).expect("runbooks") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "rb") {
            used.push_str(&std::fs::read_to_string(path).expect("read"));
        }
    }
    for (module, _) in runbook::stdlib::MODULES {
        assert!(
            used.contains(&format!("use std.{module}\n")),
            "no runbook in runbooks/ uses std.{module}"
        );
    }
}

#[test]
fn every_stdlib_function_has_a_doc_comment_with_an_example() {
    for (module, text) in runbook::stdlib::MODULES {
        let file = runbook::syntax::parse(text, runbook::source::FileId(0)).expect("parses");
        assert!(file.doc.is_some(), "std.{module} has a `##!` summary");
        for stmt in &file.stmts {
            if let runbook::syntax::ast::Stmt::Fn(f) = &stmt.node {
                if f.name.node.starts_with('_') {
                    continue;
                }
                let doc = f
                    .doc
                    .as_deref()
                    .unwrap_or_else(|| panic!("{module}.{} has no doc comment", f.name.node));
                assert!(
                    doc.contains("Runs:") && doc.contains("Example:"),
                    "{module}.{} says what it runs and shows an example",
                    f.name.node
                );
            }
        }
    }
}
