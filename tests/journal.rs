//! The journal: what it records, resume, rollback on demand, locks, torn tails, history.

use crate::common;

use std::path::Path;

use common::{approvals, journals, records, Output, Runbook};

const HEAD: &str = "runbook j \"Journal\"\n\n";

fn types(recs: &[serde_json::Value]) -> Vec<String> {
    recs.iter()
        .map(|r| r["type"].as_str().unwrap_or("").to_string())
        .collect()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_default()
}

fn run_id(out: &Output) -> String {
    let line = out
        .stderr
        .lines()
        .find(|l| l.starts_with("run "))
        .unwrap_or_else(|| panic!("no run id in: {}", out.stderr));
    line.split_whitespace().nth(1).unwrap_or("").to_string()
}

const THREE: &str = "param n = 2\n\nstep one \"One\" {\n  let word = run(\"echo captured\").stdout.trim()\n  run \"echo one >> log\"\n  rollback {\n    run \"echo undo-one >> log\"\n  }\n}\n\nstep two \"Two\" {\n  run \"echo two {{ word }} >> log; test -e ok\"\n  rollback {\n    run \"echo undo-two >> log\"\n  }\n}\n\nstep three \"Three\" {\n  run \"echo three {{ n }} >> log\"\n}\n";

#[test]
fn every_transition_is_recorded_in_order() {
    let t = Runbook::new()
        .file("t.rb", format!("{HEAD}{THREE}"))
        .file("ok", "");
    let out = t.run_args(&["run", "t.rb", "--set", "n=5"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let files = journals(t.path());
    assert_eq!(files.len(), 1);
    let recs = records(&files[0]);
    assert_eq!(
        types(&recs),
        [
            "run_started",
            "step_intent",
            "step_result",
            "step_intent",
            "step_result",
            "step_intent",
            "step_result",
            "run_finished"
        ]
    );
    let start = &recs[0];
    assert_eq!(start["format"], 2);
    assert!(
        start["sum"].as_str().is_some_and(|s| s.len() == 16),
        "each record carries its checksum"
    );
    assert_eq!(start["runbook"], "j");
    assert_eq!(start["params"]["n"]["value"], 5);
    assert_eq!(start["params"]["n"]["origin"], "set");
    assert_eq!(start["fingerprint"].as_str().map(str::len), Some(64));
    assert_eq!(start["steps"].as_object().map(|m| m.len()), Some(3));
    assert_eq!(recs[2]["captures"]["word"]["value"], "captured");
    assert_eq!(recs[2]["status"], "ok");
    assert_eq!(recs[7]["status"], "succeeded");
    assert_eq!(run_id(&out), start["run_id"].as_str().unwrap_or(""));
    let mode = |p: &Path| {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).expect("meta").permissions())
            & 0o777
    };
    assert_eq!(mode(&t.state()), 0o700);
    assert_eq!(mode(&files[0]), 0o600);
}

#[test]
fn the_state_directory_can_be_chosen() {
    let t = Runbook::new().file(
        "books/t.rb",
        format!("{HEAD}step one \"One\" {{\n  run \"true\"\n}}\n"),
    );
    let out = t.run_args(&["run", "books/t.rb"]);
    assert_eq!(out.code, 0);
    assert!(
        t.state().join("runs").is_dir(),
        "the user's state directory by default"
    );
    // The hint the run printed works from anywhere: runs, show and resume find it.
    std::fs::create_dir_all(t.path().join("elsewhere")).expect("mkdir");
    let id = run_id(&out);
    let elsewhere = |args: &[&str]| {
        common::run_in(
            &t.path().join("elsewhere"),
            &args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            &[(
                "XDG_STATE_HOME".into(),
                t.path().join(".state").display().to_string(),
            )],
        )
    };
    let runs = elsewhere(&["runs"]);
    assert!(
        runs.stdout.contains(&id[..8]),
        "runs from another directory: {}",
        runs.stdout
    );
    assert_eq!(elsewhere(&["show", &id]).code, 0);
    assert_eq!(
        t.run_env(
            &["run", "books/t.rb"],
            &[("RUNBOOK_STATE_DIR", "env-state")]
        )
        .code,
        0
    );
    assert!(t.path().join("env-state/runs").is_dir());
    assert_eq!(
        t.run_env(
            &["--state-dir", "flag-state", "run", "books/t.rb"],
            &[("RUNBOOK_STATE_DIR", "env-state")]
        )
        .code,
        0
    );
    assert!(
        t.path().join("flag-state/runs").is_dir(),
        "the flag wins over the environment"
    );
}

#[test]
fn secrets_never_reach_the_state_directory() {
    let body = "secret token = env(\"RB_J_TOKEN\")\n\nstep one \"One\" {\n  let header = run(\"echo Bearer {{ token }}\").stdout.trim()\n  run \"echo {{ header }} > /dev/null\"\n}\n\nstep two \"Two\" {\n  fail \"stop with {{ token }}\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    // `"` and `\` are escaped in JSON: the secret must be masked before it is serialized.
    let out = t.run_env(&["run", "t.rb"], &[("RB_J_TOKEN", "zqx\"jv\\kw-42")]);
    assert_eq!(out.code, 1);
    let mut all = String::new();
    let mut dirs = vec![t.state()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).expect("dir").flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
            } else {
                all.push_str(&String::from_utf8_lossy(
                    &std::fs::read(e.path()).expect("file"),
                ));
            }
        }
    }
    assert!(
        !all.contains("zqx") && !all.contains("kw-42"),
        "a secret reached the state directory:\n{all}"
    );
    let recs = records(&journals(t.path())[0]);
    assert_eq!(
        recs[0]["secrets"],
        serde_json::json!(["token"]),
        "the secret's name is recorded, not its value"
    );
    // Made by a command that held the secret: a secret as a whole.
    assert_eq!(recs[2]["captures"]["header"]["value"], "••••");
    assert_eq!(recs[2]["captures"]["header"]["masked"], true);
}

#[test]
fn a_resumed_run_gets_back_the_secret_inside_a_capture() {
    let body = "secret token = env(\"RB_J_TOKEN\")\n\nstep one \"One\" {\n  let header = run(\"echo Bearer {{ token }}\").stdout.trim()\n}\n\nstep two \"Two\" {\n  run \"test -e ok\"\n  run \"printf '%s' {{ header }} > got\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    let env = [("RB_J_TOKEN", "zqx\"jv\\kw-42")];
    assert_eq!(t.run_env(&["run", "t.rb"], &env).code, 1);
    let journal = std::fs::read_to_string(&journals(t.path())[0]).expect("journal");
    assert!(!journal.contains("zqx"), "{journal}");
    let recs = records(&journals(t.path())[0]);
    let locked = &recs[2]["captures"]["header"]["locked"];
    assert_eq!(locked["from"], serde_json::json!(["token"]), "{locked}");
    assert!(
        recs[2]["captures"]["header"].get("sealed").is_none(),
        "nothing of the value in clear"
    );

    std::fs::write(t.path().join("ok"), "").expect("fix the cause");
    let resumed = t.run_env(&["resume"], &env);
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    assert_eq!(
        read(t.path(), "got"),
        "Bearer zqx\"jv\\kw-42",
        "the capture holds the secret again, not its mask"
    );
}

#[test]
fn no_rollback_then_resume_continues_where_it_stopped() {
    let t = Runbook::new().file("t.rb", format!("{HEAD}{THREE}"));
    let failed = t.run_args(&["run", "t.rb", "--no-rollback"]);
    assert_eq!(failed.code, 5, "failed, nothing rolled back");
    assert!(
        failed.stderr.contains("left as it is (--no-rollback)"),
        "{}",
        failed.stderr
    );
    assert_eq!(read(t.path(), "log"), "one\ntwo captured\n");
    std::fs::write(t.path().join("ok"), "").expect("fix the cause");
    let resumed = t.run_args(&["resume"]);
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    assert_eq!(
        read(t.path(), "log"),
        "one\ntwo captured\ntwo captured\nthree 2\n",
        "one is not run again; the capture is restored"
    );
    assert!(
        resumed
            .stdout
            .contains("✓ One · local — done before the resume: not run again"),
        "{}",
        resumed.stdout
    );
    assert_eq!(
        run_id(&failed),
        run_id(&resumed),
        "resume continues the same run"
    );
    let again = t.run_args(&["resume", &run_id(&failed)]);
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("runbook::journal::finished"),
        "{}",
        again.stderr
    );
    let none = t.run_args(&["resume"]);
    assert!(
        none.stderr.contains("runbook::journal::nothing_to_resume"),
        "{}",
        none.stderr
    );
}

#[test]
fn a_rolled_back_run_resumes_from_the_first_undone_step() {
    let t = Runbook::new().file("t.rb", format!("{HEAD}{THREE}"));
    let failed = t.run_args(&["run", "t.rb"]);
    assert_eq!(failed.code, 1);
    assert_eq!(read(t.path(), "log"), "one\ntwo captured\nundo-one\n");
    std::fs::write(t.path().join("ok"), "").expect("fix");
    let resumed = t.run_args(&["resume", "--runbook", "t.rb"]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert_eq!(
        read(t.path(), "log"),
        "one\ntwo captured\nundo-one\none\ntwo captured\nthree 2\n"
    );
}

#[test]
fn rollback_on_demand_undoes_completed_steps_newest_first() {
    let t = Runbook::new()
        .file("t.rb", format!("{HEAD}{THREE}"))
        .file("ok", "");
    let done = t.run_args(&["run", "t.rb"]);
    assert_eq!(done.code, 0);
    let id = run_id(&done);
    // It shows what it would undo; without a terminal it asks for --yes, and --dry-run
    // undoes nothing.
    let preview = t.run_args(&["rollback", &id[..13], "--dry-run"]);
    assert_eq!(preview.code, 0, "{}", preview.stderr);
    assert!(
        preview
            .stderr
            .contains("undoes, newest first: two on local, one on local"),
        "{}",
        preview.stderr
    );
    let headless = t.run_args(&["rollback", &id[..13]]);
    assert_eq!(headless.code, 3, "{}", headless.stderr);
    assert!(
        headless.stderr.contains("pass --yes"),
        "{}",
        headless.stderr
    );
    assert_eq!(
        read(t.path(), "log"),
        "one\ntwo captured\nthree 2\n",
        "nothing was undone yet"
    );
    let out = t.run_args(&["rollback", &id[..13], "--yes"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        read(t.path(), "log"),
        "one\ntwo captured\nthree 2\nundo-two\nundo-one\n"
    );
    let recs = records(&journals(t.path())[0]);
    let tail: Vec<String> = types(&recs).into_iter().rev().take(6).collect();
    assert_eq!(
        tail,
        [
            "run_finished",
            "rollback_result",
            "rollback_intent",
            "rollback_result",
            "rollback_intent",
            "resumed"
        ]
    );
    assert_eq!(
        recs.last().map(|r| r["status"].clone()),
        Some(serde_json::json!("rolled_back"))
    );
    let runs = t.run_args(&["runs"]);
    assert!(runs.stdout.contains("rolled back"), "{}", runs.stdout);
}

#[test]
fn a_failing_rollback_is_recorded_and_stops_the_chain() {
    let body = "step one \"One\" {\n  run \"true\"\n  rollback {\n    run \"echo undo-one >> log\"\n  }\n}\n\nstep two \"Two\" {\n  run \"true\"\n  rollback {\n    run \"echo nope >&2; exit 4\"\n  }\n}\n\nstep three \"Three\" {\n  run \"false\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    let out = t.run_args(&["run", "t.rb"]);
    assert_eq!(out.code, 4);
    assert!(
        out.stderr.contains(&format!(
            "`runbook rollback {}` tries the rest again",
            run_id(&out)
        )),
        "{}",
        out.stderr
    );
    let recs = records(&journals(t.path())[0]);
    let failed: Vec<&serde_json::Value> = recs
        .iter()
        .filter(|r| r["type"] == "rollback_result")
        .collect();
    assert_eq!(failed.len(), 1, "the chain stopped at two");
    assert_eq!(failed[0]["ok"], false);
    assert!(failed[0]["note"]
        .as_str()
        .unwrap_or("")
        .contains("exited with 4: nope"));
    let show = t.run_args(&["show", &run_id(&out)]);
    assert!(show.stdout.contains("rollback failed"), "{}", show.stdout);
    assert_eq!(read(t.path(), "log"), "", "one was not undone");
}

#[test]
fn a_changed_runbook_is_detected() {
    let t = Runbook::new().file("t.rb", format!("{HEAD}{THREE}"));
    let failed = t.run_args(&["run", "t.rb", "--no-rollback"]);
    assert_eq!(failed.code, 5);
    std::fs::write(
        t.path().join("t.rb"),
        format!("{HEAD}{}", THREE.replace("echo three", "echo THREE")),
    )
    .expect("edit");
    let refused = t.run_args(&["resume"]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("runbook::journal::changed"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("steps changed: three"),
        "{}",
        refused.stderr
    );
    std::fs::write(t.path().join("ok"), "").expect("fix");
    let forced = t.run_args(&["resume", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(read(t.path(), "log").ends_with("THREE 2\n"));
    let recs = records(&journals(t.path())[0]);
    assert!(recs
        .iter()
        .any(|r| r["type"] == "resumed" && r["forced"] == true));
}

#[test]
fn a_second_run_is_refused_while_one_holds_the_lock() {
    let t = Runbook::new().file(
        "t.rb",
        format!("{HEAD}step one \"Slow\" {{\n  run \"echo $$ > started; sleep 30\"\n}}\n"),
    );
    let mut first = common::binary(t.path())
        .args(["run", "t.rb"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let start = std::time::Instant::now();
    while !t.path().join("started").exists() {
        assert!(
            start.elapsed().as_secs() < 10,
            "the first run never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let second = t.run_args(&["run", "t.rb"]);
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(first.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    );
    let _ = first.wait();
    assert_eq!(second.code, 7, "a held lock has its own exit code");
    assert!(
        second.stderr.contains("runbook::journal::locked"),
        "{}",
        second.stderr
    );
    let said = second
        .stderr
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        said.contains(&format!("(pid {})", first.id())),
        "the holder's pid: {said}"
    );
    let first_id = journals(t.path())[0]
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(said.contains(&first_id), "the holder's run id: {said}");
    // Its step's command still runs (and holds the lock) until it is stopped too.
    let pgid: i32 = read(t.path(), "started")
        .trim()
        .parse()
        .expect("the step's pid");
    let _ = nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(pgid),
        nix::sys::signal::Signal::SIGKILL,
    );
    std::thread::sleep(std::time::Duration::from_millis(100));
    // The first run was killed: its lock is stale now, and a new run says so and goes on.
    std::fs::write(
        t.path().join("t.rb"),
        format!("{HEAD}step one \"Quick\" {{\n  run \"true\"\n}}\n"),
    )
    .expect("edit");
    let third = t.run_args(&["run", "t.rb"]);
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert!(
        third.stderr.contains(&format!(
            "run {first_id} (pid {}) ended without releasing its lock",
            first.id()
        )),
        "{}",
        third.stderr
    );
}

#[test]
fn a_torn_last_line_is_tolerated_and_a_corrupt_one_is_not() {
    let t = Runbook::new().file("t.rb", format!("{HEAD}{THREE}"));
    let failed = t.run_args(&["run", "t.rb", "--no-rollback"]);
    assert_eq!(failed.code, 5);
    let path = journals(t.path())[0].clone();
    let good = std::fs::read_to_string(&path).expect("journal");
    std::fs::write(
        &path,
        format!("{good}{{\"type\":\"step_intent\",\"step\":\"thr"),
    )
    .expect("tear");
    std::fs::write(t.path().join("ok"), "").expect("fix");
    let resumed = t.run_args(&["resume"]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert!(
        resumed
            .stderr
            .contains("was torn by a crash and is ignored"),
        "{}",
        resumed.stderr
    );
    let recs = records(&path.with_extension("jsonl"));
    assert_eq!(
        recs.last().map(|r| r["status"].clone()),
        Some(serde_json::json!("succeeded"))
    );
    let lines: Vec<&str> = good.lines().collect();
    let corrupt = format!("{}\nnot json\n{}\n", lines[0], lines[1..].join("\n"));
    std::fs::write(&path, corrupt).expect("corrupt");
    let out = t.run_args(&["show", &run_id(&failed)]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("runbook::journal::corrupt") && out.stderr.contains("line 2"),
        "{}",
        out.stderr
    );
}

#[test]
fn approvals_are_journaled_with_who_and_how() {
    let body = "step one \"Gate\" {\n  approve \"Go?\"\n  run \"true\"\n}\n\nstep two \"Danger\" {\n  approve dangerous \"Drop?\"\n  run \"true\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    let out = t.run_args(&["run", "t.rb", "--yes", "--approve", "two", "--as", "alice"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        approvals(&records(&journals(t.path())[0])),
        [
            ("one".into(), "alice".into(), "--yes".into()),
            ("two".into(), "alice".into(), "--approve".into())
        ]
    );
    let show = t.run_args(&["show", &run_id(&out)]);
    assert!(
        show.stdout
            .contains("one on local: approved by alice (--yes)"),
        "{}",
        show.stdout
    );
}

#[test]
fn runs_and_show_as_tables_and_json() {
    let t = Runbook::new().file("t.rb", format!("{HEAD}{THREE}"));
    let failed = t.run_args(&["run", "t.rb", "--no-rollback"]);
    let id = run_id(&failed);
    let runs = t.run_args(&["runs"]);
    assert_eq!(runs.code, 0);
    assert!(
        runs.stdout.contains(&id)
            && runs.stdout.contains("failed")
            && runs.stdout.contains("│ two "),
        "{}",
        runs.stdout
    );
    let json: serde_json::Value =
        serde_json::from_str(&t.run_args(&["runs", "--json"]).stdout).expect("json");
    assert_eq!(json[0]["run_id"], id.as_str());
    assert_eq!(json[0]["status"], "failed_no_rollback");
    assert_eq!(json[0]["stopped_at"], "two");
    let show = t.run_args(&["show", &id]);
    assert!(
        show.stdout.contains("│ one  │ local │ ok"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains("two on local: failed"),
        "{}",
        show.stdout
    );
    let doc: serde_json::Value =
        serde_json::from_str(&t.run_args(&["show", &id, "--json"]).stdout).expect("json");
    assert_eq!(doc["run"]["run_id"], id.as_str());
    assert_eq!(doc["records"][0]["type"], "run_started");
    let unknown = t.run_args(&["show", "nope"]);
    assert!(
        unknown.stderr.contains("runbook::journal::unknown_run"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn state_directory_and_journal_failures_stop_before_anything_runs() {
    let body = format!("{HEAD}step one \"One\" {{\n  run \"touch ran\"\n}}\n");
    let t = Runbook::new()
        .file("t.rb", &body)
        .file("blocked/runs", "a file where a directory should be");
    let out = t.run_args(&["--state-dir", "blocked", "run", "t.rb"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("runbook::journal::state_dir"),
        "{}",
        out.stderr
    );
    assert!(!t.path().join("ran").exists());
    // A journal directory that leads elsewhere (here: into /proc, where no file can be made)
    // is not used at all.
    std::fs::create_dir_all(t.path().join("proc-state/locks")).expect("mkdir");
    std::os::unix::fs::symlink("/proc", t.path().join("proc-state/runs")).expect("symlink");
    let out = t.run_args(&["--state-dir", "proc-state", "run", "t.rb"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("runbook::journal::untrusted"),
        "{}",
        out.stderr
    );
    assert!(
        !t.path().join("ran").exists(),
        "nothing runs without a journal"
    );
}

#[test]
fn run_ids_may_be_shortened_while_unambiguous() {
    let t = Runbook::new().file(
        "t.rb",
        format!("{HEAD}step one \"One\" {{\n  run \"true\"\n}}\n"),
    );
    let first = run_id(&t.run_args(&["run", "t.rb"]));
    let second = run_id(&t.run_args(&["run", "t.rb"]));
    let common: String = first
        .chars()
        .zip(second.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a)
        .collect();
    let out = t.run_args(&["show", &common]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("runbook::journal::ambiguous_run"),
        "{}",
        out.stderr
    );
    let unique = &second[..common.len() + 1];
    assert_eq!(t.run_args(&["show", unique]).code, 0);
}

/// A run that was stopped and then done again by a fresh run is superseded: `resume` without
/// an id does not pick it (its steps would run a second time), and says why.
#[test]
fn resume_without_an_id_never_picks_a_superseded_run() {
    let body = "step one \"One\" {\n  run \"echo one >> log; test -e ok\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    let failed = t.run_args(&["run", "t.rb"]);
    assert_eq!(failed.code, 1);
    std::fs::write(t.path().join("ok"), "").expect("write");
    assert_eq!(t.run_args(&["run", "t.rb"]).code, 0);
    let out = t.run_args(&["resume"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("runbook::journal::nothing_to_resume")
            && out.stderr.contains(&run_id(&failed)),
        "names the superseded run: {}",
        out.stderr
    );
    assert_eq!(read(t.path(), "log"), "one\none\n", "nothing ran again");
    // By its id it still resumes.
    assert_eq!(t.run_args(&["resume", &run_id(&failed)]).code, 0);
}

/// A journal left empty by a kill as its run began is reported, never skipped to resume an
/// older run instead.
#[test]
fn an_empty_newest_journal_is_reported_not_skipped() {
    let body = "step one \"One\" {\n  run \"echo one >> log; test -e ok\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    assert_eq!(t.run_args(&["run", "t.rb"]).code, 1);
    let empty = t
        .state()
        .join("runs/ffffffff-ffff-7fff-bfff-ffffffffffff.jsonl");
    std::fs::write(&empty, "").expect("write");
    let out = t.run_args(&["resume"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("runbook::journal::empty"),
        "{}",
        out.stderr
    );
    assert_eq!(
        read(t.path(), "log"),
        "one\n",
        "the older run was not resumed"
    );
}

/// Only a last line without its newline can be a torn write; a whole bad line is damage.
#[test]
fn a_bad_last_line_that_ends_in_a_newline_is_damage() {
    let body = "step one \"One\" {\n  run \"test -e ok\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    let failed = t.run_args(&["run", "t.rb"]);
    let path = t.state().join(format!("runs/{}.jsonl", run_id(&failed)));
    let mut text = std::fs::read_to_string(&path).expect("journal");
    text.push_str("{\"type\":\"step_res\n");
    std::fs::write(&path, &text).expect("write");
    let out = t.run_args(&["show", &run_id(&failed)]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("runbook::journal::corrupt"),
        "{}",
        out.stderr
    );
    // `runs` reports it too, and does not say there are no runs.
    let out = t.run_args(&["runs"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("runbook::journal::corrupt"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("no runs yet"), "{}", out.stdout);
}

/// Every single flipped bit of a real journal, at every byte, is reported: as damage, as a
/// torn last line, or as an empty journal. None is read as another valid journal.
#[test]
fn a_flipped_bit_anywhere_in_a_journal_is_reported() {
    let t = Runbook::new().file("t.rb", format!("{HEAD}{THREE}"));
    let failed = t.run_args(&["run", "t.rb"]);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    let path = t.state().join(format!("runs/{}.jsonl", run_id(&failed)));
    let original = std::fs::read(&path).expect("journal");
    let flipped_path = t.path().join("flipped.jsonl");
    let mut silent = Vec::new();
    for i in 0..original.len() {
        let mut bytes = original.clone();
        bytes[i] ^= 0x04;
        std::fs::write(&flipped_path, &bytes).expect("write");
        if let Ok(j) = runbook::journal::read(&flipped_path) {
            if j.torn_line.is_none() {
                silent.push(i);
            }
        }
    }
    assert!(
        silent.is_empty(),
        "{} of {} flipped bytes read silently, at {silent:?}: {:?}",
        silent.len(),
        original.len(),
        silent.first().map(|i| String::from_utf8_lossy(
            &original[i.saturating_sub(30)..(i + 10).min(original.len())]
        ))
    );
}

/// A run killed with kill -9 while a step's command runs does not free its lock while that
/// command still runs: a resume then would run the step a second time, at the same time.
#[test]
fn a_killed_runs_command_keeps_the_lock_until_it_ends() {
    let body =
        "step slow \"Slow\" {\n  run \"echo started >> log; sleep 2; echo ended >> log\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    let mut child = common::binary(t.path())
        .args(["run", "t.rb", "-q"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let started = std::time::Instant::now();
    while !read(t.path(), "log").contains("started") {
        assert!(started.elapsed().as_secs() < 10, "the step never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    );
    let _ = child.wait();
    let out = t.run_args(&["resume", "--yes"]);
    assert_eq!(out.code, 7, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("runbook::journal::locked_by_command"),
        "{}",
        out.stderr
    );
    while !read(t.path(), "log").contains("ended") {
        assert!(started.elapsed().as_secs() < 10, "the command never ended");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Once it has ended, the run resumes: the step runs again, announced, and alone.
    std::thread::sleep(std::time::Duration::from_millis(100));
    let out = t.run_args(&["resume", "--yes"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(read(t.path(), "log"), "started\nended\nstarted\nended\n");
}

/// With no $USER or $LOGNAME (cron, systemd, `env -i`), the journal names the uid's user.
#[test]
fn the_user_is_known_without_user_in_the_environment() {
    let t = Runbook::new().file(
        "t.rb",
        format!("{HEAD}step one \"One\" {{\n  run \"true\"\n}}\n"),
    );
    let out = t.run_env(&["run", "t.rb"], &[("USER", ""), ("LOGNAME", "")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let me = nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .expect("this uid has a name");
    assert_eq!(records(&journals(t.path())[0])[0]["user"], me.as_str());
}

/// Comments, doc comments, blank lines and layout are not a change: resume goes on without
/// `--force`. A change of meaning still names the step.
#[test]
fn harmless_edits_do_not_block_resume() {
    let t = Runbook::new().file("t.rb", format!("{HEAD}{THREE}"));
    let failed = t.run_args(&["run", "t.rb", "--no-rollback"]);
    assert_eq!(failed.code, 5);
    let edited = THREE
        .replace(
            "step two \"Two\" {",
            "## Two, documented now.\nstep two   \"Two\"   {   # a comment\n\n",
        )
        .replace("param n = 2\n", "# the count\nparam n = 2\n\n\n");
    std::fs::write(t.path().join("t.rb"), format!("{HEAD}{edited}")).expect("edit");
    std::fs::write(t.path().join("ok"), "").expect("fix");
    let out = t.run_args(&["resume"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);

    let t = Runbook::new().file("t.rb", format!("{HEAD}{THREE}"));
    assert_eq!(t.run_args(&["run", "t.rb", "--no-rollback"]).code, 5);
    let changed = THREE.replace("echo three {{ n }}", "echo THREE {{ n }}");
    std::fs::write(t.path().join("t.rb"), format!("{HEAD}{changed}")).expect("edit");
    let out = t.run_args(&["resume"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("steps changed: three"),
        "{}",
        out.stderr
    );
}

/// A state directory others can write, a lock that is a symbolic link, a journal that is
/// someone else's: each is refused, as ssh refuses such a `~/.ssh`.
#[test]
fn an_untrusted_state_directory_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let body = "step one \"One\" {\n  run \"echo one >> log; test -e ok\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    let shared = t.path().join("shared");
    std::fs::create_dir_all(&shared).expect("mkdir");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let out = t.run_args(&["--state-dir", "shared", "run", "t.rb"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("runbook::journal::untrusted")
            && out.stderr.contains("others can write"),
        "{}",
        out.stderr
    );
    assert_eq!(read(t.path(), "log"), "", "nothing ran");

    // A lock planted as a symbolic link: refused, and its target left whole.
    assert_eq!(t.run_args(&["run", "t.rb"]).code, 1);
    let locks = t.state().join("locks");
    let lock = std::fs::read_dir(&locks)
        .expect("locks")
        .flatten()
        .next()
        .expect("a lock")
        .path();
    std::fs::remove_file(&lock).expect("rm");
    let precious = t.path().join("precious");
    std::fs::write(&precious, "keep me").expect("write");
    std::os::unix::fs::symlink(&precious, &lock).expect("symlink");
    let out = t.run_args(&["run", "t.rb"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("runbook::journal::untrusted"),
        "{}",
        out.stderr
    );
    assert_eq!(read(t.path(), "precious"), "keep me");
    std::fs::remove_file(&lock).expect("rm");

    // Someone else's journal (only root can hand a file to another user).
    if nix::unistd::geteuid().is_root() {
        let journal = journals(t.path())[0].clone();
        std::os::unix::fs::chown(&journal, Some(65534), None).expect("chown");
        let out = t.run_args(&["resume"]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(
            out.stderr.contains("belongs to uid 65534"),
            "{}",
            out.stderr
        );
        assert_eq!(
            read(t.path(), "log"),
            "one\n",
            "their runbook did not run as root"
        );
    }
}

/// A journal that cannot grow (a full disk; here a file-size limit) stops the run at the
/// first record it cannot write: that step never runs, nothing is rolled back, and the
/// output says what happened and how to go on.
#[test]
fn a_journal_that_cannot_be_written_stops_the_run_and_says_so() {
    let body = "step one \"One\" {\n  run \"echo one >> log\"\n  rollback {\n    run \"echo undo-one >> log\"\n  }\n}\n\nstep two \"Two\" {\n  run \"echo two >> log\"\n}\n\nstep three \"Three\" {\n  run \"echo three >> log\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    let runbook = env!("CARGO_BIN_EXE_runbook");
    // 2 blocks of 512 bytes: the journal fills up in the middle of the run.
    // Its output goes to pipes, which no file-size limit applies to.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 2; exec {runbook} run t.rb"
        ))
        .current_dir(t.path())
        .env("XDG_STATE_HOME", t.path().join(".state"))
        .env_remove("RUNBOOK_STATE_DIR")
        .output()
        .expect("sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(8), "{stdout}\n{stderr}");
    let log = read(t.path(), "log");
    assert!(
        !log.contains("undo-one") && !log.contains("three"),
        "nothing ran past the journal, no rollback either: {log}"
    );
    assert!(
        stdout.contains(
            "the journal could not be written, so nothing more ran and nothing was rolled back"
        ),
        "{stdout}"
    );
    assert!(
        stderr.contains("runbook::journal::write_failed"),
        "{stderr}"
    );
}

/// The lock cannot be bypassed: not from another state directory, not by removing its file.
#[test]
fn the_lock_holds_across_state_directories_and_a_removed_lock_file() {
    let body = "step slow \"Slow\" {\n  run \"touch started; sleep 2\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    let mut first = std::process::Command::new(env!("CARGO_BIN_EXE_runbook"))
        .args(["--state-dir", "a", "run", "t.rb", "-q"])
        .current_dir(t.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let start = std::time::Instant::now();
    while !t.path().join("started").exists() {
        assert!(
            start.elapsed().as_secs() < 10,
            "the first run never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let elsewhere = t.run_args(&["--state-dir", "b", "run", "t.rb"]);
    for lock in std::fs::read_dir(t.path().join("a/locks"))
        .expect("locks")
        .flatten()
    {
        std::fs::remove_file(lock.path()).expect("rm");
    }
    let removed = t.run_args(&["--state-dir", "a", "run", "t.rb"]);
    let _ = first.wait();
    for out in [&elsewhere, &removed] {
        assert_eq!(out.code, 7, "{}", out.stderr);
        assert!(
            out.stderr.contains("runbook::journal::locked_elsewhere"),
            "{}",
            out.stderr
        );
    }
    assert_eq!(
        t.run_args(&["--state-dir", "b", "run", "t.rb"]).code,
        0,
        "free once it ended"
    );
}

/// `show` lists steps in the order they ran, a step run again by a resume in its own place.
#[test]
fn show_keeps_the_steps_in_their_order_after_a_resume() {
    let t = Runbook::new().file("t.rb", format!("{HEAD}{THREE}"));
    // two fails and one is rolled back; the resume runs one, two and three.
    let failed = t.run_args(&["run", "t.rb"]);
    assert_eq!(failed.code, 1);
    std::fs::write(t.path().join("ok"), "").expect("fix");
    assert_eq!(t.run_args(&["resume"]).code, 0);
    let show = t.run_args(&["show", &run_id(&failed)]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    let at = |name: &str| {
        show.stdout
            .lines()
            .position(|l| l.starts_with(&format!("│ {name} ")))
            .unwrap_or_else(|| panic!("no row for {name}: {}", show.stdout))
    };
    assert!(
        at("one") < at("two") && at("two") < at("three") && at("one") < at("↶ one"),
        "the steps first, in order: {}",
        show.stdout
    );
}

/// When the record that fills the disk is a step's result (here: a large capture), the run
/// still names the step it stopped at.
#[test]
fn a_result_that_cannot_be_written_names_its_step() {
    let body = "step one \"One\" {\n  run \"echo one >> log\"\n}\n\nstep two \"Two\" {\n  let big = run(\"head -c 3000 /dev/zero | tr '\\\\0' x\").stdout\n}\n\nstep three \"Three\" {\n  run \"echo three >> log\"\n}\n";
    let t = Runbook::new().file("t.rb", format!("{HEAD}{body}"));
    let runbook = env!("CARGO_BIN_EXE_runbook");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 2; exec {runbook} run t.rb"
        ))
        .current_dir(t.path())
        .env("XDG_STATE_HOME", t.path().join(".state"))
        .env_remove("RUNBOOK_STATE_DIR")
        .output()
        .expect("sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(8), "{stdout}");
    assert!(stdout.contains("stopped at step two after"), "{stdout}");
    assert_eq!(read(t.path(), "log"), "one\n", "three did not run");
}
