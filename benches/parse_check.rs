//! Parse + check time of generated 10,000-step runbooks (release build):
//! `cargo bench --bench parse_check` (`STEPS=N` to change the size). Two shapes: "full"
//! steps as the seed's procedures are written (doc comment, modifiers, capture, check,
//! log, rollback; ~330 bytes), "one-line" steps (`run` only; ~45 bytes), and "control"
//! steps that loop, branch and call a team module (`use "ops.rb" as ops`, from a file).

#![allow(clippy::print_stdout)] // a benchmark reports on stdout

use std::fmt::Write;
use std::time::{Duration, Instant};

use runbook::check::{self, Options};
use runbook::source::SourceMap;

fn generate_one_line(steps: usize) -> String {
    let mut s = String::from("runbook big \"A big runbook\"\n\n");
    for i in 0..steps {
        let _ = writeln!(s, "step s{i} \"Step {i}\" {{ run \"echo {i}\" }}");
    }
    s
}

fn generate(steps: usize) -> String {
    let mut s = String::from(
        "runbook big \"A big runbook\"\n\nuse std.http\nuse std.git\n\nparam release = \"v1\"\nhost web = ssh(\"deploy@web1\")\nlet app = \"~/apps/big\"\n\n",
    );
    for i in 0..steps {
        let _ = write!(
            s,
            "## Step number {i}.\nstep s{i} \"Step {i} of the deploy\" on web timeout 5m retry 2 every 5s {{\n  let out{i} = run(\"echo {{{{ release }}}} {i} && ls {{{{ app }}}}\").stdout.trim()\n  check http.ok(\"http://127.0.0.1:8000/health\") else \"unhealthy at {i}\"\n  log \"step {i}: {{{{ out{i} }}}}\"\n  rollback {{\n    git.checkout(app, release)\n  }}\n}}\n\n"
        );
    }
    s
}

/// Steps with a `for`, an `if` chain, `on_failure`, and calls into a team module.
fn generate_control(steps: usize) -> String {
    let mut s = String::from(
        "runbook big \"A big runbook\"\n\nuse \"ops.rb\" as ops\n\nparam action = \"status\"\nparam services = [\"web\", \"worker\", \"cron\"]\n\n",
    );
    for i in 0..steps {
        let _ = write!(
            s,
            "step s{i} \"Step {i}\" tags [t{m}] {{\n  for svc in services {{\n    if action == \"start\" {{\n      ops.start(svc)\n    }} else if action == \"stop\" {{\n      run \"systemctl stop {{{{ svc }}}}\"\n    }} else {{\n      log \"{{{{ svc }}}}: {i}\"\n    }}\n  }}\n  on_failure {{\n    ops.start(\"web\")\n  }}\n}}\n\n",
            m = i % 10
        );
    }
    s
}

const OPS: &str = "## Starts `unit`.\nfn start(unit) {\n  run \"systemctl start {{ unit }}\"\n}\n";

fn main() {
    let steps: usize = std::env::var("STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    measure("full", steps, &generate(steps));
    measure("one-line", steps, &generate_one_line(steps));
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("ops.rb"), OPS).expect("module");
    let path = dir.path().join("big.rb").display().to_string();
    measure_at("control", steps, &generate_control(steps), &path);
}

fn measure(shape: &str, steps: usize, text: &str) {
    measure_at(shape, steps, text, "big.rb");
}

/// `path` names the file, so that the modules it uses are found beside it.
fn measure_at(shape: &str, steps: usize, text: &str, path: &str) {
    let runs = 11;
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let mut sources = SourceMap::default();
        let file = sources.add(path, text);
        let outcome = check::check_file(&mut sources, file, Options::default());
        times.push(start.elapsed());
        assert!(
            !outcome.has_errors(),
            "the generated runbook is valid: {:?}",
            outcome.problems.first()
        );
    }
    times.sort();
    let median = times[runs / 2];
    let mb = text.len() as f64 / 1_000_000.0;
    println!(
        "{shape:>8}: parse+check {steps} steps ({mb:.2} MB): median {:.1} ms, min {:.1} ms over {runs} runs; {:.1} MB/s, {:.1} us/step",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        mb / median.as_secs_f64(),
        median.as_secs_f64() * 1e6 / steps as f64,
    );
}
