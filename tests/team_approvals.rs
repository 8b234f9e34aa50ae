//! Approvals from anywhere: `runbook approve RUN_ID STEP` from another shell and as other OS
//! users (throwaway ones the test makes and removes), a gate's policy (`by`, `min`, the
//! two-person rule), `--wait`, denial, and what the journal keeps of each decision.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::Output;

/// A throwaway OS user, removed when dropped.
struct User {
    name: String,
}

impl User {
    fn new() -> User {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "rbt{}x{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let made = Command::new("useradd")
            .args(["-M", "-s", "/bin/sh", &name])
            .status()
            .expect("useradd (the tests run as root)");
        assert!(made.success(), "useradd {name}");
        User { name }
    }
}

impl Drop for User {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(&self.name).status();
    }
}

/// A shared state directory others may traverse (as a team on files sets it up), and a
/// runbook beside it.
struct Team {
    dir: tempfile::TempDir,
}

impl Team {
    fn new(runbook: &str) -> Team {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = dir.path().join("state");
        std::fs::create_dir(&state).expect("state");
        for d in [dir.path(), &state] {
            chmod(d, "711");
        }
        std::fs::write(dir.path().join("gate.rb"), runbook).expect("write");
        Team { dir }
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// `runbook ARGS` as root, the starter.
    fn starter(&self, args: &[&str]) -> Output {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        common::run_in(
            self.dir.path(),
            &args,
            &[(
                "RUNBOOK_STATE_DIR".into(),
                self.state().display().to_string(),
            )],
        )
    }

    /// `runbook ARGS` as `user`, in a directory of its own.
    fn as_user(&self, user: &User, args: &[&str]) -> Output {
        let out = Command::new("runuser")
            .args(["-u", &user.name, "--", "env"])
            .arg(format!("RUNBOOK_STATE_DIR={}", self.state().display()))
            .arg(env!("CARGO_BIN_EXE_runbook"))
            .args(args)
            .current_dir("/")
            .output()
            .expect("runuser");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn run_id(&self) -> String {
        run_ids(&self.state()).into_iter().next().expect("a run")
    }

    fn trace(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("trace")).unwrap_or_default()
    }

    fn approvals(&self) -> Vec<serde_json::Value> {
        let id = self.run_id();
        common::records(&self.state().join("runs").join(format!("{id}.jsonl")))
            .into_iter()
            .filter(|r| r["type"] == "approval")
            .collect()
    }
}

/// The runs journaled in `state`.
fn run_ids(state: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(state.join("runs"))
        .map(|e| {
            e.flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_suffix(".jsonl").map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

/// The run whose gate is published in `state`, once a run reaches it.
fn published(state: &Path) -> String {
    let started = std::time::Instant::now();
    loop {
        if let Some(id) = run_ids(state)
            .into_iter()
            .find(|id| state.join("inbox").join(id).join("gate.json").exists())
        {
            return id;
        }
        assert!(started.elapsed().as_secs() < 30, "the gate never opened");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn chmod(path: &Path, mode: &str) {
    let ok = Command::new("chmod").args([mode]).arg(path).status();
    assert!(
        ok.is_ok_and(|s| s.success()),
        "chmod {mode} {}",
        path.display()
    );
}

fn policy(by: &[&User], min: u32) -> String {
    let names: Vec<String> = by.iter().map(|u| format!("{:?}", u.name)).collect();
    format!(
        "runbook gated \"Gated\"\n\nstep prep \"Prepare\" {{\n  run \"echo prep >> trace\"\n}}\n\nstep deploy \"Deploy\" {{\n  approve \"Deploy to production?\" by [{}] min {min}\n  run \"echo deployed >> trace\"\n}}\n",
        names.join(", ")
    )
}

#[test]
fn two_people_approve_a_paused_gate_and_resume_goes_on() {
    let (alice, bob, eve) = (User::new(), User::new(), User::new());
    let team = Team::new(&policy(&[&alice, &bob], 2));
    let first = team.starter(&["run", "gate.rb"]);
    assert_eq!(first.code, 3, "paused: {}\n{}", first.stdout, first.stderr);
    let id = team.run_id();
    let command = format!("runbook approve {id} deploy");
    assert!(
        first.stdout.contains(&format!(
            "⏳ waiting for approval: `{command}` (2 people; by {}, {}; not root)",
            alice.name, bob.name
        )),
        "{}",
        first.stdout
    );

    // The starter, and someone not named, are refused; nothing is counted for them.
    let own = team.starter(&["approve", &id, "deploy"]);
    assert_eq!(own.code, 6, "{}", own.stderr);
    assert!(
        own.stderr.contains("runbook::approve::not_allowed")
            && own.stderr.contains("root started this run"),
        "{}",
        own.stderr
    );
    let stranger = team.as_user(&eve, &["approve", &id, "deploy"]);
    assert_eq!(stranger.code, 6, "{}", stranger.stderr);
    assert!(
        stranger.stderr.contains("runbook::approve::not_allowed")
            && stranger.stderr.contains("is not among those"),
        "{}",
        stranger.stderr
    );

    // One approval is not enough: the resume pauses again.
    let one = team.as_user(&alice, &["approve", &id, "deploy"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    let again = team.starter(&["resume", &id]);
    assert_eq!(again.code, 3, "{}\n{}", again.stdout, again.stderr);
    assert_eq!(team.trace(), "prep\n");

    // The second one is: the resume runs the step, and the journal names both.
    let two = team.as_user(
        &bob,
        &["approve", &id, "deploy", "--reason", "checked the diff"],
    );
    assert_eq!(two.code, 0, "{}", two.stderr);
    let done = team.starter(&["resume", &id]);
    assert_eq!(done.code, 0, "{}\n{}", done.stdout, done.stderr);
    assert_eq!(team.trace(), "prep\ndeployed\n");
    let approvals = team.approvals();
    let by: Vec<&str> = approvals.iter().filter_map(|a| a["by"].as_str()).collect();
    assert_eq!(
        by,
        [alice.name.as_str(), bob.name.as_str()],
        "{approvals:?}"
    );
    for a in &approvals {
        assert_eq!(a["how"], "runbook approve");
        assert!(a["from"].as_str().is_some_and(|f| !f.is_empty()), "{a}");
        assert!(a["decided_at"].is_string(), "{a}");
    }
    assert_eq!(approvals[1]["reason"], "checked the diff");
    assert!(
        !team.state().join("inbox").join(&id).exists(),
        "a settled run's inbox is removed"
    );
}

#[test]
fn a_waiting_run_goes_on_when_approved_from_another_shell() {
    let alice = User::new();
    let team = Team::new(&policy(&[&alice], 1));
    let state = team.state();
    let waiting = std::thread::scope(|s| {
        let run = s.spawn(|| team.starter(&["run", "gate.rb", "--wait", "60s"]));
        let id = published(&state);
        let approved = team.as_user(&alice, &["approve", &id, "deploy"]);
        assert_eq!(approved.code, 0, "{}", approved.stderr);
        run.join().expect("the run")
    });
    assert_eq!(waiting.code, 0, "{}\n{}", waiting.stdout, waiting.stderr);
    assert_eq!(team.trace(), "prep\ndeployed\n");
    assert!(
        !state
            .join("inbox")
            .join(team.run_id())
            .join("gate.json")
            .exists(),
        "the answered gate is taken down"
    );
}

#[test]
fn a_denial_stops_the_run_and_a_resume_asks_afresh() {
    let alice = User::new();
    let team = Team::new(&policy(&[&alice], 1));
    let first = team.starter(&["run", "gate.rb"]);
    assert_eq!(first.code, 3, "{}", first.stderr);
    let id = team.run_id();
    let no = team.as_user(
        &alice,
        &[
            "approve",
            &id,
            "deploy",
            "--deny",
            "--reason",
            "not on a Friday",
        ],
    );
    assert_eq!(no.code, 0, "{}", no.stderr);
    let denied = team.starter(&["resume", &id]);
    assert_eq!(denied.code, 6, "{}\n{}", denied.stdout, denied.stderr);
    assert!(
        denied.stdout.contains(&format!("denied by {}", alice.name))
            && denied.stdout.contains("not on a Friday"),
        "{}",
        denied.stdout
    );
    assert_eq!(team.trace(), "prep\n");
    // The denial was journaled and taken down: the next resume waits for a new decision.
    let asks = team.starter(&["resume", &id]);
    assert_eq!(asks.code, 3, "{}\n{}", asks.stdout, asks.stderr);
}

#[test]
fn approve_says_why_it_cannot() {
    let alice = User::new();
    let team = Team::new(&policy(&[&alice], 1));
    let none = team.as_user(&alice, &["approve", "01a0000000000000", "deploy"]);
    assert_eq!(none.code, 2, "{}", none.stderr);
    assert!(
        none.stderr.contains("runbook::approve::no_gate"),
        "{}",
        none.stderr
    );
    // A run id is never a path out of the inbox.
    let escape = team.as_user(&alice, &["approve", "../../tmp", "deploy"]);
    assert_eq!(escape.code, 2, "{}", escape.stderr);
    assert!(
        escape.stderr.contains("runbook::approve::no_gate"),
        "{}",
        escape.stderr
    );
    let first = team.starter(&["run", "gate.rb"]);
    assert_eq!(first.code, 3, "{}", first.stderr);
    let id = team.run_id();
    let other = team.as_user(&alice, &["approve", &id, "prep"]);
    assert!(
        other.stderr.contains("runbook::approve::other_step")
            && other.stderr.contains("waits at step deploy, not prep"),
        "{}",
        other.stderr
    );
    // An inbox others cannot add to (not as the run makes it).
    let inbox = team.state().join("inbox").join(&id);
    chmod(&inbox, "755");
    let closed = team.as_user(&alice, &["approve", &id, "deploy"]);
    assert_eq!(closed.code, 2, "{}", closed.stderr);
    assert!(
        closed.stderr.contains("runbook::approve::unwritable"),
        "{}",
        closed.stderr
    );
    chmod(&inbox, "1733");
    // A state directory others cannot traverse: the fix is named.
    chmod(&team.state(), "700");
    let shut = team.as_user(&alice, &["approve", &id, "deploy"]);
    assert_eq!(shut.code, 2, "{}", shut.stderr);
    assert!(
        shut.stderr.contains("runbook::approve::unreachable") && shut.stderr.contains("chmod 711"),
        "{}",
        shut.stderr
    );
}

#[test]
fn a_plain_gate_waits_for_the_starter_from_another_shell() {
    let team = Team::new("runbook plain \"Plain\"\n\nstep deploy \"Deploy\" {\n  approve \"Go?\"\n  run \"echo deployed >> trace\"\n}\n");
    let state = team.state();
    let out = std::thread::scope(|s| {
        let run = s.spawn(|| team.starter(&["run", "gate.rb", "--wait"]));
        let id = published(&state);
        // Without a policy, the starter may answer from another shell.
        let approved = team.starter(&["approve", &id, "deploy"]);
        assert_eq!(approved.code, 0, "{}", approved.stderr);
        assert!(
            approved.stdout.contains("the gate is approved"),
            "{}",
            approved.stdout
        );
        run.join().expect("the run")
    });
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(team.trace(), "deployed\n");
}

#[test]
fn one_approval_opens_the_gate_on_every_host_of_a_fan_out() {
    let alice = User::new();
    let names = format!("{:?}", alice.name);
    let team = Team::new(&format!(
        "runbook fan \"Fan\"\n\nhost a = local\nhost b = local\ngroup both = [a, b]\n\nstep deploy \"Deploy\" on both {{\n  approve \"Deploy?\" by [{names}]\n  run \"echo {{{{ host.name }}}} >> trace\"\n}}\n"
    ));
    let first = team.starter(&["run", "gate.rb"]);
    assert_eq!(first.code, 3, "{}\n{}", first.stdout, first.stderr);
    let id = team.run_id();
    let yes = team.as_user(&alice, &["approve", &id, "deploy"]);
    assert_eq!(yes.code, 0, "{}", yes.stderr);
    let done = team.starter(&["resume", &id]);
    assert_eq!(done.code, 0, "{}\n{}", done.stdout, done.stderr);
    let mut ran: Vec<String> = team.trace().lines().map(str::to_string).collect();
    ran.sort();
    assert_eq!(ran, ["a", "b"]);
    let mut hosts: Vec<String> = team
        .approvals()
        .iter()
        .filter_map(|a| a["host"].as_str().map(str::to_string))
        .collect();
    hosts.sort();
    assert_eq!(hosts, ["a", "b"], "journaled for each host");
}

#[test]
fn the_starter_cannot_pass_for_someone_else_through_user() {
    let alice = User::new();
    let team = Team::new(
        "runbook anyone \"Anyone\"\n\nstep deploy \"Deploy\" {\n  approve \"Go?\" min 1\n  run \"echo deployed >> trace\"\n}\n",
    );
    // Started with a borrowed name: the gate still knows the starter by uid.
    let state = (
        "RUNBOOK_STATE_DIR".to_string(),
        team.state().display().to_string(),
    );
    let args = ["run".to_string(), "gate.rb".to_string()];
    let first = common::run_in(
        team.dir.path(),
        &args,
        &[state, ("USER".into(), alice.name.clone())],
    );
    assert_eq!(first.code, 3, "{}\n{}", first.stdout, first.stderr);
    let id = team.run_id();
    let own = team.starter(&["approve", &id, "deploy"]);
    assert_eq!(own.code, 6, "{}", own.stderr);
    assert!(own.stderr.contains("started this run"), "{}", own.stderr);
    let other = team.as_user(&alice, &["approve", &id, "deploy"]);
    assert_eq!(other.code, 0, "{}", other.stderr);
    let done = team.starter(&["resume", &id]);
    assert_eq!(done.code, 0, "{}\n{}", done.stdout, done.stderr);
    assert_eq!(team.trace(), "deployed\n");
}
