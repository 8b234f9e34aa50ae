//! Appending records, each synced to disk before the caller goes on.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::record::Record;

/// Appends a run's records to where its state lives.
#[derive(Debug)]
pub enum Writer {
    File(FileWriter),
    Database(super::postgres::Appender),
}

impl Writer {
    pub fn create(path: &Path) -> std::io::Result<Writer> {
        FileWriter::create(path).map(Writer::File)
    }

    pub fn append(path: &Path) -> std::io::Result<Writer> {
        FileWriter::append(path).map(Writer::File)
    }

    /// Once this returns, the record is journaled (see each backend for when it is durable).
    pub fn write(&mut self, record: &Record) -> std::io::Result<()> {
        match self {
            Writer::File(f) => f.write(record),
            Writer::Database(d) => d.write(record),
        }
    }

    /// How messages name the journal.
    pub fn name(&self) -> String {
        match self {
            Writer::File(f) => f.path().display().to_string(),
            Writer::Database(d) => d.name(),
        }
    }
}

#[derive(Debug)]
pub struct FileWriter {
    file: File,
    path: PathBuf,
    /// `RUNBOOK_FSYNC=off` trades crash safety for speed (benchmarks, throwaway runs).
    sync: bool,
}

impl FileWriter {
    pub fn create(path: &Path) -> std::io::Result<FileWriter> {
        // Journals hold params and command output: readable by their owner only.
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        Ok(FileWriter {
            file,
            path: path.to_path_buf(),
            sync: sync_enabled(),
        })
    }

    /// Appends to an existing journal (resume, rollback). A torn last line (a write cut
    /// by a crash, which the reader already ignored) is cut off first, so it never ends up
    /// in the middle of the journal.
    pub fn append(path: &Path) -> std::io::Result<FileWriter> {
        let text = std::fs::read(path)?;
        let complete = text.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let whole_record = serde_json::from_slice::<serde_json::Value>(&text[complete..]).is_ok();
        let mut file = OpenOptions::new().append(true).open(path)?;
        if complete < text.len() {
            if whole_record {
                // Only its newline was lost: keep the record.
                file.write_all(b"\n")?;
            } else {
                file.set_len(complete as u64)?;
            }
            file.sync_data()?;
        }
        Ok(FileWriter {
            file,
            path: path.to_path_buf(),
            sync: sync_enabled(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One line, then `fdatasync`: once this returns, the record survives a crash.
    /// Appends a record. Records that precede side effects (intents) or end a session are
    /// synced at once, with everything written before them; a step's result is written at
    /// once (a `kill -9` cannot lose it) and made durable by the next sync, which comes
    /// before anything else can change.
    pub fn write(&mut self, record: &Record) -> std::io::Result<()> {
        let json = serde_json::to_vec(record).map_err(std::io::Error::other)?;
        let mut line = super::seal::seal(json);
        line.push(b'\n');
        self.file.write_all(&line)?;
        let deferred = matches!(
            record,
            Record::StepResult { .. } | Record::RollbackResult { .. }
        );
        if self.sync && !deferred {
            self.file.sync_data()?;
        }
        Ok(())
    }
}

fn sync_enabled() -> bool {
    !matches!(
        std::env::var("RUNBOOK_FSYNC").as_deref(),
        Ok("off" | "0" | "false")
    )
}
