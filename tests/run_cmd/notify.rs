//! `notify webhook(...)`: what is sent and when, against an HTTP server of the test's own on
//! loopback; retries; a hook that is down never changes how the run ends; the URL (a secret)
//! is never shown.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::common::{self, Runbook};

/// A loopback hook that answers the first `fail_first` requests with 500, then 200, and
/// keeps every body it was sent.
struct Hook {
    url: String,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
}

impl Hook {
    fn start(fail_first: usize) -> Hook {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!(
            "http://{}/hooks/T0K3N-s3cret",
            listener.local_addr().expect("addr")
        );
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let kept = bodies.clone();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let status = if n < fail_first { "500 Oops" } else { "200 OK" };
                if n >= fail_first {
                    if let Ok(v) = serde_json::from_slice(&body) {
                        kept.lock().expect("bodies").push(v);
                    }
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        Hook { url, bodies }
    }

    fn bodies(&self) -> Vec<serde_json::Value> {
        self.bodies.lock().expect("bodies").clone()
    }
}

fn runbook(events: &str, format: &str, body: &str) -> Runbook {
    Runbook::new().file(
        "n.rb",
        format!(
            "runbook notified \"Told\"\n\nsecret hook = env(\"HOOK\")\nnotify webhook(hook{events}{format})\n\n{body}"
        ),
    )
}

fn run(t: &Runbook, url: &str, args: &[&str]) -> common::Output {
    let mut all = vec!["run", "n.rb"];
    all.extend_from_slice(args);
    t.run_env(&all, &[("HOOK", url)])
}

fn journal(t: &Runbook) -> String {
    common::journals(t.path())
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect()
}

#[test]
fn a_failed_run_is_told_once_retried_past_an_error_and_journaled() {
    let hook = Hook::start(1);
    let t = runbook(
        "",
        "",
        "step a \"A\" {\n  run \"true\"\n}\n\nstep b \"B\" {\n  run \"exit 3\"\n}\n",
    );
    let out = run(&t, &hook.url, &[]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    let n = &bodies[0];
    assert_eq!(n["format"], 1);
    assert_eq!(n["event"], "failed");
    assert_eq!(n["runbook"], "notified");
    assert_eq!(n["title"], "Told");
    assert_eq!(n["step"], "b");
    assert_eq!(n["host"], "local");
    assert_eq!(n["message"], "`exit 3` exited with 3");
    let records = common::records(&common::journals(t.path())[0]);
    let told: Vec<&serde_json::Value> =
        records.iter().filter(|r| r["type"] == "notified").collect();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0]["attempts"], 2, "the 500 was retried");
    assert_eq!(told[0]["channel"], "webhook 1");
    for shown in [&out.stdout, &out.stderr, &journal(&t)] {
        assert!(
            !shown.contains("T0K3N-s3cret"),
            "the URL is a secret: {shown}"
        );
    }
}

#[test]
fn only_the_chosen_events_are_told_and_a_dry_run_tells_nothing() {
    let hook = Hook::start(0);
    let t = runbook(
        ", events: [\"failed\"]",
        "",
        "step a \"A\" {\n  run \"true\"\n}\n",
    );
    let out = run(&t, &hook.url, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let dry = run(&t, &hook.url, &["--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout
            .contains("notify: webhook 1 on failed (json) (a dry run tells nobody)"),
        "{}",
        dry.stdout
    );
    let t = runbook("", "", "step a \"A\" {\n  run \"true\"\n}\n");
    let dry = run(&t, &hook.url, &["--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(hook.bodies().is_empty(), "{:?}", hook.bodies());
    let out = run(&t, &hook.url, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["event"], "succeeded");
}

#[test]
fn a_gate_tells_the_exact_approve_command_in_a_slack_body() {
    let hook = Hook::start(0);
    let t = runbook(
        "",
        ", format: \"slack\"",
        "step deploy \"Deploy\" {\n  approve \"Ship it?\" by [\"alice\"]\n  run \"true\"\n}\n",
    );
    let out = run(&t, &hook.url, &[]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    let id = common::journals(t.path())[0]
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 1, "told once, at the gate: {bodies:?}");
    let text = bodies[0]["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("awaiting approval at step deploy: Ship it?")
            && text.contains(&format!("`runbook approve {id} deploy`")),
        "{text}"
    );
}

#[test]
fn a_hook_that_is_down_is_reported_and_the_run_ends_as_it_would() {
    // Nothing listens on a port just freed.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let url = format!("http://127.0.0.1:{port}/hooks/T0K3N-s3cret");
    let t = runbook("", "", "step a \"A\" {\n  run \"echo done >> trace\"\n}\n");
    let out = run(&t, &url, &[]);
    assert_eq!(
        out.code, 0,
        "a notification never fails the run: {}\n{}",
        out.stdout, out.stderr
    );
    assert!(
        out.stdout.contains("could not tell webhook 1 (succeeded)"),
        "{}",
        out.stdout
    );
    let records = common::records(&common::journals(t.path())[0]);
    let told = records
        .iter()
        .find(|r| r["type"] == "notified")
        .expect("journaled");
    assert_eq!(told["attempts"], 3);
    assert!(
        told["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{told}"
    );
    assert!(!journal(&t).contains("T0K3N-s3cret"));
}

#[test]
fn a_notification_that_cannot_be_sent_is_found_by_check() {
    let t = Runbook::new().file(
        "n.rb",
        "runbook n \"N\"\n\nlet hook = \"https://hooks.example.net/x\"\nnotify webhook(hook, events: [\"crashed\"])\n\nstep a \"A\" {\n  run \"true\"\n}\n",
    );
    let out = t.run_args(&["check", "n.rb"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    for said in [
        "runbook::check::webhook_not_secret",
        "runbook::check::invalid_notify",
        "the events are: awaiting_approval, failed, rolled_back, declined, succeeded",
    ] {
        assert!(out.stderr.contains(said), "{said}: {}", out.stderr);
    }
}
