//! Commands: arguments in, exit code out.

mod approve;
mod docs;
mod drive;
mod error;
mod fmt;
mod history;
mod plan;
pub mod read;
mod resume;
mod run;
mod session;
mod state;

use std::path::Path;

pub use error::Error;

use crate::check::{self, Options};
use crate::cli::{Cli, Command};
use crate::exit;
use crate::report::{check_json, Reporter};
use crate::source::SourceMap;

pub fn run(cli: Cli) -> i32 {
    let reporter = Reporter::new(cli.color);
    match command(&reporter, cli) {
        Ok(code) => code,
        // Every error of every command is reported here, once.
        Err(e) => {
            e.report(&reporter);
            e.exit_code()
        }
    }
}

/// The command the line asks for: its exit code, or why it stopped.
fn command(reporter: &Reporter, mut cli: Cli) -> Result<i32, Error> {
    match &mut cli.command {
        Command::Run(args) => args.session.ssh_config.clone_from(&cli.ssh_config),
        Command::Resume(args) => args.session.ssh_config.clone_from(&cli.ssh_config),
        Command::Rollback(args) => args.ssh_config.clone_from(&cli.ssh_config),
        _ => {}
    }
    let uses_state = matches!(
        cli.command,
        Command::Run(_)
            | Command::Resume(_)
            | Command::Rollback(_)
            | Command::Runs { .. }
            | Command::Show { .. }
            | Command::Approve { .. }
            | Command::State(_)
    );
    // Where the state is, settled once: a bad URL or config file is reported before anything.
    let location = if uses_state {
        crate::journal::store::locate(cli.state_dir.as_deref(), cli.state.as_deref())?
    } else {
        crate::journal::Location::Files(crate::journal::state_dir(None))
    };
    match cli.command {
        Command::Check {
            strict,
            json,
            files,
            inventory,
        } => Ok(check_files(
            reporter,
            &files,
            (Options { strict }, inventory.as_deref()),
            json,
        )),
        Command::Run(args) => run::run(reporter, cli.color, &location, &args),
        Command::Doc { file, output, .. } => match file {
            Some(file) => docs::runbook_doc(reporter, cli.color, &file, output.as_deref()),
            None => doc(reporter, output.as_deref()),
        },
        Command::Lsp => crate::lsp::serve().map(|()| exit::SUCCESS).map_err(|e| {
            Error::refused(format!("the language server stopped: {e}"), exit::INVALID)
        }),
        Command::Fmt { check, files } => Ok(fmt::fmt(reporter, &files, check)),
        Command::Import { file, output } => docs::import(reporter, &file, output.as_deref()),
        Command::Plan(args) => plan::plan(
            reporter,
            cli.color,
            &args.runbook.file,
            run::request(&args.runbook),
            args.json,
        ),
        Command::Resume(args) => resume::resume(reporter, cli.color, &location, &args),
        Command::Rollback(args) => resume::rollback(reporter, cli.color, &location, &args),
        Command::Runs { json } => history::runs(reporter, &location, json),
        Command::Completions { shell } => Ok(completions(shell)),
        Command::Man { dir } => man(reporter, dir.as_deref()),
        Command::Approve {
            run_id,
            step,
            deny,
            reason,
        } => approve::approve(
            reporter,
            &location,
            &approve::Request {
                run_id: &run_id,
                step: &step,
                deny,
                reason,
            },
        ),
        Command::State(args) => state::state(reporter, &location, &args),
        Command::Show { run_id, json } => history::show(reporter, &location, &run_id, json),
    }
}

fn check_files(
    reporter: &Reporter,
    files: &[std::path::PathBuf],
    (options, inventory): (Options, Option<&Path>),
    json: bool,
) -> i32 {
    let mut code = exit::SUCCESS;
    let mut entries = Vec::new();
    for path in files {
        let shown = path.display().to_string();
        let text = match read::read_source(path) {
            Ok(text) => text,
            Err(e) => {
                if json {
                    entries.push(check_json::unreadable(&shown, &e));
                } else {
                    reporter.diagnostic(&e);
                }
                code = exit::INVALID;
                continue;
            }
        };
        let mut sources = SourceMap::default();
        let file = sources.add(shown.clone(), text);
        let outcome = check::check_runbook(&mut sources, file, options, inventory);
        if json {
            entries.push(check_json::checked(&shown, &sources, &outcome));
        } else {
            reporter.check_result(&shown, &sources, &outcome);
        }
        if outcome.has_errors() {
            code = exit::INVALID;
        }
    }
    if json {
        reporter.print(&format!("{}\n", check_json::document(entries)));
    }
    code
}

/// The completion script of `shell`, from the same definition clap parses with.
fn completions(shell: clap_complete::Shell) -> i32 {
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "runbook", &mut std::io::stdout());
    exit::SUCCESS
}

/// runbook(1) on stdout, or it and a page per subcommand into `dir`.
fn man(reporter: &Reporter, dir: Option<&Path>) -> Result<i32, Error> {
    let command = <Cli as clap::CommandFactory>::command();
    let written = match dir {
        Some(dir) => std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(command, dir))
            .map(|()| None),
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map(|()| Some(page))
        }
    };
    match written {
        Ok(Some(page)) => {
            reporter.print(&String::from_utf8_lossy(&page));
            Ok(exit::SUCCESS)
        }
        Ok(None) => Ok(exit::SUCCESS),
        Err(e) => Err(Error::refused(
            format!("cannot write the manual pages: {e}"),
            exit::INVALID,
        )),
    }
}

fn doc(reporter: &Reporter, output: Option<&Path>) -> Result<i32, Error> {
    docs::write_out(reporter, &crate::doc::stdlib_markdown(), output)
}
