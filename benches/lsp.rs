//! Latency of `runbook lsp` diagnostics on a 1,000-step runbook (release build):
//! `cargo bench --bench lsp` (`STEPS=N` to change the size). Each round sends the whole
//! text changed (a typo, then its fix, as an editor does) and times until the diagnostics
//! arrive. The floor, in the same run: `check` of the same text called in this process,
//! with no protocol, no process and no pipe.

#![allow(clippy::print_stdout)] // a benchmark reports on stdout

use std::fmt::Write as _;
use std::io::BufReader;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::json;

use runbook::check::{self, Options};
use runbook::source::SourceMap;

fn generate(steps: usize) -> String {
    let mut s = String::from(
        "runbook big \"A big runbook\"\n\nuse std.http\n\nparam release = \"v1\"\nhost web = ssh(\"deploy@web1\")\n\n",
    );
    for i in 0..steps {
        let _ = write!(
            s,
            "## Step number {i}.\nstep s{i} \"Step {i}\" on web timeout 5m {{\n  let out{i} = run(\"echo {{{{ release }}}} {i}\").stdout.trim()\n  check http.ok(\"http://127.0.0.1:8000/health\") else \"unhealthy at {i}\"\n  log \"step {i}: {{{{ out{i} }}}}\"\n}}\n\n"
        );
    }
    s
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    let i = ((times.len() as f64 - 1.0) * p).round() as usize;
    times[i]
}

fn main() {
    let steps: usize = std::env::var("STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000);
    let rounds = 30;
    let text = generate(steps);
    let typo = text.replacen("{{ release }} 7", "{{ relase }} 7", 1);

    let mut floor = Vec::new();
    for round in 0..rounds {
        let t = if round % 2 == 0 { &typo } else { &text };
        let start = Instant::now();
        let mut sources = SourceMap::default();
        let file = sources.add("big.rb", t.clone());
        let verdict = check::check_file(&mut sources, file, Options::default());
        assert_eq!(verdict.problems.is_empty(), round % 2 == 1);
        floor.push(start.elapsed());
    }

    let mut child = Command::new(env!("CARGO_BIN_EXE_runbook"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runbook lsp");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut send = |m: Message| m.write(&mut stdin).expect("write");
    let mut next = || {
        Message::read(&mut stdout)
            .expect("read")
            .expect("a message")
    };
    send(Message::Request(Request::new(
        RequestId::from(1),
        "initialize".into(),
        json!({"capabilities": {}}),
    )));
    next();
    send(Message::Notification(Notification::new(
        "initialized".into(),
        json!({}),
    )));
    let uri = "file:///bench/big.rb";
    let diagnostics = |next: &mut dyn FnMut() -> Message| loop {
        if let Message::Notification(n) = next() {
            if n.method == "textDocument/publishDiagnostics" {
                return n.params["diagnostics"].as_array().map_or(0, Vec::len);
            }
        }
    };
    send(Message::Notification(Notification::new(
        "textDocument/didOpen".into(),
        json!({"textDocument": {"uri": uri, "languageId": "runbook", "version": 0, "text": text}}),
    )));
    assert_eq!(diagnostics(&mut next), 0);
    let mut latency = Vec::new();
    for round in 0..rounds {
        let t = if round % 2 == 0 { &typo } else { &text };
        let start = Instant::now();
        send(Message::Notification(Notification::new(
            "textDocument/didChange".into(),
            json!({"textDocument": {"uri": uri, "version": round + 1}, "contentChanges": [{"text": t}]}),
        )));
        let found = diagnostics(&mut next);
        latency.push(start.elapsed());
        assert_eq!(
            found == 0,
            round % 2 == 1,
            "the typo is found, and its fix clears it"
        );
    }
    send(Message::Request(Request::new(
        RequestId::from(2),
        "shutdown".into(),
        json!(null),
    )));
    send(Message::Notification(Notification::new(
        "exit".into(),
        json!(null),
    )));
    drop(stdin);
    let _ = child.wait();

    let (f50, f95) = (percentile(&mut floor, 0.5), percentile(&mut floor, 0.95));
    let (l50, l95) = (
        percentile(&mut latency, 0.5),
        percentile(&mut latency, 0.95),
    );
    println!(
        "lsp diagnostics, {steps} steps ({} KiB), {rounds} edits",
        text.len() / 1024
    );
    println!("  check in-process (floor): median {f50:.1?}, p95 {f95:.1?}");
    println!("  lsp edit -> diagnostics:  median {l50:.1?}, p95 {l95:.1?}");
    println!(
        "  ratio (median): {:.2}x the floor",
        l50.as_secs_f64() / f50.as_secs_f64()
    );
}
