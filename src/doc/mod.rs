//! Markdown for people: a runbook (`runbook doc FILE`) and the standard library
//! (`runbook doc --stdlib`, docs/stdlib.md), from the code and its doc comments.

mod notes;
mod runbook;
mod stdlib;

pub use runbook::runbook_markdown;
pub use stdlib::stdlib_markdown;
