//! The parser, as compact trees: precedence, strings, modifiers, docs and spans.

use runbook::source::FileId;
use runbook::syntax::{self, ast, tree};

fn parse(text: &str) -> ast::File {
    syntax::parse(text, FileId(0)).unwrap_or_else(|e| panic!("{text}\n{e:?}"))
}

/// The tree of a file holding `step s "S" { BODY }`, body lines only.
fn body(stmts: &str) -> String {
    let rendered = tree::render(&parse(&format!("step s \"S\" {{\n{stmts}\n}}\n")));
    rendered
        .lines()
        .skip(1)
        .map(|l| l.trim_start())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn operator_precedence() {
    assert_eq!(
        body("check not a == b and c or d"),
        "check (((not (a == b)) and c) or d)"
    );
    assert_eq!(
        body("check 1 + 2 * 3 - 4 / 2 > 0"),
        "check (((1 + (2 * 3)) - (4 / 2)) > 0)"
    );
    assert_eq!(body("check -x.length() < 0"), "check ((-x.length()) < 0)");
    assert_eq!(body("check a or b and c"), "check (a or (b and c))");
    assert_eq!(body("check (a or b) and c"), "check ((a or b) and c)");
    assert_eq!(body("check x != 1 == false"), "check ((x != 1) == false)");
    assert_eq!(
        body("check a ?? \"\" == b + c"),
        "check ((a ?? \"\") == (b + c))"
    );
}

#[test]
fn postfix_chains_and_calls() {
    assert_eq!(
        body("let v = run(\"uname -r\").stdout.trim().split(\".\")[0]"),
        "let v = run(\"uname -r\").stdout.trim().split(\".\")[0]"
    );
    assert_eq!(
        body("compose.up(app, file: \"c.yaml\", build: true, services: [\"web\", \"worker\"],)"),
        "compose.up(app, file: \"c.yaml\", build: true, services: [\"web\", \"worker\"])"
    );
    assert_eq!(
        body("run \"grep x f\", ok: [0, 1]"),
        "run(\"grep x f\", ok: [0, 1])"
    );
    assert_eq!(
        body("log {a: 1, \"b c\": [true, 2.5]}"),
        "log {a: 1, b c: [true, 2.5]}"
    );
}

#[test]
fn statements() {
    assert_eq!(
        body("wait_until http.ok(u) every 500ms timeout 1h30m"),
        "wait_until http.ok(u) every 500ms timeout 1h30m"
    );
    assert_eq!(
        body("approve dangerous \"Drop {{ db }}?\""),
        "approve dangerous \"Drop {{ db }}?\""
    );
    assert_eq!(
        body("check x else \"no\"\nfail \"stop\""),
        "check x else \"no\"\nfail \"stop\""
    );
    assert_eq!(
        body("rollback {\n  run \"undo\"\n}"),
        "rollback\nrun(\"undo\")"
    );
}

#[test]
fn tags_are_a_modifier_and_still_a_name() {
    let text = "step s \"S\" tags [db, web] {\n  let tags = 1\n  log tags\n}\n";
    assert_eq!(
        tree::render(&parse(text)),
        "step s \"S\" (tags [db, web])\n  let tags = 1\n  log tags\n"
    );
}

#[test]
fn if_chains_and_for_loops() {
    assert_eq!(
        body("if a == 1 {\n  log \"one\"\n} else if a == 2 {\n  log \"two\"\n} else {\n  fail \"other\"\n}"),
        "if (a == 1)\nlog \"one\"\nelse if (a == 2)\nlog \"two\"\nelse\nfail \"other\""
    );
    assert_eq!(
        body("for s in [\"a\", \"b\"] {\n  run \"echo {{ s }}\"\n}"),
        "for s in [\"a\", \"b\"]\nrun(\"echo {{ s }}\")"
    );
    // `else` of an `if` is not the `else` of a `check`.
    assert_eq!(
        body("if ok {\n  check x else \"no\"\n}"),
        "if ok\ncheck x else \"no\""
    );
}

#[test]
fn step_modifiers_in_any_order() {
    let text = "step deploy \"Deploy\" timeout 5m on web unless done() sudo disconnects parallel 3 max_fail 10% retry 2 every 10s backoff 2 {\n  run \"true\"\n}\n";
    assert_eq!(
        tree::render(&parse(text)).lines().next(),
        Some("step deploy \"Deploy\" (timeout 5m) (on web) (unless done()) (sudo) (disconnects) (parallel 3) (max_fail 10%) (retry 2 every 10s backoff 2)")
    );
    // `sudo` and `disconnects` are modifiers only there: elsewhere they are names, as in the
    // stdlib's `sudo:`.
    let names = "fn f(sudo = false, disconnects = 1) {\n  run \"true\", sudo: sudo\n}\nlet sudo = 1\nlet disconnects = 2\n";
    assert!(syntax::parse(names, FileId(0)).is_ok());
}

#[test]
fn strings_escapes_and_filters() {
    assert_eq!(
        body("log \"a\\tb \\\"q\\\" \\{{ literal }}\""),
        "log \"a\\tb \\\"q\\\" {{ literal }}\""
    );
    assert_eq!(
        body("log \"{{ r.stdout | trim | default(\"none\") }}\""),
        "log \"{{ r.stdout | trim | default(\"none\") }}\""
    );
    assert_eq!(
        body("run \"echo {{x|raw}}\""),
        "run(\"echo {{ x | raw }}\")"
    );
    assert_eq!(body("log \"one \\\n  two\""), "log \"one   two\"");
}

#[test]
fn triple_quoted_strings_are_dedented_to_the_closing_quotes() {
    let text = "step s \"S\" {\n  run \"\"\"\n    cat > /tmp/f <<'EOF'\n      indented {{ x }}\n    EOF\n    \"\"\"\n}\n";
    let file = parse(text);
    let ast::Stmt::Step(step) = &file.stmts[0].node else {
        panic!("a step")
    };
    let ast::Stmt::Expr(e) = &step.body.stmts[0].node else {
        panic!("an expression")
    };
    let ast::Expr::Call(_, args) = &e.node else {
        panic!("a call")
    };
    assert_eq!(
        tree::expr(&args[0].value.node),
        "\"cat > /tmp/f <<'EOF'\\n  indented {{ x }}\\nEOF\""
    );
}

#[test]
fn doc_comments_are_kept_and_comments_dropped() {
    let text = "##! The module.\n\n# a comment\n### a banner, not a doc\n## Says hi.\n## Twice.\nfn hi() { # trailing\n  return \"hi\" ## not a doc either\n}\n";
    let file = parse(text);
    assert_eq!(file.doc.as_deref(), Some("The module."));
    let ast::Stmt::Fn(f) = &file.stmts[0].node else {
        panic!("a fn")
    };
    assert_eq!(f.doc.as_deref(), Some("Says hi.\nTwice."));
}

#[test]
fn spans_point_at_the_source_and_exclude_trailing_comments() {
    let text = "let greeting = \"hi\"   # note\nlet n = greeting.length()\n";
    let file = parse(text);
    let ast::Stmt::Let(first) = &file.stmts[0].node else {
        panic!("a let")
    };
    assert_eq!(&text[first.value.span.range()], "\"hi\"");
    assert_eq!(&text[file.stmts[0].span.range()], "let greeting = \"hi\"");
    let ast::Stmt::Let(second) = &file.stmts[1].node else {
        panic!("a let")
    };
    let ast::Expr::Call(callee, _) = &second.value.node else {
        panic!("a call")
    };
    let ast::Expr::Field(obj, name) = &callee.node else {
        panic!("a field")
    };
    assert_eq!(&text[obj.span.range()], "greeting");
    assert_eq!(&text[name.span.range()], "length");
}

#[test]
fn keywords_are_fields_but_not_names() {
    assert_eq!(body("log git.log(app)"), "log git.log(app)");
    assert!(syntax::parse("let timeout = 1\n", FileId(0)).is_err());
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let big = "#".repeat(runbook::source::MAX_SOURCE_BYTES + 1);
    let errors = syntax::parse(&big, FileId(0)).expect_err("too large");
    assert!(
        matches!(errors[0], syntax::Error::FileTooLarge { .. }),
        "{errors:?}"
    );
    let code = miette::Diagnostic::code(&errors[0]).map(|c| c.to_string());
    assert_eq!(code.as_deref(), Some("runbook::parse::file_too_large"));
}
