//! Diagnostic codes are a contract: unique, documented, and each produced by a test.

use crate::common;

use std::collections::BTreeMap;

/// Every `code(runbook::...)` in the sources, with the file it is in.
fn codes() -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut dirs = vec![common::root().join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read source");
            for (i, _) in text.match_indices("code(runbook::") {
                let rest = &text[i + "code(".len()..];
                let end = rest.find(')').expect("closing paren");
                found.push((rest[..end].to_string(), path.display().to_string()));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn codes_are_unique() {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let all = codes();
    assert!(
        all.len() > 60,
        "found only {} codes: is the scan broken?",
        all.len()
    );
    for (code, file) in all {
        if let Some(first) = seen.insert(code.clone(), file.clone()) {
            panic!("{code} is used twice: {first} and {file}");
        }
    }
}

#[test]
fn codes_are_documented() {
    let docs = std::fs::read_to_string(common::root().join("docs/diagnostics.md"))
        .expect("docs/diagnostics.md");
    let missing: Vec<String> = codes()
        .into_iter()
        .map(|(c, _)| c)
        .filter(|c| !docs.contains(&format!("`{c}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "undocumented in docs/diagnostics.md: {missing:?}"
    );
}

#[test]
fn codes_are_exercised() {
    // Fixture snapshots cover the parse and check codes; integration tests assert the rest.
    let mut corpus = String::new();
    for dir in ["tests/snapshots", "tests", "tests/run_cmd", "tests/twin"] {
        for entry in std::fs::read_dir(common::root().join(dir)).expect("tests") {
            let path = entry.expect("entry").path();
            if path.is_file() && path.file_name().is_some_and(|n| n != "codes.rs") {
                corpus.push_str(&std::fs::read_to_string(path).expect("read test"));
            }
        }
    }
    let missing: Vec<String> = codes()
        .into_iter()
        .map(|(c, _)| c)
        .filter(|c| !corpus.contains(c.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "no fixture or test produces: {missing:?}"
    );
}
