//! The dry run: the plan of every runbook, symbolic values, and proof that nothing runs.

use crate::common;

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

/// The dry run cannot touch a host: with every program on PATH replaced by a tripwire that
/// logs its call (`sh`, `ssh`, `docker`, `systemctl`, `psql`, ...), the plan of every shipped
/// runbook, and of one reaching unreachable hosts, calls none of them.
#[test]
fn a_dry_run_trips_no_wire() {
    let t = Runbook::new().file("far.rb", UNREACHABLE);
    let wires = t.path().join("wires");
    std::fs::create_dir_all(&wires).expect("mkdir");
    let log = t.path().join("tripped.log");
    let wire = t.path().join("tripwire");
    std::fs::write(
        &wire,
        format!("#!/bin/sh\necho \"$0 $*\" >> '{}'\nexit 1\n", log.display()),
    )
    .expect("tripwire");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wire, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut names = std::collections::BTreeSet::new();
    for dir in ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            names.insert(entry.file_name());
        }
    }
    for name in &names {
        let _ = std::os::unix::fs::symlink(&wire, wires.join(name));
    }
    assert!(names.len() > 100, "tripwires for the machine's programs");
    let path = wires.display().to_string();
    let mut runbooks: Vec<std::path::PathBuf> = std::fs::read_dir(common::root().join("runbooks"))
        .expect("runbooks")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rb"))
        .collect();
    runbooks.sort();
    runbooks.push(t.path().join("far.rb"));
    for rb in &runbooks {
        let text = std::fs::read_to_string(rb).expect("read");
        let mut args = vec!["plan".to_string(), rb.display().to_string()];
        for line in text.lines().filter_map(|l| l.strip_prefix("param ")) {
            if let (false, Some(name)) = (line.contains('='), line.split(':').next()) {
                args.extend(["--set".into(), format!("{name}=example-{name}")]);
            }
        }
        for dry in [false, true] {
            let mut args = args.clone();
            if dry {
                args[0] = "run".into();
                args.push("--dry-run".into());
            }
            let env = [
                ("PATH".to_string(), path.clone()),
                ("RB_PLAN_TOKEN".to_string(), "tok".to_string()),
            ];
            let out = common::run_in(t.path(), &args, &env);
            assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        }
    }
    let tripped = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(
        tripped,
        "",
        "{} dry runs started programs",
        runbooks.len() * 2
    );
    // The wires do catch: the same local step, really run, trips one.
    let real = t.path().join("real.rb");
    std::fs::write(
        &real,
        "runbook real \"Real\"\n\nstep one \"One\" {\n  run \"true\"\n}\n",
    )
    .expect("write");
    let args = ["run".to_string(), real.display().to_string()];
    let _ = common::run_in(t.path(), &args, &[("PATH".into(), path)]);
    assert!(
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("sh -c"),
        "a real run goes through the wires"
    );
}
