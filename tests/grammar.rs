//! The TextMate grammar of `editors/` (VS Code, and GitHub-style highlighters), tested on
//! sample files in the format of vscode-tmgrammar-test: under a line of code, a comment
//! line of `^` marks (or `<--` from column 0) names the scopes those columns must have.
//! The grammar is run by a small TextMate tokenizer (match, begin/end, captures, include)
//! over fancy-regex, which reads the Oniguruma syntax the grammar keeps to.

mod tokenizer;

use crate::common;
use tokenizer::Grammar;

fn grammar() -> Grammar {
    let path = common::root().join("editors/vscode/syntaxes/runbook.tmLanguage.json");
    Grammar::load(&std::fs::read_to_string(path).expect("the grammar"))
}

/// One assertion: columns of a source line and the scopes each must carry.
struct Assertion {
    line: usize,
    columns: std::ops::Range<usize>,
    scopes: Vec<String>,
    text: String,
}

/// Splits a sample into its source lines and its assertions.
fn read_sample(text: &str) -> (Vec<&str>, Vec<Assertion>) {
    let mut source: Vec<&str> = Vec::new();
    let mut assertions = Vec::new();
    for line in text.lines() {
        let rest = line.strip_prefix('#').map(str::trim_start);
        let marks = rest.filter(|r| r.starts_with('^') || r.starts_with("<-"));
        let (Some(marks), Some(last)) = (marks, source.len().checked_sub(1)) else {
            source.push(line);
            continue;
        };
        let columns = if let Some(dashes) = marks.strip_prefix('<') {
            let n = dashes.chars().take_while(|c| *c == '-').count();
            0..n
        } else {
            let start = line.find('^').unwrap_or(0);
            let n = line[start..].chars().take_while(|c| *c == '^').count();
            start..start + n
        };
        let scopes = marks
            .trim_start_matches(['^', '<', '-'])
            .split_whitespace()
            .map(str::to_string)
            .collect();
        assertions.push(Assertion {
            line: last,
            columns,
            scopes,
            text: line.to_string(),
        });
    }
    (source, assertions)
}

#[test]
fn the_samples_are_highlighted_as_their_assertions_say() {
    let grammar = grammar();
    let dir = common::root().join("tests/fixtures/grammar");
    let mut count = 0;
    let mut failures = Vec::new();
    let mut samples: Vec<_> = std::fs::read_dir(&dir)
        .expect("samples")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rb"))
        .collect();
    samples.sort();
    for path in &samples {
        let text = std::fs::read_to_string(path).expect("sample");
        let (source, assertions) = read_sample(&text);
        let scopes = grammar.tokenize(&source);
        for a in &assertions {
            count += 1;
            for col in a.columns.clone() {
                let have = scopes[a.line].get(col).cloned().unwrap_or_default();
                let missing: Vec<&String> = a.scopes.iter().filter(|s| !have.contains(s)).collect();
                if !missing.is_empty() {
                    failures.push(format!(
                        "{}:{} column {col} of `{}`\n  {}\n  has {have:?}",
                        path.file_name()
                            .map(|n| n.to_string_lossy())
                            .unwrap_or_default(),
                        a.line + 1,
                        source[a.line],
                        a.text
                    ));
                    break;
                }
            }
        }
    }
    assert!(
        samples.len() >= 2 && count >= 40,
        "the samples hold assertions: {count}"
    );
    assert!(
        failures.is_empty(),
        "{} of {count} assertions fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every keyword of the language is highlighted as one: the grammar's word lists cannot
/// fall behind the parser's.
#[test]
fn every_keyword_of_the_language_is_highlighted() {
    let grammar = grammar();
    for word in runbook::syntax::KEYWORDS {
        let line = format!("{word} ");
        let scopes = grammar.tokenize(&[line.as_str()]);
        let first = &scopes[0][0];
        assert!(
            first.iter().any(|s| s.starts_with("keyword.")
                || s.starts_with("storage.")
                || s.starts_with("constant.language")),
            "`{word}` is highlighted as {first:?}"
        );
    }
}

/// The runbooks shipped are all detected as runbooks by their first line (`.rb` is Ruby's).
#[test]
fn runbook_files_are_told_from_ruby_by_their_first_line() {
    let grammar = grammar();
    for dir in ["runbooks", "stdlib"] {
        for entry in std::fs::read_dir(common::root().join(dir))
            .expect("dir")
            .flatten()
        {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "rb") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            let first = text.lines().next().unwrap_or("");
            assert!(
                grammar.first_line_matches(first),
                "{}: `{first}`",
                path.display()
            );
        }
    }
    assert!(
        !grammar.first_line_matches("require 'json'"),
        "Ruby is not a runbook"
    );
    assert!(!grammar.first_line_matches("class Deploy < Base"));
    assert!(!grammar.first_line_matches("# frozen_string_literal: true"));
    assert!(
        grammar.first_line_matches("# vim: set ft=runbook:"),
        "a modeline"
    );
}
