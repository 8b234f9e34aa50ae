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
    /// When to use colours (under `auto`: NO_COLOR, CLICOLOR and CLICOLOR_FORCE are honoured)
    #[arg(long, value_enum, default_value_t, global = true)]
    pub color: ColorChoice,

    /// Where journals and locks live [default: $RUNBOOK_STATE_DIR, else $XDG_STATE_HOME/runbook, else ~/.local/state/runbook]
    #[arg(long, global = true, value_name = "DIR", conflicts_with = "state")]
    pub state_dir: Option<PathBuf>,

    /// A PostgreSQL database a team shares for journals, the run index and locks
    /// (`postgres://USER@HOST/DB`) [default: $RUNBOOK_STATE, else `state` in
    /// ~/.config/runbook/config.toml, else the state directory]
    #[arg(long, global = true, value_name = "URL")]
    pub state: Option<String>,

    /// An ssh_config for every ssh host that does not name its own `config:` (`ssh -F`):
    /// point a runbook's `ssh("hemma")` at another machine without editing ~/.ssh/config
    #[arg(long, global = true, value_name = "FILE", env = "RUNBOOK_SSH_CONFIG")]
    pub ssh_config: Option<PathBuf>,

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

        /// Every verdict and problem as one JSON document on stdout (docs/json.md)
        #[arg(long)]
        json: bool,

        /// Runbooks (or modules) to check
        #[arg(required = true)]
        files: Vec<PathBuf>,

        /// Hosts and groups from this TOML file, instead of each runbook's `inventory "..."`
        #[arg(long, value_name = "FILE")]
        inventory: Option<PathBuf>,
    },

    /// Run a runbook: its steps in order, with live progress
    Run(RunArgs),

    /// Turn a markdown runbook into a runbook (review its `# review:` comments)
    Import {
        /// The markdown file
        file: PathBuf,

        /// Write to this file instead of stdout
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },

    /// Lay runbooks and modules out canonically (comments kept; strings untouched)
    Fmt {
        /// Change nothing: list the files that are not formatted, and exit 10 if any
        #[arg(long)]
        check: bool,

        /// Runbooks (or modules) to format in place
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },

    /// A language server on stdin/stdout for editors (docs/editors.md)
    Lsp,

    /// A runbook as markdown for people (or `--stdlib`: the standard library reference)
    Doc {
        /// The runbook to document
        #[arg(required_unless_present = "stdlib")]
        file: Option<PathBuf>,

        /// The standard library's reference (docs/stdlib.md)
        #[arg(long, conflicts_with = "file")]
        stdlib: bool,

        /// Write to this file instead of stdout
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },

    /// Show what `run` would do, without running or connecting to anything (= run --dry-run)
    Plan(PlanArgs),

    /// Continue a failed, paused or interrupted run where it stopped
    Resume(ResumeArgs),

    /// Run the rollbacks of a run's completed steps, newest first
    Rollback(RollbackArgs),

    /// List the runs in the state directory
    Runs {
        /// One JSON document instead of a table
        #[arg(long)]
        json: bool,
    },

    /// A shell completion script on stdout: `runbook completions bash > /etc/bash_completion.d/runbook`
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },

    /// The manual page (roff) on stdout: `runbook man > /usr/local/share/man/man1/runbook.1`
    Man {
        /// Write runbook.1 and a page per subcommand (runbook-run.1, ...) into DIR instead
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },

    /// Approve (or deny) the gate a run waits at, from any shell or as another user
    Approve {
        /// The run id, whole, as the gate printed it
        run_id: String,

        /// The step whose gate it is
        step: String,

        /// Say no: the run stops at the gate as declined
        #[arg(long)]
        deny: bool,

        /// Why, for the journal and the run's report
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },

    /// One run's steps, approvals, rollbacks and events
    Show {
        /// The run id (or its first characters)
        run_id: String,

        /// The journal's records as one JSON document
        #[arg(long)]
        json: bool,
    },

    /// The state itself: move file journals into a shared database
    #[command(subcommand)]
    State(StateCommand),
}

#[derive(Debug, Clone, Subcommand)]
pub enum StateCommand {
    /// Copy every journal of a state directory into a state database (runs already there
    /// are left as they are; the directory is not changed)
    Migrate {
        /// The state directory to read [default: the one `--state-dir` would use]
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,

        /// The database to write (`postgres://USER@HOST/DB`) [default: the `--state` in use]
        #[arg(long, value_name = "URL")]
        to: Option<String>,
    },
}

/// How a session reports and who answers its gates.
#[derive(Debug, Clone, clap::Args)]
pub struct SessionArgs {
    /// One JSON event per line on stdout instead of the human report
    #[arg(long)]
    pub json: bool,

    /// Hide command output
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Also show each command as it is run, and the output of guards and checks; `-vv` also
    /// each command's exit code and time, and each journal record as it is written
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,

    /// Approve every gate that is not marked dangerous
    #[arg(long)]
    pub yes: bool,

    /// Approve the gate of this step, dangerous or not (repeatable)
    #[arg(long = "approve", value_name = "STEP", action = ArgAction::Append)]
    pub approve: Vec<String>,

    /// The name approvals are journaled under [default: $USER]
    #[arg(long = "as", value_name = "NAME")]
    pub approver: Option<String>,

    /// When a step fails, leave the system as it is instead of rolling back
    #[arg(long)]
    pub no_rollback: bool,

    /// At an approval gate, wait for `runbook approve` from another shell or person
    /// (at most LIMIT, e.g. `30m`; then the run pauses there) instead of asking here
    #[arg(long, value_name = "LIMIT", num_args = 0..=1, default_missing_value = "")]
    pub wait: Option<WaitLimit>,

    /// Accept (and remember) the host key of an ssh host never seen before; a changed key is
    /// still refused
    #[arg(long)]
    pub accept_new_host_keys: bool,

    /// The global `--ssh-config`, copied here so a session carries it.
    #[arg(skip)]
    pub ssh_config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ResumeArgs {
    /// The run to continue [default: the newest unfinished run in the state directory]
    pub run_id: Option<String>,

    /// Resume the newest unfinished run of this runbook; with a RUN_ID, this operator's copy
    /// of the run's runbook (its meaning must match the journal's: another machine's checkout)
    #[arg(long, value_name = "FILE")]
    pub runbook: Option<PathBuf>,

    /// Go on even though the runbook changed since the run began
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub session: SessionArgs,
}

#[derive(Debug, clap::Args)]
pub struct RollbackArgs {
    /// The run whose completed steps to undo
    pub run_id: String,

    /// This operator's copy of the run's runbook (its meaning must match the journal's:
    /// another machine's checkout)
    #[arg(long, value_name = "FILE")]
    pub runbook: Option<PathBuf>,

    /// Go on even though the runbook changed since the run began
    #[arg(long)]
    pub force: bool,

    /// Undo without asking (needed without a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Show what would be undone, and undo nothing
    #[arg(long)]
    pub dry_run: bool,

    /// One JSON event per line on stdout instead of the human report
    #[arg(long)]
    pub json: bool,

    /// The global `--ssh-config`, copied here so a session carries it.
    #[arg(skip)]
    pub ssh_config: Option<PathBuf>,
}

/// The params of a run (or of its plan).
#[derive(Debug, Clone, clap::Args)]
pub struct ParamArgs {
    /// Set a param: `--set ref=v2` (repeatable)
    #[arg(long = "set", value_name = "NAME=VALUE", action = ArgAction::Append)]
    pub sets: Vec<String>,

    /// Set a param to a file's contents: `--set-file motd=./motd.txt` (repeatable)
    #[arg(long = "set-file", value_name = "NAME=PATH", action = ArgAction::Append)]
    pub set_files: Vec<String>,
}

/// Which steps run: the others are skipped, with the reason (journaled; `resume` keeps it).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SelectArgs {
    /// Run only these steps (repeatable, or comma-separated)
    #[arg(long, value_name = "STEP", value_delimiter = ',', action = ArgAction::Append)]
    pub only: Vec<String>,

    /// Start at this step: the steps before it are left out
    #[arg(long, value_name = "STEP")]
    pub from: Option<String>,

    /// Leave these steps out (repeatable, or comma-separated)
    #[arg(long, value_name = "STEP", value_delimiter = ',', action = ArgAction::Append)]
    pub skip: Vec<String>,

    /// Run only the steps with one of these tags (`step x "..." tags [db]`)
    #[arg(long, value_name = "TAG", value_delimiter = ',', action = ArgAction::Append)]
    pub tags: Vec<String>,

    /// Narrow groups to these hosts: names, group names, `*` globs, `!` to exclude
    /// (repeatable, or comma-separated)
    #[arg(long, value_name = "PATTERN", action = ArgAction::Append)]
    pub limit: Vec<String>,

    /// Hosts and groups from this TOML file, instead of the runbook's `inventory "..."`
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
}

impl SelectArgs {
    pub fn selection(&self) -> crate::plan::Selection {
        crate::plan::Selection {
            only: self.only.clone(),
            from: self.from.clone(),
            skip: self.skip.clone(),
            tags: self.tags.clone(),
            limit: self.limit.clone(),
            // Absolute: a resume from another directory reads the same file.
            inventory: self.inventory.as_ref().map(|p| {
                std::path::absolute(p)
                    .unwrap_or_else(|_| p.clone())
                    .display()
                    .to_string()
            }),
        }
    }
}

/// A runbook and what of it to run: what `run` and `plan` share.
#[derive(Debug, clap::Args)]
pub struct RunbookArgs {
    /// The runbook
    pub file: PathBuf,

    #[command(flatten)]
    pub params: ParamArgs,

    #[command(flatten)]
    pub select: SelectArgs,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub runbook: RunbookArgs,

    /// Show the plan (every step, host and command) without running or connecting to anything
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub session: SessionArgs,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub runbook: RunbookArgs,

    /// The plan as one JSON document
    #[arg(long)]
    pub json: bool,
}

/// `--wait` alone (no limit) or `--wait 30m`.
#[derive(Debug, Clone, Copy)]
pub struct WaitLimit(pub Option<std::time::Duration>);

impl std::str::FromStr for WaitLimit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Ok(WaitLimit(None));
        }
        crate::syntax::parse_duration(s)
            .map(|d| WaitLimit(Some(d)))
            .ok_or_else(|| format!("`{s}` is not a duration (e.g. 90s, 30m, 2h)"))
    }
}
