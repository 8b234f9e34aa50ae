//! `runbook run` on the local host: every construct, every failure mode, and what users
//! see of them.

use crate::common;
#[path = "run_cmd/captures.rs"]
mod captures;
#[path = "run_cmd/cleanup.rs"]
mod cleanup;
#[path = "run_cmd/contract.rs"]
mod contract;
#[path = "run_cmd/control.rs"]
mod control;
#[path = "run_cmd/inventory.rs"]
mod inventory;
#[path = "run_cmd/limits.rs"]
mod limits;
#[path = "run_cmd/modules.rs"]
mod modules;
#[path = "run_cmd/notify.rs"]
mod notify;
#[path = "run_cmd/problems.rs"]
mod problems;
#[path = "run_cmd/secrets.rs"]
mod secrets;
#[path = "run_cmd/select.rs"]
mod select;
#[path = "run_cmd/settings.rs"]
mod settings;
#[path = "run_cmd/signals.rs"]
mod signals;

use std::path::Path;

use common::{Output, Runbook};

const HEAD: &str = "runbook t \"Test\"\n\n";

/// A runbook `t.rb` in a fresh directory, run with `args` (after `run t.rb`).
fn run(body: &str, args: &[&str]) -> (Runbook, Output) {
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    let mut all = vec!["run", "t.rb"];
    all.extend_from_slice(args);
    let out = t.run_args(&all);
    (t, out)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_default()
}

fn events(out: &Output) -> Vec<serde_json::Value> {
    out.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

use common::running;

#[test]
fn hello_runs_end_to_end() {
    let out = common::runbook(&["run", "runbooks/hello.rb"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("✓ Make a scratch directory · here"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("  │ hello, world\n"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("  › the token is •••• (masked in every output)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("↷ Refuse silly counts · local — `times > 100` is false"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("✓ succeeded in "), "{}", out.stdout);
}

#[test]
fn steps_run_in_order_and_output_streams_under_its_step() {
    let (t, out) = run(
        "step one \"First\" {\n  run \"echo one >> order; echo out-one; echo err-one >&2\"\n}\n\nstep two \"Second\" {\n  run \"echo two >> order\"\n}\n",
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(read(t.path(), "order"), "one\ntwo\n");
    let first = out
        .stdout
        .find("▸ First · local")
        .expect("header of the first step");
    let line = out.stdout.find("  │ out-one").expect("stdout line");
    let err = out.stdout.find("  │ err-one").expect("stderr line");
    let done = out.stdout.find("✓ First · local").expect("finish line");
    assert!(first < line && line < done && err < done, "{}", out.stdout);
    assert!(
        out.stdout.contains("│ one  │ local │ ok"),
        "summary table: {}",
        out.stdout
    );
}

#[test]
fn a_failing_command_fails_the_step_and_stops_the_run() {
    let (t, out) = run(
        "step one \"Breaks\" {\n  run \"echo 'disk full' >&2; exit 3\"\n}\n\nstep two \"Never\" {\n  run \"touch ran\"\n}\n",
        &[],
    );
    assert_eq!(out.code, 1);
    assert!(!t.path().join("ran").exists(), "later steps do not run");
    assert!(out.stdout.contains("✗ Breaks · local"), "{}", out.stdout);
    assert!(
        out.stdout.contains("exited with 3: disk full"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("✗ failed at step one"),
        "{}",
        out.stdout
    );
}

#[test]
fn exit_codes_listed_in_ok_do_not_fail() {
    let (_, out) = run(
        "step one \"Grep\" {\n  let r = run(\"grep -q nothing /dev/null\", ok: [0, 1])\n  log \"code={{ r.code }} ok={{ r.ok }}\"\n  check r.code == 1\n  check not r.ok\n}\n",
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("› code=1 ok=false"), "{}", out.stdout);
}

#[test]
fn results_captures_and_string_helpers() {
    let (_, out) = run(
        "step one \"Capture\" {\n  let r = run(\"printf ' 42 \\\\nsecond line\\\\n'; echo warn >&2\")\n  let n = r.stdout.lines()[0].trim().to_int()\n  check n + 1 == 43 else \"arithmetic\"\n  check r.stderr.contains(\"warn\")\n  check r.stdout.matches(\"^ 42\")\n  check \"a,b,c\".split(\",\").length() == 3\n}\n\nstep two \"Later\" {\n  let word = \"loud\"\n  log \"n was {{ n }}; {{ word | upper | replace(\"O\", \"0\") }}\"\n}\n",
        &["--json"],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    let logs: Vec<String> = events(&out)
        .iter()
        .filter(|e| e["event"] == "log")
        .map(|e| e["message"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(logs, ["n was 42; L0UD"]);
}

#[test]
fn check_failure_uses_the_message_or_the_expression() {
    let (_, out) = run(
        "step one \"Check\" {\n  check 1 > 2 else \"one is not more than two\"\n}\n",
        &[],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("— one is not more than two"),
        "{}",
        out.stdout
    );
    let (_, out) = run(
        "step one \"Check\" {\n  check run(\"false\", ok: [1]).ok\n}\n",
        &[],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("— check failed: run(\"false\", ok: [1]).ok"),
        "{}",
        out.stdout
    );
}

#[test]
fn wait_until_polls_until_true_or_times_out() {
    let (_, out) = run(
        "step one \"Wait\" {\n  run \"(sleep 0.3; touch ready) > /dev/null 2>&1 &\"\n  wait_until run(\"test -e ready\", ok: [0, 1]).ok every 100ms timeout 5s\n}\n",
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    let (_, out) = run("step one \"Wait\" {\n  wait_until run(\"test -e never\", ok: [0, 1]).ok every 100ms timeout 400ms\n}\n", &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("`run(\"test -e never\", ok: [0, 1]).ok` still false after 400ms"),
        "{}",
        out.stdout
    );
}

/// A condition that cannot be told yet (its command fails while the thing starts, a list is
/// still empty) is "not yet", not the end of the wait; at the timeout, the last error is said.
#[test]
fn wait_until_takes_an_error_for_not_yet_and_names_the_last_one() {
    let body = r#"step one "Wait" {
  run "(sleep 0.3; echo ready > state) > /dev/null 2>&1 &"
  wait_until run("cat state").stdout.lines().last() == "ready" every 100ms timeout 5s
}
"#;
    let (_, out) = run(body, &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let body = r#"step one "Wait" {
  wait_until run("touch state; cat state").stdout.lines().last() == "ready" every 100ms timeout 400ms
}
"#;
    let (_, out) = run(body, &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("not true after 400ms: the last try failed:"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("runbook::run::wait_timed_out"),
        "{}",
        out.stdout
    );
}

/// Versions compare part by part (strings would not: `"10.2.0" < "9.1.0"`), and
/// `captures` gives a regex's groups.
#[test]
fn versions_compare_as_versions_and_captures_gives_the_groups() {
    let body = r#"step kernel "Kernel" {
  let release = run("echo 6.1.0-28-amd64").stdout.trim()
  let parts = release.captures("^(\\d+)\\.(\\d+)\\.(\\d+)")
  check parts == ["6", "1", "0"]
  check release.captures("^nothing(\\d)").is_empty()
  check version(parts.join(".")) >= "6.1" else "too old"
  check version("10.2.0") > version("9.1.0")
  check "10.2.0" < "9.1.0" else "strings compare as text"
  check version("1.0") == "1.0.0"
  check version("1.0.0-rc1") < version("1.0.0")
  log "kernel {{ release }} is at least 6.1"
}

step bad "Not a version" {
  check version("latest") > version("1.0")
}
"#;
    let (_, out) = run(body, &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("kernel 6.1.0-28-amd64 is at least 6.1"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("`latest` is not a version such as 1.2.3"),
        "{}",
        out.stdout
    );
}

/// A capture of a skipped step has no value: `??` gives the fallback, and `check` does not
/// warn about a use that has one.
#[test]
fn a_capture_of_a_skipped_step_takes_its_fallback() {
    let body = "param fresh = false\n\nstep dump \"Dump\" when fresh {\n  let dump = run(\"echo /tmp/dump.sql\").stdout.trim()\n}\n\nstep report \"Report\" {\n  let shown = dump ?? \"none\"\n  log \"dump: {{ shown }}\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    let check = t.run_args(&["check", "t.rb"]);
    assert!(
        !check.stderr.contains("maybe_skipped_capture"),
        "{}",
        check.stderr
    );
    let out = t.run_args(&["run", "t.rb"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("dump: none"), "{}", out.stdout);
    let out = t.run_args(&["run", "t.rb", "--set", "fresh=true"]);
    assert!(out.stdout.contains("dump: /tmp/dump.sql"), "{}", out.stdout);
    let without = body.replace(" ?? \"none\"", "");
    let t = Runbook::new().file("t.rb", format!("{HEAD}{without}"));
    let check = t.run_args(&["check", "t.rb"]);
    assert!(
        check
            .stderr
            .contains("runbook::check::maybe_skipped_capture"),
        "{}",
        check.stderr
    );
}

#[test]
fn guards_skip_with_their_reason() {
    let (t, out) = run(
        "param fresh = false\n\nstep one \"When\" when fresh {\n  run \"touch one\"\n}\n\nstep two \"Unless\" unless run(\"test -e /\", ok: [0, 1]).ok {\n  run \"touch two\"\n}\n\nstep three \"Runs\" when not fresh {\n  run \"touch three\"\n}\n",
        &["--json"],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        !t.path().join("one").exists()
            && !t.path().join("two").exists()
            && t.path().join("three").exists()
    );
    let finished: Vec<(String, String)> = events(&out)
        .iter()
        .filter(|e| e["event"] == "step_finished")
        .map(|e| {
            (
                e["status"].as_str().unwrap_or("").into(),
                e["note"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        finished,
        [
            ("skipped".to_string(), "`fresh` is false".to_string()),
            (
                "skipped".to_string(),
                "`run(\"test -e /\", ok: [0, 1]).ok` is true".to_string()
            ),
            ("ok".to_string(), String::new()),
        ]
    );
}

#[test]
fn functions_of_the_runbook_and_the_stdlib() {
    let repo = Runbook::new();
    let dir = repo.path().join("repo");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("git")
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    std::fs::write(dir.join("f"), "x").expect("write");
    git(&["add", "f"]);
    git(&["commit", "-qm", "first"]);
    let body = format!(
        "use std.git\n\nfn twice(x) {{\n  return x + x\n}}\n\nstep one \"Git\" {{\n  let head = git.head(\"{}\")\n  check head.length() == 40\n  check git.is_clean(\"{}\")\n  log \"{{{{ git.log(\\\"x\\\") }}}}\"\n}}\n",
        dir.display(),
        dir.display()
    );
    // `git.log(...)` cannot be interpolated: only names are. Check says so before running.
    let (_, out) = run(&body, &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let body = format!(
        "use std.git\n\nfn twice(x) {{\n  return x + x\n}}\n\nstep one \"Git\" {{\n  let head = git.head(\"{d}\")\n  check head.length() == 40\n  check git.is_clean(\"{d}\")\n  let commits = git.log(\"{d}\", n: 5)\n  log \"{{{{ commits | length }}}} commit(s), twice {{{{ n }}}}\"\n  let n = twice(21)\n}}\n",
        d = dir.display()
    );
    let (_, out) = run(&body, &[]);
    assert_eq!(out.code, 2, "`n` is used before its `let`: {}", out.stderr);
    let body = format!(
        "use std.git\n\nfn twice(x) {{\n  return x + x\n}}\n\nstep one \"Git\" {{\n  let head = git.head(\"{d}\")\n  check head.length() == 40\n  check git.is_clean(\"{d}\")\n  let commits = git.log(\"{d}\", n: 5)\n  let n = twice(21)\n  log \"{{{{ commits | length }}}} commit(s), twice {{{{ n }}}}\"\n}}\n",
        d = dir.display()
    );
    let (_, out) = run(&body, &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("› 1 commit(s), twice 42"),
        "{}",
        out.stdout
    );
}

#[test]
fn timeout_kills_the_whole_process_group() {
    let start = std::time::Instant::now();
    let (t, out) = run(
        "step one \"Slow\" timeout 1s {\n  run \"sleep 30 & echo $! > bg.pid; sleep 30\"\n}\n",
        &[],
    );
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(10),
        "the timeout stopped it"
    );
    assert!(out.stdout.contains("⏱ Slow · local"), "{}", out.stdout);
    assert!(out.stdout.contains("timed out after 1s"), "{}", out.stdout);
    let pid: i32 = read(t.path(), "bg.pid")
        .trim()
        .parse()
        .expect("pid of the background job");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(
        !running(pid),
        "the background job of the command was killed too"
    );
}

#[test]
fn retry_tries_again_then_succeeds_or_gives_up() {
    let (t, out) = run(
        "step one \"Flaky\" retry 3 every 100ms backoff 2 {\n  run \"echo x >> tries; test $(wc -l < tries) -ge 3\"\n}\n",
        &["--json"],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(read(t.path(), "tries").lines().count(), 3);
    let retries: Vec<(u64, u64)> = events(&out)
        .iter()
        .filter(|e| e["event"] == "step_retrying")
        .map(|e| {
            (
                e["attempt"].as_u64().unwrap_or(0),
                e["delay_ms"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(retries, [(2, 100), (3, 200)], "delays grow by the backoff");
    let (t, out) = run(
        "step one \"Broken\" retry 2 every 10ms {\n  run \"echo x >> tries; false\"\n}\n",
        &[],
    );
    assert_eq!(out.code, 1);
    assert_eq!(
        read(t.path(), "tries").lines().count(),
        3,
        "one try and two retries"
    );
}

#[test]
fn params_from_the_command_line() {
    let body = "param name = \"world\"\nparam count = 1\nparam loud = false\nparam tags = [\"a\"]\nparam release: string\n\nstep one \"Params\" {\n  run \"printf '%s|' {{ name }} {{ count }} {{ loud }} {{ tags }} {{ release }} > out\"\n}\n";
    let (t, out) = run(
        body,
        &[
            "--set",
            "name=a b",
            "--set",
            "count=3",
            "--set",
            "loud=true",
            "--set",
            "tags=x, y",
            "--set",
            "release=v2",
        ],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(read(t.path(), "out"), "a b|3|true|x|y|v2|");
    std::fs::write(t.path().join("notes.txt"), "from a file\n").expect("write");
    let out = t.run_args(&[
        "run",
        "t.rb",
        "--set",
        "release=v3",
        "--set-file",
        "name=notes.txt",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(read(t.path(), "out"), "from a file\n|1|false|a|v3|");
}

#[test]
fn bad_params_stop_the_run_before_anything_runs() {
    let body =
        "param count = 1\nparam release: string\n\nstep one \"Params\" {\n  run \"touch ran\"\n}\n";
    for (args, code) in [
        (
            &["--set", "release=1", "--set", "cuont=2"][..],
            "runbook::plan::unknown_param",
        ),
        (&[][..], "runbook::plan::missing_param"),
        (
            &["--set", "release=1", "--set", "count=many"][..],
            "runbook::plan::invalid_param",
        ),
        (&["--set", "release"][..], "runbook::plan::invalid_set"),
        (
            &["--set", "release=1", "--set", "release=2"][..],
            "runbook::plan::duplicate_set",
        ),
        (
            &["--set-file", "release=missing.txt"][..],
            "runbook::plan::unreadable_file",
        ),
    ] {
        let (t, out) = run(body, args);
        assert_eq!(out.code, 2, "{args:?}");
        assert!(out.stderr.contains(code), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("nothing was run"), "{}", out.stderr);
        assert!(!t.path().join("ran").exists(), "{args:?} ran something");
    }
    let (_, out) = run(body, &["--set", "release=1", "--set", "cuont=2"]);
    assert!(
        out.stderr.contains("did you mean `count`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn secrets_are_masked_everywhere() {
    let body = "secret token = env(\"RB_TEST_TOKEN\")\n\nstep one \"Uses it\" {\n  run \"echo the token is {{ token }}\"\n  log \"logged {{ token }}\"\n  run \"echo {{ token }} >&2; exit 1\"\n}\n\nstep two \"As root\" sudo {\n  run \"echo {{ token }}\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    // The second needs mixed quoting as a shell word, and quoting again under sudo.
    for secret in ["s3cr3t-value", "it's \"s3cr3t$value"] {
        for args in [
            &["run", "t.rb", "-v"][..],
            &["run", "t.rb", "--json", "-v"][..],
            &["plan", "t.rb"][..],
        ] {
            let out = t.run_env(args, &[("RB_TEST_TOKEN", secret)]);
            assert!(
                !out.stdout.contains("s3cr3t") && !out.stderr.contains("s3cr3t"),
                "leaked:\n{}\n{}",
                out.stdout,
                out.stderr
            );
            if args[0] == "plan" {
                assert_eq!(out.code, 0, "{}", out.stderr);
                assert!(out.stdout.contains("sh -c 'echo ••••'"), "{}", out.stdout);
                continue;
            }
            assert_eq!(out.code, 1);
            assert!(out.stdout.contains("the token is ••••"), "{}", out.stdout);
            assert!(out.stdout.contains("logged ••••"), "{}", out.stdout);
            assert!(
                out.stdout.contains("exited with 1: ••••"),
                "the failure note is masked: {}",
                out.stdout
            );
        }
    }
    let out = t.run_args(&["run", "t.rb"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("runbook::plan::secret_unavailable"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("environment variable `RB_TEST_TOKEN` is not set"),
        "{}",
        out.stderr
    );
}

#[test]
fn interpolated_values_cannot_inject_commands() {
    let hostile = [
        "x'; touch pwned; echo '",
        "$(touch pwned)",
        "`touch pwned`",
        "a; touch pwned",
        "a && touch pwned",
        "a | touch pwned",
        "\"; touch pwned; \"",
        "a\ntouch pwned",
        "${IFS}touch${IFS}pwned",
        "*",
        "-n",
        "",
    ];
    let body = "param x = \"\"\n\nstep one \"Echo\" {\n  run \"printf '[%s]' {{ x }} > out\"\n  run \"printf '[%s]' {{ x }}{{ x }} > twice\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    for value in hostile {
        let out = t.run_args(&["run", "t.rb", "--set", &format!("x={value}")]);
        assert_eq!(out.code, 0, "{value:?}: {}", out.stdout);
        assert!(!t.path().join("pwned").exists(), "{value:?} ran a command");
        assert_eq!(
            read(t.path(), "out"),
            format!("[{value}]"),
            "{value:?} arrived as one word"
        );
        assert_eq!(
            read(t.path(), "twice"),
            format!("[{value}{value}]"),
            "{value:?} twice is one word"
        );
    }
}

#[test]
fn lists_are_words_raw_is_shell_and_tilde_expands() {
    let body = "let words = [\"a b\", \"c\"]\nlet none = []\nlet glob = \"a | tr a b\"\nlet home = \"~/\"\n\nstep one \"Words\" {\n  run \"printf '[%s]' {{ words }} {{ none }} > words\"\n  run \"echo {{ glob | raw }} > raw\"\n  run \"echo {{ home }} > home\"\n}\n";
    let (t, out) = run(body, &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(read(t.path(), "words"), "[a b][c]");
    assert_eq!(
        read(t.path(), "raw").trim(),
        "b",
        "raw is shell code: the pipe ran"
    );
    let home = std::env::var("HOME").unwrap_or_default();
    assert_eq!(read(t.path(), "home").trim(), format!("{home}/"));
}

#[test]
fn json_events_describe_the_run() {
    let (_, out) = run(
        "step one \"One\" {\n  run \"echo hi\"\n}\n\nstep two \"Two\" {\n  fail \"stop here\"\n}\n",
        &["--json"],
    );
    assert_eq!(out.code, 1);
    let evs = events(&out);
    let kinds: Vec<&str> = evs
        .iter()
        .map(|e| e["event"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        kinds,
        [
            "run_started",
            "step_started",
            "output",
            "step_finished",
            "step_started",
            "step_problem",
            "step_finished",
            "run_finished"
        ]
    );
    assert_eq!(evs[5]["problem"]["code"], "runbook::run::failed");
    assert_eq!(evs[0]["runbook"], "t");
    assert_eq!(evs[0]["steps"], 2);
    assert_eq!(evs[2]["line"], "hi");
    assert_eq!(evs[2]["stream"], "stdout");
    assert_eq!(evs[6]["status"], "failed");
    assert_eq!(evs[6]["note"], "stop here");
    assert_eq!(evs[7]["status"], "failed");
    assert_eq!(evs[7]["exit_code"], 1);
    // Every line is versioned and stamped, in order.
    let mut last = std::time::UNIX_EPOCH;
    for e in &evs {
        assert_eq!(e["v"], 1, "{e}");
        let at =
            humantime::parse_rfc3339(e["at"].as_str().unwrap_or("")).expect("an RFC 3339 time");
        assert!(at >= last, "{e}");
        last = at;
    }
}

/// Gates are events of the stream: asked, then answered (by whom and how), or left awaiting
/// an answer when nobody can give one.
#[test]
fn json_events_tell_how_each_gate_was_answered() {
    let body = "param what = \"web\"\n\nstep one \"One\" {\n  approve \"restart {{ what }}?\"\n}\n";
    let (t, out) = run(body, &["--json", "--yes", "--as", "ops"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let evs = events(&out);
    let asked = evs
        .iter()
        .find(|e| e["event"] == "approval_requested")
        .expect("asked");
    assert_eq!(asked["step"], "one");
    assert_eq!(asked["dangerous"], false);
    assert_eq!(asked["message"], "restart web?");
    let answered = evs
        .iter()
        .find(|e| e["event"] == "approval_answered")
        .expect("answered");
    assert_eq!(
        (&answered["answer"], &answered["by"], &answered["how"]),
        (&"approved".into(), &"ops".into(), &"--yes".into())
    );
    let paused = t.run_args(&["run", "t.rb", "--json"]);
    let evs = events(&paused);
    let answered = evs
        .iter()
        .find(|e| e["event"] == "approval_answered")
        .expect("answered");
    assert_eq!(answered["answer"], "awaiting");
    assert!(answered.get("by").is_none(), "nobody approved: {answered}");
}

/// `-vv`: each command's exit code and time, and each journal record as it is written.
#[test]
fn double_verbose_shows_exit_codes_and_journal_records() {
    let body = "step one \"One\" {\n  run \"exit 3\", ok: [3]\n}\n";
    let (t, normal) = run(body, &["-v"]);
    assert!(!normal.stdout.contains("· exit 3"), "{}", normal.stdout);
    let out = t.run_args(&["run", "t.rb", "-vv"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("$ exit 3"),
        "-vv includes -v: {}",
        out.stdout
    );
    assert!(out.stdout.contains("· exit 3 · "), "{}", out.stdout);
    for record in [
        "run_started",
        "step_intent one on local",
        "step_result one on local",
        "run_finished",
    ] {
        assert!(
            out.stdout.contains(&format!("· journal: {record}")),
            "{record}: {}",
            out.stdout
        );
    }
}

#[test]
fn colour_follows_the_terminal_and_the_flags() {
    let t = Runbook::new().file(
        "t.rb",
        format!("{HEAD}step one \"One\" {{\n  run \"true\"\n}}\n"),
    );
    let plain = t.run_args(&["run", "t.rb"]);
    assert!(
        !plain.stdout.contains('\u{1b}'),
        "not a terminal: no colour"
    );
    let forced = t.run_args(&["--color", "always", "run", "t.rb"]);
    assert!(forced.stdout.contains('\u{1b}'), "{}", forced.stdout);
    let no_color = t.run_env(&["run", "t.rb"], &[("NO_COLOR", "1")]);
    assert!(!no_color.stdout.contains('\u{1b}'));
}

#[test]
fn quiet_hides_output_and_verbose_shows_commands() {
    let body = "param who = \"you\"\n\nstep one \"One\" {\n  run \"echo hello {{ who }}\"\n}\n";
    let (t, normal) = run(body, &[]);
    assert!(
        normal.stdout.contains("│ hello you") && !normal.stdout.contains("$ echo"),
        "{}",
        normal.stdout
    );
    let quiet = t.run_args(&["run", "t.rb", "-q"]);
    assert!(!quiet.stdout.contains("hello you"), "{}", quiet.stdout);
    let verbose = t.run_args(&["run", "t.rb", "-v"]);
    assert!(
        verbose.stdout.contains("  $ echo hello you\n"),
        "{}",
        verbose.stdout
    );
}

#[test]
fn rollbacks_run_newest_first_when_a_step_fails() {
    let body = "step one \"One\" {\n  run \"echo do-one >> log\"\n  rollback {\n    run \"echo undo-one >> log\"\n  }\n}\n\nstep two \"Two\" {\n  run \"echo do-two >> log\"\n  rollback {\n    run \"echo undo-two >> log\"\n  }\n}\n\nstep three \"Three\" {\n  run \"echo do-three >> log; false\"\n  rollback {\n    run \"echo undo-three >> log\"\n  }\n}\n";
    let (t, out) = run(body, &[]);
    assert_eq!(out.code, 1);
    assert_eq!(
        read(t.path(), "log"),
        "do-one\ndo-two\ndo-three\nundo-two\nundo-one\n"
    );
    assert!(out.stdout.contains("✓ rolled back two"), "{}", out.stdout);
    std::fs::remove_file(t.path().join("log")).expect("rm");
    let out = t.run_args(&["run", "t.rb", "--no-rollback"]);
    assert_eq!(out.code, 5, "failed, and nothing was rolled back");
    assert_eq!(
        read(t.path(), "log"),
        "do-one\ndo-two\ndo-three\n",
        "--no-rollback leaves everything"
    );
}

#[test]
fn a_failing_rollback_stops_the_chain_with_its_own_exit_code() {
    let body = "step one \"One\" {\n  run \"true\"\n  rollback {\n    run \"echo undo-one >> log\"\n  }\n}\n\nstep two \"Two\" {\n  run \"true\"\n  rollback {\n    run \"echo cannot undo >&2; exit 9\"\n  }\n}\n\nstep three \"Three\" {\n  run \"false\"\n}\n";
    let (t, out) = run(body, &[]);
    assert_eq!(out.code, 4, "{}", out.stdout);
    assert_eq!(
        read(t.path(), "log"),
        "",
        "the chain stopped at the failing rollback"
    );
    assert!(
        out.stdout.contains("✗ rollback failed two"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("exited with 9: cannot undo"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("a rollback failed"), "{}", out.stdout);
}

#[test]
fn approvals_without_a_terminal_pause_the_run() {
    let body = "step one \"Gate\" {\n  approve \"Go on?\"\n  run \"touch approved\"\n}\n\nstep two \"Danger\" {\n  approve dangerous \"Drop everything?\"\n  run \"touch dropped\"\n}\n";
    let (t, out) = run(body, &[]);
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert!(!t.path().join("approved").exists());
    assert!(
        out.stdout.contains("continue with `runbook resume ")
            && out.stdout.contains(" --approve one`"),
        "{}",
        out.stdout
    );
    let yes = t.run_args(&["run", "t.rb", "--yes"]);
    assert_eq!(
        yes.code, 3,
        "--yes does not cover a dangerous gate: {}",
        yes.stdout
    );
    assert!(t.path().join("approved").exists() && !t.path().join("dropped").exists());
    let both = t.run_args(&["run", "t.rb", "--yes", "--approve", "two"]);
    assert_eq!(both.code, 0, "{}", both.stdout);
    assert!(t.path().join("dropped").exists());
}

#[test]
fn an_unreachable_ssh_host_fails_its_step_clearly() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let (_, out) = run(
        &format!("host web = ssh(\"deploy@127.0.0.1\", port: {closed})\n\nstep one \"Remote\" on web {{\n  run \"true\"\n}}\n"),
        &[],
    );
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains(&format!(
            "cannot reach web (deploy@127.0.0.1 (port {closed})): connection refused"
        )),
        "{}",
        out.stdout
    );
}

#[test]
fn invalid_runbooks_do_not_run() {
    let (t, out) = run(
        "step one \"One\" {\n  run \"touch ran\"\n  check nope\n}\n",
        &[],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("runbook::check::undefined_variable"),
        "{}",
        out.stderr
    );
    assert!(!t.path().join("ran").exists());
}

#[test]
fn run_time_value_errors_fail_the_step_clearly() {
    let (_, out) = run("step one \"Parse\" {\n  let n = run(\"echo many\").stdout.to_int()\n  log \"{{ n }}\"\n}\n", &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("— `many` is not a whole number"),
        "{}",
        out.stdout
    );
}

#[test]
fn top_level_values_that_cannot_be_computed_stop_the_run() {
    let (t, out) = run("let home = env(\"RB_TEST_UNSET_VARIABLE\")\n\nstep one \"One\" {\n  run \"touch {{ home }}\"\n}\n", &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("runbook::plan::value_failed"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "cannot compute `home`: environment variable `RB_TEST_UNSET_VARIABLE` is not set"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_dir(t.path()).expect("dir").count(),
        1,
        "nothing ran"
    );
}

#[test]
fn a_last_line_without_newline_is_kept_whatever_closes_first() {
    // stdout's partial line is read, then stderr closes, then stdout ends: the line must
    // survive the reader being interrupted in between.
    let (_, out) = run(
        "step one \"Tail\" {\n  let r = run(\"printf tail; sleep 0.2; exec 2>&-; sleep 0.2\")\n  check r.stdout == \"tail\" else \"lost: [{{ r.stdout }}]\"\n}\n",
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("  │ tail\n"), "{}", out.stdout);
}

/// An ssh destination from `--set` that begins with `-` never reaches ssh as an option.
#[test]
fn an_ssh_destination_beginning_with_a_dash_is_refused() {
    let t = Runbook::new().file(
        "t.rb",
        "runbook t \"T\"\n\nparam target = \"box\"\nhost box = ssh(target)\n\nstep one \"One\" on box {\n  run \"true\"\n}\n",
    );
    let out = t.run_args(&["run", "t.rb", "--set", "target=-oProxyCommand=touch pwned"]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("its ssh destination begins with `-`"),
        "{}",
        out.stderr
    );
    assert!(!t.path().join("pwned").exists());
    assert!(
        common::journals(t.path()).is_empty(),
        "a run refused before it began leaves no journal"
    );
}

/// `fs.contains` looks for one line: a text of several lines would be several grep patterns
/// (any one matching), so it fails the step instead of answering true.
#[test]
fn fs_contains_refuses_a_text_of_several_lines() {
    let body = "runbook f \"F\"\n\nuse std.fs\n\nstep one \"One line\" {\n  check fs.contains(\"conf\", \"alpha\") else \"alpha is missing\"\n}\n\nstep two \"Two lines\" {\n  check fs.contains(\"conf\", \"zzz\\nalpha\") else \"not found\"\n}\n";
    let t = Runbook::new()
        .file("f.rb", body)
        .file("conf", "alpha\nbeta\n");
    let out = t.run_args(&["run", "f.rb"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("✓ One line"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("fs.contains looks for one line of text, not several"),
        "{}",
        out.stdout
    );
}

/// What a check's commands print is not shown (its verdict is), unless `-v`.
#[test]
fn a_checks_command_output_shows_only_with_verbose() {
    let t = Runbook::new().file(
        "c.rb",
        "runbook c \"C\"\n\nstep one \"One\" {\n  check run(\"echo check-output\").stdout.trim() == \"check-output\" else \"no\"\n  run \"echo step-output\"\n}\n",
    );
    let out = t.run_args(&["run", "c.rb"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("│ step-output"), "{}", out.stdout);
    assert!(!out.stdout.contains("check-output"), "{}", out.stdout);
    let verbose = t.run_args(&["run", "c.rb", "-v"]);
    assert!(
        verbose.stdout.contains("│ check-output"),
        "{}",
        verbose.stdout
    );
}

/// A `log` of several lines keeps them together, each under the first.
#[test]
fn a_multi_line_log_stays_indented() {
    let t = Runbook::new().file(
        "m.rb",
        "runbook m \"M\"\n\nstep one \"One\" {\n  log \"first\\nsecond\"\n}\n",
    );
    let out = t.run_args(&["run", "m.rb"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains("  › first\n    second\n"),
        "{}",
        out.stdout
    );
}

/// The summary table fits the terminal's width: a long note wraps inside its column.
#[test]
fn the_summary_table_fits_80_columns() {
    let t = Runbook::new().file(
        "w.rb",
        "runbook w \"W\"\n\nstep one \"One\" {\n  fail \"this is a very long failure message that would make the summary table far wider than eighty columns on a small terminal\"\n}\n",
    );
    let out = t.run_env(&["run", "w.rb"], &[("COLUMNS", "80")]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let table: Vec<&str> = out
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with('╭'))
        .take_while(|l| !l.is_empty() && !l.starts_with('✗'))
        .collect();
    assert!(table.len() > 4, "{}", out.stdout);
    for line in &table {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    assert!(
        out.stdout.contains("than eighty columns"),
        "nothing is cut: {}",
        out.stdout
    );
}

/// 100 hosts × 5 steps: a line and a table row per step with its counts, not 500.
#[test]
fn a_fan_out_is_summed_up_per_step() {
    let names: Vec<String> = (0..100).map(|i| format!("h{i}")).collect();
    let mut body: String = names
        .iter()
        .map(|n| format!("host {n} = local\n"))
        .collect();
    body.push_str(&format!("group all = [{}]\n\n", names.join(", ")));
    for s in 0..5 {
        body.push_str(&format!(
            "step s{s} \"Step {s}\" on all parallel 20 {{\n  run \"true\"\n}}\n\n"
        ));
    }
    let (_, out) = run(&body, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let rows: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with('│') && !l.contains(" step "))
        .collect();
    assert_eq!(rows.len(), 5, "{rows:#?}");
    assert!(
        rows.iter()
            .all(|r| r.contains("100 hosts") && r.contains("100 ok")),
        "{rows:#?}"
    );
    let summaries = out
        .stdout
        .lines()
        .filter(|l| l.contains(" · 100 hosts · "))
        .count();
    assert_eq!(summaries, 5, "{}", out.stdout);
    assert!(out.stdout.lines().count() < 30, "{}", out.stdout);
}
