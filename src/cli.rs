//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
}
