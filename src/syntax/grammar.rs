//! The pest parser generated from `grammar/runbook.pest`.

#[derive(Debug, pest_derive::Parser)]
#[grammar = "../grammar/runbook.pest"]
pub struct Grammar;
