//! The runbook text: header, params, hosts, then the steps and comments in document order.

use std::fmt::Write;

use super::draft::{Chunk, Line, Step, ROLLBACK_PARAM};
use super::emit::{Imported, Importer};
use super::markdown::Document;
use super::text::{ident, literal_plain};

pub(super) fn render(mut im: Importer, doc: &Document, stem: &str) -> Imported {
    if im.steps.place_rollbacks() {
        im.params
            .condition_named(ROLLBACK_PARAM, "run the rollback procedure of the original");
    }
    let whens: Vec<String> = im
        .steps
        .chunks
        .iter()
        .filter_map(|c| match c {
            Chunk::Step(s) => s.when.clone(),
            Chunk::Lines(_) => None,
        })
        .collect();
    im.params.keep_used(&whens);
    let name = ident(doc.id.as_deref().unwrap_or(stem));
    let title = doc.title.clone().unwrap_or_else(|| stem.to_string());
    let mut out = String::new();
    let _ = writeln!(out, "## Imported from {stem}.md by `runbook import`: read the `# review:` comments before running it.");
    let _ = writeln!(out, "runbook {name} {}\n", literal_plain(&title));
    out.push_str(&im.params.declarations());
    for host in &im.hosts {
        let _ = writeln!(out, "host {} = ssh({})", ident(host), literal_plain(host));
    }
    out.push('\n');
    for chunk in &im.steps.chunks {
        match chunk {
            Chunk::Lines(lines) => {
                for l in lines {
                    let _ = writeln!(out, "{l}");
                }
                out.push('\n');
            }
            Chunk::Step(step) => {
                write_step(&mut out, step);
                im.summary.steps += 1;
            }
        }
    }
    // Sections without steps leave empty chunks: one blank line between parts is enough.
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    im.summary.params = im.params.all.len();
    im.summary.hosts = im.hosts.len();
    Imported {
        text: out,
        summary: im.summary,
    }
}

fn write_step(out: &mut String, step: &Step) {
    let on = step
        .host
        .as_ref()
        .map_or(String::new(), |h| format!(" on {}", ident(h)));
    let when = step
        .when
        .as_ref()
        .map_or(String::new(), |w| format!(" when {w}"));
    let _ = writeln!(
        out,
        "step {} {}{on}{when} {{",
        step.id,
        literal_plain(&step.title)
    );
    write_lines(out, &step.lines, "  ");
    if !step.rollback.is_empty() {
        let _ = writeln!(out, "  rollback {{");
        write_lines(out, &step.rollback, "    ");
        let _ = writeln!(out, "  }}");
    }
    let _ = writeln!(out, "}}\n");
}

fn write_lines(out: &mut String, lines: &[Line], indent: &str) {
    for line in lines {
        let text = match line {
            Line::Heading(t) | Line::Comment(t) | Line::Statement(t) => t.clone(),
            Line::Gate(message) => format!("approve dangerous {}", literal_plain(message)),
        };
        for part in text.split('\n') {
            let _ = writeln!(out, "{indent}{part}");
        }
    }
}
