//! The dry run: the plan of every runbook, symbolic values, and proof that nothing runs.

mod common;

use common::Runbook;

#[test]
fn plans_of_the_shipped_runbooks() {
    insta::glob!("../", "runbooks/*.rb", |path| {
        let relative = common::relative(path);
        // Required params need a value for the run (and so its plan) to start.
        let text = std::fs::read_to_string(path).expect("read");
        let sets: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("param "))
            .filter(|p| !p.contains('='))
            .filter_map(|p| p.split(':').next())
            .map(|name| format!("{name}=example-{name}"))
            .collect();
        let mut args = vec!["plan", relative.as_str()];
        for s in &sets {
            args.extend(["--set", s.as_str()]);
        }
        let out = common::runbook(&args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        insta::assert_snapshot!(out.stdout);
    });
}

const UNREACHABLE: &str = r#"runbook far "Far away"

secret token = env("RB_PLAN_TOKEN")
param release = "v1"
host web1 = ssh("deploy@192.0.2.1", port: 2222)
host web2 = ssh("deploy@192.0.2.2")
group web = [web1, web2]

step guarded "Guarded" on web when run("touch guard-ran").ok {
  run "touch step-ran"
}

step deploy "Deploy" on web parallel 2 {
  let previous = run("touch capture-ran; git rev-parse HEAD").stdout.trim()
  run "echo {{ release }} {{ token }} > /tmp/never"
  check run("touch check-ran").ok else "not healthy"
  wait_until run("touch wait-ran").ok every 1s timeout 1m
  approve dangerous "Deploy {{ release }}?"
  rollback {
    run "git checkout {{ previous }}; touch rollback-ran"
  }
}

step local_one "Local" {
  run "touch local-ran"
}
"#;

#[test]
fn a_dry_run_runs_nothing_and_connects_nowhere() {
    let t = Runbook::new().file("far.rb", UNREACHABLE);
    let start = std::time::Instant::now();
    let out = t.run_env(
        &["run", "far.rb", "--dry-run", "--set", "release=v2"],
        &[("RB_PLAN_TOKEN", "tok-very-secret")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "no connection was attempted"
    );
    let left: Vec<String> = std::fs::read_dir(t.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["far.rb"], "nothing ran, no journal was written");
    assert!(!out.stdout.contains("tok-very-secret"), "{}", out.stdout);
    for line in [
        "2. deploy · Deploy · on web [web1, web2] · parallel 2",
        "when run(\"touch guard-ran\").ok → decided at run time",
        "$ echo v2 •••• > /tmp/never",
        "$ git checkout <previous: captured in step deploy>; touch rollback-ran",
        "approve (dangerous: the step id must be typed) \"Deploy v2?\"",
        "params: release = \"v2\" (set)",
        "hosts: web1 = ssh(\"deploy@192.0.2.1\", port: 2222), web2 = ssh(\"deploy@192.0.2.2\")",
    ] {
        assert!(
            out.stdout.contains(line),
            "missing {line:?} in:\n{}",
            out.stdout
        );
    }
}

#[test]
fn the_plan_as_json() {
    let t = Runbook::new().file("far.rb", UNREACHABLE);
    let out = t.run_env(
        &["plan", "far.rb", "--json"],
        &[("RB_PLAN_TOKEN", "tok-very-secret")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("tok-very-secret"));
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    assert_eq!(doc["format"], 1);
    assert_eq!(
        doc["params"][0],
        serde_json::json!({"name": "release", "value": "v1", "origin": "default"})
    );
    assert_eq!(doc["secrets"], serde_json::json!(["token"]));
    let deploy = &doc["steps"][1];
    assert_eq!(deploy["hosts"], serde_json::json!(["web1", "web2"]));
    assert_eq!(deploy["group"], "web");
    assert_eq!(deploy["actions"][0]["kind"], "capture");
    assert_eq!(
        deploy["actions"][0]["commands"][0]["command"],
        "touch capture-ran; git rev-parse HEAD"
    );
    assert_eq!(
        deploy["actions"][1],
        serde_json::json!({"kind": "run", "command": "echo v1 •••• > /tmp/never", "sudo": false, "ok_codes": [0]})
    );
    assert_eq!(deploy["actions"][2]["kind"], "check");
    assert_eq!(
        deploy["actions"][4],
        serde_json::json!({"kind": "approve", "message": "Deploy v1?", "dangerous": true})
    );
    assert_eq!(
        deploy["rollback"][0]["command"],
        "git checkout <previous: captured in step deploy>; touch rollback-ran"
    );
    assert_eq!(doc["steps"][0]["verdict"], "decided at run time");
    assert_eq!(
        doc["steps"][0]["guard"]["commands"][0]["command"],
        "touch guard-ran"
    );
}

#[test]
fn a_dry_run_fails_like_the_run_would_before_starting() {
    let t = Runbook::new().file("far.rb", UNREACHABLE);
    let out = t.run_args(&["plan", "far.rb"]);
    assert_eq!(
        out.code, 2,
        "the secret is missing: the run would not start"
    );
    assert!(
        out.stderr.contains("runbook::plan::secret_unavailable"),
        "{}",
        out.stderr
    );
    let out = t.run_env(
        &["plan", "far.rb", "--set", "nope=1"],
        &[("RB_PLAN_TOKEN", "x")],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("runbook::plan::unknown_param"),
        "{}",
        out.stderr
    );
}
