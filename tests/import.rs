//! `runbook import` (markdown -> runbook) and `runbook doc` (runbook -> markdown).

use crate::common;

mod corpus;

use common::Runbook;

/// Commands of the fenced shell blocks of a markdown file, read independently of the
/// importer: continuation lines joined, prompts and comments left out.
fn fenced_commands(markdown: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let (mut in_fence, mut in_shell) = (false, false);
    let mut current = String::new();
    for line in markdown.lines() {
        let t = line.trim();
        if let Some(lang) = t.strip_prefix("```") {
            in_shell = !in_fence && matches!(lang, "" | "bash" | "sh" | "console");
            in_fence = !in_fence;
            continue;
        }
        if !in_shell || t.is_empty() || t.starts_with('#') {
            continue;
        }
        let t = t.strip_prefix("$ ").unwrap_or(t);
        // A trailing comment (`cmd   # why`) is not part of the command.
        let t = t.split_once("  #").map_or(t, |(c, _)| c.trim_end());
        current.push_str(t.trim_end_matches('\\'));
        current.push(' ');
        if !t.ends_with('\\') {
            commands.push(std::mem::take(&mut current));
        }
    }
    commands
}

/// Text with quotes, backslashes and spacing removed: how a command is compared with its
/// imported form (escaped inside a runbook string, unwrapped from `ssh HOST "..."`).
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '"' | '\'' | '\\' | ' ' | '\n' | '\t' | '{' | '}'))
        .collect()
}

#[test]
fn the_seed_becomes_a_checked_runbook_that_keeps_every_command() {
    let seed = std::fs::read_to_string(common::root().join("tests/fixtures/seed-home-server.md"))
        .expect("seed");
    let t = Runbook::new().file("seed.md", &seed);
    let out = t.run_args(&["import", "seed.md", "-o", "seed.rb"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("imported seed.md: "),
        "a summary on stderr: {}",
        out.stderr
    );
    let check = t.run_args(&["check", "seed.rb"]);
    assert_eq!(check.code, 0, "the import passes check:\n{}", check.stderr);
    let imported = std::fs::read_to_string(t.path().join("seed.rb")).expect("seed.rb");
    let squashed = squash(&imported);
    let commands = fenced_commands(&seed);
    assert!(
        commands.len() > 60,
        "found the seed's commands: {}",
        commands.len()
    );
    for cmd in &commands {
        // `ssh hemma "..."` is unwrapped to `on hemma` + the inner command; placeholders
        // become params; a command that could not be imported is kept whole for review.
        let inner = match cmd.strip_prefix("ssh ") {
            Some(rest) => rest.split_once(' ').map_or(rest, |(_, c)| c),
            None => cmd.as_str(),
        };
        let as_run = squash(
            &inner
                .replace("<commit-hash>", "commit_hash")
                .replace("<command>", "command")
                .replace("YYYYMMDD", "yyyymmdd"),
        );
        assert!(
            squashed.contains(&as_run) || squashed.contains(&squash(cmd)),
            "the seed's command is not in the import:\n{cmd}"
        );
    }
    // The danger sections are gated: the step that runs each dangerous command asks first.
    let asks_before = |command: &str| {
        let step = imported
            .split("\nstep ")
            .find(|s| s.contains(command))
            .unwrap_or_else(|| panic!("a step runs {command}"));
        step.split(command)
            .next()
            .is_some_and(|before| before.contains("approve dangerous"))
    };
    assert!(
        asks_before("DROP DATABASE IF EXISTS skriptoteket"),
        "the database reset asks first"
    );
    assert!(
        asks_before("clear-all-session-files"),
        "deleting every session file asks first (DANGER, --yes)"
    );
    assert!(
        imported.contains("param commit_hash: string"),
        "placeholders became params"
    );
    assert!(imported.contains("host hemma = ssh(\"hemma\")"));
    let plan = t.run_args(&[
        "plan",
        "seed.rb",
        "--set",
        "commit_hash=abc123",
        "--set",
        "command=status",
        "--set",
        "yyyymmdd=20260101",
    ]);
    assert_eq!(plan.code, 0, "its dry run works: {}", plan.stderr);
    assert!(
        plan.stdout
            .contains("$ cd ~/apps/skriptoteket && git checkout abc123"),
        "{}",
        plan.stdout
    );
}

#[test]
fn markdown_in_other_styles() {
    insta::glob!("fixtures/import/*.md", |path| {
        let text = std::fs::read_to_string(path).expect("fixture");
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let t = Runbook::new().file(&name, text);
        let out = t.run_args(&["import", &name, "-o", "out.rb"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let check = t.run_args(&["check", "out.rb"]);
        assert_eq!(
            check.code, 0,
            "{name} imports to a valid runbook:\n{}",
            check.stderr
        );
        let imported = std::fs::read_to_string(t.path().join("out.rb")).expect("out.rb");
        insta::assert_snapshot!(format!("{}--- summary\n{}", imported, out.stderr));
    });
}

#[test]
fn docs_of_the_shipped_runbooks() {
    insta::glob!("../", "runbooks/*.rb", |path| {
        let relative = common::relative(path);
        let out = common::runbook(&["doc", &relative]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        insta::assert_snapshot!(out.stdout);
    });
}

#[test]
fn doc_then_import_gives_a_valid_runbook() {
    for entry in std::fs::read_dir(common::root().join("runbooks")).expect("runbooks") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "rb") {
            continue;
        }
        let doc = common::runbook(&["doc", &path.display().to_string()]);
        assert_eq!(doc.code, 0, "{}", doc.stderr);
        let t = Runbook::new().file("doc.md", &doc.stdout);
        let out = t.run_args(&["import", "doc.md", "-o", "again.rb"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let check = t.run_args(&["check", "again.rb"]);
        assert_eq!(
            check.code,
            0,
            "{}: doc -> import -> check:\n{}\n{}",
            path.display(),
            check.stderr,
            std::fs::read_to_string(t.path().join("again.rb")).unwrap_or_default()
        );
        let original = common::runbook(&["plan", &path.display().to_string()]);
        let runs = original
            .stdout
            .lines()
            .filter(|l| l.trim_start().starts_with("$ "))
            .count();
        let imported = std::fs::read_to_string(t.path().join("again.rb")).expect("again.rb");
        let again = imported.matches("run \"").count() + imported.matches("run(\"").count();
        assert!(
            again >= runs.min(1),
            "{}: the commands survive the round trip",
            path.display()
        );
    }
}

/// A host declared `= local` is this machine: `doc` types its commands as they are, not as
/// `ssh here '...'`.
#[test]
fn doc_types_a_local_hosts_commands_without_ssh() {
    let t = Runbook::new().file(
        "l.rb",
        "runbook l \"L\"\n\nhost here = local\nhost far = ssh(\"deploy@192.0.2.1\")\n\nstep one \"Here\" on here {\n  run \"echo here\"\n}\n\nstep two \"Far\" on far {\n  run \"echo far\"\n}\n",
    );
    let out = t.run_args(&["doc", "l.rb"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("```bash\necho here\n```"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("ssh far 'echo far'"), "{}", out.stdout);
}

/// A round trip keeps the warnings: `doc` on an imported runbook shows its comments, its
/// `# review:` items and the stdin of each command, and importing that document again
/// runs none of the review items.
#[test]
fn doc_keeps_the_comments_review_items_and_stdin_of_an_import() {
    let markdown = "# Redis\n\n## Look\n\nSSH to the box: `ssh cache-1`. Then:\n\n```\nsudo gitlab-redis-cli info replication\nsudo tail -f /var/log/redis/current\n```\n\n## Keys\n\n```\nsudo gitlab-redis-cli\n> info keyspace\n```\n";
    let t = Runbook::new().file("r.md", markdown);
    let out = t.run_args(&["import", "r.md", "-o", "r.rb"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = t.run_args(&["doc", "r.rb"]);
    assert_eq!(doc.code, 0, "{}", doc.stderr);
    let md = &doc.stdout;
    assert!(md.contains("> **Review before running:**"), "{md}");
    assert!(md.contains("> sudo tail -f /var/log/redis/current"), "{md}");
    assert!(
        md.contains("SSH to the box: `ssh cache-1`. Then:"),
        "a comment is kept: {md}"
    );
    assert!(
        md.contains("ssh cache_1 'sudo gitlab-redis-cli' <<'EOF'\ninfo keyspace\nEOF"),
        "the stdin a command is given: {md}"
    );
    assert_eq!(
        md.matches("## Look").count(),
        0,
        "a heading comment is not repeated: {md}"
    );
    let again = Runbook::new().file("d.md", md);
    let out = again.run_args(&["import", "d.md", "-o", "again.rb"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rb = std::fs::read_to_string(again.path().join("again.rb")).expect("again.rb");
    assert!(
        !rb.contains("run \"sudo tail -f"),
        "a review item is never run: {rb}"
    );
    assert!(
        rb.contains("sudo tail -f /var/log/redis/current"),
        "but it is kept: {rb}"
    );
}

/// A document with nothing to run is said to be so, with its own exit code: a 0-step
/// runbook that passes `check` is not a success to report silently.
#[test]
fn a_document_with_nothing_runnable_warns_and_exits_9() {
    let markdown = "# Incident review\n\nWe looked at the graphs and found nothing.\n\n```yaml\nalert: Down\n```\n";
    let t = Runbook::new().file("n.md", markdown);
    let out = t.run_args(&["import", "n.md", "-o", "n.rb"]);
    assert_eq!(out.code, 9, "{}", out.stderr);
    assert!(
        out.stderr.contains("nothing runnable was found in n.md"),
        "{}",
        out.stderr
    );
    let rb = std::fs::read_to_string(t.path().join("n.rb")).expect("written all the same");
    assert!(
        rb.contains("# alert: Down"),
        "the text is kept as comments: {rb}"
    );
}
