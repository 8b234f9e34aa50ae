//! `runbook run`: check, plan, then execute with a live report.

use std::io::{self, IsTerminal};

use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;

use crate::app::read_source;
use crate::check::{self, Options as CheckOptions, Problem};
use crate::cli::RunArgs;
use crate::exec::interp::{Approvals, Services};
use crate::exec::mask::Masker;
use crate::exec::{self, Options};
use crate::exit;
use crate::plan::{self, Request};
use crate::report::run::{Detail, RunReport};
use crate::report::{ColorChoice, Reporter};
use crate::source::SourceMap;

pub fn run(reporter: &Reporter, color: ColorChoice, args: &RunArgs) -> i32 {
    let shown = args.file.display().to_string();
    let text = match read_source(&args.file) {
        Ok(text) => text,
        Err(message) => {
            reporter.fatal(&format!("cannot read {shown}: {message}"), None);
            return exit::INVALID;
        }
    };
    let mut sources = SourceMap::default();
    let file = sources.add(shown.clone(), text);
    let outcome = check::check_file(&mut sources, file, CheckOptions::default());
    if outcome.has_errors() {
        reporter.problems(&shown, &sources, &outcome.problems);
        return exit::INVALID;
    }
    let Some(ast) = outcome.ast else {
        unreachable!("a file without errors parsed")
    };
    let request = Request {
        sets: args.sets.clone(),
        set_files: args.set_files.clone(),
    };
    let plan = match plan::build(file, ast, outcome.modules, &request) {
        Ok(plan) => plan,
        Err(errors) => {
            let problems: Vec<Problem> =
                errors.into_iter().map(|e| Problem::Plan(file, e)).collect();
            reporter.problems(&shown, &sources, &problems);
            return exit::INVALID;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            reporter.fatal(&format!("cannot start the runtime: {e}"), None);
            return exit::INVALID;
        }
    };
    let stop = watch_signals(&runtime);
    let detail = if args.quiet {
        Detail::Quiet
    } else if args.verbose {
        Detail::Verbose
    } else {
        Detail::Normal
    };
    let report = RunReport::new(args.json, color.enabled(io::stdout().is_terminal()), detail);
    let services = Services {
        runtime: &runtime,
        stop,
        observer: &report,
        masker: Masker::default(),
        verbose: args.verbose,
        sources: &sources,
        approvals: Approvals {
            yes: args.yes,
            steps: args.approve.clone(),
        },
    };
    let code = match exec::execute(
        &plan,
        services,
        Options {
            no_rollback: args.no_rollback,
        },
    ) {
        Ok(code) => code,
        Err(errors) => {
            let problems: Vec<Problem> =
                errors.into_iter().map(|e| Problem::Plan(file, e)).collect();
            reporter.problems(&shown, &sources, &problems);
            exit::INVALID
        }
    };
    runtime.shutdown_background();
    code
}

/// SIGINT/SIGTERM set the stop flag: the running command is stopped and the run ends.
/// A second one ends the process at once.
fn watch_signals(runtime: &tokio::runtime::Runtime) -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    let signals = runtime.block_on(async {
        (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        )
    });
    if let (Ok(mut int), Ok(mut term)) = signals {
        runtime.spawn(async move {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            let _ = tx.send(true);
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            std::process::exit(exit::INTERRUPTED);
        });
    }
    rx
}
