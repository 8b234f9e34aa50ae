//! systemd, journald and docker cannot run here: small executables named `systemctl`,
//! `journalctl` and `docker` stand first on PATH, log their argv, and print what the real
//! tools print (formats copied from real output). The stdlib's command lines and its
//! parsing of that output are what is tested.

use std::os::unix::fs::PermissionsExt;

use super::common::Runbook;
use super::logs;

const SYSTEMCTL: &str = r#"#!/bin/sh
echo "systemctl $*" >> "$CALLS"
case "$*" in
  "is-active --quiet ssh") exit 0 ;;
  "is-active --quiet tabby.service") exit 3 ;;
  "is-enabled cleanup-smart-logs.timer") echo enabled ;;
  "is-enabled llama-server.service") echo masked; exit 1 ;;
  "is-enabled ddclient") echo disabled; exit 1 ;;
  "status --no-pager health-watchdog.service")
    cat <<'OUT'
● health-watchdog.service - Health-gated hardware watchdog petter
     Loaded: loaded (/etc/systemd/system/health-watchdog.service; enabled; preset: enabled)
     Active: active (running) since Sat 2026-11-28 09:12:44 UTC; 1 day 9h ago
   Main PID: 1234 (health-watchdog)
      Tasks: 2 (limit: 37544)
     Memory: 1.1M
        CPU: 2min 3.512s
OUT
    ;;
  "list-timers --all --no-pager --no-legend cleanup-smart-logs.timer")
    echo "Sun 2026-11-29 19:00:00 UTC 20min left Sun 2026-11-29 18:00:00 UTC 39min ago cleanup-smart-logs.timer cleanup-smart-logs.service" ;;
  "list-timers --all --no-pager --no-legend dead.timer")
    echo "n/a n/a n/a n/a dead.timer dead.service" ;;
esac
"#;

const JOURNALCTL: &str = r#"#!/bin/sh
echo "journalctl $*" >> "$CALLS"
case "$*" in
  *--grep*Traceback*) exit 1 ;;
  *--grep*)
    echo "Nov 29 18:01:02 hemma health-watchdog[1234]: gateway ping failed"
    echo "Nov 29 18:01:12 hemma health-watchdog[1234]: gateway ping failed" ;;
  *) echo "Nov 29 18:00:00 hemma health-watchdog[1234]: all checks passed" ;;
esac
"#;

const DOCKER: &str = r#"#!/bin/sh
echo "docker $*" >> "$CALLS"
case "$*" in
  "inspect -f {{.State.Running}} skriptoteket-web") echo true ;;
  "inspect -f {{.State.Running}} stopped-one") echo false ;;
  "inspect -f {{.State.Running}} missing") echo "Error: No such object: missing" >&2; exit 1 ;;
  "logs --tail 2 skriptoteket-web") echo 'INFO:     Started server process [1]'; echo 'INFO:     Application startup complete.' ;;
  "network inspect hule-network -f {{range .Containers}}{{.Name}} {{end}}") echo "nginx-proxy skriptoteket-web shared-postgres " ;;
  "system df")
    cat <<'OUT'
TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE
Images          12        7         8.123GB   3.2GB (39%)
Containers      9         7         1.2MB     0B (0%)
Local Volumes   4         3         2.5GB     120MB (4%)
Build Cache     41        0         1.9GB     1.9GB
OUT
    ;;
  "system prune -f"*) echo "Total reclaimed space: 1.9GB" ;;
  "compose -f compose.prod.yaml ps")
    echo "NAME               IMAGE              COMMAND   SERVICE   CREATED   STATUS    PORTS"
    echo "skriptoteket-web   skriptoteket-web   \"pdm…\"    web       2h ago    Up 2h     8000/tcp" ;;
  "exec"*|"compose"*) echo "ran: $*" ;;
esac
"#;

fn with_fakes() -> Runbook {
    let t = Runbook::new()
        .file("bin/systemctl", SYSTEMCTL)
        .file("bin/journalctl", JOURNALCTL)
        .file("bin/docker", DOCKER);
    for tool in ["systemctl", "journalctl", "docker"] {
        let path = t.path().join("bin").join(tool);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    t
}

fn env(t: &Runbook) -> Vec<(String, String)> {
    let path = format!(
        "{}:{}",
        t.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    vec![
        ("PATH".into(), path),
        (
            "CALLS".into(),
            t.path().join("calls.log").display().to_string(),
        ),
    ]
}

fn run_logs(t: &Runbook, modules: &[&str], body: &str) -> Vec<String> {
    let env = env(t);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    logs(t, modules, body, &env)
}

fn calls(t: &Runbook) -> Vec<String> {
    std::fs::read_to_string(t.path().join("calls.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn systemd() {
    let t = with_fakes();
    let logs = run_logs(
        &t,
        &["systemd"],
        r#"  let active = systemd.is_active("ssh")
  let inactive = systemd.is_active("tabby.service")
  log "{{ active }} {{ inactive }}"
  let enabled = systemd.is_enabled("cleanup-smart-logs.timer")
  let masked = systemd.unit_masked("llama-server.service")
  let disabled = systemd.is_enabled("ddclient")
  let not_masked = systemd.unit_masked("ddclient")
  log "{{ enabled }} {{ masked }} {{ disabled }} {{ not_masked }}"
  log systemd.status("health-watchdog.service")
  systemd.start("ddclient")
  systemd.stop("tabby.service")
  systemd.restart("ddclient")
  systemd.enable_now("cleanup-smart-logs.timer")
  systemd.daemon_reload()
  log systemd.timer_next("cleanup-smart-logs.timer")
  log systemd.timer_next("dead.timer")"#,
    );
    assert_eq!(logs[0], "true false");
    assert_eq!(logs[1], "true true false false");
    assert!(
        logs[2].contains("Active: active (running) since Sat 2026-11-28 09:12:44 UTC"),
        "{}",
        logs[2]
    );
    assert_eq!(logs[3], "Sun 2026-11-29 19:00:00 UTC");
    assert_eq!(logs[4], "n/a");
    assert_eq!(
        calls(&t),
        [
            "systemctl is-active --quiet ssh",
            "systemctl is-active --quiet tabby.service",
            "systemctl is-enabled cleanup-smart-logs.timer",
            "systemctl is-enabled llama-server.service",
            "systemctl is-enabled ddclient",
            "systemctl is-enabled ddclient",
            "systemctl status --no-pager health-watchdog.service",
            "systemctl start ddclient",
            "systemctl stop tabby.service",
            "systemctl restart ddclient",
            "systemctl enable --now cleanup-smart-logs.timer",
            "systemctl daemon-reload",
            "systemctl list-timers --all --no-pager --no-legend cleanup-smart-logs.timer",
            "systemctl list-timers --all --no-pager --no-legend dead.timer",
        ]
    );
}

#[test]
fn journal() {
    let t = with_fakes();
    let logs = run_logs(
        &t,
        &["journal"],
        r#"  log journal.since("health-watchdog", since: "1 hour ago", tag: true).trim()
  let failures = journal.grep("health-watchdog.service", "ping failed", since: "2 hours ago")
  log "{{ failures | length }}: {{ failures | first }}"
  check journal.grep("skriptoteket-web", "Traceback").is_empty()"#,
    );
    assert_eq!(
        logs[0],
        "Nov 29 18:00:00 hemma health-watchdog[1234]: all checks passed"
    );
    assert_eq!(
        logs[1],
        "2: Nov 29 18:01:02 hemma health-watchdog[1234]: gateway ping failed"
    );
    assert_eq!(
        calls(&t),
        [
            "journalctl -t health-watchdog --since 1 hour ago --no-pager",
            "journalctl -u health-watchdog.service --since 2 hours ago --no-pager --grep ping failed",
            "journalctl -u skriptoteket-web --since 1 hour ago --no-pager --grep Traceback",
        ]
    );
}

#[test]
fn docker() {
    let t = with_fakes();
    let logs = run_logs(
        &t,
        &["docker"],
        r#"  let up = docker.running("skriptoteket-web")
  let down = docker.running("stopped-one")
  let gone = docker.running("missing")
  log "{{ up }} {{ down }} {{ gone }}"
  log docker.logs("skriptoteket-web", tail: 2).trim()
  let on_net = docker.network_connected("hule-network", "skriptoteket-web")
  let off_net = docker.network_connected("hule-network", "tabby")
  log "{{ on_net }} {{ off_net }}"
  docker.network_connect("hule-network", "skriptoteket-web")
  log docker.exec("skriptoteket-web", ["pdm", "run", "python", "-m", "skriptoteket.cli", "cleanup session files"], env: ["PYTHONPATH=/app/src"]).stdout.trim()
  log docker.system_df().lines()[4]
  log docker.prune(all: true, volumes: true).trim()
  docker.prune()"#,
    );
    assert_eq!(logs[0], "true false false");
    assert_eq!(
        logs[1],
        "INFO:     Started server process [1]\nINFO:     Application startup complete."
    );
    assert_eq!(logs[2], "true false");
    assert_eq!(logs[3], "ran: exec -e PYTHONPATH=/app/src skriptoteket-web pdm run python -m skriptoteket.cli cleanup session files");
    assert_eq!(
        logs[4],
        "Build Cache     41        0         1.9GB     1.9GB"
    );
    assert_eq!(logs[5], "Total reclaimed space: 1.9GB");
    assert_eq!(
        calls(&t),
        [
            "docker inspect -f {{.State.Running}} skriptoteket-web",
            "docker inspect -f {{.State.Running}} stopped-one",
            "docker inspect -f {{.State.Running}} missing",
            "docker logs --tail 2 skriptoteket-web",
            "docker network inspect hule-network -f {{range .Containers}}{{.Name}} {{end}}",
            "docker network inspect hule-network -f {{range .Containers}}{{.Name}} {{end}}",
            "docker network connect hule-network skriptoteket-web",
            "docker exec -e PYTHONPATH=/app/src skriptoteket-web pdm run python -m skriptoteket.cli cleanup session files",
            "docker system df",
            "docker system prune -f -a --volumes",
            "docker system prune -f",
        ]
    );
}

#[test]
fn compose() {
    let t = with_fakes();
    std::fs::create_dir_all(t.path().join("app")).expect("mkdir");
    let app = t.path().join("app").display().to_string();
    let body = r#"  compose.up(APP, file: "compose.prod.yaml", build: true)
  compose.up(APP, file: "compose.prod.yaml", force_recreate: true, no_deps: true, services: ["web"])
  compose.restart(APP, file: "compose.prod.yaml")
  log compose.exec(APP, "web", ["pdm", "run", "db-upgrade"], file: "compose.prod.yaml", env: ["PYTHONPATH=/app/src"]).stdout.trim()
  compose.build(APP, file: "compose.prod.yaml", profile: "build-only", services: ["runner"])
  log compose.ps(APP, file: "compose.prod.yaml").lines()[1]
  compose.down(APP)"#
        .replace("APP", &format!("{app:?}"));
    let logs = run_logs(&t, &["compose"], &body);
    assert_eq!(
        logs[0],
        "ran: compose -f compose.prod.yaml exec -T -e PYTHONPATH=/app/src web pdm run db-upgrade"
    );
    assert!(
        logs[1].starts_with("skriptoteket-web   skriptoteket-web"),
        "{}",
        logs[1]
    );
    assert_eq!(
        calls(&t),
        [
            "docker compose -f compose.prod.yaml up -d --build",
            "docker compose -f compose.prod.yaml up -d --force-recreate --no-deps web",
            "docker compose -f compose.prod.yaml restart",
            "docker compose -f compose.prod.yaml exec -T -e PYTHONPATH=/app/src web pdm run db-upgrade",
            "docker compose -f compose.prod.yaml --profile build-only build runner",
            "docker compose -f compose.prod.yaml ps",
            "docker compose -f compose.yaml down",
        ]
    );
}

#[test]
fn postgres_inside_a_container() {
    let t = with_fakes();
    let logs = run_logs(
        &t,
        &["postgres"],
        r#"  log postgres.psql("skriptoteket", "select 1", container: "shared-postgres").trim()
  postgres.dump("skriptoteket", "backup.dump", container: "shared-postgres")"#,
    );
    assert_eq!(logs[0], "ran: exec -i shared-postgres psql -p 5432 -U postgres -X -q -v ON_ERROR_STOP=1 -d skriptoteket -c select 1");
    assert_eq!(
        calls(&t),
        [
            "docker exec -i shared-postgres psql -p 5432 -U postgres -X -q -v ON_ERROR_STOP=1 -d skriptoteket -c select 1",
            "docker exec -i shared-postgres pg_dump -p 5432 -U postgres -Fc -d skriptoteket",
        ]
    );
    assert!(
        t.path().join("backup.dump").exists(),
        "the dump is written on the host side of docker exec"
    );
}
