//! Inventories: hosts, host variables and groups from a TOML file, groups from list params,
//! `--limit`, what check and the dry run show, what resume keeps, and every way an
//! inventory can be wrong.

use super::read;
use crate::common::Runbook;

const HOSTS: &str = r#"[hosts.web1]
local = true
vars = { role = "web", port = 8080 }

[hosts.web2]
local = true
vars = { role = "web", port = 8081 }

[hosts.db1]
local = true
vars = { role = "db", port = 5432 }

[groups]
web = ["web1", "web2"]
all = ["web1", "web2", "db1"]
"#;

const RUNBOOK: &str = r#"runbook inv "Inventory"

inventory "hosts.toml"

param chosen: list = ["web1"]
group picked = chosen

step each "Each host" on all {
  run "echo {{ host.name }} {{ host.role }} {{ host.port }} >> trace"
}

step some "Picked" on picked {
  run "echo picked {{ host.name }} >> trace"
}

step db "Database" on db1 {
  run "echo db {{ host.port }} >> trace; test ! -f stop"
}

step here "On the control machine" {
  run "echo here >> trace"
}
"#;

fn inventoried() -> Runbook {
    Runbook::new()
        .file("hosts.toml", HOSTS)
        .file("inv.rb", RUNBOOK)
}

#[test]
fn hosts_their_variables_and_groups_come_from_the_inventory() {
    let t = inventoried();
    let out = t.run_args(&["run", "inv.rb", "-q"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        read(t.path(), "trace"),
        "web1 web 8080\nweb2 web 8081\ndb1 db 5432\npicked web1\ndb 5432\nhere\n"
    );
    let checked = t.run_args(&["check", "inv.rb"]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    assert!(
        checked.stdout.contains(
            "inventory hosts.toml: db1 (local), web1 (local), web2 (local); group all = web1, web2, db1"
        ),
        "{}",
        checked.stdout
    );
}

#[test]
fn a_group_can_come_from_a_list_param() {
    let t = inventoried();
    let out = t.run_args(&["run", "inv.rb", "-q", "--set", r#"chosen=["db1","web2"]"#]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        read(t.path(), "trace").contains("picked db1\npicked web2\n"),
        "{}",
        read(t.path(), "trace")
    );
    let out = t.run_args(&["run", "inv.rb", "-q", "--set", r#"chosen=["web9"]"#]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    for said in [
        "runbook::plan::group_member",
        "group `picked` would hold `web9`, which is not a host",
        "did you mean `web1`?",
    ] {
        assert!(out.stderr.contains(said), "{said}: {}", out.stderr);
    }
}

#[test]
fn limit_narrows_groups_and_leaves_out_steps_with_no_host_left() {
    let t = inventoried();
    let out = t.run_args(&["run", "inv.rb", "-q", "--limit", "web*", "--limit", "!web2"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        read(t.path(), "trace"),
        "web1 web 8080\npicked web1\nhere\n",
        "db1 and web2 are out; the control machine's step stays"
    );
    assert!(
        out.stdout
            .contains("left out: `db1` is not in --limit web*,!web2"),
        "{}",
        out.stdout
    );
    let plan = t.run_args(&["run", "inv.rb", "--dry-run", "--limit", "db1"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    for shown in [
        "hosts: db1 = local (from hosts.toml), web1 = local (from hosts.toml)",
        "1. each · Each host · on all [db1]",
        "left out: no host of `picked` is in --limit db1",
        "$ echo db1 db 5432 >> trace",
    ] {
        assert!(plan.stdout.contains(shown), "{shown}:\n{}", plan.stdout);
    }
    let none = t.run_args(&["run", "inv.rb", "--limit", "cache*"]);
    assert_eq!(none.code, 2, "{}", none.stderr);
    assert!(
        none.stderr.contains("runbook::plan::limit_matches_nothing"),
        "{}",
        none.stderr
    );
    assert_eq!(
        read(t.path(), "trace").lines().count(),
        3,
        "nothing more ran"
    );
}

#[test]
fn resume_from_another_directory_keeps_the_inventory_and_the_limit() {
    let t = Runbook::new()
        .file("team/hosts.toml", HOSTS)
        .file("inv.rb", RUNBOOK.replace("inventory \"hosts.toml\"\n", ""));
    std::fs::write(t.path().join("stop"), "").unwrap_or_default();
    let first = t.run_args(&[
        "run",
        "inv.rb",
        "-q",
        "--no-rollback",
        "--inventory",
        "team/hosts.toml",
        "--limit",
        "web1,db1",
    ]);
    assert_eq!(first.code, 5, "{}\n{}", first.stdout, first.stderr);
    std::fs::remove_file(t.path().join("stop")).unwrap_or_default();
    let elsewhere = t.path().join("team");
    let out = crate::common::run_in(
        &elsewhere,
        &["resume".to_string(), "-q".to_string()],
        &[(
            "XDG_STATE_HOME".to_string(),
            t.path().join(".state").display().to_string(),
        )],
    );
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        read(t.path(), "trace"),
        "web1 web 8080\ndb1 db 5432\npicked web1\ndb 5432\n",
        "web2 was left out"
    );
    // Commands run where the resume was started.
    assert_eq!(
        read(&elsewhere, "trace"),
        "db 5432\nhere\n",
        "the resume ran db again, on the inventory's db1, and went on"
    );
}

#[test]
fn an_edited_inventory_is_noticed_on_resume() {
    let t = inventoried();
    std::fs::write(t.path().join("stop"), "").unwrap_or_default();
    let first = t.run_args(&["run", "inv.rb", "-q", "--no-rollback"]);
    assert_eq!(first.code, 5, "{}\n{}", first.stdout, first.stderr);
    std::fs::write(
        t.path().join("hosts.toml"),
        HOSTS.replace("port = 5432", "port = 5433"),
    )
    .unwrap_or_default();
    let out = t.run_args(&["resume", "-q"]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("but its functions, declarations, modules or inventory did"),
        "{}",
        out.stderr
    );
    let trace = read(t.path(), "trace");
    assert_eq!(
        trace.lines().filter(|l| *l == "db 5432").count(),
        1,
        "nothing ran again: {trace}"
    );
}

#[test]
fn a_host_variable_missing_on_a_host_is_found_before_anything_runs() {
    let t = Runbook::new().file("hosts.toml", HOSTS).file(
        "v.rb",
        "runbook v \"Vars\"\n\ninventory \"hosts.toml\"\nhost extra = local\ngroup mixed = [web1, extra]\n\nstep s \"S\" on mixed {\n  run \"echo {{ host.role }}\"\n}\n\nstep d \"D\" on db1 {\n  run \"echo {{ host.rol }}\"\n}\n",
    );
    let out = t.run_args(&["check", "v.rb"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    for said in [
        "runbook::check::unknown_host_var",
        "`host.role` is not set for every host of step `s`",
        "not a variable of `extra`",
        "`host.rol` is not set for every host of step `d`",
    ] {
        assert!(out.stderr.contains(said), "{said}: {}", out.stderr);
    }
}

#[test]
fn every_mistake_in_an_inventory_is_named_where_it_is() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[hosts.web1]\nssh = \"deploy@web1\"\ncolour = \"blue\"\n",
            &[
                "runbook::inventory::invalid",
                "unknown field `colour`",
                "hosts.toml:1:1",
            ],
        ),
        (
            "[hosts.web1]\nvars = { role = \"web\" }\n",
            &[
                "runbook::inventory::host_target",
                "inventory host `web1` has neither `ssh = \"...\"` nor `local = true`",
            ],
        ),
        (
            "[hosts.web1]\nlocal = true\n\n[groups]\nweb = []\n",
            &[
                "runbook::inventory::empty_group",
                "inventory group `web` has no hosts",
            ],
        ),
        (
            "[hosts.web1]\nlocal = true\n\n[groups]\nweb = [\"web1\", \"wbe2\"]\n",
            &[
                "runbook::inventory::unknown_member",
                "inventory group `web` lists `wbe2`, which is not a host",
                "hosts.toml:5:7",
            ],
        ),
    ];
    for (inventory, said) in cases {
        let t = Runbook::new().file("hosts.toml", inventory).file(
            "i.rb",
            "runbook i \"I\"\n\ninventory \"hosts.toml\"\n\nstep s \"S\" on web1 {\n  run \"true\"\n}\n",
        );
        let out = t.run_args(&["check", "i.rb"]);
        assert_eq!(out.code, 2, "{inventory}: {}", out.stderr);
        for s in *said {
            assert!(out.stderr.contains(s), "{s}:\n{}", out.stderr);
        }
        assert!(
            !out.stderr.contains("undefined_target"),
            "an unreadable inventory is the one error: {}",
            out.stderr
        );
    }
    let t = Runbook::new().file("i.rb", "runbook i \"I\"\n\ninventory \"nowhere.toml\"\n");
    let out = t.run_args(&["check", "i.rb"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("runbook::check::inventory_unreadable"),
        "{}",
        out.stderr
    );
}
