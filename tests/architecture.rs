//! Data flows one way (DESIGN.md): syntax -> check -> plan -> exec -> journal, with report
//! (the one module that prints) and app (the wiring) on top. A module may use only those
//! below it; this test reads every `crate::` path in src/ and fails on one against the flow.

use crate::common;

/// Each top-level module and its layer: a module may use only lower layers.
const LAYERS: &[(&str, u32)] = &[
    ("source", 0),
    ("exit", 0),
    ("stdlib", 0),
    ("syntax", 1),
    ("format", 1),
    ("inventory", 1),
    ("value", 2),
    ("check", 2),
    ("plan", 3),
    ("journal", 4),
    ("exec", 5),
    ("doc", 6),
    ("import", 6),
    ("report", 7),
    ("cli", 8),
    ("lsp", 8),
    ("app", 9),
];

fn layer(module: &str) -> Option<u32> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_uses_one_above_it() {
    let src = common::root().join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut against = Vec::new();
    let mut edges = 0;
    for path in &all {
        let relative = path.strip_prefix(&src).expect("under src");
        let module = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .map(|m| m.trim_end_matches(".rs"))
            .unwrap_or("");
        if matches!(module, "lib" | "main") {
            continue;
        }
        let from = layer(module).unwrap_or_else(|| panic!("{module}: give it a layer"));
        let text = std::fs::read_to_string(path).expect("read");
        for (n, line) in text.lines().enumerate() {
            for (at, _) in line.match_indices("crate::") {
                let used: String = line[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                let Some(to) = layer(&used) else { continue };
                if used == module {
                    continue;
                }
                edges += 1;
                if to >= from {
                    against.push(format!(
                        "{}:{}: {module} uses {used}",
                        relative.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(edges > 50, "the scan found the imports ({edges})");
    assert!(
        against.is_empty(),
        "imports against the flow:\n{}",
        against.join("\n")
    );
}
