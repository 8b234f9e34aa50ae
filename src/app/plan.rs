//! `runbook plan` / `runbook run --dry-run`: the plan, with nothing run.

use std::path::Path;

use super::session::{self, Style};
use crate::exec::dry;
use crate::exec::interp::Approvals;
use crate::exit;
use crate::plan::Request;
use crate::report::run::Detail;
use crate::report::{plan as render, ColorChoice, Reporter};

pub fn plan(
    reporter: &Reporter,
    color: ColorChoice,
    file: &Path,
    sets: &[String],
    set_files: &[String],
    json: bool,
) -> i32 {
    let request = Request {
        sets: sets.to_vec(),
        set_files: set_files.to_vec(),
        dry_run: true,
        ..Request::default()
    };
    let loaded = match session::load(reporter, file, &request) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let style = Style {
        color,
        json,
        detail: Detail::Quiet,
        approvals: Approvals::default(),
        approver: None,
    };
    let runtime = match session::runtime(reporter) {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let report = session::report(&style);
    // Secrets are read (the run would need them) but only ever shown masked.
    let mut interp = match session::interpreter(reporter, &loaded, &runtime, &report, &style) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let doc = dry::dry_run(&loaded.plan, &loaded.sources, &mut interp);
    drop(interp);
    runtime.shutdown_background();
    render::plan(
        &doc,
        json,
        color.enabled(std::io::IsTerminal::is_terminal(&std::io::stdout())),
    );
    exit::SUCCESS
}
