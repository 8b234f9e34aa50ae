//! `runbook`: operations procedures as executable, verified, resumable scripts.
//!
//! Data flows one way: [`syntax`] -> [`check`] -> plan -> exec -> journal, and
//! [`report`] is the one module that prints.

pub mod source;
pub mod syntax;
