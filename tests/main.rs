//! The integration tests, one binary (one link on a 2-core machine instead of twenty): a
//! module per feature, each driving the real `runbook` binary or the library.

mod common;

mod approvals;
mod architecture;
mod ast;
mod check_cmd;
mod cli;
mod codes;
mod crash;
mod diagnostics;
mod doc_examples;
mod docs;
mod fmt;
mod fuzz;
mod grammar;
mod import;
mod journal;
mod lsp;
mod names;
mod parser;
mod plan_cmd;
mod run_cmd;
mod run_snapshots;
mod ssh;
mod state_db;
#[path = "stdlib/main.rs"]
mod stdlib;
mod team_approvals;
mod twin;
