//! Evaluates the AST: expressions, statements and calls. Commands go to the step's
//! transport; everything the user should see goes out as masked events.

mod calls;
mod captures;
mod dry;
mod expr;
mod failure;
mod gate;
mod names;
mod render;
mod secret_words;
mod services;
mod stmts;
mod tell;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::event::Event;
use super::value::Value;
use crate::journal::{Record, Writer};
use crate::plan::doc::Action;
use crate::plan::Plan;
use crate::source::Span;
use crate::syntax::ast::{self, Block, FnDef, Stmt};

pub use failure::Failure;
pub use services::{Approvals, Services, Target, Wait};

/// What a block did when it ended normally.
#[derive(Debug)]
pub enum Flow {
    Next,
    Return(Value),
}

pub type Outcome<T> = Result<T, Failure>;

/// A scope of local names: a function body (which sees nothing of its caller) or a
/// rollback block (which sees the step's captures).
#[derive(Debug)]
pub(super) struct Frame {
    vars: HashMap<String, Value>,
    kind: FrameKind,
}

/// What a frame is the scope of, which decides what it sees past its own names.
#[derive(Debug)]
pub(super) enum FrameKind {
    /// A rollback block: the step's captures, then the globals.
    Rollback,
    /// The block of an `if` or a `for`: what encloses it.
    Nested,
    /// A function of the runbook: the runbook's globals only.
    RunbookFunction,
    /// A function (or the top-level values) of a module: that module's globals only.
    ModuleFunction(String),
}

#[derive(Debug)]
pub struct Interpreter<'a> {
    plan: &'a Plan,
    pub services: Services<'a>,
    globals: Arc<HashMap<String, Value>>,
    /// Top-level values of stdlib modules, by module.
    module_globals: Arc<HashMap<String, HashMap<String, Value>>>,
    /// What steps captured; on a group, each host's rollback and later steps see the
    /// value captured on that host.
    captures: captures::Captures,
    /// The host the current step (or rollback, or guard) runs on.
    current_host: Option<String>,
    /// The step running: its own captures come first for a bare name.
    current_step: Option<String>,
    /// `host` in a step: the current host as a value (`host.name`).
    host_value: Option<Value>,
    frames: Vec<Frame>,
    fns: Arc<HashMap<&'a str, &'a FnDef>>,
    module_fns: Arc<HashMap<(&'a str, &'a str), &'a FnDef>>,
    /// `host` of each inventory host, its variables made values once.
    host_values: Arc<HashMap<String, Value>>,
    /// Where every transition is recorded; `None` for runs without a journal. Shared by
    /// the interpreters of a fan-out's hosts.
    pub journal: Option<Arc<Mutex<Writer>>>,
    /// Who approves gates, for the journal (`$USER` or `--as`).
    pub approver: String,
    pub run_id: String,
    /// What a plan walk has written down so far; `None` when the run is real.
    pub(super) dry: Option<Dry>,
    /// How a statement is walked: run, or written into a plan. Chosen once, when the
    /// interpreter is made for one or the other, so no statement asks which it is.
    pub(super) walk: Walk<'a>,
    /// Where captures made from secrets are locked (beside the journal).
    pub vault: Option<crate::journal::vault::Vault>,
    /// Where gates are published for `runbook approve`; `None` for runs without a journal.
    pub inbox: Option<crate::journal::gates::Gates>,
    /// `notify` channels, their URLs evaluated; told only by runs with a journal.
    pub channels: Arc<Vec<crate::exec::notify::Channel>>,
    /// The gate this session already told the channels about.
    pub told_gate: Option<String>,
    /// The last step that failed, and why: what a `failed` notification says.
    pub last_failure: Option<(String, String, String)>,
    /// The statements a failure came out of, innermost first (a stdlib function's `run`,
    /// then the runbook's line that called it): where the diagnostic points.
    pub failed_at: Vec<Span>,
    /// Every step's settings, resolved before the first step.
    pub settings: Arc<crate::plan::settings::Settings>,
}

/// A statement walker: `Interpreter::live_stmt` or the plan's `Interpreter::dry_stmt`.
pub(super) type Walk<'a> = fn(&mut Interpreter<'a>, &Stmt, Option<&Target>) -> Outcome<Flow>;

/// What a dry run has seen so far: nested lists of actions (a `check`'s commands inside
/// the check), and the last step's rollback.
#[derive(Debug, Default)]
pub struct Dry {
    stack: Vec<Vec<Action>>,
    rollback: Vec<Action>,
    on_failure: Vec<Action>,
    always: Vec<Action>,
}

impl<'a> Interpreter<'a> {
    pub fn new(plan: &'a Plan, services: Services<'a>) -> Self {
        let mut fns = HashMap::new();
        for stmt in &plan.ast.stmts {
            if let Stmt::Fn(f) = &stmt.node {
                fns.insert(f.name.node.as_str(), f);
            }
        }
        let mut module_fns = HashMap::new();
        for (name, module) in &plan.modules {
            for stmt in &module.ast.stmts {
                if let Stmt::Fn(f) = &stmt.node {
                    module_fns.insert((name.as_str(), f.name.node.as_str()), f);
                }
            }
        }
        Interpreter {
            plan,
            services,
            host_values: Arc::new(host_values(plan)),
            globals: Arc::default(),
            module_globals: Arc::default(),
            captures: captures::Captures::default(),
            current_host: None,
            current_step: None,
            host_value: None,
            frames: Vec::new(),
            fns: Arc::new(fns),
            module_fns: Arc::new(module_fns),
            journal: None,
            approver: crate::journal::user(),
            run_id: String::new(),
            dry: None,
            walk: Interpreter::live_stmt,
            failed_at: Vec::new(),
            vault: None,
            inbox: None,
            channels: Arc::default(),
            told_gate: None,
            last_failure: None,
            settings: Arc::default(),
        }
    }

    /// Appends a record, synced; a journal that cannot be written stops the run.
    pub fn record(&mut self, record: &Record) -> Outcome<()> {
        let Some(journal) = &self.journal else {
            return Ok(());
        };
        let mut writer = journal.lock().unwrap_or_else(|p| p.into_inner());
        writer.write(record).map_err(|e| Failure::Journal {
            message: e.to_string(),
        })?;
        drop(writer);
        if self.services.debug {
            let fields = serde_json::to_value(record).unwrap_or_default();
            let text = |key: &str| fields[key].as_str().map(str::to_string);
            self.emit(Event::Journaled {
                record: text("type").unwrap_or_default(),
                step: text("step"),
                host: text("host"),
            });
        }
        Ok(())
    }

    /// The step's settings, as resolved before the first step.
    pub fn settings_of(&self, step: &str) -> crate::plan::settings::StepSettings {
        self.settings.get(step).cloned().unwrap_or_default()
    }

    /// An interpreter for one host of a fan-out: the same values (shared: they are set
    /// before the first step), its own scopes and its own copy of the captures.
    pub fn fork(&self) -> Interpreter<'a> {
        Interpreter {
            plan: self.plan,
            services: self.services.clone(),
            globals: self.globals.clone(),
            module_globals: self.module_globals.clone(),
            captures: self.captures.clone(),
            current_host: None,
            current_step: None,
            host_value: None,
            frames: Vec::new(),
            fns: self.fns.clone(),
            module_fns: self.module_fns.clone(),
            host_values: self.host_values.clone(),
            journal: self.journal.clone(),
            approver: self.approver.clone(),
            run_id: self.run_id.clone(),
            dry: None,
            walk: Interpreter::live_stmt,
            settings: self.settings.clone(),
            failed_at: Vec::new(),
            vault: self.vault.clone(),
            inbox: self.inbox.clone(),
            channels: self.channels.clone(),
            told_gate: None,
            last_failure: None,
        }
    }

    /// Takes the captures a fork made (the last host's value wins for a shared name).
    pub fn merge_captures(&mut self, fork: &Interpreter) {
        self.captures.merge(&fork.captures);
    }

    /// Restores a capture from the journal of an earlier session.
    pub fn restore_capture(&mut self, host: &str, step: &str, name: &str, value: Value) {
        self.captures.insert(Some(host), step, name, value);
    }

    pub fn set_global(&mut self, name: &str, value: Value) {
        Arc::make_mut(&mut self.globals).insert(name.to_string(), value);
    }

    /// Evaluates the top-level `let`s of the runbook and its modules, in order.
    pub fn init_values(&mut self) -> Result<(), (String, Failure)> {
        for (name, module) in &self.plan.modules {
            self.frames.push(Frame {
                vars: HashMap::new(),
                kind: FrameKind::ModuleFunction(name.clone()),
            });
            let mut values = HashMap::new();
            for stmt in &module.ast.stmts {
                if let Stmt::Let(l) = &stmt.node {
                    let v = self
                        .eval(&l.value, None)
                        .map_err(|f| (format!("std.{name}.{}", l.name.node), f))?;
                    self.frames
                        .last_mut()
                        .map(|f| f.vars.insert(l.name.node.clone(), v.clone()));
                    values.insert(l.name.node.clone(), v);
                }
            }
            self.frames.pop();
            Arc::make_mut(&mut self.module_globals).insert(name.clone(), values);
        }
        for stmt in &self.plan.ast.stmts {
            if let Stmt::Let(l) = &stmt.node {
                let v = self
                    .eval(&l.value, None)
                    .map_err(|f| (l.name.node.clone(), f))?;
                Arc::make_mut(&mut self.globals).insert(l.name.node.clone(), v);
            }
        }
        Ok(())
    }

    /// `STEP.NAME` as the current host has it: `None` when `step` is not a step, or did
    /// not capture it (skipped, or not run yet).
    fn step_capture(&self, step: &str, name: &str) -> Option<&Value> {
        self.captures
            .of_step(self.current_host.as_deref(), step, name)
    }

    /// A capture as the given host has it (falling back to the last value captured).
    pub fn capture_on(&self, host: &str, step: &str, name: &str) -> Option<&Value> {
        self.captures.of_step(Some(host), step, name)
    }

    /// Commands from here on run for `target`: its step's and host's captures come first.
    fn enter(&mut self, target: &Target) {
        self.current_step = Some(target.step.clone());
        self.set_host(&target.host);
    }

    /// Commands from here on run on `host`: its captures come first.
    pub fn set_host(&mut self, host: &str) {
        self.current_host = Some(host.to_string());
        let value = self.host_values.get(host).cloned().unwrap_or_else(|| {
            let name = ("name".to_string(), Value::Str(host.to_string()));
            Value::Map(std::iter::once(name).collect())
        });
        self.host_value = Some(value);
    }

    /// The module whose function is running, if any: unqualified calls resolve there.
    fn current_module(&self) -> Option<&str> {
        for frame in self.frames.iter().rev() {
            match &frame.kind {
                FrameKind::ModuleFunction(m) => return Some(m),
                FrameKind::RunbookFunction => return None,
                FrameKind::Rollback | FrameKind::Nested => {}
            }
        }
        None
    }

    fn bind(&mut self, name: &str, value: Value) {
        match self.frames.last_mut() {
            Some(frame) => {
                frame.vars.insert(name.to_string(), value);
            }
            None => {
                let step = self.current_step.clone().unwrap_or_default();
                self.captures
                    .insert(self.current_host.as_deref(), &step, name, value);
            }
        }
    }

    /// The source text of a span, for messages such as "`http.ok(url)` still false".
    pub(crate) fn source_text(&self, span: Span) -> String {
        let text = self.services.sources.text(span.file);
        text.get(span.range()).unwrap_or("").to_string()
    }

    /// Why the command line's selection leaves `step` out, if it does.
    pub fn left_out(&self, step: &str) -> Option<&str> {
        self.plan.left_out.get(step).map(String::as_str)
    }

    /// The runbook's own file (not a module's).
    pub fn main_file(&self) -> crate::source::FileId {
        self.plan.file
    }

    fn emit(&self, event: Event) {
        self.services.observer.event(event);
    }

    fn interrupted(&self) -> bool {
        *self.services.stop.borrow()
    }

    /// Runs a step's body (or a rollback block) for one target.
    pub fn run_block(&mut self, block: &Block, target: &Target) -> Outcome<()> {
        self.enter(target);
        self.block(block, Some(target)).map(|_| ())
    }

    /// Runs a rollback block: its `let`s stay inside it.
    pub fn run_rollback(&mut self, block: &Block, target: &Target) -> Outcome<()> {
        self.enter(target);
        self.frames.push(Frame {
            vars: HashMap::new(),
            kind: FrameKind::Rollback,
        });
        let result = self.block(block, Some(target));
        self.frames.pop();
        result.map(|_| ())
    }

    /// Evaluates a guard on the step's target.
    pub fn guard(&mut self, e: &ast::Node<ast::Expr>, target: &Target) -> Outcome<bool> {
        match crate::exec::taint::reveal(self.guard_value(e, target)?, &mut Vec::new()) {
            Value::Bool(b) => Ok(b),
            other => Err(Failure::Eval {
                message: format!("the guard is {}, not a bool", other.type_name()),
            }),
        }
    }

    /// A guard's value: a bool, or in a dry run possibly unknown. Its commands' output
    /// is not the step's (shown with `-v` only).
    pub fn guard_value(&mut self, e: &ast::Node<ast::Expr>, target: &Target) -> Outcome<Value> {
        self.enter(target);
        let quiet = target.quieted(self.services.verbose);
        self.eval(e, Some(&quiet))
    }

    /// Evaluates an expression outside any step (secret sources).
    pub fn evaluate(&mut self, e: &ast::Node<ast::Expr>) -> Outcome<Value> {
        self.eval(e, None)
    }

    /// A step's title; falls back to its text when a value in it is not known yet.
    pub fn title(&mut self, t: &ast::Template) -> String {
        self.render(t, false).map(|r| r.shown).unwrap_or_else(|_| {
            crate::syntax::tree::template(t)
                .trim_matches('"')
                .to_string()
        })
    }

    pub fn guard_text(&self, e: &ast::Node<ast::Expr>) -> String {
        self.source_text(e.span)
    }
}

/// `host` for each inventory host: its variables, then `name` (which no variable replaces).
fn host_values(plan: &Plan) -> HashMap<String, Value> {
    let Some(inv) = &plan.inventory else {
        return HashMap::new();
    };
    inv.hosts
        .iter()
        .map(|(name, h)| {
            let mut fields: std::collections::BTreeMap<String, Value> = h
                .vars
                .iter()
                .map(|(k, v)| (k.clone(), crate::value::from_json(v.clone())))
                .collect();
            fields.insert("name".to_string(), Value::Str(name.clone()));
            (name.clone(), Value::Map(fields))
        })
        .collect()
}
