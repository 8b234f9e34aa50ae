//! The seed's procedures (`runbooks/`) run for real against a twin of its server: over ssh,
//! as a non-root login user with NOPASSWD sudo, each test asserting the effect on the twin.

use crate::common;
#[path = "common/twin.rs"]
mod server;

use server::Twin;

#[path = "twin/checks.rs"]
mod checks;
#[path = "twin/docker.rs"]
mod docker;

/// What an operator reads when a run does not go as the test expects.
/// Asserts how a run ended and what it told the operator; shows the whole run otherwise.
pub(crate) fn says(out: &common::Output, code: i32, told: &[&str]) {
    assert_eq!(out.code, code, "{}", shown(out));
    for text in told {
        assert!(
            out.stdout.contains(text),
            "expected {text:?}:\n{}",
            shown(out)
        );
    }
}

pub(crate) fn shown(out: &common::Output) -> String {
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
    // The loop checks every timer, the one the app's install enables too.
    for timer in [
        "skriptoteket-session-files-cleanup.timer",
        "skriptoteket-sandbox-snapshots-cleanup.timer",
        "cleanup-smart-logs.timer",
    ] {
        assert!(
            out.stdout.contains(&format!("{timer} next runs")),
            "{timer}: {}",
            shown(&out)
        );
    }
}

#[test]
fn watchdog_verify_fails_where_the_twin_has_no_watchdog_and_says_which() {
    let twin = Twin::up();
    let out = twin.run("watchdog-verify", &[]);
    // The petter (systemd) passes; the twin's kernel has no sp5100_tco, as an operator
    // would see on a host whose driver did not load.
    says(&out, 1, &["the sp5100_tco driver is not loaded"]);
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
    // The mounts come from the inventory's `host.mounts`.
    says(&out, 0, &["› / has ", "GB free ("]);
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
    says(&out, 1, &["days: renew it"]);
}
