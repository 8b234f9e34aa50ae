//! A step as the executor drives it, and how its run on one host ended.

use crate::plan;
use crate::syntax::ast;

/// A step as the executor drives it: its head from the plan, its body from the tree.
#[derive(Clone, Copy)]
pub struct Planned<'p> {
    pub head: &'p plan::Step,
    pub tree: &'p ast::Step,
}

impl<'p> Planned<'p> {
    /// Every step of the plan, in order.
    pub fn all(plan: &'p plan::Plan) -> impl Iterator<Item = Planned<'p>> {
        plan.steps.iter().map(move |head| Planned {
            head,
            tree: plan.tree(head),
        })
    }
}

/// How a step ended on one host, when it did not fail.
pub(super) enum StepEnd {
    Done,
    Skipped(String),
}
