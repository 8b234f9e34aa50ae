//! The seed's procedures that need web, nginx-proxy and shared-postgres under Docker, one after
//! another on one twin: each run's effect is read back from web itself (the commit it was
//! built from, the env it runs with), from nginx-proxy (the certificate it serves, its 502),
//! from Docker and from the database's rows.

use super::Twin;
use super::{says, shown};

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

    // TLS: nginx-proxy serves a certificate 20 days from its end; certbot renews it and
    // nginx reloads.
    let out = twin.run("cert-check", &["--set", "min_days=30"]);
    says(&out, 1, &["expires in 19 days"]);
    let out = twin.run("cert-renew", &[]);
    says(&out, 0, &["Congratulations, all renewals succeeded"]);
    let out = twin.run("cert-check", &["--set", "min_days=80"]);
    // 90 days from the renewal: 90 within its second, 89 after.
    says(&out, 0, &[]);
    assert!(
        out.stdout.contains("89 days left") || out.stdout.contains("90 days left"),
        "{}",
        shown(&out)
    );
    let out = twin.run("cert-renew", &[]);
    says(&out, 0, &["skipped"]);

    // Quick status and the (bounded) logs.
    let out = twin.run("status", &[]);
    says(&out, 0, &["skriptoteket-web\ttwin-skriptoteket-web\tUp"]);
    let out = twin.run("logs", &["--set", "since=10m"]);
    says(&out, 0, &[&format!("serving commit={first}")]);

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
    says(&out, 1, &["build_runner"]);
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

    // 307: redirects keep https behind nginx-proxy; once web stops trusting the proxy's
    // headers, the diagnosis names that side.
    let out = twin.run("diagnose-307", &[]);
    says(
        &out,
        0,
        &["redirects to https://skriptoteket.hule.education/app/"],
    );
    twin.root("docker exec skriptoteket-web sed -i 's/ --proxy-headers//' /app/pyproject.toml && docker restart skriptoteket-web >/dev/null");
    let out = twin.run("diagnose-307", &[]);
    assert_eq!(out.code, 1, "{}", shown(&out));
    assert!(
        out.stdout
            .contains("redirects to http://skriptoteket.hule.education/app/")
            && out
                .stdout
                .contains("web's serve command lacks --proxy-headers"),
        "{}",
        shown(&out)
    );

    // fix-502: web was cut off from hule-network; the run reconnects it.
    let on_network = || {
        twin.root("docker network inspect hule-network -f '{{range .Containers}}{{.Name}} {{end}}'")
    };
    twin.root("docker network disconnect hule-network skriptoteket-web");
    assert!(!on_network().contains("skriptoteket-web"));
    // As an operator finds it: nginx's cached address of web has expired (1 s), so the name
    // no longer resolves on hule-network.
    std::thread::sleep(std::time::Duration::from_secs(2));
    let out = twin.run("fix-502", &["--approve", "recreate"]);
    says(
        &out,
        0,
        &["https://skriptoteket.hule.education/ answers 502"],
    );
    let out = twin.run("diagnose-307", &[]);
    assert_eq!(
        out.code,
        0,
        "the recreated web trusts the proxy again: {}",
        shown(&out)
    );
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

    // Session files: the timer's TTL cleanup through its own CLI path (docker exec, the
    // app's CLI with PYTHONPATH), then all of them behind a dangerous approval.
    let old = String::from_utf8_lossy(
        &std::process::Command::new("date")
            .args(["-d", "2 days ago", "+%Y-%m-%d %H:%M:%S"])
            .output()
            .expect("date")
            .stdout,
    )
    .trim()
    .to_string();
    twin.root(&format!("docker exec skriptoteket-web sh -c \"cd /app/.artifacts/sessions && touch -d '{old}' expired && touch fresh\""));
    let out = twin.run("session-cleanup", &[]);
    says(&out, 0, &["Deleted 1 expired session files"]);
    assert_eq!(
        twin.root("docker exec skriptoteket-web ls /app/.artifacts/sessions"),
        "fresh\n"
    );
    let out = twin.run("session-cleanup", &["--set", "all=true"]);
    assert_eq!(
        out.code,
        3,
        "waits for its dangerous approval: {}",
        shown(&out)
    );
    let out = twin.run(
        "session-cleanup",
        &["--set", "all=true", "--approve", "everything"],
    );
    assert_eq!(out.code, 0, "{}", shown(&out));
    assert_eq!(
        twin.root("docker exec skriptoteket-web ls /app/.artifacts/sessions"),
        ""
    );

    // LLM debug captures, read where they are.
    twin.root("docker exec skriptoteket-web sh -c 'mkdir -p /app/.artifacts/llm-captures/chat_ops_response/cid-42 && echo raw model output > /app/.artifacts/llm-captures/chat_ops_response/cid-42/capture.json'");
    let out = twin.run(
        "llm-captures",
        &["--set", "kind=chat_ops_response", "--set", "capture=cid-42"],
    );
    assert_eq!(out.code, 0, "llm-captures: {}", shown(&out));
    assert!(
        out.stdout.contains("cid-42") && out.stdout.contains("model output"),
        "{}",
        shown(&out)
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
    assert_eq!(rows(), "0", "the database is empty, its tables migrated");

    // 500 on every route: the tables are gone; web's log says so and the migrations fix it.
    twin.root(
        "docker exec shared-postgres psql -U postgres -d skriptoteket -qc 'drop table scripts'",
    );
    assert_eq!(twin.web(), "Internal Server Error");
    let out = twin.run("diagnose-500", &[]);
    says(&out, 3, &["relation missing in the last 50 lines: true"]);
    let out = twin.run("diagnose-500", &["--approve", "migrate"]);
    assert_eq!(out.code, 0, "diagnose-500: {}", shown(&out));
    assert_eq!(rows(), "0", "the table is back");
    assert!(twin.web().starts_with("commit="), "web answers again");

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
    says(&out, 1, &["skriptoteket-web is not running"]);
    let out = twin.run("container-start", &[]);
    assert_eq!(out.code, 1, "{}", shown(&out));
    assert!(
        out.stdout.contains("skriptoteket-web: exited")
            && out.stdout.contains("serving commit=")
            && out.stdout.contains("COMMAND     PID USER"),
        "its state, its log and what holds port 8000: {}",
        shown(&out)
    );
}
