//! `runbook`: operations procedures as executable, verified, resumable scripts.
//!
//! Data flows one way: [`syntax`] -> [`check`] -> plan -> exec -> journal, and
//! [`report`] is the one module that prints.

pub mod app;
mod app_run;
pub mod check;
pub mod cli;
pub mod exec;
pub mod exit;
pub mod plan;
pub mod report;
pub mod source;
pub mod stdlib;
pub mod syntax;
