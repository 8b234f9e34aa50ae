//! The typed syntax tree. Plain data with spans: nothing here knows about pest or execution.

use std::time::Duration;

use crate::source::{Span, Spanned};

pub type Name = Spanned<String>;
pub type Node<T> = Spanned<T>;

/// A parsed file: a runbook, or a module of `fn`s such as the stdlib's.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// `##!` lines at the top: what a module is for.
    pub doc: Option<String>,
    pub stmts: Vec<Node<Stmt>>,
}

/// Anything that may stand on its own line. Where each kind may appear is `check`'s business.
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    Header(Header),
    Use(Use),
    /// `inventory "hosts.toml"`: the file, as written.
    Inventory(Node<String>),
    /// `notify webhook(url, ...)`: a channel told of the run's turns.
    Notify(Node<Expr>),
    /// `lock hosts`: what the run locks beyond its runbook (only `hosts` so far).
    Lock(Name),
    Param(Param),
    Secret(Secret),
    Host(Host),
    Group(Group),
    Let(Let),
    Fn(FnDef),
    Step(Step),
    Expr(Node<Expr>),
    Check(Check),
    WaitUntil(WaitUntil),
    Approve(Approve),
    Rollback(Block),
    /// `on_failure { }`: run on the host where the step failed, before the rollbacks.
    OnFailure(Block),
    /// `always { }`: run at the end of the step, whether it succeeded or failed.
    Always(Block),
    If(If),
    For(For),
    Log(Node<Expr>),
    Fail(Node<Expr>),
    Return(Node<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub doc: Option<String>,
    pub name: Name,
    pub title: Node<Template>,
}

/// `use std.http`: `path` is every dotted segment; the last one is the name it binds.
#[derive(Debug, Clone, PartialEq)]
pub struct Use {
    pub path: Vec<Name>,
    /// `use "lib/ops.rb" as ops`: the file (as written), and `path` is the name it binds.
    pub file: Option<Node<String>>,
}

impl Use {
    pub fn dotted(&self) -> String {
        if let Some(f) = &self.file {
            return format!(
                "\"{}\" as {}",
                f.node,
                self.path
                    .iter()
                    .map(|p| p.node.as_str())
                    .collect::<String>()
            );
        }
        self.path
            .iter()
            .map(|p| p.node.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub doc: Option<String>,
    pub name: Name,
    pub ty: Option<Name>,
    pub default: Option<Node<Expr>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Secret {
    pub name: Name,
    pub source: Node<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    pub doc: Option<String>,
    pub name: Name,
    pub target: Node<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: Name,
    pub members: Node<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    pub name: Name,
    pub value: Node<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FnDef {
    pub doc: Option<String>,
    pub name: Name,
    pub params: Vec<FnParam>,
    pub body: Block,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FnParam {
    pub name: Name,
    pub default: Option<Node<Expr>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub stmts: Vec<Node<Stmt>>,
    /// The closing brace, where "missing ..." problems of the block point.
    pub close: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub doc: Option<String>,
    pub id: Name,
    pub title: Node<Template>,
    pub modifiers: Vec<Node<Modifier>>,
    pub body: Block,
}

impl Step {
    /// The step's tags (`tags [db, web]`), none when it has no `tags`.
    pub fn tags(&self) -> impl Iterator<Item = &str> {
        self.modifiers
            .iter()
            .filter_map(|m| match &m.node {
                Modifier::Tags(t) => Some(t.iter().map(|n| n.node.as_str())),
                _ => None,
            })
            .flatten()
    }

    /// Whether the step carries the `sudo` modifier.
    pub fn sudo(&self) -> bool {
        self.modifiers.iter().any(|m| m.node == Modifier::Sudo)
    }

    /// Whether the step says its command may cut the connection (`disconnects`).
    pub fn disconnects(&self) -> bool {
        self.modifiers
            .iter()
            .any(|m| m.node == Modifier::Disconnects)
    }
}

/// What may follow a step's title, in any order; duplicates are reported by `check`.
#[derive(Debug, Clone, PartialEq)]
pub enum Modifier {
    On(Name),
    When(Node<Expr>),
    Unless(Node<Expr>),
    Parallel(Setting<u32>),
    MaxFail(Setting<FailBudget>),
    Timeout(Setting<Duration>),
    Retry(Retry),
    /// Every command of the step (guards, checks and rollback included) under `sudo -n`.
    Sudo,
    /// A connection that drops while the step's command runs (a reboot, a network restart)
    /// ends the step as done instead of failing it.
    Disconnects,
    /// `tags [db, web]`: names `--tags` selects the step by.
    Tags(Vec<Name>),
}

impl Modifier {
    /// The keyword that introduces it, for messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            Modifier::On(_) => "on",
            Modifier::When(_) => "when",
            Modifier::Unless(_) => "unless",
            Modifier::Parallel(_) => "parallel",
            Modifier::MaxFail(_) => "max_fail",
            Modifier::Timeout(_) => "timeout",
            Modifier::Retry(_) => "retry",
            Modifier::Sudo => "sudo",
            Modifier::Disconnects => "disconnects",
            Modifier::Tags(_) => "tags",
        }
    }
}

/// `90s` -> `1m30s`, as a runbook would write it.
pub fn human_duration(d: Duration) -> String {
    let mut ms = d.as_millis();
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ] {
        if ms >= size {
            out.push_str(&format!("{}{unit}", ms / size));
            ms %= size;
        }
    }
    out
}

/// A step's or a `wait_until`'s setting: a literal, known as the runbook is read, or an
/// expression (a param, a value), computed when the step starts and typed by `check`.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting<T> {
    Fixed(Node<T>),
    Computed(Node<Expr>),
}

impl<T: Copy> Setting<T> {
    pub fn span(&self) -> Span {
        match self {
            Setting::Fixed(n) => n.span,
            Setting::Computed(e) => e.span,
        }
    }

    /// The literal, when it was written as one.
    pub fn fixed(&self) -> Option<T> {
        match self {
            Setting::Fixed(n) => Some(n.node),
            Setting::Computed(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FailBudget {
    Hosts(u32),
    Percent(u32),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Retry {
    pub times: Setting<u32>,
    pub every: Setting<Duration>,
    pub backoff: Option<Setting<f64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub condition: Node<Expr>,
    pub message: Option<Node<Expr>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WaitUntil {
    pub condition: Node<Expr>,
    pub every: Setting<Duration>,
    pub timeout: Setting<Duration>,
}

/// `if C { … } else if C { … } else { … }`: the branches in order, the first whose
/// condition holds runs; else `otherwise`, if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct If {
    pub branches: Vec<(Node<Expr>, Block)>,
    pub otherwise: Option<Block>,
}

/// `for NAME in LIST { … }`: the body once per item, `NAME` bound to it.
#[derive(Debug, Clone, PartialEq)]
pub struct For {
    pub name: Name,
    pub list: Node<Expr>,
    pub body: Block,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Approve {
    pub dangerous: bool,
    pub message: Node<Expr>,
    /// `by [...]`: who may approve (user or OS group names). A gate with `by` or `min`
    /// follows the two-person rule: who started the run cannot approve it.
    pub by: Option<Node<Vec<Node<Expr>>>>,
    /// `min N`: how many distinct approvers it needs.
    pub min: Option<Node<Expr>>,
}

impl Approve {
    /// A gate with a policy is answered by others, through `runbook approve`.
    pub fn has_policy(&self) -> bool {
        self.by.is_some() || self.min.is_some()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(Template),
    Int(i64),
    Float(f64),
    Bool(bool),
    Duration(Duration),
    List(Vec<Node<Expr>>),
    Map(Vec<(Name, Node<Expr>)>),
    Var(String),
    Field(Box<Node<Expr>>, Name),
    Index(Box<Node<Expr>>, Box<Node<Expr>>),
    /// `run(...)` is a call whose callee is `Var("run")`.
    Call(Box<Node<Expr>>, Vec<Arg>),
    Unary(UnaryOp, Box<Node<Expr>>),
    Binary(BinaryOp, Box<Node<Expr>>, Box<Node<Expr>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: Option<Name>,
    pub value: Node<Expr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    /// `a ?? b`: `b` when `a` has no value.
    Default,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Default => "??",
        }
    }
}

/// A string literal: text and `{{ }}` interpolations.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub parts: Vec<Node<Part>>,
}

impl Template {
    /// The text when there is no interpolation.
    pub fn as_plain(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match &part.node {
                Part::Text(text) => out.push_str(text),
                Part::Interpolation(_) => return None,
            }
        }
        Some(out)
    }

    pub fn interpolations(&self) -> impl Iterator<Item = &Interpolation> {
        self.parts.iter().filter_map(|p| match &p.node {
            Part::Interpolation(i) => Some(i),
            Part::Text(_) => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    Interpolation(Interpolation),
}

/// `{{ expr | filter(arg) }}`: any expression, e.g. `{{ r.stdout.trim() }}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Interpolation {
    pub value: Node<Expr>,
    pub filters: Vec<Filter>,
}

impl Interpolation {
    pub fn is_raw(&self) -> bool {
        self.filters.iter().any(|f| f.name.node == "raw")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub name: Name,
    pub args: Vec<Node<Expr>>,
    pub span: Span,
}
