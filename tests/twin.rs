//! The seed's procedures (`runbooks/`) run for real against a twin of its server: over ssh,
//! as a non-root login user with NOPASSWD sudo, each test asserting the effect on the twin.

mod common;
#[path = "common/twin.rs"]
mod twin;

use twin::Twin;

/// What an operator reads when a run does not go as the test expects.
fn shown(out: &common::Output) -> String {
    format!(
        "exit {}\n--- stdout\n{}\n--- stderr\n{}",
        out.code, out.stdout, out.stderr
    )
}

#[test]
fn health_names_the_dead_service_when_web_is_down() {
    let twin = Twin::up();
    let out = twin.run(
        "health",
        &[
            "--set",
            "gateway=127.0.0.1",
            "--set",
            "health_url=http://127.0.0.1:8009/",
        ],
    );
    assert_eq!(out.code, 1, "{}", shown(&out));
    assert!(
        out.stdout
            .contains("web does not answer on 'http://127.0.0.1:8009/'")
            || out
                .stdout
                .contains("web does not answer on http://127.0.0.1:8009/"),
        "{}",
        shown(&out)
    );
}

#[test]
fn cleanup_timers_enables_the_timers_under_sudo() {
    let twin = Twin::up();
    let out = twin.run("cleanup-timers", &[]);
    assert_eq!(out.code, 0, "{}", shown(&out));
    for timer in [
        "skriptoteket-sandbox-snapshots-cleanup.timer",
        "skriptoteket-login-events-cleanup.timer",
        "cleanup-smart-logs.timer",
    ] {
        let enabled =
            std::fs::read_to_string(twin.dir().join(format!("state/units/{timer}.enabled")))
                .unwrap_or_default();
        assert_eq!(enabled.trim(), "enabled", "{timer} after the run");
    }
    assert!(
        out.stdout.contains("session files cleanup next runs"),
        "{}",
        shown(&out)
    );
}

#[test]
fn watchdog_verify_fails_where_the_twin_has_no_watchdog_and_says_which() {
    let twin = Twin::up();
    let out = twin.run("watchdog-verify", &[]);
    // The petter (systemd) passes; the twin's kernel has no sp5100_tco, as an operator
    // would see on a host whose driver did not load.
    assert_eq!(out.code, 1, "{}", shown(&out));
    assert!(
        out.stdout.contains("the sp5100_tco driver is not loaded"),
        "{}",
        shown(&out)
    );
    assert!(
        twin.stand_in_calls()
            .contains("journalctl -t health-watchdog --since"),
        "{}",
        twin.stand_in_calls()
    );
}

#[test]
fn disk_check_measures_the_twins_disk_and_docker() {
    let twin = Twin::up();
    let out = twin.run("disk-check", &["--set", "min_free_gb=0"]);
    assert_eq!(out.code, 0, "{}", shown(&out));
    assert!(out.stdout.contains("GB free ("), "{}", shown(&out));
    // `sudo docker system df` went to the machine's real Docker daemon.
    assert!(
        out.stdout.contains("TYPE") && out.stdout.contains("Images"),
        "{}",
        shown(&out)
    );
}

/// sudo resets HOME to root's; `~` in a command run with `sudo: true` (or in a `sudo` step)
/// must still be the login user's, as in the seed's `cd ~/apps/x && sudo docker ...`.
#[test]
fn tilde_under_sudo_is_the_login_users_home() {
    let twin = Twin::up();
    let body = r#"runbook tilde "~ under sudo"

host hemma = ssh("hemma")
let app = "~/apps/skriptoteket"

step cd "cd into the app as root" on hemma {
  let who = run("cd {{app}} && id -u && pwd", sudo: true).stdout
  check who.contains("0\n") else "not root: {{ who }}"
  run "echo dump > ~/backups/skriptoteket-test.sql", sudo: true
}

step as_step "A sudo step" on hemma sudo {
  run "test -f ~/backups/skriptoteket-test.sql && cd ~/apps/skriptoteket"
}
"#;
    std::fs::write(twin.state.path().join("tilde.rb"), body).expect("write");
    let out = twin.runbook(&["run", "tilde.rb"]);
    assert_eq!(out.code, 0, "{}", shown(&out));
    assert_eq!(
        twin.sh("cat ~/backups/skriptoteket-test.sql"),
        "dump\n",
        "the redirect wrote into the login user's ~/backups"
    );
    assert!(
        !std::path::Path::new("/root/backups/skriptoteket-test.sql").exists(),
        "nothing was written into root's home"
    );
}

/// The seed's deploy procedures, one after another on one twin whose web runs under Docker
/// Compose for real: each run's effect is read back from web itself (the commit it was built
/// from, the env it runs with) and from Docker.
#[test]
fn deploy_procedures_move_web_for_real() {
    let twin = Twin::with_docker();
    let first = twin
        .sh("git -C ~/apps/skriptoteket rev-parse HEAD")
        .trim()
        .to_string();
    assert_eq!(
        twin.web(),
        format!("commit={first} env=first"),
        "the twin deployed its first release"
    );

    // The seed's health gate, web included. The twin's uplink is enp7s0 (health's default);
    // its gateway is the control machine's end of the link.
    let gateway = format!("gateway={}", twin.gateway());
    let out = twin.run("health", &["--set", &gateway]);
    assert_eq!(out.code, 0, "health: {}", shown(&out));
    assert!(
        twin.stand_in_calls()
            .contains("systemctl is-active --quiet ssh"),
        "the ssh step asked systemd: {}",
        twin.stand_in_calls()
    );

    // Quick status and the (bounded) logs.
    let out = twin.run("status", &[]);
    assert_eq!(out.code, 0, "status: {}", shown(&out));
    assert!(
        out.stdout
            .contains("skriptoteket-web\ttwin-skriptoteket-web\tUp"),
        "{}",
        shown(&out)
    );
    let out = twin.run("logs", &["--set", "since=10m"]);
    assert_eq!(out.code, 0, "logs: {}", shown(&out));
    assert!(
        out.stdout.contains(&format!("serving commit={first}")),
        "{}",
        shown(&out)
    );

    // deploy: pull, build the runner, deploy web, wait for it.
    let second = twin.push("echo two > RELEASE", "second release");
    let out = twin.run("deploy", &[]);
    assert_eq!(out.code, 0, "deploy: {}", shown(&out));
    assert_eq!(
        twin.web(),
        format!("commit={second} env=first"),
        "web serves the new commit"
    );

    // A deploy that fails after its pull puts the previous commit back, and web with it.
    let broken = twin.push("touch BROKEN", "a release that does not build");
    let out = twin.run("deploy", &[]);
    assert_eq!(out.code, 1, "a failed deploy, rolled back: {}", shown(&out));
    assert!(out.stdout.contains("build_runner"), "{}", shown(&out));
    assert_eq!(
        twin.web(),
        format!("commit={second} env=first"),
        "web serves the previous commit again"
    );
    let head =
        twin.sh("cd ~/apps/skriptoteket && git rev-parse HEAD && git symbolic-ref --short HEAD");
    assert_eq!(
        head,
        format!("{second}\nmain\n"),
        "back on the previous commit, on the branch"
    );
    assert_ne!(broken, second);

    // rollback-to COMMIT, and a normal deploy after it (the branch stays attached).
    let out = twin.run(
        "rollback-to",
        &["--set", &format!("commit={first}"), "--approve", "checkout"],
    );
    assert_eq!(out.code, 0, "rollback-to: {}", shown(&out));
    assert_eq!(
        twin.web(),
        format!("commit={first} env=first"),
        "web serves the older commit"
    );
    let fixed = twin.push("rm BROKEN", "the fix");
    let out = twin.run("deploy", &[]);
    assert_eq!(out.code, 0, "deploy after rollback-to: {}", shown(&out));
    assert_eq!(twin.web(), format!("commit={fixed} env=first"));

    // restart keeps the environment (compose restart does not re-read .env); a recreate
    // picks up the change.
    twin.sh("sed -i s/APP_ENV=first/APP_ENV=second/ ~/apps/skriptoteket/.env");
    let out = twin.run("restart", &[]);
    assert_eq!(out.code, 0, "restart: {}", shown(&out));
    assert_eq!(
        twin.web(),
        format!("commit={fixed} env=first"),
        "a restart keeps the old env"
    );
    let out = twin.run("deploy-recreate", &["--approve", "recreate"]);
    assert_eq!(out.code, 0, "deploy-recreate: {}", shown(&out));
    assert_eq!(
        twin.web(),
        format!("commit={fixed} env=second"),
        "a recreate shows the new env"
    );

    // fix-502: web was cut off from hule-network; the run reconnects it.
    let on_network = || {
        twin.root("docker network inspect hule-network -f '{{range .Containers}}{{.Name}} {{end}}'")
    };
    twin.root("docker network disconnect hule-network skriptoteket-web");
    assert!(!on_network().contains("skriptoteket-web"));
    let out = twin.run("fix-502", &["--approve", "recreate"]);
    assert_eq!(out.code, 0, "fix-502: {}", shown(&out));
    assert!(
        on_network().contains("skriptoteket-web"),
        "web is back on hule-network"
    );
    assert!(twin.web().starts_with(&format!("commit={fixed}")));

    // prune removes what nothing uses: a stopped container made for the purpose.
    twin.root("docker create --name twin-leftover runbook-twin-base true >/dev/null");
    let out = twin.run("prune", &["--approve", "prune"]);
    assert_eq!(out.code, 0, "prune: {}", shown(&out));
    assert_eq!(
        twin.root("docker ps -aq -f name=twin-leftover"),
        "",
        "the stopped container is gone"
    );
    assert!(
        twin.web().starts_with(&format!("commit={fixed}")),
        "prune left web alone"
    );

    // The database: backup, migrate, reset (only with --approve), restore, row counts read
    // from shared-postgres itself.
    let rows = || {
        twin.root("docker exec shared-postgres psql -U postgres -d skriptoteket -Atc 'select count(*) from scripts' 2>&1 || true")
            .trim()
            .to_string()
    };
    assert_eq!(rows(), "42");
    let out = twin.run("db-backup", &[]);
    assert_eq!(out.code, 0, "db-backup: {}", shown(&out));
    let backup = out
        .stdout
        .lines()
        .find_map(|l| l.split("backup written to ").nth(1))
        .map(|p| p.trim().trim_matches('\'').to_string())
        .unwrap_or_else(|| panic!("no backup path: {}", shown(&out)));
    // The seed's own backup form: a plain-SQL dump.
    twin.sh(
        "sudo docker exec shared-postgres pg_dump -U postgres skriptoteket > ~/backups/seed.sql",
    );

    let out = twin.run("migrate", &["--approve", "upgrade"]);
    assert_eq!(out.code, 0, "migrate: {}", shown(&out));
    assert!(
        twin.root("docker exec skriptoteket-web cat /app/.migrated")
            .contains("20"),
        "the migration command ran"
    );

    let out = twin.run("db-reset", &[]);
    assert_eq!(
        out.code,
        3,
        "db-reset waits for its dangerous approval: {}",
        shown(&out)
    );
    assert_eq!(rows(), "42", "nothing was reset without --approve");
    let out = twin.run("db-reset", &["--approve", "stop"]);
    assert_eq!(out.code, 0, "db-reset: {}", shown(&out));
    assert!(
        rows().contains("does not exist"),
        "the database is empty: {}",
        rows()
    );

    let dump = format!("dump={backup}");
    let out = twin.run("db-restore", &["--set", &dump, "--approve", "restore"]);
    assert_eq!(out.code, 0, "db-restore: {}", shown(&out));
    assert_eq!(rows(), "42", "the backup's rows are back");

    let out = twin.run("db-reset", &["--approve", "stop"]);
    assert_eq!(out.code, 0, "db-reset: {}", shown(&out));
    let out = twin.run(
        "db-restore",
        &["--set", "dump=~/backups/seed.sql", "--approve", "restore"],
    );
    assert_eq!(
        out.code,
        0,
        "db-restore of a plain-SQL dump: {}",
        shown(&out)
    );
    assert_eq!(rows(), "42", "the seed's plain dump restores too");

    // With web gone, status says so.
    twin.root("docker stop skriptoteket-web >/dev/null");
    let out = twin.run("status", &[]);
    assert_eq!(out.code, 1, "{}", shown(&out));
    assert!(
        out.stdout.contains("skriptoteket-web is not running"),
        "{}",
        shown(&out)
    );
}

/// A host that reboots cuts every connection, the one running `reboot` included; a step
/// marked `disconnects` expects that, the next command reconnects by itself, and a
/// `wait_until` counts "cannot reach the host" as "not yet".
#[test]
fn a_reboot_is_waited_out_and_the_connection_comes_back() {
    let twin = Twin::up();
    let booted = twin.dir().join("state/booted").display().to_string();
    let body = r#"runbook reboot "Reboot and wait"

host hemma = ssh("hemma")

step reboot "Reboot" on hemma disconnects {
  run "sudo reboot"
  run "echo never > ~/after-cut"
}

step back "Wait for the host" on hemma {
  wait_until run("test -e BOOTED", ok: [0, 1]).code == 0 every 1s timeout 1m
}

step after "Work after the reboot" on hemma {
  run "echo after > ~/after-reboot"
}
"#
    .replace("BOOTED", &booted);
    std::fs::write(twin.state.path().join("reboot.rb"), body).expect("write");
    let out = twin.runbook(&["run", "reboot.rb"]);
    assert_eq!(out.code, 0, "{}", shown(&out));
    assert_eq!(twin.sh("cat ~/after-reboot"), "after\n");
    assert!(
        out.stdout.contains("as the step expects (`disconnects`)"),
        "{}",
        shown(&out)
    );
    assert_eq!(
        twin.sh("test -e ~/after-cut && echo ran || echo not"),
        "not\n",
        "what follows the drop in the step did not run"
    );
    let log = std::fs::read_to_string(twin.dir().join("sshd.log")).unwrap_or_default();
    assert!(
        log.matches("Server listening").count() >= 2,
        "sshd really went down and came back: {log}"
    );
}

/// Without `disconnects`, a connection cut under a command fails the step and says what ran:
/// the command may have partly happened, so it is never run again by itself.
#[test]
fn a_connection_cut_under_a_command_fails_the_step_and_names_it() {
    let twin = Twin::up();
    let body = r#"runbook cut "A reboot not announced"

host hemma = ssh("hemma")

step reboot "Reboot" on hemma {
  run "sudo reboot"
}
"#;
    std::fs::write(twin.state.path().join("cut.rb"), body).expect("write");
    let out = twin.runbook(&["run", "cut.rb"]);
    assert_eq!(out.code, 1, "{}", shown(&out));
    assert!(
        out.stdout
            .contains("while `sudo reboot` ran: it may have partly happened")
            && out.stdout.contains("says so with `disconnects`"),
        "{}",
        shown(&out)
    );
}

#[test]
fn cert_check_reads_the_served_certificate() {
    let twin = Twin::up();
    // The twin serves skriptoteket.hule.education:443 with a 90-day certificate made by openssl.
    let out = twin.run("cert-check", &[]);
    assert_eq!(out.code, 0, "{}", shown(&out));
    assert!(
        out.stdout.contains("89 days left") || out.stdout.contains("90 days left"),
        "{}",
        shown(&out)
    );
    let out = twin.run("cert-check", &["--set", "min_days=120"]);
    assert_eq!(out.code, 1, "{}", shown(&out));
    assert!(out.stdout.contains("days: renew it"), "{}", shown(&out));
}
