//! `runbook`: operations procedures as executable, verified, resumable scripts.
//!
//! Data flows one way: [`syntax`] -> [`check`] -> plan -> exec -> journal, and
//! [`report`] is the one module that prints. A module uses only those below it (values sit
//! below the plan); `tests/architecture.rs` fails on an import against the flow.

pub mod app;

pub mod check;
pub mod cli;
pub mod doc;
pub mod exec;
pub mod exit;
pub mod format;
pub mod import;
pub mod inventory;
pub mod journal;
pub mod lsp;
pub mod plan;
pub mod report;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod value;
