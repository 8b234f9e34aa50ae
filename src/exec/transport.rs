//! Where commands run. Every transport runs a shell command line and streams its output;
//! the executor knows nothing else of it.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use tokio::sync::watch;

use super::event::Stream;
use super::value::CmdResult;

/// A command line for `sh -c`, already interpolated and quoted.
#[derive(Debug, Clone)]
pub struct CommandSpec {
    pub command: String,
    /// The command as it may be shown: secrets masked.
    pub shown: String,
    pub stdin: Option<String>,
    /// When the step's `timeout` runs out.
    pub deadline: Option<Instant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The deadline passed: the command (its whole process group) was killed.
    TimedOut,
    /// SIGINT/SIGTERM: the command was stopped.
    Interrupted,
    /// It could not be started at all.
    Spawn(String),
    /// The host could not be reached, or refused us (unreachable, timeout, authentication,
    /// host key): nothing ran there.
    Connect(String),
    /// The connection broke while the command ran: it may have partly happened.
    Lost(String),
}

/// What a transport did with a command it was given.
#[derive(Debug)]
pub enum Ran {
    /// It ran to its end: exit code and output.
    Finished(CmdResult),
    /// It was only written into the plan (the dry run's transport): its output is known
    /// only when it really runs.
    Recorded,
}

pub type RunFuture<'a> = Pin<Box<dyn Future<Output = Result<Ran, TransportError>> + 'a>>;

/// Receives each line of output as it comes.
pub type LineSink<'a> = &'a mut dyn FnMut(Stream, &str);

pub trait Transport: std::fmt::Debug + Send + Sync {
    /// Runs `spec`, calling `on_line` per line of output; stops early when `stop` turns true.
    fn run<'a>(
        &'a self,
        spec: &'a CommandSpec,
        on_line: LineSink<'a>,
        stop: watch::Receiver<bool>,
    ) -> RunFuture<'a>;
}
