//! What `run`, `resume` and `rollback` share: loading a runbook into a plan, the async
//! runtime with its Ctrl-C watch, and the interpreter's services.

use std::io::{self, IsTerminal};
use std::path::Path;

use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;

use super::Error;
use crate::check::{self, Options as CheckOptions, Problem};
use crate::cli::SessionArgs;
use crate::exec::interp::{Approvals, Interpreter, Services};
use crate::exec::mask::Masker;
use crate::exec::ssh::SshPool;
use crate::exit;
use crate::plan::{self, Plan, Request};
use crate::report::run::{Detail, RunReport};
use crate::report::{ColorChoice, Reporter};
use crate::source::{FileId, SourceMap};

/// A runbook that passed `check` and could be planned.
#[derive(Debug)]
pub struct Loaded {
    pub sources: SourceMap,
    pub file: FileId,
    pub plan: Plan,
    pub shown: String,
}

impl Loaded {
    /// Every file the run depends on: the runbook, its modules and its inventory, in a
    /// stable order (a resume notices an edit of any of them).
    pub fn files(&self) -> Vec<FileId> {
        let mut modules: Vec<(&String, FileId)> =
            self.plan.modules.iter().map(|(n, m)| (n, m.file)).collect();
        modules.sort();
        std::iter::once(self.file)
            .chain(modules.into_iter().map(|(_, f)| f))
            .chain(self.plan.inventory.as_ref().map(|i| i.file))
            .collect()
    }
}

/// Reads, checks and plans; the problems that keep it from running otherwise.
pub fn load(path: &Path, request: &Request) -> Result<Loaded, Error> {
    let shown = path.display().to_string();
    let text = super::read::read_source(path)?;
    let mut sources = SourceMap::default();
    let file = sources.add(shown.clone(), text);
    let inventory = request
        .selection
        .inventory
        .as_ref()
        .map(std::path::Path::new);
    let outcome = check::check_runbook(&mut sources, file, CheckOptions::default(), inventory);
    if outcome.has_errors() {
        return Err(Error::Problems {
            shown,
            sources: Box::new(sources),
            problems: outcome.problems,
        });
    }
    let Some(ast) = outcome.ast else {
        unreachable!("a file without errors parsed")
    };
    let checked = plan::Checked {
        modules: outcome.modules,
        reads: outcome.reads,
        names: outcome.names,
        inventory: outcome.inventory,
    };
    match plan::build(file, ast, checked, request) {
        Ok(plan) => Ok(Loaded {
            sources,
            file,
            plan,
            shown,
        }),
        Err(errors) => Err(Error::Problems {
            shown,
            problems: errors
                .into_iter()
                .map(|e| Problem::Later(file, Box::new(e)))
                .collect(),
            sources: Box::new(sources),
        }),
    }
}

/// How a session reports what happens.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: ColorChoice,
    pub json: bool,
    pub detail: Detail,
}

/// What a session is told on the command line: how to report, and how its gates open.
#[derive(Debug, Clone)]
pub struct Settings {
    pub style: Style,
    pub approvals: Approvals,
    /// `--as`: who approves at this terminal, where the runbook's policy allows it.
    pub approver: Option<String>,
}

pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| Error::refused(format!("cannot start the runtime: {e}"), exit::INVALID))
}

pub fn report(style: &Style) -> RunReport {
    RunReport::new(
        style.json,
        style.color.enabled(io::stdout().is_terminal()),
        style.detail,
    )
}

/// An interpreter for the plan, its globals (params, secrets, values) computed.
pub fn interpreter<'a>(
    reporter: &Reporter,
    loaded: &'a Loaded,
    runtime: &'a tokio::runtime::Runtime,
    report: &'a RunReport,
    settings: &Settings,
) -> Result<Interpreter<'a>, Error> {
    let style = settings.style;
    let services = Services {
        runtime,
        stop: watch_signals(runtime),
        observer: report,
        masker: Masker::default(),
        verbose: matches!(style.detail, Detail::Verbose | Detail::Debug),
        debug: style.detail == Detail::Debug,
        sources: &loaded.sources,
        approvals: settings.approvals.clone(),
    };
    report.show_sources(&loaded.sources);
    let mut interp = Interpreter::new(&loaded.plan, services);
    if let Some(name) = &settings.approver {
        interp.approver = name.clone();
    }
    crate::exec::init_globals(&loaded.plan, &mut interp)
        .map_err(|errors| plan_problems(loaded, errors))?;
    for name in interp.services.masker.short() {
        reporter.warn(&format!(
            "secret `{name}` is shorter than 3 characters: runbook masks it wherever it shows a value, but cannot find it in what commands print"
        ));
    }
    Ok(interp)
}

/// What keeps the plan from starting, drawn against the runbook.
fn plan_problems(loaded: &Loaded, errors: Vec<crate::plan::Error>) -> Error {
    Error::Problems {
        shown: loaded.shown.clone(),
        sources: Box::new(loaded.sources.clone()),
        problems: errors
            .into_iter()
            .map(|e| Problem::Later(loaded.file, Box::new(e)))
            .collect(),
    }
}

/// The ssh connections of a run: one master per host, opened on first use.
pub fn ssh_pool(
    loaded: &Loaded,
    interp: &mut Interpreter,
    args: &SessionArgs,
) -> Result<SshPool, Error> {
    let mut specs = crate::exec::hosts::ssh_specs(&loaded.plan, interp)
        .map_err(|errors| plan_problems(loaded, errors))?;
    if let Some(config) = &args.ssh_config {
        for spec in specs.values_mut() {
            spec.config
                .get_or_insert_with(|| config.display().to_string());
        }
    }
    let mut pool = SshPool::new(specs, args.accept_new_host_keys).map_err(|e| {
        Error::refused(
            format!("cannot create a directory for ssh control sockets: {e}"),
            exit::INVALID,
        )
    })?;
    if let Err(refused) = lock_hosts(loaded, interp, &mut pool) {
        interp.services.runtime.block_on(pool.close());
        return Err(refused);
    }
    Ok(pool)
}

/// `lock hosts`: takes each ssh host's own lock before anything runs, or names who holds it.
fn lock_hosts(loaded: &Loaded, interp: &Interpreter, pool: &mut SshPool) -> Result<(), Error> {
    let plan = &loaded.plan;
    let hosts = plan.locked_hosts();
    if hosts.is_empty() {
        return Ok(());
    }
    let machine = nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_default();
    pool.lock_hosts(format!(
        "{} on {machine}, runbook {}, pid {}, since {}",
        crate::journal::user(),
        plan.name,
        std::process::id(),
        crate::journal::record::now()
    ));
    interp
        .services
        .runtime
        .block_on(pool.lock_all(&hosts))
        .map_err(|refused| Error::Refused {
            messages: refused,
            help: Some("the runbook says `lock hosts`: only one run at a time works on a host; wait for the other run to end".into()),
            code: exit::LOCKED,
        })
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
            let code = tokio::select! {
                _ = int.recv() => exit::INTERRUPTED,
                _ = term.recv() => exit::TERMINATED,
            };
            exit::stopped_by(code);
            let _ = tx.send(true);
            let code = tokio::select! {
                _ = int.recv() => exit::INTERRUPTED,
                _ = term.recv() => exit::TERMINATED,
            };
            crate::report::stopped_at_once();
            std::process::exit(code);
        });
    }
    rx
}
