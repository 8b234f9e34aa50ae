//! A small builder for tests that drive the real `runbook` binary: write files into a
//! tempdir, run a command there, look at what came out.

#![allow(dead_code)]

pub mod case;
pub mod postgres;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Debug)]
pub struct Runbook {
    dir: tempfile::TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Runbook {
    pub fn new() -> Self {
        Runbook {
            dir: tempfile::tempdir().expect("tempdir"),
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    pub fn file(self, name: &str, contents: impl AsRef<[u8]>) -> Self {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(path, contents).expect("write file");
        self
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The default state directory of runs made by this builder.
    pub fn state(&self) -> PathBuf {
        self.dir.path().join(".state/runbook")
    }

    pub fn run(&self) -> Output {
        run_in(self.dir.path(), &self.args, &self.env)
    }

    /// Runs with these arguments instead of the builder's.
    pub fn run_args(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let mut all = self.env.clone();
        all.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        run_in(self.dir.path(), &args, &all)
    }
}

/// The crate root, where `runbooks/` and `tests/fixtures/` are.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under the crate root, as `runbook` run from the root would be given it.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .expect("under the crate root")
        .display()
        .to_string()
}

/// The binary, run in `dir` with the test's own user state directory (the default one,
/// inside its tempdir): for tests that spawn it themselves, to kill, signal or race it.
pub fn binary(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_runbook"));
    cmd.current_dir(dir)
        .env_remove("RUNBOOK_STATE_DIR")
        .env_remove("RUNBOOK_STATE")
        .env("XDG_STATE_HOME", dir.join(".state"))
        .env("XDG_CONFIG_HOME", dir.join(".config"));
    cmd
}

/// The binary in `dir` with `args`, its output thrown away: for runs that are killed or raced.
pub fn silent(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = binary(dir);
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::null());
    cmd
}

/// Runs the binary in `dir` without a terminal and with colour off unless asked.
pub fn run_in(dir: &Path, args: &[String], env: &[(String, String)]) -> Output {
    let mut cmd = binary(dir);
    cmd.args(args)
        .stdin(Stdio::null())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run runbook");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `runbook ARGS` from the crate root.
pub fn runbook(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    run_in(&root(), &args, &[])
}

/// The journals of the runs made in `dir`, oldest first.
pub fn journals(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join(".state/runbook/runs"))
        .map(|e| e.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// The records of one journal.
pub fn records(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .expect("journal")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

/// The approvals of a journal as (step, by, how).
pub fn approvals(records: &[serde_json::Value]) -> Vec<(String, String, String)> {
    let field = |r: &serde_json::Value, k: &str| r[k].as_str().unwrap_or("").to_string();
    records
        .iter()
        .filter(|r| r["type"] == "approval")
        .map(|r| (field(r, "step"), field(r, "by"), field(r, "how")))
        .collect()
}

/// The journal of the one run made in `dir` (its `.jsonl`, not the key beside it).
pub fn journal(dir: &Path) -> Option<PathBuf> {
    journals(dir)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
}

/// A process that exists and is not a zombie (an orphan may wait to be reaped by init).
pub fn running(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            stat.rsplit(')')
                .next()
                .map(|rest| !rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}
