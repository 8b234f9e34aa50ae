//! `runbook check` as users run it.

use crate::common;

use common::Runbook;

const GOOD: &str = "runbook hello \"Hello\"\n\nstep one \"One\" {\n  run \"true\"\n}\n";

#[test]
fn shipped_runbooks_and_stdlib_pass() {
    let out = common::runbook(&[
        "check",
        "runbooks/hello.rb",
        "runbooks/deploy.rb",
        "stdlib/http.rb",
        "stdlib/git.rb",
        "stdlib/compose.rb",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "", "no warnings in what we ship");
    assert!(
        out.stdout
            .contains("ok runbooks/hello.rb: runbook `hello`, 7 steps\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("ok runbooks/deploy.rb: runbook `deploy`, 5 steps\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("ok stdlib/http.rb: module, 5 functions\n"),
        "{}",
        out.stdout
    );
    assert_eq!(out.stdout.lines().count(), 5, "one line per file");
}

#[test]
fn every_file_is_checked_even_after_a_bad_one() {
    let t = Runbook::new()
        .file(
            "bad.rb",
            "runbook bad \"Bad\"\n\nstep one \"One\" on nowhere {\n  run \"true\"\n}\n",
        )
        .file("good.rb", GOOD)
        .args(&["check", "bad.rb", "good.rb"]);
    let out = t.run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("runbook::check::undefined_target"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("bad.rb: 1 error"), "{}", out.stderr);
    assert_eq!(out.stdout, "ok good.rb: runbook `hello`, 1 step\n");
}

#[test]
fn all_problems_are_reported_at_once() {
    let out = Runbook::new()
        .file(
            "many.rb",
            "runbook many \"Many\"\nuse std.nope\n\nstep a \"A\" on ghost {\n  log missing\n  check 42\n}\n\nstep a \"Again\" {\n  run \"true\"\n}\n",
        )
        .args(&["check", "many.rb"])
        .run();
    assert_eq!(out.code, 2);
    for code in [
        "unknown_module",
        "undefined_target",
        "undefined_variable",
        "type_mismatch",
        "duplicate_step",
    ] {
        assert!(
            out.stderr.contains(&format!("runbook::check::{code}")),
            "{code} missing:\n{}",
            out.stderr
        );
    }
    assert!(out.stderr.contains("many.rb: 5 errors"), "{}", out.stderr);
}

#[test]
fn strict_flags_every_raw_interpolation() {
    let text = "runbook raw \"Raw\"\n\nparam flags = \"-la\"\n\nstep one \"One\" {\n  run \"ls {{ flags | raw }}\"\n}\n";
    let t = Runbook::new().file("raw.rb", text);
    let relaxed = t.run_args(&["check", "raw.rb"]);
    assert_eq!(relaxed.code, 0, "{}", relaxed.stderr);
    let strict = t.run_args(&["check", "--strict", "raw.rb"]);
    assert_eq!(strict.code, 2);
    assert!(
        strict.stderr.contains("runbook::check::raw_interpolation"),
        "{}",
        strict.stderr
    );
    assert!(
        strict.stderr.contains("`| raw` turns shell quoting off"),
        "{}",
        strict.stderr
    );
}

#[test]
fn warnings_do_not_fail() {
    let out = Runbook::new()
        .file(
            "w.rb",
            "runbook w \"W\"\n\nparam unused = 1\n\nstep one \"One\" {\n  run \"true\"\n}\n",
        )
        .args(&["check", "w.rb"])
        .run();
    assert_eq!(out.code, 0);
    assert!(
        out.stderr.contains("param `unused` is never used"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "ok w.rb: runbook `w`, 1 step (1 warning)\n");
}

#[test]
fn unreadable_inputs_are_clear_errors() {
    let t = Runbook::new()
        .file("latin1.rb", b"runbook x \"caf\xe9\"\n")
        .file("dir/keep", "");
    // Larger than a runbook may be, without writing 64 MiB (a sparse file).
    std::fs::File::create(t.path().join("huge.rb"))
        .and_then(|f| f.set_len(65 * 1024 * 1024))
        .expect("sparse file");
    for (file, code, message) in [
        (
            "missing.rb",
            "runbook::read::unreadable",
            "cannot read missing.rb: No such file or directory",
        ),
        (
            "latin1.rb",
            "runbook::read::not_utf8",
            "cannot read latin1.rb: not UTF-8 text (invalid byte at offset 14)",
        ),
        (
            "dir",
            "runbook::read::directory",
            "cannot read dir: it is a directory",
        ),
        (
            "huge.rb",
            "runbook::read::too_large",
            "is more than a runbook may be (64 MiB)",
        ),
    ] {
        let out = t.run_args(&["check", file]);
        assert_eq!(out.code, 2, "{file}");
        let said = out.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            said.contains(code) && said.contains(message),
            "{file}: {}",
            out.stderr
        );
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let t = Runbook::new().file(
        "bad.rb",
        "runbook bad \"Bad\"\nstep one \"One\" { check 1 }\n",
    );
    let piped = t.run_args(&["check", "bad.rb"]);
    assert!(
        !piped.stderr.contains('\u{1b}'),
        "not a terminal: no colour"
    );
    let forced = t.run_args(&["--color", "always", "check", "bad.rb"]);
    assert!(forced.stderr.contains('\u{1b}'), "--color always colours");
    let never = t.run_env(
        &["--color", "never", "check", "bad.rb"],
        &[("NO_COLOR", "1")],
    );
    assert!(!never.stderr.contains('\u{1b}'));
    // The conventions: CLICOLOR_FORCE colours even without a terminal; NO_COLOR wins.
    let clicolor = t.run_env(&["check", "bad.rb"], &[("CLICOLOR_FORCE", "1")]);
    assert!(clicolor.stderr.contains('\u{1b}'), "CLICOLOR_FORCE colours");
    let both = t.run_env(
        &["check", "bad.rb"],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
    );
    assert!(!both.stderr.contains('\u{1b}'), "NO_COLOR wins");
}

#[test]
fn help_documents_the_exit_codes() {
    let out = common::runbook(&["--help"]);
    assert_eq!(out.code, 0);
    for line in [
        "0    success",
        "2    invalid runbook or usage",
        "3    paused: waiting for an approval",
        "4    a rollback failed",
        "5    a step failed and nothing was rolled back (--no-rollback)",
        "6    an approval was declined",
        "7    another run holds the runbook's lock",
        "8    the journal could not be written (disk full?): the run stopped",
        "130  interrupted (SIGINT)",
        "143  terminated (SIGTERM)",
    ] {
        assert!(
            out.stdout.contains(line),
            "{line} missing from --help:\n{}",
            out.stdout
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = common::runbook(&["check"]);
    assert_eq!(out.code, 2);
    let out = common::runbook(&["frobnicate"]);
    assert_eq!(out.code, 2);
}

#[test]
fn extreme_inputs_get_diagnostics_not_crashes() {
    let chain = format!(
        "runbook x \"X\"\nlet total = {}\n",
        vec!["1"; 100_000].join(" + ")
    );
    let negations = format!("runbook x \"X\"\nlet n = {}1\n", "-".repeat(100_000));
    let fields = format!("runbook x \"X\"\nlet n = a{}\n", ".b".repeat(100_000));
    let nested = format!(
        "runbook x \"X\"\nlet n = {}{}\n",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let far_label = format!(
        "runbook x \"X\"\nlet _n = \"{}\" + missing\n",
        "x".repeat(5_000)
    );
    let t = Runbook::new()
        .file("chain.rb", chain)
        .file("neg.rb", negations)
        .file("fields.rb", fields)
        .file("nested.rb", nested)
        .file("far.rb", far_label);
    for (file, code) in [
        ("chain.rb", "runbook::parse::too_complex"),
        ("neg.rb", "runbook::parse::too_complex"),
        ("fields.rb", "runbook::parse::too_complex"),
        ("nested.rb", "runbook::parse::too_deep"),
        ("far.rb", "runbook::check::undefined_variable"),
    ] {
        let out = t.run_args(&["check", file]);
        assert_eq!(out.code, 2, "{file}: {}", out.stderr);
        assert!(
            out.stderr.contains(code),
            "{file}: {}",
            &out.stderr[..out.stderr.len().min(2000)]
        );
    }
    let far = t.run_args(&["check", "far.rb"]);
    assert!(
        far.stderr.starts_with("at far.rb:2:5015\n"),
        "the location of a label far right: {}",
        &far.stderr[..200]
    );
    assert!(far.stderr.len() < 1000, "the long line is not printed");
}

#[test]
fn a_flood_of_problems_is_capped() {
    let text = format!("runbook x \"X\"\n{}", "}\n".repeat(500));
    let out = Runbook::new()
        .file("flood.rb", text)
        .args(&["check", "flood.rb"])
        .run();
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr
            .matches("runbook::parse::unexpected_close")
            .count(),
        50
    );
    assert!(
        out.stderr
            .contains("... and 450 more problems\nflood.rb: 500 errors\n"),
        "{}",
        &out.stderr[out.stderr.len() - 200..]
    );
}

/// `check --json`: one document with every file's verdict and every problem, its code,
/// severity, message, help and spans (byte offsets, lines and columns), and the same exit
/// code as without `--json`.
#[test]
fn json_lists_every_problem_with_its_code_and_place() {
    let t = Runbook::new()
        .file("good.rb", GOOD)
        .file(
            "bad.rb",
            "runbook bad \"Bad\"\n\nstep one \"One\" {\n  run \"echo {{ nope }}\"\n  let unused = 1\n}\n",
        )
        .file("latin1.rb", vec![b'r', 0xe9, b'\n']);
    let out = t.run_args(&[
        "check",
        "--json",
        "good.rb",
        "bad.rb",
        "latin1.rb",
        "gone.rb",
    ]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.stderr, "", "nothing but the document is printed");
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    assert_eq!(doc["v"], 1);
    assert_eq!(doc["ok"], false);
    let files = doc["files"].as_array().expect("files");
    let paths: Vec<&str> = files
        .iter()
        .map(|f| f["path"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(paths, ["good.rb", "bad.rb", "latin1.rb", "gone.rb"]);
    assert_eq!(files[0]["ok"], true);
    assert_eq!(files[0]["summary"]["steps"], 1);
    let bad = files[1]["diagnostics"].as_array().expect("diagnostics");
    let undefined = bad
        .iter()
        .find(|d| d["code"] == "runbook::check::undefined_variable")
        .expect("the undefined variable");
    assert_eq!(undefined["severity"], "error");
    assert_eq!(undefined["file"], "bad.rb");
    let label = &undefined["labels"][0];
    assert_eq!(
        (label["line"].as_u64(), label["column"].as_u64()),
        (Some(4), Some(16))
    );
    let start = label["start"].as_u64().expect("start") as usize;
    let end = label["end"].as_u64().expect("end") as usize;
    let text = std::fs::read_to_string(t.path().join("bad.rb")).expect("bad.rb");
    assert_eq!(&text[start..end], "nope");
    assert!(
        bad.iter()
            .any(|d| d["code"] == "runbook::check::unused" && d["severity"] == "warning"),
        "{bad:?}"
    );
    assert_eq!(
        files[2]["diagnostics"][0]["code"],
        "runbook::read::not_utf8"
    );
    assert_eq!(
        files[3]["diagnostics"][0]["code"],
        "runbook::read::unreadable"
    );
    let errors = files
        .iter()
        .flat_map(|f| f["diagnostics"].as_array().cloned().unwrap_or_default())
        .filter(|d| d["severity"] == "error")
        .count();
    assert!(errors >= 3);
    assert_eq!(doc["errors"], errors);
    assert_eq!(doc["warnings"], 1);
}
