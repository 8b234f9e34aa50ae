//! Mutated runbooks never panic the parser or the checker: they get diagnostics.

use proptest::prelude::*;
use runbook::check::{self, Options};
use runbook::source::SourceMap;

const CORPUS: &[&str] = &[
    include_str!("../runbooks/hello.rb"),
    include_str!("../runbooks/deploy.rb"),
    include_str!("../stdlib/compose.rb"),
    include_str!("../stdlib/http.rb"),
    include_str!("fixtures/invalid/raw_secret_through_let.rb"),
    include_str!("fixtures/invalid/recursive_function.rb"),
];

/// Fragments that stress the grammar where it is most delicate.
const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "\"\"\"",
    "{{",
    "}}",
    "{%",
    "|",
    "| raw",
    "\\",
    "\n",
    "#",
    "## ",
    "##! ",
    "step",
    "fn",
    "run",
    "check",
    "rollback {",
    "approve dangerous",
    "on",
    "when",
    "parallel 0",
    "retry 3 every",
    "timeout",
    "0s",
    "99999999999999999999",
    "1h30m",
    "é",
    "\u{0}",
    "\t",
    "not",
    "and",
    "==",
    "-",
    ".",
    ",",
    ":",
    "let x = ",
    "return",
    "fail",
    "[[[[[[[[[[[[[[[[",
    "+ 1 + 1 + 1 + 1",
    "- - - - -",
    ".a.b.c.d",
    "use std.",
    "host h = ssh(",
    "group g = [",
    "secret s = env(",
    "param p: ",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, fragment: usize },
    Duplicate { at: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 0..FRAGMENTS.len())
            .prop_map(|(at, fragment)| Mutation::Insert { at, fragment }),
        (any::<usize>(), 1usize..80).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
    ]
}

/// The char boundary at or before a position taken modulo the length.
fn boundary(text: &str, at: usize) -> usize {
    let mut i = at % (text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut out = text.to_string();
    match *m {
        Mutation::Delete { at, len } => {
            let start = boundary(&out, at);
            let end = boundary(&out, (start + len).min(out.len()));
            out.replace_range(start..end, "");
        }
        Mutation::Insert { at, fragment } => {
            let at = boundary(&out, at);
            out.insert_str(at, FRAGMENTS[fragment]);
        }
        Mutation::Duplicate { at, len } => {
            let start = boundary(&out, at);
            let end = boundary(&out, (start + len).min(out.len()));
            let piece = out[start..end].to_string();
            out.insert_str(end, &piece);
        }
    }
    out
}

fn check_text(text: &str, strict: bool) {
    let mut sources = SourceMap::default();
    let file = sources.add("fuzz.rb", text);
    let outcome = check::check_file(&mut sources, file, Options { strict });
    // Rendering is part of what users see: it must not panic either.
    for p in &outcome.problems {
        let rendered = runbook::report::render_problem(p, &sources, false);
        assert!(!rendered.is_empty());
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1500)
}

proptest! {
    // PROPTEST_CASES=100000 for a longer hunt; CI runs the default.
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_runbooks_never_panic(doc in 0..CORPUS.len(), mutations in prop::collection::vec(mutation(), 1..6), strict: bool) {
        let mut text = CORPUS[doc].to_string();
        for m in &mutations {
            text = apply(&text, m);
        }
        check_text(&text, strict);
    }

    #[test]
    fn token_soup_never_panics(parts in prop::collection::vec(0..FRAGMENTS.len(), 0..60)) {
        let text: String = parts.iter().map(|i| FRAGMENTS[*i]).collect::<Vec<_>>().join(" ");
        check_text(&text, false);
    }
}
