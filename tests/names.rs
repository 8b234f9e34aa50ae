//! Check resolves every name a runbook reads, once; the run follows what it found.

use runbook::check::{self, names::Name, Options};
use runbook::source::SourceMap;

use crate::common::case::Case;

const RUNBOOK: &str = r#"runbook names "Names"
use std.http
param port = 8080
let base = "http://127.0.0.1"
fn url(path) {
  let full = "{{base}}:{{port}}{{path}}"
  return full
}
step first "First" {
  let code = run("true").code
  log "{{code}}"
}
step second "Second" {
  for n in [1, 2] {
    log "{{n}} {{host.name}}"
  }
  log "{{code}} {{first.code}} {{url("/")}}"
  check http.ok(url("/x"))
}
"#;

/// Each name read in the runbook's own file, as `TEXT -> MEANING`, in the order written.
fn resolved(text: &str) -> Vec<String> {
    let mut sources = SourceMap::default();
    let file = sources.add("names.rb", text);
    let verdict = check::check_file(&mut sources, file, Options::default());
    assert!(!verdict.has_errors(), "{:?}", verdict.problems);
    let mut own: Vec<_> = verdict
        .names
        .iter()
        .filter(|(span, _)| span.file == file)
        .collect();
    own.sort_by_key(|(span, _)| span.start);
    let shown = |name: &Name| match name {
        Name::Capture(step) => format!("capture of {step}"),
        other => format!("{other:?}").to_lowercase(),
    };
    own.into_iter()
        .map(|(span, name)| format!("{} -> {}", &text[span.range()], shown(name)))
        .collect()
}

#[test]
fn every_name_read_is_resolved_by_check() {
    assert_eq!(
        resolved(RUNBOOK),
        [
            "base -> global",
            "port -> global",
            "path -> local",
            "full -> local",
            "code -> capture of first",
            "n -> local",
            "host -> host",
            "code -> capture of first",
            "first.code -> capture of first",
            "http -> module",
        ]
    );
}

#[test]
fn module_functions_have_their_names_resolved_too() {
    let mut sources = SourceMap::default();
    let file = sources.add("names.rb", RUNBOOK);
    let verdict = check::check_file(&mut sources, file, Options::default());
    let in_modules = verdict.names.iter().filter(|(s, _)| s.file != file).count();
    assert!(in_modules > 0, "std.http's names were not resolved");
}

#[test]
fn each_host_reads_its_own_capture_and_a_parameter_is_not_a_capture() {
    Case::new(
        r#"
        runbook bare "Bare"
        host a = local
        host b = local
        group both = [a, b]
        fn shout(me) {
          return "{{me}}!"
        }
        step make "Make" on both {
          let me = run("echo made-on-{{host.name}}").stdout.trim()
        }
        step read "Read" on both {
          log "bare {{me}} qualified {{make.me}} param {{shout("x")}}"
        }
        "#,
    )
    .stdout("[a] bare made-on-a qualified made-on-a param x!")
    .stdout("[b] bare made-on-b qualified made-on-b param x!")
    .run();
}

const TITLED: &str = r#"
runbook titled "Deploy {{version}}"
param version = "1.2"
step one "One" {
  log "hi"
}
"#;

#[test]
fn the_header_title_reads_the_runbooks_values_in_the_plan_and_the_run() {
    Case::new(TITLED)
        .args(&["plan", "t.rb"])
        .stdout("Deploy 1.2")
        .run();
    Case::new(TITLED)
        .stdout("titled · Deploy 1.2 · 1 step")
        .run();
}
