//! The PostgreSQL state backend against a real PostgreSQL (a throwaway cluster per test):
//! the file journal's guarantees kept — intent before side effect, `kill -9` at every journal
//! boundary, a database that restarts or goes away mid-run, concurrent resumes — and what a
//! team gets from it: runs found and resumed from another operator's machine, one run of a
//! runbook at a time across OS users and machines, file journals migrated.

use crate::common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::postgres::Cluster;
use common::{Output, Runbook};

/// A cluster with one database for the state.
struct Db {
    cluster: Cluster,
    url: String,
    _dir: tempfile::TempDir,
}

fn db() -> Db {
    let dir = tempfile::tempdir().expect("tempdir");
    let cluster = Cluster::start(dir.path());
    let url = cluster.database("runbook");
    Db {
        cluster,
        url,
        _dir: dir,
    }
}

/// An operator's machine: a directory of its own (its own local state and config), with the
/// runbook written there, and the shared state in the database.
fn machine(db: &Db, runbook: &str) -> Runbook {
    Runbook::new()
        .file("deploy.rb", runbook)
        .env("RUNBOOK_STATE", &db.url)
}

/// A directory both machines' commands write to: the effects of the steps.
struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o777),
        )
        .expect("chmod");
        // Every operator's commands append to it.
        let out = dir.path().join("out");
        std::fs::write(&out, "").expect("out");
        std::fs::set_permissions(&out, std::os::unix::fs::PermissionsExt::from_mode(0o666))
            .expect("chmod");
        World { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("out"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn count(&self, line: &str) -> usize {
        self.lines().iter().filter(|l| *l == line).count()
    }

    fn touch(&self, name: &str) {
        std::fs::write(self.dir.path().join(name), "").expect("touch");
    }

    /// Waits until a step has written `line`.
    fn wait_for(&self, line: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.count(line) == 0 {
            assert!(Instant::now() < deadline, "{line} was never written");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The runs the state database knows, as `runs --json` gives them.
fn runs(m: &Runbook) -> Vec<serde_json::Value> {
    let out = m.run_args(&["runs", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("runs --json")
}

fn only_run_id(m: &Runbook) -> String {
    let runs = runs(m);
    assert_eq!(runs.len(), 1, "{runs:?}");
    runs[0]["run_id"].as_str().expect("run_id").to_string()
}

#[derive(Debug, Clone, Copy)]
enum Kill {
    /// After step k-1's result, before step k's intent.
    Boundary(usize),
    /// After step k's intent, inside it.
    Inside(usize),
}

const STEPS: usize = 4;

fn crash_runbook(world: &World, kill: Kill) -> String {
    let out = world.path("out");
    let marker = world.path("killed");
    let mut s = String::from("runbook crash \"Crash\"\n\n");
    for i in 1..=STEPS {
        let die = format!("test -e {marker} || {{ touch {marker}; exec kill -9 $PPID; }}");
        let guard = match kill {
            Kill::Boundary(k) if k == i => format!(" when run(\"{die}\").ok"),
            _ => String::new(),
        };
        let middle = match kill {
            Kill::Inside(k) if k == i => die,
            _ => "true".to_string(),
        };
        s.push_str(&format!(
            "step s{i} \"Step {i}\"{guard} {{\n  run \"echo s{i} >> {out}\"\n  run \"{middle}\"\n  run \"echo s{i}-end >> {out}\"\n}}\n\n"
        ));
    }
    s
}

#[test]
fn kill_9_at_every_journal_boundary_then_resume_from_another_machine_doubles_nothing() {
    let db = db();
    let kills = (1..=STEPS)
        .map(Kill::Boundary)
        .chain((1..=STEPS).map(Kill::Inside));
    let mut figures = Vec::new();
    for kill in kills {
        let world = World::new();
        let text = crash_runbook(&world, kill);
        let here = machine(&db, &text);
        let killed = here.run_args(&["run", "deploy.rb"]);
        assert_eq!(
            killed.code, -1,
            "{kill:?}: killed by SIGKILL: {}",
            killed.stderr
        );
        // Another machine: another directory, its own copy of the runbook, no local state.
        let there = machine(&db, &text);
        let runs_there = runs(&there);
        let id = runs_there
            .iter()
            .find(|r| r["status"] != "succeeded")
            .and_then(|r| r["run_id"].as_str())
            .expect("the killed run, listed from the other machine")
            .to_string();
        let resumed = there.run_args(&["resume", &id, "--runbook", "deploy.rb"]);
        assert_eq!(resumed.code, 0, "{kill:?}: {}", resumed.stderr);
        let doubled = (1..=STEPS)
            .filter(|i| world.count(&format!("s{i}-end")) != 1)
            .count();
        let again = match kill {
            Kill::Inside(k) => Some(k),
            Kill::Boundary(_) => None,
        };
        for i in 1..=STEPS {
            let starts = world.count(&format!("s{i}"));
            let expected = if again == Some(i) { 2 } else { 1 };
            assert_eq!(starts, expected, "{kill:?}: s{i} began {starts} times");
        }
        assert_eq!(doubled, 0, "{kill:?}: {:?}", world.lines());
        figures.push((kill, doubled));
    }
    assert_eq!(figures.len(), 2 * STEPS);
}

/// A runbook whose second step waits for `go`, so the test can act while it runs.
fn waiting_runbook(world: &World) -> String {
    let (out, go) = (world.path("out"), world.path("go"));
    format!(
        "runbook deploy \"Deploy\"\n\n\
         step s1 \"One\" {{\n  run \"echo s1 >> {out}\"\n}}\n\n\
         step s2 \"Two\" {{\n  run \"echo s2 >> {out}; while [ ! -e {go} ]; do sleep 0.05; done; echo s2-end >> {out}\"\n}}\n\n\
         step s3 \"Three\" {{\n  run \"echo s3 >> {out}\"\n}}\n"
    )
}

fn spawn(m: &Runbook, url: &str, args: &[&str]) -> std::process::Child {
    let mut cmd = common::binary(m.path());
    cmd.args(args)
        .env("RUNBOOK_STATE", url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.spawn().expect("spawn runbook")
}

fn finish(child: std::process::Child) -> Output {
    let out = child.wait_with_output().expect("wait");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_database_that_restarts_mid_run_stops_the_run_before_the_next_step_and_resume_goes_on() {
    let db = db();
    let world = World::new();
    let here = machine(&db, &waiting_runbook(&world));
    let run = spawn(&here, &db.url, &["run", "deploy.rb"]);
    world.wait_for("s2");
    // A restart: every connection is cut, the server is back at once.
    db.cluster.down();
    db.cluster.up();
    world.touch("go");
    let stopped = finish(run);
    assert_eq!(stopped.code, 8, "{}", stopped.stderr);
    assert!(
        stopped.stderr.contains("journal"),
        "says the journal failed: {}",
        stopped.stderr
    );
    assert_eq!(
        world.count("s3"),
        0,
        "no step runs that cannot be journaled"
    );
    let id = only_run_id(&here);
    let there = machine(&db, &waiting_runbook(&world));
    let resumed = there.run_args(&["resume", &id, "--runbook", "deploy.rb"]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert!(resumed.stderr.contains("interrupted"), "{}", resumed.stderr);
    assert_eq!(
        (world.count("s1"), world.count("s3")),
        (1, 1),
        "{:?}",
        world.lines()
    );
}

#[test]
fn a_database_that_goes_away_stops_the_run_says_so_and_the_run_resumes_once_it_is_back() {
    let db = db();
    let world = World::new();
    let here = machine(&db, &waiting_runbook(&world));
    let run = spawn(&here, &db.url, &["run", "deploy.rb"]);
    world.wait_for("s2");
    let id = only_run_id(&here);
    db.cluster.down();
    world.touch("go");
    let stopped = finish(run);
    assert_eq!(stopped.code, 8, "{}", stopped.stderr);
    assert_eq!(world.count("s3"), 0);
    // While it is down: refused with the reason, and the password-free URL.
    let refused = here.run_args(&["resume", &id]);
    assert_eq!(refused.code, 8, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("runbook::journal::database"),
        "{}",
        refused.stderr
    );
    assert_eq!(world.count("s2"), 1, "nothing ran while the state was away");
    db.cluster.up();
    let resumed = here.run_args(&["resume", &id]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert_eq!(
        (world.count("s1"), world.count("s2-end"), world.count("s3")),
        (1, 2, 1),
        "s2 was cut before its result was journaled, so it ran again: {:?}",
        world.lines()
    );
}

#[test]
fn concurrent_resumes_of_one_run_let_exactly_one_proceed() {
    let db = db();
    let world = World::new();
    let (out, fixed) = (world.path("out"), world.path("fixed"));
    let text = format!(
        "runbook deploy \"Deploy\"\n\n\
         step s1 \"One\" {{\n  run \"echo s1 >> {out}\"\n}}\n\n\
         step s2 \"Two\" {{\n  run \"test -e {fixed}\"\n  run \"sleep 0.5; echo s2 >> {out}\"\n}}\n"
    );
    let here = machine(&db, &text);
    let failed = here.run_args(&["run", "deploy.rb"]);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    let id = only_run_id(&here);
    world.touch("fixed");
    let machines: Vec<Runbook> = (0..4).map(|_| machine(&db, &text)).collect();
    let racers: Vec<_> = machines
        .iter()
        .map(|m| spawn(m, &db.url, &["resume", &id, "--runbook", "deploy.rb"]))
        .collect();
    let outcomes: Vec<Output> = racers.into_iter().map(finish).collect();
    let codes: Vec<i32> = outcomes.iter().map(|o| o.code).collect();
    assert_eq!(
        codes.iter().filter(|c| **c == 0).count(),
        1,
        "exactly one resume proceeds: {codes:?} {outcomes:?}"
    );
    for o in outcomes.iter().filter(|o| o.code != 0) {
        // Refused while the winner holds the lock, or told the run is done.
        assert!(
            (o.code == 7 && o.stderr.contains("runbook::journal::locked_by_operator"))
                || (o.code == 2 && o.stderr.contains("runbook::journal::finished")),
            "{o:?}"
        );
    }
    assert_eq!(world.count("s2"), 1, "{:?}", world.lines());
    assert_eq!(world.count("s1"), 1);
}

/// A throwaway OS user with a database role of the same name, removed when dropped.
struct Operator {
    name: String,
    home: tempfile::TempDir,
}

impl Operator {
    fn new(db: &Db, n: usize) -> Operator {
        let name = format!("rbdb{}x{n}", std::process::id());
        let made = Command::new("useradd")
            .args(["-M", "-s", "/bin/sh", &name])
            .status()
            .expect("useradd (the tests run as root)");
        assert!(made.success(), "useradd {name}");
        db.cluster.sql(
            "runbook",
            &format!("CREATE ROLE {name} LOGIN IN ROLE runbook_operator"),
        );
        let home = tempfile::tempdir().expect("home");
        let uid = nix::unistd::User::from_name(&name)
            .ok()
            .flatten()
            .expect("the user");
        nix::unistd::chown(home.path(), Some(uid.uid), Some(uid.gid)).expect("chown");
        Operator { name, home }
    }

    /// `runbook ARGS` as this user on their own machine (home), as their database role.
    fn spawn(&self, db: &Db, args: &[&str]) -> std::process::Child {
        let home = self.home.path();
        Command::new("runuser")
            .args(["-u", &self.name, "--", "env"])
            .arg(format!("HOME={}", home.display()))
            .arg(format!("USER={}", self.name))
            .arg(format!(
                "RUNBOOK_STATE={}",
                db.cluster.url("runbook", &self.name)
            ))
            .arg(env!("CARGO_BIN_EXE_runbook"))
            .args(args)
            .current_dir(home)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runuser")
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.home.path().join(name);
        std::fs::write(&path, text).expect("write");
        let uid = nix::unistd::User::from_name(&self.name)
            .ok()
            .flatten()
            .expect("the user");
        nix::unistd::chown(&path, Some(uid.uid), Some(uid.gid)).expect("chown");
        path
    }
}

impl Drop for Operator {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(&self.name).status();
    }
}

/// The roles a team sets up (docs/team.md): operators may read and append, never rewrite.
fn team_roles(db: &Db) {
    // The schema comes first, made by its owner.
    let owner = machine(db, "runbook x \"X\"\n");
    assert_eq!(owner.run_args(&["runs"]).code, 0);
    db.cluster.sql(
        "runbook",
        "CREATE ROLE runbook_operator NOLOGIN;
         GRANT SELECT, INSERT ON runbook_runs, runbook_records, runbook_schema,
             runbook_gates, runbook_decisions TO runbook_operator;
         GRANT SELECT, INSERT, UPDATE, DELETE ON runbook_locks TO runbook_operator;
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO runbook_operator;",
    );
}

#[test]
fn two_operators_on_two_machines_cannot_run_one_runbook_at_once() {
    let db = db();
    team_roles(&db);
    let world = World::new();
    let text = waiting_runbook(&world);
    let (alice, bob) = (Operator::new(&db, 1), Operator::new(&db, 2));
    alice.write("deploy.rb", &text);
    bob.write("deploy.rb", &text);
    let first = alice.spawn(&db, &["run", "deploy.rb"]);
    world.wait_for("s2");
    let refused = finish(bob.spawn(&db, &["run", "deploy.rb"]));
    assert_eq!(refused.code, 7, "{refused:?}");
    // Who holds it: the OS user, their database role, the machine, since when.
    assert_eq!(
        refused.stderr.matches(&alice.name).count(),
        2,
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("since"), "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("runbook::journal::locked_by_operator"),
        "{}",
        refused.stderr
    );
    // A crash of the holder: the database lets go with its connection, and says whose it was.
    let mut first = first;
    let pid = first.id();
    let runuser_child =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    for child in runuser_child.split_whitespace() {
        let _ = Command::new("kill").args(["-9", child]).status();
    }
    let _ = first.kill();
    let _ = first.wait();
    world.touch("go");
    let taken = finish(bob.spawn(&db, &["run", "deploy.rb"]));
    assert_eq!(taken.code, 0, "{taken:?}");
    assert!(
        taken.stderr.contains("ended without releasing its lock"),
        "{}",
        taken.stderr
    );
    // The journal says who wrote each record: the database role, not a claim.
    let writers = db.cluster.sql(
        "runbook",
        "SELECT string_agg(DISTINCT written_by, ',' ORDER BY written_by) FROM runbook_records",
    );
    assert_eq!(writers, format!("{},{}", alice.name, bob.name));
    // Operators append; nobody rewrites a journal, not even its owner.
    let rewrite = Command::new("psql")
        .args(["-X", "-h", "127.0.0.1", "-p", &db.cluster.port.to_string()])
        .args(["-U", "postgres", "-d", "runbook", "-v", "ON_ERROR_STOP=1"])
        .args(["-c", "UPDATE runbook_records SET line = 'x'"])
        .output()
        .expect("psql");
    assert!(!rewrite.status.success());
    assert!(String::from_utf8_lossy(&rewrite.stderr).contains("append-only"));
}

#[test]
fn file_journals_migrate_into_the_database_and_resume_there() {
    let db = db();
    let world = World::new();
    let (out, fixed) = (world.path("out"), world.path("fixed"));
    let text = format!(
        "runbook deploy \"Deploy\"\n\n\
         step s1 \"One\" {{\n  run \"echo s1 >> {out}\"\n}}\n\n\
         step s2 \"Two\" {{\n  run \"test -e {fixed}\"\n  run \"echo s2 >> {out}\"\n}}\n"
    );
    let files = Runbook::new().file("deploy.rb", &text);
    assert_eq!(files.run_args(&["run", "deploy.rb"]).code, 1);
    let state = files.state().display().to_string();
    let moved = files.run_args(&["state", "migrate", "--from", &state, "--to", &db.url]);
    assert_eq!(moved.code, 0, "{}", moved.stderr);
    assert!(moved.stdout.contains("1 run(s) copied"), "{}", moved.stdout);
    let again = files.run_args(&["state", "migrate", "--from", &state, "--to", &db.url]);
    assert!(again.stdout.contains("0 run(s) copied"), "{}", again.stdout);
    assert!(again.stdout.contains("1 already there"), "{}", again.stdout);
    let shared = machine(&db, &text);
    let listed = runs(&shared);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["status"], "failed");
    let id = listed[0]["run_id"].as_str().expect("id").to_string();
    world.touch("fixed");
    let resumed = shared.run_args(&["resume", &id, "--runbook", "deploy.rb"]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert_eq!((world.count("s1"), world.count("s2")), (1, 1));
    // The same records as the file journal, then the resumed session's.
    let records: i64 = db
        .cluster
        .sql("runbook", "SELECT count(*) FROM runbook_records")
        .parse()
        .expect("count");
    let journal = common::journal(files.path()).expect("the file journal");
    assert!(records as usize > common::records(&journal).len());
}

#[test]
fn a_schema_newer_than_this_build_is_refused_and_a_bad_url_is_a_diagnostic() {
    let db = db();
    let m = machine(&db, "runbook x \"X\"\n");
    assert_eq!(m.run_args(&["runs"]).code, 0, "the first use migrates");
    let version = db.cluster.sql(
        "runbook",
        "SELECT string_agg(version::text, ',' ORDER BY version) FROM runbook_schema",
    );
    assert_eq!(version, "1,2", "each migration once, in order");
    db.cluster.sql(
        "runbook",
        "INSERT INTO runbook_schema (version) VALUES (99)",
    );
    let refused = m.run_args(&["runs"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("runbook::journal::schema_newer"));
    let bad = Runbook::new().run_env(&["runs"], &[("RUNBOOK_STATE", "mysql://db/ops")]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("runbook::journal::state_url"),
        "{}",
        bad.stderr
    );
    let hidden = Runbook::new().run_env(
        &["runs"],
        &[("RUNBOOK_STATE", "postgres://alice:s3cret@127.0.0.1:1/ops")],
    );
    assert_eq!(hidden.code, 8, "{}", hidden.stderr);
    assert!(!hidden.stderr.contains("s3cret"), "{}", hidden.stderr);
    assert!(hidden.stderr.contains("alice:***@"), "{}", hidden.stderr);
}

#[test]
fn the_config_file_names_the_shared_state_and_a_bad_one_is_a_diagnostic() {
    let db = db();
    let m = Runbook::new()
        .file(
            "deploy.rb",
            "runbook x \"X\"\n\nstep a \"A\" {\n  run \"true\"\n}\n",
        )
        .file(
            ".config/runbook/config.toml",
            format!("state = \"{}\"\n", db.url),
        );
    let ran = m.run_args(&["run", "deploy.rb"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stderr.contains("journal postgres://"), "{}", ran.stderr);
    let count = db
        .cluster
        .sql("runbook", "SELECT count(*) FROM runbook_runs");
    assert_eq!(count, "1");
    assert!(common::journals(m.path()).is_empty(), "no file journal");
    // `--state-dir` still chooses files for one command.
    let files = m.run_args(&["--state-dir", "here", "runs", "--json"]);
    assert_eq!(files.stdout.trim(), "[]", "{}", files.stderr);
    let bad = Runbook::new()
        .file(".config/runbook/config.toml", "state = 3\n")
        .run_args(&["runs"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("runbook::journal::config"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_two_person_approval_across_os_users_and_roles_continues_the_waiting_run() {
    let db = db();
    team_roles(&db);
    db.cluster
        .sql("runbook", "CREATE ROLE runbook_approver NOLOGIN");
    let world = World::new();
    let out = world.path("out");
    let text = format!(
        "runbook deploy \"Deploy\"\n\n\
         step ship \"Ship\" {{\n  approve \"ship it?\" by [\"runbook_approver\"] min 1\n  run \"echo shipped >> {out}\"\n}}\n"
    );
    let (alice, bob, carol) = (
        Operator::new(&db, 1),
        Operator::new(&db, 2),
        Operator::new(&db, 3),
    );
    db.cluster.sql(
        "runbook",
        &format!("GRANT runbook_approver TO {}, {}", alice.name, bob.name),
    );
    alice.write("deploy.rb", &text);
    let waiting = alice.spawn(&db, &["run", "deploy.rb", "--wait", "60s"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while db.cluster.sql(
        "runbook",
        "SELECT count(*) FROM runbook_gates WHERE event = 'open'",
    ) != "1"
    {
        assert!(Instant::now() < deadline, "the gate was never published");
        std::thread::sleep(Duration::from_millis(50));
    }
    let id = db.cluster.sql("runbook", "SELECT run_id FROM runbook_runs");
    // The starter is an approver by role, but never of their own run.
    let own = finish(alice.spawn(&db, &["approve", &id, "ship"]));
    assert_eq!(own.code, 6, "{own:?}");
    assert!(
        own.stderr.contains("runbook::approve::not_allowed"),
        "{}",
        own.stderr
    );
    // Carol's role is not among those who may.
    let stranger = finish(carol.spawn(&db, &["approve", &id, "ship"]));
    assert_eq!(stranger.code, 6, "{stranger:?}");
    assert!(
        stranger.stderr.contains("runbook_approver"),
        "{}",
        stranger.stderr
    );
    assert_eq!(world.count("shipped"), 0);
    let approved = finish(bob.spawn(&db, &["approve", &id, "ship", "--reason", "looks good"]));
    assert_eq!(approved.code, 0, "{approved:?}");
    assert!(approved.stdout.contains("approved"), "{}", approved.stdout);
    let run = finish(waiting);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(world.count("shipped"), 1);
    // Audited: who (the authenticated role), why, from where, in the run's journal.
    let m = machine(&db, &text);
    let show = m.run_args(&["show", &id, "--json"]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    let approval = show
        .stdout
        .lines()
        .find(|l| l.contains("\"approval\""))
        .map(str::to_string)
        .unwrap_or_else(|| show.stdout.clone());
    assert!(approval.contains(&bob.name), "{approval}");
    assert!(approval.contains("looks good"), "{approval}");
    // A decision cannot claim another's name: the server signs it.
    let forged = Command::new("psql")
        .args(["-X", "-t", "-A", "-h", "127.0.0.1", "-p", &db.cluster.port.to_string()])
        .args(["-U", &carol.name, "-d", "runbook", "-v", "ON_ERROR_STOP=1"])
        .args([
            "-c",
            &format!("INSERT INTO runbook_decisions (run_id, step, approver, decision) VALUES ('{id}', 'ship', '{}', '{{}}') RETURNING approver", bob.name),
        ])
        .output()
        .expect("psql");
    assert_eq!(
        String::from_utf8_lossy(&forged.stdout).lines().next(),
        Some(carol.name.as_str())
    );
}

#[test]
fn tls_where_the_url_asks_for_it_with_the_servers_certificate_verified() {
    let db = db();
    let ca = db.cluster.tls_only();
    let text = "runbook t \"T\"\n\nstep a \"A\" {\n  run \"true\"\n}\n";
    let verified = format!("{}?sslmode=require&sslrootcert={}", db.url, ca.display());
    let ran = Runbook::new()
        .file("t.rb", text)
        .env("RUNBOOK_STATE", &verified)
        .run_args(&["run", "t.rb"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    // A server whose certificate nobody vouches for gets nothing.
    let unknown = Runbook::new().run_env(
        &["runs"],
        &[("RUNBOOK_STATE", &format!("{}?sslmode=require", db.url))],
    );
    assert_eq!(unknown.code, 8, "{}", unknown.stderr);
    assert!(unknown.stderr.contains("certificate"), "{}", unknown.stderr);
    // This server takes TLS only: a URL that does not ask for it is refused by the server.
    let plain = Runbook::new().run_env(&["runs"], &[("RUNBOOK_STATE", &db.url)]);
    assert_eq!(plain.code, 8, "{}", plain.stderr);
    let listed = Runbook::new().run_env(&["runs", "--json"], &[("RUNBOOK_STATE", &verified)]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert!(
        listed.stdout.contains("\"runbook\":\"t\""),
        "{}",
        listed.stdout
    );
}

#[test]
fn a_steps_intent_is_committed_before_its_first_command_runs() {
    let db = db();
    let world = World::new();
    let query = world.path("intent.sql");
    std::fs::write(
        &query,
        "SELECT count(*) FILTER (WHERE line LIKE '%\"type\":\"step_intent\"%'),
                count(*) FILTER (WHERE line LIKE '%\"type\":\"step_result\"%')
         FROM runbook_records WHERE line LIKE '%\"step\":\"s1\"%';",
    )
    .expect("sql");
    // The step's own command asks the database, from another connection, what it holds.
    let text = format!(
        "runbook t \"T\"\n\nstep s1 \"One\" {{\n  run \"psql -X -t -A -d '{}' -f {query} >> {}\"\n}}\n",
        db.url,
        world.path("out")
    );
    let m = machine(&db, &text);
    let ran = m.run_args(&["run", "deploy.rb"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(world.lines(), ["1|0"], "the intent, and no result yet");
}

#[test]
fn a_paused_gate_approved_from_another_machine_is_taken_by_resume_and_rollback_works_there() {
    let db = db();
    let world = World::new();
    let out = world.path("out");
    let text = format!(
        "runbook deploy \"Deploy\"\n\n\
         step ship \"Ship\" {{\n  approve \"ship it?\"\n  run \"echo shipped >> {out}\"\n  rollback {{\n    run \"echo unshipped >> {out}\"\n  }}\n}}\n"
    );
    let here = machine(&db, &text);
    let paused = here.run_args(&["run", "deploy.rb"]);
    assert_eq!(paused.code, 3, "{}", paused.stderr);
    let id = only_run_id(&here);
    // Another machine answers it, as its database role.
    let there = machine(&db, &text);
    let approved = there.run_args(&["approve", &id, "ship"]);
    assert_eq!(approved.code, 0, "{}", approved.stderr);
    assert!(
        approved.stdout.contains("runbook resume"),
        "{}",
        approved.stdout
    );
    let resumed = here.run_args(&["resume", &id]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert_eq!(world.count("shipped"), 1);
    // The gate is answered: nothing is left to approve.
    let again = there.run_args(&["approve", &id, "ship"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(
        again.stderr.contains("runbook::approve::no_gate"),
        "{}",
        again.stderr
    );
    let undone = there.run_args(&["rollback", &id, "--runbook", "deploy.rb", "--yes"]);
    assert_eq!(undone.code, 0, "{}", undone.stderr);
    assert_eq!(world.count("unshipped"), 1);
}
