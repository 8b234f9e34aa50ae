//! The dry run's transport. It starts no process and opens no connection: every command it
//! is given is answered `Recorded`, so the plan walk writes the command down as an action
//! and its output stays a value known only at run time. Nothing else stands between a
//! dry run and a host: the interpreter runs the same code in both, down to this call.

use tokio::sync::watch;

use super::transport::{CommandSpec, LineSink, Ran, RunFuture, Transport};

#[derive(Debug, Default)]
pub struct Recorder;

impl Transport for Recorder {
    fn run<'a>(
        &'a self,
        _spec: &'a CommandSpec,
        _on_line: LineSink<'a>,
        _stop: watch::Receiver<bool>,
    ) -> RunFuture<'a> {
        Box::pin(async { Ok(Ran::Recorded) })
    }
}
