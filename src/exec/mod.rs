//! Running a plan: steps in order on their targets, guards, retries, timeouts, rollbacks.

mod announce;
mod cleanup;
pub mod dry;
pub mod error;
pub mod event;
mod executor;
mod host_lock;
pub mod hosts;
pub mod interp;
pub mod local;
pub mod mask;
pub mod notify;
pub mod nowhere;
mod planned;
mod pump;
mod recorder;
pub mod ssh;
mod ssh_config;
mod step;
pub mod sudo;
pub mod transport;

// Values live below the plan (params are values); exec keeps its old paths to them.
pub use crate::value::{self, taint};

pub use executor::{
    execute, init_globals, restore_captures, roll_back_run, undo_list, Options, Resume,
};
