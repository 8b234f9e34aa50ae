//! `runbook import OPS.md`: a markdown runbook becomes a runbook that passes `check`.
//! Headings become steps, shell blocks `run`s, `ssh HOST "cmd"` a host and `on HOST`,
//! verifications `check`s, danger and consent approval gates, placeholders params.
//! Whatever cannot be mapped stays, as a `# review:` comment where it was.

mod emit;
mod markdown;
mod shell;

pub use emit::{import, Imported, Summary};
