//! Steps on ssh hosts, against real OpenSSH servers on 127.0.0.1 started by the tests.

use crate::common;
#[path = "common/sshd.rs"]
mod sshd;

use std::path::Path;

use common::{Output, Runbook};
use sshd::Sshd;

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_default()
}

/// A runbook with one ssh host `box` reaching `sshd`, and `body` after it.
fn runbook(sshd: &Sshd, body: &str) -> String {
    format!(
        "runbook remote \"Remote\"\n\nhost box = ssh({:?}, config: {:?})\n\n{body}",
        sshd.alias,
        sshd.config().display().to_string()
    )
}

fn run(t: &Runbook, args: &[&str]) -> Output {
    let mut all = vec!["run", "r.rb"];
    all.extend_from_slice(args);
    t.run_args(&all)
}

#[test]
fn commands_capture_codes_and_stdin_over_one_connection() {
    let t = Runbook::new();
    let sshd = Sshd::start(&t.path().join("sshd"), "box-a");
    let dir = t.path().display().to_string();
    let body = format!(
        "step one \"Remote\" on box {{\n  let who = run(\"echo $SSH_CONNECTION | cut -d' ' -f4\").stdout.trim()\n  log \"port {{{{ who }}}}\"\n  let r = run(\"echo out; echo err >&2; exit 3\", ok: [3])\n  check r.code == 3 and r.stdout == \"out\\n\" and r.stderr == \"err\\n\" else \"result: {{{{ r.code }}}}\"\n  run \"cat > {dir}/piped\", stdin: \"over ssh\"\n  run \"printf '%s' {{{{ who }}}} > {dir}/quoted\"\n  run \"whoami > {dir}/sudoer\", sudo: true\n}}\n\nstep two \"Missing tool\" on box {{\n  run \"no-such-tool --version\"\n}}\n"
    );
    let t = t.file("r.rb", runbook(&sshd, &body));
    let out = run(&t, &[]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(&format!("› port {}", sshd.port)),
        "the command ran through sshd: {}",
        out.stdout
    );
    assert_eq!(read(t.path(), "piped"), "over ssh");
    assert_eq!(read(t.path(), "quoted"), sshd.port.to_string());
    assert_eq!(
        read(t.path(), "sudoer").trim(),
        "root",
        "sudo -n runs the command as root"
    );
    assert!(
        out.stdout
            .contains("`no-such-tool --version`: command not found (exit 127)"),
        "{}",
        out.stdout
    );
    assert_eq!(
        sshd.logins(),
        1,
        "one master connection carried every command of the run"
    );
}

#[test]
fn host_keys_are_checked_strictly() {
    let t = Runbook::new();
    let sshd = Sshd::start(&t.path().join("sshd"), "box-b");
    let t = t.file(
        "r.rb",
        runbook(&sshd, "step one \"One\" on box {\n  run \"true\"\n}\n"),
    );
    let known = sshd.dir.join("known_hosts");
    let good = std::fs::read_to_string(&known).expect("known_hosts");
    std::fs::write(&known, "").expect("forget the host");
    let unknown = run(&t, &[]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stdout.contains("host key of box"),
        "{}",
        unknown.stdout
    );
    let accepted = run(&t, &["--accept-new-host-keys"]);
    assert_eq!(accepted.code, 0, "{}", accepted.stdout);
    assert!(
        std::fs::read_to_string(&known)
            .expect("known")
            .contains(&format!("[127.0.0.1]:{}", sshd.port)),
        "the new key was remembered"
    );
    // A key that changed is refused, even when new keys are accepted.
    let other = t.path().join("other_key");
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&other)
        .status()
        .expect("keygen");
    assert!(made.success());
    let impostor = std::fs::read_to_string(other.with_extension("pub")).expect("pub");
    std::fs::write(&known, format!("[127.0.0.1]:{} {impostor}", sshd.port)).expect("write");
    let changed = run(&t, &["--accept-new-host-keys"]);
    assert_eq!(changed.code, 1);
    assert!(
        changed.stdout.contains("has CHANGED since it was recorded")
            && changed.stdout.contains("known_hosts:1")
            && !changed.stdout.contains("pass --accept-new-host-keys"),
        "a changed key is its own case, naming the recorded line: {}",
        changed.stdout
    );
    assert!(
        unknown.stdout.contains("is unknown") && unknown.stdout.contains("--accept-new-host-keys"),
        "{}",
        unknown.stdout
    );
    std::fs::write(&known, good).expect("restore");
}

#[test]
fn authentication_failure_is_named() {
    let t = Runbook::new();
    let sshd = Sshd::start(&t.path().join("sshd"), "box-c");
    let stranger = t.path().join("stranger");
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&stranger)
        .status()
        .expect("keygen");
    assert!(made.success());
    let body = format!(
        "runbook remote \"Remote\"\n\nhost box = ssh({:?}, config: {:?}, identity: {:?})\n\nstep one \"One\" on box {{\n  run \"true\"\n}}\n",
        sshd.alias,
        sshd.config().display().to_string(),
        stranger.display().to_string()
    );
    // The alias names the right key too: point it at the stranger only.
    let config = std::fs::read_to_string(sshd.config())
        .expect("config")
        .replace("IdentityFile", "#IdentityFile");
    std::fs::write(sshd.config(), config).expect("write");
    let t = t.file("r.rb", body);
    let out = run(&t, &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("authentication failed on box"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("runbook::run::unreachable"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_timeout_stops_the_remote_command_and_everything_it_started() {
    let t = Runbook::new();
    let sshd = Sshd::start(&t.path().join("sshd"), "box-d");
    let dir = t.path().display().to_string();
    let t = t.file(
        "r.rb",
        runbook(&sshd, &format!("step slow \"Slow\" on box timeout 1s {{\n  run \"sleep 30 & echo $! > {dir}/bg.pid; sleep 30\"\n}}\n")),
    );
    let start = std::time::Instant::now();
    let out = run(&t, &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(start.elapsed().as_secs() < 10);
    assert!(out.stdout.contains("timed out after 1s"), "{}", out.stdout);
    let pid: i32 = read(t.path(), "bg.pid").trim().parse().expect("pid");
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let alive = stat
        .rsplit(')')
        .next()
        .is_some_and(|r| !r.trim_start().starts_with('Z'))
        && !stat.is_empty();
    assert!(
        !alive,
        "the remote background job was killed with its process group"
    );
}

#[test]
fn a_lost_connection_fails_the_step_and_resume_finishes_the_run() {
    let t = Runbook::new();
    let mut sshd = Sshd::start(&t.path().join("sshd"), "box-e");
    let dir = t.path().display().to_string();
    let body = format!(
        "step one \"Before\" on box {{\n  run \"echo one >> {dir}/log\"\n}}\n\nstep two \"Long\" on box {{\n  run \"touch {dir}/started; test -e {dir}/second-time || sleep 30; echo two >> {dir}/log\"\n}}\n\nstep three \"After\" on box {{\n  run \"echo three >> {dir}/log\"\n}}\n"
    );
    let t = t.file("r.rb", runbook(&sshd, &body));
    let child = common::binary(t.path())
        .args(["run", "r.rb", "--no-rollback"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = std::time::Instant::now();
    while !t.path().join("started").exists() {
        assert!(start.elapsed().as_secs() < 15, "step two never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    sshd.kill();
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(5), "{stdout}");
    assert!(
        stdout.contains("the connection to box was lost"),
        "{stdout}"
    );
    assert!(stdout.contains("runbook::run::connection_lost"), "{stdout}");
    sshd.restart();
    std::fs::write(t.path().join("second-time"), "").expect("marker");
    let resumed = t.run_args(&["resume"]);
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    assert_eq!(
        read(t.path(), "log"),
        "one\ntwo\nthree\n",
        "one ran once; two ran again from its start"
    );
}

/// Three hosts, each its own sshd; the group's members in order.
fn fleet(t: &Runbook) -> Vec<Sshd> {
    (0..3)
        .map(|i| Sshd::start(&t.path().join(format!("sshd{i}")), &format!("web{i}")))
        .collect()
}

fn fleet_runbook(hosts: &[Sshd], step: &str) -> String {
    let mut s = String::from("runbook fleet \"Fleet\"\n\n");
    for (i, h) in hosts.iter().enumerate() {
        s.push_str(&format!(
            "host web{i} = ssh({:?}, config: {:?})\n",
            h.alias,
            h.config().display().to_string()
        ));
    }
    s.push_str("group web = [web0, web1, web2]\n\n");
    s.push_str(step);
    s
}

#[test]
fn fan_out_with_a_failing_host_and_a_failure_budget() {
    let t = Runbook::new();
    let hosts = fleet(&t);
    let dir = t.path().display().to_string();
    let bad = hosts[1].port;
    let step = |modifiers: &str| {
        format!(
            "step deploy \"Deploy\" on web {modifiers} {{\n  let port = run(\"echo $SSH_CONNECTION | cut -d' ' -f4\").stdout.trim()\n  run \"port=$(echo $SSH_CONNECTION | cut -d' ' -f4); echo $port; test $port != {bad} || test -e {dir}/fixed || exit 1; echo $port >> {dir}/ran\"\n  rollback {{\n    run \"echo undo {{{{ port }}}} >> {dir}/undone\"\n  }}\n}}\n\nstep after \"After\" {{\n  run \"touch {dir}/after\"\n}}\n"
        )
    };
    let t = t.file(
        "r.rb",
        fleet_runbook(&hosts, &step("parallel 3 max_fail 1")),
    );
    let out = run(&t, &["--json"]);
    assert_eq!(
        out.code, 0,
        "one failure is within the budget: {}",
        out.stdout
    );
    assert!(t.path().join("after").exists());
    let events: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let statuses: Vec<(String, String)> = events
        .iter()
        .filter(|e| e["event"] == "step_finished" && e["step"] == "deploy")
        .map(|e| {
            (
                e["host"].as_str().unwrap_or("").into(),
                e["status"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(statuses.len(), 3);
    assert!(
        statuses.contains(&("web1".into(), "failed".into())),
        "{statuses:?}"
    );
    let outputs: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "output")
        .filter_map(|e| e["host"].as_str())
        .collect();
    assert!(
        outputs.contains(&"web0") && outputs.contains(&"web2"),
        "output is attributed to its host"
    );
    let human = run(&t, &[]);
    assert!(
        human.stdout.contains(&format!("[web0] {}", hosts[0].port)),
        "fan-out lines carry the host: {}",
        human.stdout
    );
    // One summary line and one table row for the step, then a row for the failed host.
    assert!(
        human.stdout.contains("⚠ Deploy · 3 hosts · ")
            && human
                .stdout
                .contains("2 ok, 1 failed (within max_fail 1: the run goes on)"),
        "{}",
        human.stdout
    );
    assert!(
        !human.stdout.contains("✓ Deploy · web0"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("✗ Deploy · web1"), "{}", human.stdout);
    let rows: Vec<&str> = human
        .stdout
        .lines()
        .filter(|l| l.starts_with('│') && !l.contains(" step "))
        .collect();
    assert_eq!(rows.len(), 3, "deploy, its failed host, after: {rows:#?}");
    assert!(
        rows[0].contains("3 hosts") && rows[0].contains("2 ok, 1 failed"),
        "{rows:#?}"
    );
    assert!(
        rows[1].contains("web1") && rows[1].contains("failed"),
        "{rows:#?}"
    );
    // Without a budget the failure stops the run and the hosts that succeeded roll back.
    std::fs::remove_file(t.path().join("after")).expect("rm");
    let t = t.file("r.rb", fleet_runbook(&hosts, &step("parallel 3")));
    let out = run(&t, &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(!t.path().join("after").exists());
    let mut undone: Vec<String> = read(t.path(), "undone")
        .lines()
        .map(str::to_string)
        .collect();
    undone.sort();
    let mut expected = vec![
        format!("undo {}", hosts[0].port),
        format!("undo {}", hosts[2].port),
    ];
    expected.sort();
    assert_eq!(
        undone, expected,
        "web0 and web2 were rolled back, each with the value it captured"
    );
}

#[test]
fn resume_reruns_a_fan_out_only_where_it_did_not_complete() {
    let t = Runbook::new();
    let hosts = fleet(&t);
    let dir = t.path().display().to_string();
    let bad = hosts[2].port;
    let step = format!(
        "step deploy \"Deploy\" on web parallel 2 {{\n  run \"port=$(echo $SSH_CONNECTION | cut -d' ' -f4); test $port != {bad} || test -e {dir}/fixed || exit 1; echo $port >> {dir}/ran\"\n}}\n"
    );
    let t = t.file("r.rb", fleet_runbook(&hosts, &step));
    let failed = run(&t, &["--no-rollback"]);
    assert_eq!(failed.code, 5, "{}", failed.stdout);
    std::fs::write(t.path().join("fixed"), "").expect("fix");
    let resumed = t.run_args(&["resume"]);
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    let mut ran: Vec<String> = read(t.path(), "ran").lines().map(str::to_string).collect();
    ran.sort();
    let mut expected: Vec<String> = hosts.iter().map(|h| h.port.to_string()).collect();
    expected.sort();
    assert_eq!(ran, expected, "every host ran the step exactly once");
    assert!(
        resumed
            .stdout
            .contains("✓ Deploy · web0 — done before the resume"),
        "{}",
        resumed.stdout
    );
}

#[test]
fn a_host_can_run_everything_under_sudo() {
    let t = Runbook::new();
    let sshd = Sshd::start(&t.path().join("sshd"), "box-f");
    let dir = t.path().display().to_string();
    let body = format!(
        "runbook remote \"Remote\"\n\nhost box = ssh({:?}, config: {:?}, sudo: true)\n\nstep one \"One\" on box {{\n  run \"echo $SUDO_USER > {dir}/by; whoami >> {dir}/by\"\n}}\n",
        sshd.alias,
        sshd.config().display().to_string()
    );
    let t = t.file("r.rb", body);
    let out = run(&t, &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        read(t.path(), "by"),
        "root\nroot\n",
        "the command ran through sudo (SUDO_USER is set)"
    );
}

#[test]
fn a_sudo_step_runs_its_guard_commands_captures_and_rollback_under_sudo() {
    let t = Runbook::new();
    let sshd = Sshd::start(&t.path().join("sshd"), "box-g");
    let dir = t.path().display().to_string();
    // SUDO_USER is set by sudo only; an ssh session starts without the test's environment.
    let body =
        r#"step one "As root" on box sudo when run("printenv SUDO_USER", ok: [0, 1]).code == 0 {
  run "echo \"$SUDO_USER\" > DIR/cmd"
  let by = run("printenv SUDO_USER").stdout.trim()
  check by == "root" else "the capture ran without sudo"
  rollback {
    run "echo \"$SUDO_USER\" > DIR/rolled"
  }
}

step two "As the login user" on box {
  run "echo \"x$SUDO_USER\" > DIR/plain"
  fail "stop here"
}
"#
        .replace("DIR", &dir);
    let t = t.file("r.rb", runbook(&sshd, &body));

    let plan = t.run_args(&["plan", "r.rb", "--json"]);
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
    let doc: serde_json::Value = serde_json::from_str(&plan.stdout).expect("plan JSON");
    let sudo_of = |step: usize| {
        let mut found = Vec::new();
        runs_sudo(&doc["steps"][step], &mut found);
        found
    };
    // The guard, the action, the capture and the rollback.
    assert_eq!(sudo_of(0), [true, true, true, true], "{}", plan.stdout);
    assert_eq!(sudo_of(1), [false], "{}", plan.stdout);

    let out = run(&t, &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(read(t.path(), "cmd"), "root\n", "{}", out.stdout);
    assert_eq!(read(t.path(), "rolled"), "root\n", "{}", out.stdout);
    assert_eq!(
        read(t.path(), "plain"),
        "x\n",
        "only the sudo step is under sudo"
    );
}

/// Whether each `run` command anywhere in a plan document is under sudo.
fn runs_sudo(v: &serde_json::Value, found: &mut Vec<bool>) {
    match v {
        serde_json::Value::Object(o) => {
            if o.get("kind").is_some_and(|k| k == "run") {
                found.push(o.get("sudo").is_some_and(|s| s == true));
            }
            o.values().for_each(|v| runs_sudo(v, found));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| runs_sudo(v, found)),
        _ => {}
    }
}

/// `config:` adds a file to the user's `~/.ssh/config`, which is still read: here the alias
/// lives in `~/.ssh/config` and the key in the runbook's config.
#[test]
fn a_config_file_adds_to_the_users_ssh_config() {
    let t = Runbook::new();
    let sshd = Sshd::start(&t.path().join("sshd"), "box-g");
    let home = t.path().join("home");
    std::fs::create_dir_all(home.join(".ssh")).expect("mkdir");
    std::fs::write(
        home.join(".ssh/config"),
        format!(
            "Host boxalias\n  HostName 127.0.0.1\n  Port {}\n",
            sshd.port
        ),
    )
    .expect("user config");
    let given: String = std::fs::read_to_string(sshd.config())
        .expect("config")
        .lines()
        .filter(|l| !l.trim_start().starts_with("HostName") && !l.trim_start().starts_with("Port"))
        .map(|l| {
            if l.starts_with("Host ") {
                "Host boxalias".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let keys = t.path().join("keys_config");
    std::fs::write(&keys, format!("{given}\n")).expect("keys config");
    let body = format!(
        "runbook remote \"Remote\"\n\nhost box = ssh(\"boxalias\", config: {:?})\n\nstep one \"One\" on box {{\n  run \"true\"\n}}\n",
        keys.display().to_string()
    );
    let t = t.file("r.rb", body);
    let out = t.run_env(&["run", "r.rb"], &[("HOME", home.to_str().expect("utf-8"))]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
}

/// A run killed with kill -9 leaves its ssh control directory behind; the next run with ssh
/// hosts removes such directories of processes that are gone.
#[test]
fn control_directories_of_killed_runs_are_swept() {
    let mut child = std::process::Command::new("true").spawn().expect("true");
    let dead = child.id();
    child.wait().expect("wait");
    let left = std::path::PathBuf::from(format!("/tmp/rb-{dead}-left"));
    std::fs::create_dir_all(&left).expect("mkdir");
    let t = Runbook::new();
    let sshd = Sshd::start(&t.path().join("sshd"), "box-h");
    let t = t.file(
        "r.rb",
        runbook(&sshd, "step one \"One\" on box {\n  run \"true\"\n}\n"),
    );
    let out = run(&t, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(!left.exists(), "the killed run's directory is gone");
}

/// A remote command that exits 255 itself, even saying "Connection to ... closed", failed:
/// the connection was not lost.
#[test]
fn a_remote_exit_255_is_the_commands_own() {
    let t = Runbook::new();
    let sshd = Sshd::start(&t.path().join("sshd"), "box-i");
    let t = t.file(
        "r.rb",
        runbook(
            &sshd,
            "step one \"One\" on box {\n  run \"echo 'Connection to db closed.' >&2; exit 255\"\n}\n",
        ),
    );
    let out = run(&t, &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("exited with 255"), "{}", out.stdout);
    assert!(!out.stdout.contains("was lost"), "{}", out.stdout);
}

#[test]
fn a_secret_is_on_no_command_line_of_the_host() {
    let t = Runbook::new();
    let sshd = Sshd::start(&t.path().join("sshd"), "box-s");
    let dir = t.path().display().to_string();
    let body = format!(
        "secret token = env(\"RB_SSH_SECRET\")\n\nstep one \"Remote\" on box {{\n  run \"x={{{{ token }}}}; cat /proc/[0-9]*/cmdline | tr '\\\\000' '\\\\n' > {dir}/ps-ssh.txt; printf '%s' \\\"$x\\\" > {dir}/got\"\n  run \"x={{{{ token }}}}; cat /proc/[0-9]*/cmdline | tr '\\\\000' '\\\\n' > {dir}/ps-ssh-sudo.txt\", sudo: true\n}}\n"
    );
    let t = t.file("r.rb", runbook(&sshd, &body));
    let secret = "ssh-s3cr3t 'q\" \\ end";
    let out = t.run_env(&["run", "r.rb"], &[("RB_SSH_SECRET", secret)]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        read(t.path(), "got"),
        secret,
        "the command got the secret exactly"
    );
    for ps in ["ps-ssh.txt", "ps-ssh-sudo.txt"] {
        let text = read(t.path(), ps);
        assert!(
            text.contains("__rb_1"),
            "the dump holds the remote shell: {text}"
        );
        assert!(
            !text.contains("s3cr3t"),
            "{ps}: the secret is on a command line:\n{text}"
        );
    }
}

/// `jump: bastion` reaches the host through the declared bastion with everything declared
/// for it: its port, user, key (`identity:`) and config. The bastion's key is nowhere else.
#[test]
fn a_jump_host_is_reached_with_its_declared_identity() {
    let t = Runbook::new();
    let bastion = Sshd::start(&t.path().join("bastion"), "bastion-j");
    let inner = Sshd::start(&t.path().join("inner"), "inner-j");
    // Only where the bastion's host key is recorded: no Host line, no key, no port.
    let trust = t.path().join("bastion_known");
    std::fs::write(
        &trust,
        format!("UserKnownHostsFile {}/known_hosts\n", bastion.dir.display()),
    )
    .expect("bastion config");
    let body = format!(
        "runbook remote \"Remote\"\n\nhost bastion = ssh(\"127.0.0.1\", port: {port}, user: {user:?}, identity: {key:?}, config: {trust:?})\nhost inner = ssh({alias:?}, config: {config:?}, jump: bastion)\n\nstep one \"Through the bastion\" on inner {{\n  let via = run(\"echo $SSH_CONNECTION | cut -d' ' -f4\").stdout.trim()\n  log \"port {{{{ via }}}}\"\n}}\n",
        port = bastion.port,
        user = sshd::user(),
        key = bastion.dir.join("client_key").display().to_string(),
        trust = trust.display().to_string(),
        alias = inner.alias,
        config = inner.config().display().to_string(),
    );
    let t = t.file("r.rb", body);
    let out = run(&t, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(&format!("› port {}", inner.port)),
        "the step ran on the inner host: {}",
        out.stdout
    );
    assert_eq!(bastion.logins(), 1, "the bastion accepted its declared key");
    assert_eq!(inner.logins(), 1);
}

/// kill -9 of runbook mid-step: the remote command and what it started die with the run
/// (the remote supervisor finds the channel closed), instead of running on beside a resume.
#[test]
#[allow(clippy::print_stderr)]
fn a_killed_run_takes_its_remote_command_with_it() {
    let t = Runbook::new();
    let sshd = Sshd::start(&t.path().join("sshd"), "box-k");
    let dir = t.path().display().to_string();
    let t = t.file(
        "r.rb",
        runbook(
            &sshd,
            &format!("step slow \"Slow\" on box {{\n  run \"sleep 40 & echo $! > {dir}/bg.pid; echo $$ > {dir}/fg.pid; sleep 40; touch {dir}/survived\"\n}}\n"),
        ),
    );
    let mut child = common::binary(t.path())
        .args(["run", "r.rb"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("runbook");
    let started = std::time::Instant::now();
    while read(t.path(), "bg.pid").trim().is_empty() || read(t.path(), "fg.pid").trim().is_empty() {
        assert!(started.elapsed().as_secs() < 15, "the step never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let pids: Vec<i32> = ["bg.pid", "fg.pid"]
        .iter()
        .map(|f| read(t.path(), f).trim().parse().expect("pid"))
        .collect();
    assert!(pids.iter().all(|p| common::running(*p)));
    child.kill().expect("kill -9");
    child.wait().expect("wait");
    let killed = std::time::Instant::now();
    while pids.iter().any(|p| common::running(*p)) {
        assert!(
            killed.elapsed().as_secs() < 8,
            "the remote command outlived the run: {pids:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    eprintln!("remote command gone {:?} after the kill", killed.elapsed());
    assert!(!t.path().join("survived").exists());
}

/// A host of the inventory is reached like a declared one: its ssh settings come from the
/// file, its variables reach the step.
#[test]
fn an_inventory_host_is_reached_over_ssh_with_its_variables() {
    let t = Runbook::new();
    let sshd = Sshd::start(&t.path().join("sshd"), "box-inv");
    let dir = t.path().display().to_string();
    let inventory = format!(
        "[hosts.box]\nssh = {:?}\nconfig = {:?}\nvars = {{ tier = \"gold\" }}\n\n[groups]\nremote = [\"box\"]\n",
        sshd.alias,
        sshd.config().display().to_string()
    );
    let body = format!(
        "runbook inv \"Inventory over ssh\"\n\ninventory \"hosts.toml\"\n\nstep where \"Where\" on remote {{\n  run \"echo {{{{ host.tier }}}} $SSH_CONNECTION | cut -d' ' -f1,5 > {dir}/seen\"\n}}\n"
    );
    let t = t.file("hosts.toml", inventory).file("r.rb", body);
    let out = run(&t, &["-q"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        read(t.path(), "seen").trim(),
        format!("gold {}", sshd.port),
        "the command ran through sshd, with the host's variable"
    );
    assert_eq!(sshd.logins(), 1);
}

/// `lock hosts`: a second operator, with a state of their own (another laptop), cannot run
/// against the host while a first run holds it; the refusal names who holds it, and once
/// that run ends the host is free again.
#[test]
fn a_locked_host_refuses_a_second_operator_with_separate_state() {
    let first = Runbook::new();
    let sshd = Sshd::start(&first.path().join("sshd"), "box-lock");
    let body = format!(
        "runbook deploy \"Deploy\"\n\nhost box = ssh({:?}, config: {:?})\nlock hosts\n\nstep work \"Work\" on box {{\n  run \"sleep 3\"\n}}\n",
        sshd.alias,
        sshd.config().display().to_string()
    );
    let first = first.file("r.rb", &body);
    let plan = run(&first, &["--dry-run"]);
    assert!(
        plan.stdout
            .contains("locks: box (lock hosts: taken on the host before the first step)"),
        "{}",
        plan.stdout
    );
    let second = Runbook::new().file("r.rb", &body);
    std::thread::scope(|s| {
        let holder = s.spawn(|| run(&first, &["-q"]));
        // The first run holds the lock once its step began.
        step_began(first.path());
        let refused = run(&second, &["-q"]);
        assert_eq!(refused.code, 7, "{}\n{}", refused.stdout, refused.stderr);
        assert!(
            refused.stderr.contains("box is locked by another run: ")
                && refused.stderr.contains("runbook deploy"),
            "the holder is named: {}",
            refused.stderr
        );
        assert!(
            common::journals(second.path()).is_empty(),
            "a refused run leaves no journal"
        );
        let done = holder.join().expect("the first run");
        assert_eq!(done.code, 0, "{}\n{}", done.stdout, done.stderr);
    });
    let after = run(&second, &["-q"]);
    assert_eq!(
        after.code, 0,
        "free again: {}\n{}",
        after.stdout, after.stderr
    );
    // In the same test: every sshd here is this machine, with one /tmp and one lock.
    a_killed_runs_host_lock_is_gone_with_it(&sshd);
}

/// Waits until the run in `dir` journaled its first step's intent (it holds its locks).
fn step_began(dir: &Path) {
    let started = std::time::Instant::now();
    while !common::journals(dir)
        .first()
        .is_some_and(|j| std::fs::read_to_string(j).is_ok_and(|t| t.contains("step_intent")))
    {
        assert!(
            started.elapsed().as_secs() < 20,
            "the first run never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A run killed with -9 leaves no stale host lock: its connection closes, and the host's
/// kernel lets go of the lock with the shell that held it.
fn a_killed_runs_host_lock_is_gone_with_it(sshd: &Sshd) {
    let body = format!(
        "runbook deploy \"Deploy\"\n\nhost box = ssh({:?}, config: {:?})\nlock hosts\n\nstep work \"Work\" on box {{\n  run \"sleep 5\"\n}}\n",
        sshd.alias,
        sshd.config().display().to_string()
    );
    let first = Runbook::new().file("r.rb", &body);
    let mut child = common::silent(first.path(), &["run", "r.rb", "-q"])
        .spawn()
        .expect("spawn");
    step_began(first.path());
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    );
    let _ = child.wait();
    let second = Runbook::new().file("r.rb", &body);
    // The remote side notices the closed channel within moments on an idle machine; on a
    // loaded one it may take until the killed run's own command ends there (5 s). A stale
    // lock would never go: 30 s tells the two apart.
    let started = std::time::Instant::now();
    let mut out = run(&second, &["-q"]);
    while out.code == 7 && started.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(250));
        out = run(&second, &["-q"]);
    }
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
}
