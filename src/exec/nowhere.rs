//! The transport of a host the plan does not know. It starts no process and opens no
//! connection; asked to, it refuses, so a host name that slipped past `check` fails loudly
//! instead of running a command on this machine.

use tokio::sync::watch;

use super::transport::{CommandSpec, LineSink, RunFuture, Transport, TransportError};

#[derive(Debug, Clone)]
pub struct Nowhere {
    /// Why nothing may run here, for the refusal.
    pub why: String,
}

impl Transport for Nowhere {
    fn run<'a>(
        &'a self,
        spec: &'a CommandSpec,
        _on_line: LineSink<'a>,
        _stop: watch::Receiver<bool>,
    ) -> RunFuture<'a> {
        let refusal = format!(
            "refused to run `{}`: {} (a bug in runbook: please report it)",
            spec.shown.lines().next().unwrap_or(""),
            self.why
        );
        Box::pin(async move { Err(TransportError::Spawn(refusal)) })
    }
}
