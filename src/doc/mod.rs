//! Markdown for people, made from the doc comments of the code: `runbook doc --stdlib`
//! writes docs/stdlib.md.

mod stdlib;

pub use stdlib::stdlib_markdown;
