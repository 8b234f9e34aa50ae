//! Modules tested against the real thing: an HTTP server on loopback, git repositories,
//! certificates made with openssl, sockets, files, /proc and /sys.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;

use super::common::Runbook;
use super::logs;

/// A loopback port nothing listens on (bound, then let go).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A tiny HTTP server on 127.0.0.1: `/ok` 200, `/json` 200 with a JSON body, anything
/// else 404. Serves until the test process ends.
fn http_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 2048];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let (status, body) = match path.as_str() {
                "/ok" => ("200 OK", "all good\n".to_string()),
                "/json" => (
                    "200 OK",
                    r#"{"status": "ok", "checks": {"db": true}, "workers": 3}"#.to_string(),
                ),
                _ => ("404 Not Found", "nope\n".to_string()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

#[test]
fn http() {
    let port = http_server();
    let closed = closed_port();
    let t = Runbook::new();
    let body = format!(
        r#"  let base = "http://127.0.0.1:{port}"
  let ok = http.status("{{{{ base }}}}/ok")
  let missing = http.status("{{{{ base }}}}/missing")
  let nothing = http.status("http://127.0.0.1:{closed}/", max_time: 2)
  log "{{{{ ok }}}} {{{{ missing }}}} {{{{ nothing }}}}"
  let up = http.ok("{{{{ base }}}}/ok")
  let down = http.ok("{{{{ base }}}}/missing")
  log "{{{{ up }}}} {{{{ down }}}}"
  log http.get("{{{{ base }}}}/ok").trim()
  let health = http.get_json("{{{{ base }}}}/json")
  log "{{{{ health.status }}}} {{{{ health.checks.db }}}} {{{{ health.workers + 1 }}}}""#
    );
    // `health.workers + 1` is not a name: interpolation takes names and fields only.
    let body = body
        .replace("{{ health.workers + 1 }}", "{{ workers }}")
        .replace(
            "  log \"{{ health.status }}",
            "  let workers = health.workers + 1\n  log \"{{ health.status }}",
        );
    let logs = logs(&t, &["http"], &body, &[]);
    assert_eq!(logs, ["200 404 0", "true false", "all good", "ok true 4"]);
    let failing = super::run(
        &t,
        &["http"],
        &format!("  http.get(\"http://127.0.0.1:{port}/missing\")"),
        &[],
    );
    assert_eq!(failing.code, 1, "a non-2xx body fetch fails the step");
}

fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "advice.detachedHead=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn git_module() {
    let t = Runbook::new();
    let root = t.path();
    git(root, &["init", "-q", "--bare", "remote.git"]);
    git(root, &["clone", "-q", "remote.git", "app"]);
    git(root, &["clone", "-q", "remote.git", "other"]);
    let app = root.join("app");
    let other = root.join("other");
    std::fs::write(other.join("f"), "one").expect("write");
    git(&other, &["add", "f"]);
    git(&other, &["commit", "-qm", "first"]);
    git(&other, &["push", "-q", "origin", "main"]);
    git(&app, &["pull", "-q", "origin", "main"]);
    git(
        &app,
        &["branch", "-q", "--set-upstream-to=origin/main", "main"],
    );
    let first = git(&app, &["rev-parse", "HEAD"]);
    std::fs::write(other.join("f"), "two").expect("write");
    git(&other, &["commit", "-qam", "second"]);
    git(&other, &["push", "-q", "origin", "main"]);
    let second = git(&other, &["rev-parse", "HEAD"]);
    let body = format!(
        r#"  let before = git.head({app:?})
  git.pull({app:?})
  let after = git.head({app:?})
  log "{{{{ before }}}} {{{{ after }}}}"
  let commits = git.log({app:?}, n: 5)
  log "{{{{ commits | length }}}} {{{{ commits | first }}}}"
  let clean = git.is_clean({app:?})
  run "echo dirty >> {app}/f"
  let dirty = git.is_clean({app:?})
  log "{{{{ clean }}}} {{{{ dirty }}}}"
  run "git -C {app} checkout -q -- f"
  git.checkout({app:?}, before)
  log git.head({app:?})"#,
        app = app.display()
    );
    let logs = logs(&t, &["git"], &body, &[]);
    assert_eq!(logs[0], format!("{first} {second}"));
    assert!(
        logs[1].starts_with("2 ") && logs[1].ends_with(" second"),
        "{}",
        logs[1]
    );
    assert_eq!(logs[2], "true false");
    assert_eq!(logs[3], first);
}

#[test]
fn tls() {
    let t = Runbook::new();
    let dir = t.path();
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-keyout", "key.pem", "-out", "cert.pem"])
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let end = Command::new("openssl")
        .args(["x509", "-noout", "-enddate", "-in", "cert.pem"])
        .current_dir(dir)
        .output()
        .expect("openssl");
    let not_after = String::from_utf8_lossy(&end.stdout)
        .trim()
        .trim_start_matches("notAfter=")
        .to_string();
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut server = Command::new("openssl")
        .args([
            "s_server",
            "-quiet",
            "-accept",
            &port.to_string(),
            "-cert",
            "cert.pem",
            "-key",
            "key.pem",
            "-www",
        ])
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("s_server");
    let start = std::time::Instant::now();
    // Ready when a TLS handshake succeeds, not merely when the port accepts.
    let ready = || {
        Command::new("sh")
            .args(["-c", &format!("echo | openssl s_client -connect 127.0.0.1:{port} 2>/dev/null | openssl x509 -noout")])
            .status()
            .is_ok_and(|s| s.success())
    };
    while !ready() {
        assert!(
            start.elapsed().as_secs() < 10,
            "openssl s_server did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let cert = dir.join("cert.pem").display().to_string();
    let body = format!(
        r#"  let file_days = tls.cert_days_left({cert:?})
  let served_days = tls.cert_days_left("127.0.0.1:{port}")
  log "{{{{ file_days }}}} {{{{ served_days }}}}"
  log tls.cert_dates({cert:?}).not_after"#
    );
    let logs = logs(&t, &["tls"], &body, &[]);
    let _ = server.kill();
    let _ = server.wait();
    // 30 days from its making, counted down a second or two later: 30, or 29 once a second
    // has passed.
    for days in logs[0].split(' ') {
        assert!(
            days == "29" || days == "30",
            "a 30-day certificate: {}",
            logs[0]
        );
    }
    assert_eq!(logs[1], not_after);
}

#[test]
fn net() {
    let listening = TcpListener::bind("127.0.0.1:0").expect("bind");
    let open = listening.local_addr().expect("addr").port();
    let closed = closed_port();
    let t = Runbook::new();
    let body = format!(
        r#"  let open = net.port_listening({open})
  let closed = net.port_listening({closed})
  log "{{{{ open }}}} {{{{ closed }}}}"
  log net.default_route()
  let lo = net.link_up("lo")
  let none = net.link_up("nope0")
  log "{{{{ lo }}}} {{{{ none }}}}"
  let known = net.resolves("localhost")
  let nowhere = net.resolves("no-such-host.invalid")
  log "{{{{ known }}}} {{{{ nowhere }}}}"
  let pong = net.ping("127.0.0.1")
  log "{{{{ pong }}}}""#
    );
    let logs = logs(&t, &["net"], &body, &[]);
    drop(listening);
    assert_eq!(logs[0], "true false");
    assert_eq!(
        logs[1],
        gateway_from_proc(),
        "the default gateway, as /proc/net/route has it"
    );
    assert_eq!(logs[2], "true false");
    assert_eq!(logs[3], "true false");
    assert_eq!(
        logs[4], "true",
        "ping 127.0.0.1 (iputils-ping is installed by .ci/run)"
    );
}

/// The gateway of the default route, read independently of the stdlib's awk.
fn gateway_from_proc() -> String {
    let table = std::fs::read_to_string("/proc/net/route").unwrap_or_default();
    for line in table.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() > 7 && f[1] == "00000000" && f[7] == "00000000" {
            let g = u32::from_str_radix(f[2], 16).unwrap_or(0).to_le_bytes();
            return format!("{}.{}.{}.{}", g[0], g[1], g[2], g[3]);
        }
    }
    String::new()
}

#[test]
fn fs() {
    let t = Runbook::new().file("conf/app.conf", "listen 8000\nworkers 3\n");
    let conf = t.path().join("conf/app.conf").display().to_string();
    let fresh = t.path().join("conf/new.conf").display().to_string();
    let body = format!(
        r#"  let yes = fs.exists({conf:?})
  let no = fs.exists("/no/such/file")
  log "{{{{ yes }}}} {{{{ no }}}}"
  log fs.read({conf:?}).lines()[1]
  fs.write({fresh:?}, "a = 1\nb = 'two words'\n")
  log fs.read({fresh:?})
  let has = fs.contains({conf:?}, "workers 3")
  let hasnt = fs.contains({conf:?}, "workers 4")
  let pattern = fs.contains({conf:?}, "work.rs")
  log "{{{{ has }}}} {{{{ hasnt }}}} {{{{ pattern }}}}"
  log fs.sysfs("/proc/sys/kernel/ostype")"#
    );
    let logs = logs(&t, &["fs"], &body, &[]);
    assert_eq!(
        logs,
        [
            "true false",
            "workers 3",
            "a = 1\nb = 'two words'\n",
            "true false false",
            "Linux"
        ]
    );
    let left: Vec<String> = std::fs::read_dir(t.path().join("conf"))
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left.len(),
        2,
        "the atomic write left no temporary file: {left:?}"
    );
}

#[test]
fn disk_sysctl_kernel() {
    let t = Runbook::new();
    let cmdline = std::fs::read_to_string("/proc/cmdline").unwrap_or_default();
    let word = cmdline.split_whitespace().next().unwrap_or("").to_string();
    let modules = std::fs::read_to_string("/proc/modules").unwrap_or_default();
    let module = modules.split_whitespace().next().unwrap_or("").to_string();
    let body = format!(
        r#"  log "{{{{ free }}}} {{{{ used }}}}"
  log sysctl.get("kernel.ostype")
  let on_cmdline = kernel.cmdline_contains({word:?})
  let not_on_cmdline = kernel.cmdline_contains("no.such.flag=1")
  log "{{{{ on_cmdline }}}} {{{{ not_on_cmdline }}}}"
  let loaded = kernel.module_loaded({module:?})
  let not_loaded = kernel.module_loaded("no_such_module")
  log "{{{{ loaded }}}} {{{{ not_loaded }}}}""#
    )
    .replace("  log \"{{ free }}", "  let free = disk.free_gb(\"/\")\n  let used = disk.used_percent(\"/\")\n  log \"{{ free }}");
    let logs = logs(&t, &["disk", "sysctl", "kernel"], &body, &[]);
    let parts: Vec<&str> = logs[0].split(' ').collect();
    let free: f64 = parts[0].parse().expect("a number of GiB");
    let used: i64 = parts[1].parse().expect("a percentage");
    let stat = nix::sys::statvfs::statvfs("/").expect("statvfs");
    let expected = stat.blocks_available() as f64 * stat.fragment_size() as f64 / 1024f64.powi(3);
    assert!(
        (free - expected).abs() < 0.5,
        "free {free} GiB, statvfs says {expected}"
    );
    assert!((0..=100).contains(&used));
    assert_eq!(logs[1], "Linux");
    assert_eq!(logs[2], format!("{} false", !word.is_empty()));
    assert_eq!(logs[3], format!("{} false", !module.is_empty()));
}
