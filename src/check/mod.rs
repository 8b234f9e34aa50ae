//! Static checks: everything that can be known before anything runs, reported all at once.

pub mod builtins;
mod callgraph;
mod calls;
pub mod error;
mod expr;
mod inventory;
mod items;
mod modules;
pub mod names;
pub mod notify;
mod scope;
mod settings;
mod step;
mod stmts;
mod suggest;
mod template;
pub mod types;

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use error::Error;
pub use modules::{FnInfo, ModuleSig};
pub use suggest::closest as closest_name;

use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{self, ast};
use names::Names;
use scope::Scope;
use types::Ty;

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Flag every `| raw` interpolation.
    pub strict: bool,
}

/// A diagnostic and the file it points into.
#[derive(Debug)]
pub enum Problem {
    Parse(FileId, syntax::Error),
    Check(FileId, Error),
    /// A later stage's refusal pointing into the file: the runbook is valid but cannot
    /// start as asked (params, secrets, hosts). Boxed, so check knows nothing of the plan.
    Later(FileId, Box<dyn miette::Diagnostic + Send + Sync>),
}

impl Problem {
    pub fn file(&self) -> FileId {
        match self {
            Problem::Parse(f, _) | Problem::Check(f, _) | Problem::Later(f, _) => *f,
        }
    }

    pub fn is_warning(&self) -> bool {
        matches!(self, Problem::Check(_, e) if e.is_warning())
    }

    pub fn diagnostic(&self) -> &dyn miette::Diagnostic {
        match self {
            Problem::Parse(_, e) => e,
            Problem::Check(_, e) => e,
            Problem::Later(_, e) => e.as_ref(),
        }
    }
}

/// For each step, the captures of other steps it needs (reads without a `??` fallback), as
/// (step, name): what a selection must not leave out while keeping the step.
pub type CaptureReads = BTreeMap<String, BTreeSet<(String, String)>>;

/// What a checked file is.
#[derive(Debug, Clone, PartialEq)]
pub enum Summary {
    Runbook { name: String, steps: usize },
    Module { functions: usize },
}

/// What `check` found in one file: every problem, the tree, and what the file is.
#[derive(Debug)]
pub struct Verdict {
    pub problems: Vec<Problem>,
    /// The tree, when the file parsed.
    pub ast: Option<ast::File>,
    pub summary: Option<Summary>,
    pub modules: HashMap<String, ModuleSig>,
    pub reads: CaptureReads,
    /// What each name read means, in the runbook and in every module it uses.
    pub names: Names,
    /// The inventory the runbook runs against, when it has one.
    pub inventory: Option<crate::inventory::Inventory>,
}

impl Verdict {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| !p.is_warning())
    }
}

/// Parses and checks `file`, loading the stdlib modules it uses into `sources`.
pub fn check_file(sources: &mut SourceMap, file: FileId, options: Options) -> Verdict {
    check_runbook(sources, file, options, None)
}

/// Like `check_file`, against the inventory `inventory` (the command line's) rather than the
/// one the runbook declares.
pub fn check_runbook(
    sources: &mut SourceMap,
    file: FileId,
    options: Options,
    inventory: Option<&std::path::Path>,
) -> Verdict {
    let text = sources.text(file).to_string();
    let ast = match syntax::parse(&text, file) {
        Ok(ast) => ast,
        Err(errors) => {
            return Verdict {
                problems: errors
                    .into_iter()
                    .map(|e| Problem::Parse(file, e))
                    .collect(),
                ast: None,
                summary: None,
                modules: HashMap::new(),
                reads: CaptureReads::new(),
                names: Names::default(),
                inventory: None,
            }
        }
    };
    let mut loader = modules::Loader::new(options);
    let mut problems = Vec::new();
    let imported = loader.load_uses(sources, file, &ast, &mut problems);
    let inventory = inventory::load(sources, file, &ast, inventory, &mut problems);
    if let Some(inv) = &inventory {
        inventory::check_members(inv, &declared_hosts(&ast), &mut problems);
    }
    let mut checker = Checker::new(file, options, &imported);
    checker.inventory = inventory.as_ref();
    checker.inventory_failed = inventory.is_none() && problems.iter().any(is_inventory_problem);
    let checked = checker.run(&ast);
    problems.extend(checked.errors.into_iter().map(|e| Problem::Check(file, e)));
    // The run needs the modules its modules use too (a team module calling `std.http`).
    let mut modules = loader.everything();
    modules.extend(imported);
    let mut names = checked.names;
    for module in modules.values() {
        names.extend(&module.names);
    }
    Verdict {
        problems,
        ast: Some(ast),
        summary: Some(checked.summary),
        reads: checked.reads,
        names,
        inventory,
        modules,
    }
}

fn is_inventory_problem(p: &Problem) -> bool {
    match p {
        Problem::Check(_, e) => matches!(e, Error::InventoryUnreadable { .. }),
        Problem::Later(_, e) => e
            .code()
            .is_some_and(|c| c.to_string().starts_with("runbook::inventory::")),
        Problem::Parse(..) => false,
    }
}

/// The hosts a runbook declares itself.
fn declared_hosts(ast: &ast::File) -> Vec<String> {
    ast.stmts
        .iter()
        .filter_map(|s| match &s.node {
            ast::Stmt::Host(h) => Some(h.name.node.clone()),
            _ => None,
        })
        .collect()
}

/// One pass over one file. Fields are the state of that pass.
struct Checker<'m> {
    file: FileId,
    options: Options,
    modules: &'m HashMap<String, ModuleSig>,
    /// Hosts and groups the runbook did not declare, with their variables.
    inventory: Option<&'m crate::inventory::Inventory>,
    /// The hosts the step being checked runs on, when known: what `host.NAME` is read from.
    step_hosts: Option<Vec<String>>,
    /// An inventory was named but could not be read: its hosts are unknown, not missing.
    inventory_failed: bool,
    /// Each group's members, when written out (not computed from a param).
    group_members: HashMap<String, Option<Vec<String>>>,
    scope: Scope,
    errors: Vec<Error>,
    fns: HashMap<String, FnInfo>,
    /// Where we are: decides what is allowed and where `let` binds.
    place: Place,
    /// The step being checked, and whether a guard may skip it.
    step: Option<(String, bool)>,
    /// Checking a step's head: its settings are computed before the first step.
    step_head: bool,
    /// The `fn` being checked: calls are recorded for recursion and effects.
    current_fn: Option<String>,
    /// Types of the `return`s of the `fn` being checked.
    returns: Vec<Ty>,
    /// Top-level calls of user functions, judged once we know which of them run commands.
    top_level_calls: Vec<(String, Span)>,
    /// Every step capture and its step, to explain a use before the step that sets it.
    later_captures: HashMap<String, String>,
    /// Every step and the names it captures, for `STEP.NAME`.
    step_lets: HashMap<String, Vec<String>>,
    /// Which captures of other steps each step needs.
    reads: CaptureReads,
    /// What each name read means.
    names: Names,
    /// How many `if`/`for` blocks enclose the statement being checked.
    nesting: usize,
    /// How many `??` the expression being checked is the left side of.
    defaulted: usize,
    /// How many `{{ }}` enclose the expression being checked: rendering runs nothing.
    in_template: usize,
    /// Calls of user functions inside `{{ }}`, judged once we know which run commands.
    template_calls: Vec<(String, Span)>,
}

/// The result of one pass.
struct Checked {
    summary: Summary,
    errors: Vec<Error>,
    fns: HashMap<String, FnInfo>,
    reads: CaptureReads,
    names: Names,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    TopLevel,
    Step,
    Rollback,
    /// An `on_failure` or `always` block of a step.
    Cleanup,
    Fn,
}

impl Place {
    fn describe(self) -> &'static str {
        match self {
            Place::TopLevel => "at the top level",
            Place::Step => "inside a step",
            Place::Rollback => "inside a rollback block",
            Place::Cleanup => "inside an `on_failure` or `always` block",
            Place::Fn => "inside a function",
        }
    }
}

impl<'m> Checker<'m> {
    fn new(file: FileId, options: Options, modules: &'m HashMap<String, ModuleSig>) -> Self {
        Checker {
            file,
            options,
            modules,
            inventory: None,
            step_hosts: None,
            inventory_failed: false,
            group_members: HashMap::new(),
            scope: Scope::default(),
            errors: Vec::new(),
            fns: HashMap::new(),
            place: Place::TopLevel,
            step: None,
            step_head: false,
            current_fn: None,
            returns: Vec::new(),
            top_level_calls: Vec::new(),
            later_captures: HashMap::new(),
            step_lets: HashMap::new(),
            reads: CaptureReads::new(),
            names: Names::default(),
            nesting: 0,
            defaulted: 0,
            in_template: 0,
            template_calls: Vec::new(),
        }
    }

    fn error(&mut self, e: Error) {
        self.errors.push(e);
    }

    fn run(mut self, file: &ast::File) -> Checked {
        let summary = self.check_file(file);
        Checked {
            summary,
            errors: self.errors,
            fns: self.fns,
            reads: self.reads,
            names: self.names,
        }
    }
}
