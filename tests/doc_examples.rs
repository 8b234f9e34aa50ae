//! Every runbook example in the docs (```runbook blocks in README.md and docs/*.md) and in
//! the stdlib's doc comments (`## Example:`) is checked, so the docs cannot teach what the
//! language refuses. A whole runbook must check clean; a fragment is checked inside a
//! runbook made for it, where only the names it takes from its surroundings may be missing.

use crate::common;

use common::Runbook;

/// What a fragment may lack: the names and imports of the runbook it would sit in.
const FROM_SURROUNDINGS: &[&str] = &[
    "runbook::check::undefined_variable",
    "runbook::check::undefined_function",
    "runbook::check::undefined_host",
    "runbook::check::undefined_target",
    "runbook::check::module_not_imported",
];

struct Example {
    origin: String,
    text: String,
    /// Only whole runbooks and stdlib examples (given their module) are held to every rule.
    strict: bool,
    /// The docs' inventory before it, written beside it as `hosts.toml`.
    inventory: Option<String>,
}

fn doc_examples() -> Vec<Example> {
    let root = common::root();
    let mut docs = vec![root.join("README.md")];
    let mut more: Vec<_> = std::fs::read_dir(root.join("docs"))
        .expect("docs")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    more.sort();
    docs.extend(more);
    let mut out = Vec::new();
    for doc in docs {
        let text = std::fs::read_to_string(&doc).expect("read");
        let mut block: Option<(usize, String)> = None;
        // The last ```toml block: the inventory (`hosts.toml`) of the examples after it.
        let mut toml: Option<String> = None;
        let mut in_toml = false;
        for (n, line) in text.lines().enumerate() {
            if in_toml {
                match line {
                    "```" => in_toml = false,
                    _ => {
                        let t = toml.get_or_insert_with(String::new);
                        t.push_str(line);
                        t.push('\n');
                    }
                }
                continue;
            }
            match (&mut block, line) {
                (None, "```toml") => {
                    in_toml = true;
                    toml = Some(String::new());
                }
                (None, "```runbook") => block = Some((n + 1, String::new())),
                (Some((start, body)), "```") => {
                    let mut example = wrap(
                        format!("{}:{start}", common::relative(&doc)),
                        std::mem::take(body),
                    );
                    example.inventory = toml.clone();
                    out.push(example);
                    block = None;
                }
                (Some((_, body)), _) => {
                    body.push_str(line);
                    body.push('\n');
                }
                (None, _) => {}
            }
        }
    }
    out
}

/// A fragment as a runbook: top-level declarations under a header, statements in a step.
fn wrap(origin: String, body: String) -> Example {
    const TOP: &[&str] = &[
        "runbook ", "step ", "host ", "group ", "param ", "secret ", "fn ", "use ", "##",
    ];
    let whole = body.lines().any(|l| l.starts_with("runbook "));
    let top = body.lines().any(|l| TOP.iter().any(|k| l.starts_with(k)));
    let text = if whole {
        body
    } else if top {
        format!("runbook example \"Example\"\n\n{body}")
    } else {
        format!("runbook example \"Example\"\n\nstep example \"Example\" {{\n{body}}}\n")
    };
    Example {
        origin,
        text,
        strict: whole,
        inventory: None,
    }
}

fn stdlib_examples() -> Vec<Example> {
    let mut out = Vec::new();
    for (module, source) in runbook::stdlib::MODULES {
        for (n, line) in source.lines().enumerate() {
            let Some(code) = line
                .strip_prefix("## Example: `")
                .and_then(|l| l.strip_suffix('`'))
            else {
                continue;
            };
            // What the examples take as given: an app's checkout, a commit captured before,
            // a time stamp (each unless the example makes it).
            let given: String = [("previous", "HEAD~1"), ("stamp", "20261203")]
                .iter()
                .filter(|(name, _)| !code.contains(&format!("let {name} ")))
                .map(|(name, value)| format!("  let {name} = \"{value}\"\n"))
                .collect();
            let text = format!(
                "runbook example \"Example\"\n\nuse std.{module}\n\nlet app = \"~/apps/web\"\n\nstep example \"Example\" {{\n{given}  {code}\n}}\n"
            );
            out.push(Example {
                origin: format!("stdlib/{module}.rb:{}", n + 1),
                text,
                strict: true,
                inventory: None,
            });
        }
    }
    out
}

#[test]
fn every_example_in_the_docs_and_the_stdlib_checks() {
    let mut examples = doc_examples();
    let from_docs = examples.len();
    examples.extend(stdlib_examples());
    assert!(
        from_docs >= 12,
        "the docs' examples were found: {from_docs}"
    );
    assert!(
        examples.len() - from_docs >= 60,
        "the stdlib's examples were found"
    );
    let t = Runbook::new();
    let mut failed = Vec::new();
    for (i, e) in examples.iter().enumerate() {
        let name = format!("example{i}.rb");
        std::fs::write(t.path().join(&name), &e.text).expect("write");
        if let Some(inventory) = &e.inventory {
            std::fs::write(t.path().join("hosts.toml"), inventory).expect("write");
        }
        let out = t.run_args(&["check", "--json", &name]);
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("check --json");
        let errors: Vec<String> = doc["files"][0]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter(|d| d["severity"] == "error")
            .filter(|d| e.strict || !FROM_SURROUNDINGS.iter().any(|c| d["code"] == *c))
            .map(|d| {
                format!(
                    "{}: {}",
                    d["code"].as_str().unwrap_or(""),
                    d["message"].as_str().unwrap_or("")
                )
            })
            .collect();
        if !errors.is_empty() {
            failed.push(format!(
                "{}:\n  {}\n{}",
                e.origin,
                errors.join("\n  "),
                e.text
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} examples fail:\n{}",
        failed.len(),
        examples.len(),
        failed.join("\n")
    );
}
