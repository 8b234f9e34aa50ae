//! One connection to the state database, owned by a thread of its own. The `postgres` client
//! drives its own small runtime and must never block inside the run's tokio runtime, so every
//! query is sent to that thread and waited for. The connection lives as long as its last
//! handle: its session-level advisory locks are released by PostgreSQL when it closes, which is
//! what makes a crashed run's lock safe to take over.

use std::sync::mpsc;
use std::time::Duration;

use postgres::config::SslMode;
use postgres::tls::{MakeTlsConnect, TlsConnect};
use postgres::{Client, NoTls, Socket};

use super::url::Url;

type Job = Box<dyn FnOnce(&mut Client) + Send>;

#[derive(Debug)]
pub struct Conn {
    jobs: mpsc::Sender<Job>,
    pub url: Url,
}

impl Conn {
    /// Connects (5 s at most) and keeps the connection on its own thread.
    pub fn open(url: &Url) -> Result<Conn, String> {
        let (text, root_cert) = url.without_root_cert();
        let mut config: postgres::Config = text.parse().map_err(|e| format!("{e}"))?;
        config.connect_timeout(Duration::from_secs(5));
        if config.get_application_name().is_none() {
            config.application_name("runbook");
        }
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready, connected) = mpsc::channel::<Result<(), String>>();
        let serve = move || {
            let client = if config.get_ssl_mode() == SslMode::Require {
                super::tls::connector(root_cert.as_deref()).and_then(|tls| connect(&config, tls))
            } else {
                connect(&config, NoTls)
            };
            match client {
                Ok(mut client) => {
                    let _ = ready.send(Ok(()));
                    for job in inbox {
                        job(&mut client);
                    }
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                }
            }
        };
        std::thread::Builder::new()
            .name("runbook-state".into())
            .spawn(serve)
            .map_err(|e| e.to_string())?;
        connected
            .recv()
            .map_err(|_| "the connection thread ended".to_string())??;
        Ok(Conn {
            jobs,
            url: url.clone(),
        })
    }

    /// Runs `f` on the connection and waits for its answer.
    pub fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<R, postgres::Error> + Send + 'static,
    ) -> Result<R, String> {
        let (answer, answered) = mpsc::channel();
        let job: Job = Box::new(move |client| {
            let _ = answer.send(f(client).map_err(|e| reason(&e)));
        });
        self.jobs
            .send(job)
            .map_err(|_| "the connection to the state database is gone".to_string())?;
        answered
            .recv()
            .map_err(|_| "the connection to the state database is gone".to_string())?
    }
}

fn connect<T>(config: &postgres::Config, tls: T) -> Result<Client, String>
where
    T: MakeTlsConnect<Socket> + 'static + Send,
    T::TlsConnect: Send,
    T::Stream: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    config.connect(tls).map_err(|e| reason(&e))
}

/// What went wrong, in the server's words where it gave some.
pub fn reason(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None if e.is_closed() => "the connection to the state database was lost".into(),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(": ");
                text.push_str(&s.to_string());
                source = s.source();
            }
            text
        }
    }
}
