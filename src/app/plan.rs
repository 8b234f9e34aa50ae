//! `runbook plan` / `runbook run --dry-run`: the plan, with nothing run.

use std::path::Path;

use super::session::{self, Loaded, Settings, Style};
use super::Error;
use crate::exec::dry;
use crate::exec::interp::Approvals;
use crate::exit;
use crate::plan::doc::PlanDoc;
use crate::plan::Request;
use crate::report::run::Detail;
use crate::report::{plan as render, ColorChoice, Reporter};

/// The plan of `file` for what the command line asks (`request`: params and selection).
pub fn plan(
    reporter: &Reporter,
    color: ColorChoice,
    file: &Path,
    request: Request,
    json: bool,
) -> Result<i32, Error> {
    let request = Request {
        dry_run: true,
        ..request
    };
    let (_, doc) = dry_plan(reporter, color, file, &request)?;
    render::plan(
        &doc,
        json,
        color.enabled(std::io::IsTerminal::is_terminal(&std::io::stdout())),
    );
    Ok(exit::SUCCESS)
}

/// Loads a runbook and walks it without running anything: the plan document. Secrets are
/// read (the run would need them) but only ever shown masked.
pub fn dry_plan(
    reporter: &Reporter,
    color: ColorChoice,
    file: &Path,
    request: &Request,
) -> Result<(Loaded, PlanDoc), Error> {
    let loaded = session::load(file, request)?;
    let settings = Settings {
        style: Style {
            color,
            json: false,
            detail: Detail::Quiet,
        },
        approvals: Approvals::default(),
        approver: None,
    };
    let runtime = session::runtime()?;
    let report = session::report(&settings.style);
    let mut interp = session::interpreter(reporter, &loaded, &runtime, &report, &settings)?;
    let doc = dry::dry_run(&loaded.plan, &loaded.sources, &mut interp);
    drop(interp);
    runtime.shutdown_background();
    Ok((loaded, doc))
}
