//! `runbook import OPS.md`: a markdown runbook becomes a runbook that passes `check` and does
//! no harm. Headings become steps; shell blocks `run`s, a console transcript's commands (its
//! output a comment, or a `check` where it is plainly an expectation); sessions the text opens
//! (`ssh HOST`, `oc rsh`, `su -`, `psql`) decide where the commands after them run; danger in
//! words or in commands an approval gate; alternatives and conditions params; placeholders
//! required params; a rollback section the procedure's `rollback`. Whatever cannot be mapped
//! (never-ending or interactive commands, foreign shells) stays, as a `# review:` comment where
//! it was.

mod block;
mod command;
mod cues;
mod danger;
mod draft;
mod emit;
mod endless;
mod markdown;
mod params;
mod render;
mod session;
mod shell;
mod structure;
mod text;

pub use emit::{Imported, Summary};

/// The runbook a markdown document makes, and what became of its commands.
pub fn import(markdown: &str, stem: &str) -> Imported {
    let doc = markdown::parse(markdown);
    let read = emit::read(&doc, stem);
    render::render(read, &doc, stem)
}
