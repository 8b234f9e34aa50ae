//! Every stdlib function, run through the real local transport against real things where
//! this machine can have them (PostgreSQL, an HTTP server, certificates, git, sockets,
//! files, /proc) and against recording stand-ins for the tools it cannot run (systemctl,
//! journalctl, docker).

use crate::common;

mod fakes;
mod postgres;
mod real;

use common::{Output, Runbook};

/// Runs `body` (after a header and the `use` lines) with `--json`; the `log` messages in
/// order, after asserting the run succeeded.
pub fn logs(t: &Runbook, modules: &[&str], body: &str, env: &[(&str, &str)]) -> Vec<String> {
    let out = run(t, modules, body, env);
    assert_eq!(
        out.code, 0,
        "the run failed:\n{}\n{}",
        out.stdout, out.stderr
    );
    out.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "log")
        .map(|e| e["message"].as_str().unwrap_or("").to_string())
        .collect()
}

pub fn run(t: &Runbook, modules: &[&str], body: &str, env: &[(&str, &str)]) -> Output {
    let uses: String = modules.iter().map(|m| format!("use std.{m}\n")).collect();
    let text =
        format!("runbook stdlib_test \"stdlib\"\n\n{uses}\nstep s \"Stdlib\" {{\n{body}\n}}\n");
    std::fs::write(t.path().join("t.rb"), text).expect("write runbook");
    t.run_env(&["run", "t.rb", "--json", "--state-dir", ".state"], env)
}
