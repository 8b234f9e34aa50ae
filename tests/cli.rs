//! The command line's own conventions: shell completions and manual pages generated from
//! the same definition the arguments are parsed with.

use crate::common;

use common::Runbook;

#[test]
fn completions_are_valid_scripts_naming_every_subcommand() {
    let t = Runbook::new();
    let out = t.run_args(&["completions", "bash"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::write(t.path().join("runbook.bash"), &out.stdout).expect("write");
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(t.path().join("runbook.bash"))
        .output()
        .expect("bash");
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    for sub in ["run", "resume", "rollback", "check", "plan", "show", "runs"] {
        assert!(out.stdout.contains(sub), "{sub} missing");
    }
    assert!(out.stdout.contains("--accept-new-host-keys"));
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let out = t.run_args(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains("resume"), "{shell}");
    }
    let bad = t.run_args(&["completions", "tcsh"]);
    assert_eq!(bad.code, 2, "an unknown shell is a usage error");
}

#[test]
fn the_manual_page_is_roff_and_each_subcommand_has_one() {
    let t = Runbook::new();
    let out = t.run_args(&["man"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(".TH runbook 1"), "{}", out.stdout);
    assert!(out.stdout.contains("resume"), "the subcommands are listed");
    let dir = t.path().join("man1");
    let out = t.run_args(&["man", "--dir", dir.to_str().expect("utf-8")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let run = std::fs::read_to_string(dir.join("runbook-run.1")).expect("runbook-run.1");
    assert!(run.contains("dry\\-run"), "run's own options: {run}");
    assert!(dir.join("runbook-resume.1").is_file());
}
