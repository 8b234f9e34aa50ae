//! Evaluates the AST: expressions, statements and calls. Commands go to the step's
//! transport; everything the user should see goes out as masked events.

mod calls;
mod captures;
mod dry;
mod expr;
mod gate;
mod names;
mod render;
mod secret_words;
mod stmts;
mod tell;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::event::{Event, Observer};
use super::mask::Masker;
use super::transport::Transport;
use super::value::Value;
use crate::journal::{Record, Writer};
use crate::plan::doc::Action;
use crate::plan::Plan;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{self, Block, FnDef, Stmt};

/// Why a step did not complete.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    Command {
        command: String,
        code: i32,
        stderr: String,
    },
    Check {
        message: String,
    },
    Fail {
        message: String,
    },
    WaitTimeout {
        condition: String,
        timeout: Duration,
        /// Why the last try could not tell, when it failed instead of being false.
        last_error: Option<String>,
    },
    /// A command hit the step's deadline (turned into `StepTimeout` by the executor).
    TimedOut,
    /// The step ran longer than its `timeout`.
    StepTimeout(Duration),
    Interrupted,
    /// A value was not what the operation needs (only knowable at run time).
    Eval {
        message: String,
    },
    Transport {
        message: String,
    },
    /// The host could not be reached, or the connection to it was lost.
    Unreachable {
        message: String,
    },
    /// The connection broke while `command` ran: it may have partly happened. A step marked
    /// `disconnects` expects this (a reboot) and ends as done.
    Dropped {
        command: String,
        message: String,
    },
    AwaitingApproval {
        message: String,
        dangerous: bool,
    },
    Declined,
    /// Someone allowed to decide said no, through `runbook approve --deny`.
    Denied {
        by: String,
        reason: String,
    },
    /// The journal could not be written: nothing more may run.
    Journal {
        message: String,
    },
}

impl Failure {
    /// One line for the step's status and the summary table.
    pub fn note(&self) -> String {
        match self {
            Failure::Command {
                command,
                code,
                stderr,
            } => {
                let last = stderr
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("");
                let command = one_line(command, 60);
                if stderr.contains("sudo: a password is required") {
                    format!("`{command}`: sudo needs a password here, and a run cannot type one (it uses `sudo -n`): allow this command without a password (NOPASSWD)")
                } else if *code == 127 {
                    let detail = if last.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", one_line(last, 80))
                    };
                    format!("`{command}`: command not found (exit 127){detail}")
                } else if last.is_empty() {
                    format!("`{command}` exited with {code}")
                } else {
                    format!("`{command}` exited with {code}: {}", one_line(last, 80))
                }
            }
            Failure::Check { message } | Failure::Fail { message } | Failure::Eval { message } => {
                message.clone()
            }
            Failure::WaitTimeout {
                condition,
                timeout,
                last_error,
            } => match last_error {
                Some(e) => format!(
                    "`{condition}` not true after {}: the last try failed: {e}",
                    ast::human_duration(*timeout)
                ),
                None => format!(
                    "`{condition}` still false after {}",
                    ast::human_duration(*timeout)
                ),
            },
            Failure::TimedOut => "timed out".into(),
            Failure::StepTimeout(d) => format!("timed out after {}", ast::human_duration(*d)),
            Failure::Interrupted => "interrupted".into(),
            Failure::Transport { message } | Failure::Unreachable { message } => message.clone(),
            Failure::Dropped { command, message } => format!(
                "{message} while `{}` ran: it may have partly happened (a step that reboots the host or restarts its network says so with `disconnects`)",
                one_line(command, 80)
            ),
            Failure::AwaitingApproval { message, .. } => format!("awaiting approval: {message}"),
            Failure::Declined => "approval declined".into(),
            Failure::Denied { by, reason } if reason.is_empty() => format!("denied by {by}"),
            Failure::Denied { by, reason } => format!("denied by {by}: {reason}"),
            Failure::Journal { message } => format!("journal: {message}"),
        }
    }
}

fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max).collect::<String>())
    }
}

/// What a block did when it ended normally.
#[derive(Debug)]
pub enum Flow {
    Next,
    Return(Value),
}

pub type Outcome<T> = Result<T, Failure>;

/// How approval gates are answered this run.
#[derive(Debug, Clone, Default)]
pub struct Approvals {
    /// `--yes`: every gate that is not dangerous.
    pub yes: bool,
    /// `--approve STEP`: the gates of these steps, dangerous or not.
    pub steps: Vec<String>,
    /// `--wait [LIMIT]`: a gate waits for `runbook approve` (at most LIMIT) instead of
    /// asking here or pausing.
    pub wait: Option<Option<std::time::Duration>>,
}

/// Services a run shares: the async runtime, Ctrl-C, the observer, the masker.
#[derive(Debug, Clone)]
pub struct Services<'a> {
    pub runtime: &'a tokio::runtime::Runtime,
    pub stop: watch::Receiver<bool>,
    pub observer: &'a dyn Observer,
    pub masker: Masker,
    pub verbose: bool,
    /// `-vv`: each command's exit code and time, each journal record as it is written.
    pub debug: bool,
    pub sources: &'a SourceMap,
    pub approvals: Approvals,
}

/// The step and host commands currently go to.
#[derive(Debug)]
pub struct Target<'a> {
    pub step: String,
    pub host: String,
    pub transport: &'a dyn Transport,
    pub deadline: Option<Instant>,
    /// Guards decide; their commands' output is not the step's (shown with `-v` only).
    pub quiet: bool,
    /// The step's `sudo` modifier: every command it runs goes through `sudo -n`.
    pub sudo: bool,
}

impl<'a> Target<'a> {
    /// The same target for commands whose output is shown only with `-v`: guards, checks.
    pub fn quieted(&self, verbose: bool) -> Target<'a> {
        Target {
            quiet: !verbose,
            step: self.step.clone(),
            host: self.host.clone(),
            ..*self
        }
    }
}

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
