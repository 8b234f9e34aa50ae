//! The import corpus: markdown runbooks in the styles of real public ones (see
//! `tests/fixtures/import/corpus/SOURCES.md`), each with a `.truth` file written by hand that
//! names the lines a person reads as output, the commands of a session, the commands that never
//! end, the dangerous operations, the alternatives and the rollbacks. The import of each is
//! read back statement by statement and measured against that truth.

use std::fmt::Write;
use std::path::Path;

use super::common;

/// What a person knows about the document, line by line.
#[derive(Default)]
struct Truth {
    output: Vec<String>,
    session: Vec<String>,
    endless: Vec<String>,
    danger: Vec<String>,
    alt: Vec<String>,
    rollback: Vec<String>,
}

fn truth(path: &Path) -> Truth {
    let text = std::fs::read_to_string(path).expect("truth file");
    let mut t = Truth::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (kind, rest) = line.split_once(' ').expect("KIND TEXT");
        let list = match kind {
            "output" => &mut t.output,
            "session" => &mut t.session,
            "endless" => &mut t.endless,
            "danger" => &mut t.danger,
            "alt" => &mut t.alt,
            "rollback" => &mut t.rollback,
            other => panic!("unknown truth kind {other} in {}", path.display()),
        };
        list.push(rest.to_string());
    }
    t
}

/// A command of the imported runbook and where it stands.
#[derive(Debug)]
struct Command {
    /// The command as the shell gets it (the first string of `run`).
    command: String,
    /// The whole statement, its `stdin:` included.
    statement: String,
    on_host: bool,
    guarded: bool,
    gated: bool,
    in_rollback: bool,
}

/// The first string literal at or after `from`, unescaped.
fn literal(line: &str, from: usize) -> Option<String> {
    let start = from + line[from..].find('"')? + 1;
    let mut out = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

fn unescape_all(line: &str) -> String {
    line.replace("\\n", "\n")
        .replace("\\\"", "\"")
        .replace("\\\\", "\\")
}

/// The commands of an imported runbook, read from its text.
fn commands(runbook: &str) -> Vec<Command> {
    let mut out = Vec::new();
    let (mut on_host, mut guarded, mut gated, mut depth, mut rollback_depth) =
        (false, false, false, 0usize, None::<usize>);
    for raw in runbook.lines() {
        let line = raw.trim();
        if line.starts_with('#') {
            continue;
        }
        if line.starts_with("step ") && line.ends_with('{') {
            let header = line.rsplit_once('"').map_or(line, |(_, after)| after);
            on_host = header.contains(" on ") && !header.contains(" on local");
            guarded = header.contains(" when ") || header.contains(" unless ");
            gated = false;
        }
        if line.starts_with("rollback {") {
            rollback_depth = Some(depth + 1);
        }
        if line.starts_with("approve dangerous") {
            gated = true;
        }
        if let Some(at) = line.find("run \"").or_else(|| line.find("run(\"")) {
            if let Some(command) = literal(line, at) {
                out.push(Command {
                    command,
                    statement: unescape_all(line),
                    on_host,
                    guarded,
                    gated,
                    in_rollback: rollback_depth.is_some(),
                });
            }
        }
        depth += line.matches('{').count();
        depth = depth.saturating_sub(line.matches('}').count());
        if rollback_depth.is_some_and(|d| depth < d) {
            rollback_depth = None;
        }
    }
    out
}

/// Text with quoting and spacing removed, so that escaping and wrapping compare equal, and a
/// placeholder (`<my-pvc>`) equal to the param it became (`{{ my_pvc }}`).
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !matches!(
                c,
                '"' | '\'' | '\\' | ' ' | '\n' | '\t' | '`' | '<' | '>' | '{' | '}'
            )
        })
        .map(|c| if c == '-' { '_' } else { c })
        .collect()
}

/// The command with a leading `cd DIR &&` or `NAME=value &&` taken off.
fn bare(command: &str) -> &str {
    let mut rest = command.trim_start();
    while let Some((head, tail)) = rest.split_once("&&") {
        let head = head.trim();
        let is_setup = head.starts_with("cd ")
            || head.split_once('=').is_some_and(|(n, _)| {
                !n.is_empty() && n.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            });
        if !is_setup {
            break;
        }
        rest = tail.trim_start();
    }
    rest
}

#[derive(Debug, Default, PartialEq)]
struct Figures {
    non_commands_run: usize,
    sessions_lost: usize,
    endless_run: usize,
    dangerous_ungated: usize,
    alternatives_unconditional: usize,
    rollbacks_after_success: usize,
    commands_kept: usize,
    review_items: usize,
    passes_check: bool,
}

impl Figures {
    /// The figures that count harm, in the table's order: each must be 0.
    fn harm(&self) -> [usize; 6] {
        [
            self.non_commands_run,
            self.sessions_lost,
            self.endless_run,
            self.dangerous_ungated,
            self.alternatives_unconditional,
            self.rollbacks_after_success,
        ]
    }
}

fn measure(runbook: &str, truth: &Truth) -> Figures {
    let commands = commands(runbook);
    let count = |pred: &dyn Fn(&Command) -> bool| commands.iter().filter(|c| pred(c)).count();
    let mut f = Figures {
        commands_kept: commands.len(),
        review_items: runbook
            .lines()
            .filter(|l| {
                l.trim_start()
                    .strip_prefix("# review: ")
                    .is_some_and(|rest| !rest.starts_with(' '))
            })
            .count(),
        ..Figures::default()
    };
    for o in &truth.output {
        f.non_commands_run += count(&|c| c.command.lines().any(|l| l.trim() == o.trim()));
    }
    for s in &truth.session {
        f.sessions_lost +=
            count(&|c| !c.on_host && squash(bare(&c.command)).starts_with(&squash(s)));
    }
    // Given a stdin, a client reads it and ends: only one left to a person counts.
    for e in &truth.endless {
        f.endless_run +=
            count(&|c| !c.statement.contains("stdin:") && squash(bare(&c.command)) == squash(e));
    }
    for d in &truth.danger {
        f.dangerous_ungated += count(&|c| !c.gated && squash(&c.statement).contains(&squash(d)));
    }
    for a in &truth.alt {
        f.alternatives_unconditional +=
            count(&|c| !c.guarded && squash(&c.command).contains(&squash(a)));
    }
    for r in &truth.rollback {
        f.rollbacks_after_success +=
            count(&|c| !c.guarded && !c.in_rollback && squash(&c.command).contains(&squash(r)));
    }
    f
}

fn table(rows: &[(String, Figures)]) -> String {
    let mut out = String::from(
        "| document | non-commands run | sessions lost | never-ending run | dangerous ungated | alternatives unconditional | rollbacks after success | commands kept | review items | passes check |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for (name, f) in rows {
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} |",
            f.harm().map(|n| n.to_string()).join(" | "),
            f.commands_kept,
            f.review_items,
            if f.passes_check { "yes" } else { "no" }
        );
    }
    out
}

/// Every document of the corpus imports to a runbook that runs no output, loses no session,
/// runs nothing that never ends, gates every dangerous operation, runs no alternative or
/// rollback unasked, and passes `check`. The figures per document are a reviewed snapshot.
#[test]
#[allow(clippy::print_stderr)]
fn the_corpus_imports_without_harm() {
    let dir = common::root().join("tests/fixtures/import/corpus");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("corpus")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "SOURCES.md")
        .collect();
    names.sort();
    assert!(names.len() >= 10, "the corpus has its documents: {names:?}");
    let mut rows = Vec::new();
    for name in &names {
        let markdown = std::fs::read_to_string(dir.join(name)).expect("document");
        let truth = truth(&dir.join(name.replace(".md", ".truth")));
        let t = common::Runbook::new().file(name, &markdown);
        let out = t.run_args(&["import", name, "-o", "out.rb"]);
        let runbook = std::fs::read_to_string(t.path().join("out.rb")).unwrap_or_default();
        let mut figures = measure(&runbook, &truth);
        figures.passes_check = t.run_args(&["check", "out.rb"]).code == 0;
        assert!(
            out.code == 0 || figures.commands_kept == 0,
            "{name}: {}",
            out.stderr
        );
        rows.push((name.trim_end_matches(".md").to_string(), figures));
    }
    let table = table(&rows);
    eprintln!("{table}");
    for (name, f) in &rows {
        assert_eq!(
            f.harm(),
            [0; 6],
            "{name} imports to a harmful runbook:\n{table}"
        );
        assert!(f.passes_check, "{name}: the import passes check");
    }
    insta::assert_snapshot!(table);
}
