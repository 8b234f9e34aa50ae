//! The command line.

use std::path::PathBuf;

use clap::{ArgAction, Parser, Subcommand};

use crate::report::ColorChoice;

#[derive(Debug, Parser)]
#[command(
    name = "runbook",
    version,
    about = "Operations procedures as executable, verified, resumable scripts"
)]
#[command(after_help = crate::exit::HELP)]
pub struct Cli {
    /// When to use colours (NO_COLOR is honoured under `auto`)
    #[arg(long, value_enum, default_value_t, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and check runbooks without running anything
    Check {
        /// Also flag every `| raw` interpolation (shell quoting turned off)
        #[arg(long)]
        strict: bool,

        /// Runbooks (or modules) to check
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },

    /// Run a runbook: its steps in order, with live progress
    Run(RunArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The runbook
    pub file: PathBuf,

    /// Set a param: `--set ref=v2` (repeatable)
    #[arg(long = "set", value_name = "NAME=VALUE", action = ArgAction::Append)]
    pub sets: Vec<String>,

    /// Set a param to a file's contents: `--set-file motd=./motd.txt` (repeatable)
    #[arg(long = "set-file", value_name = "NAME=PATH", action = ArgAction::Append)]
    pub set_files: Vec<String>,

    /// One JSON event per line on stdout instead of the human report
    #[arg(long)]
    pub json: bool,

    /// Hide command output
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Also show each command as it is run
    #[arg(short, long)]
    pub verbose: bool,

    /// Approve every gate that is not marked dangerous
    #[arg(long)]
    pub yes: bool,

    /// Approve the gate of this step, dangerous or not (repeatable)
    #[arg(long = "approve", value_name = "STEP", action = ArgAction::Append)]
    pub approve: Vec<String>,

    /// When a step fails, leave the system as it is instead of rolling back
    #[arg(long)]
    pub no_rollback: bool,
}
