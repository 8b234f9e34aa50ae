//! pest pairs -> typed AST: one function per rule. Shapes the grammar guarantees are
//! `unreachable!("rule ...")`; problems pest cannot see (bad escapes, huge numbers) are
//! collected so every one is reported.

mod expr;
mod string;

use std::cell::RefCell;
use std::time::Duration;

use pest::iterators::Pair;

use super::ast::*;
use super::error::Error;
use super::grammar::Rule;
use crate::source::{FileId, Span, Spanned};

pub struct Lowerer<'t> {
    text: &'t str,
    file: FileId,
    errors: RefCell<Vec<Error>>,
}

impl<'t> Lowerer<'t> {
    pub fn new(text: &'t str, file: FileId) -> Self {
        Lowerer {
            text,
            file,
            errors: RefCell::new(Vec::new()),
        }
    }

    pub fn finish(self) -> Vec<Error> {
        self.errors.into_inner()
    }

    fn error(&self, e: Error) {
        self.errors.borrow_mut().push(e);
    }

    /// The pair's span without the whitespace and comments pest lets trail inside it.
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.start() + trimmed_len(pair.as_str()))
    }

    fn name(&self, pair: Pair<Rule>) -> Name {
        Spanned::new(pair.as_str().to_string(), self.span(&pair))
    }

    pub fn file(&self, pair: Pair<Rule>) -> File {
        let stmts = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::stmt)
            .map(|p| self.stmt(p))
            .collect();
        File {
            doc: module_doc(self.text),
            stmts,
        }
    }

    fn stmt(&self, pair: Pair<Rule>) -> Node<Stmt> {
        let span = self.span(&pair);
        let body = next(&mut pair.into_inner(), "stmt body");
        let doc = doc_before(self.text, span.start as usize);
        Spanned::new(self.stmt_body(body, doc), span)
    }

    fn stmt_body(&self, p: Pair<Rule>, doc: Option<String>) -> Stmt {
        match p.as_rule() {
            Rule::header => {
                let mut it = p.into_inner();
                let _kw = it.next();
                let name = self.name(next(&mut it, "header name"));
                let title = self.string(next(&mut it, "header title"));
                Stmt::Header(Header { doc, name, title })
            }
            Rule::use_decl => {
                let target = next(&mut p.into_inner().skip(1), "use path");
                if target.as_rule() == Rule::module_file {
                    let mut it = target
                        .into_inner()
                        .filter(|p| !is_keyword_rule(p.as_rule()));
                    let file = next(&mut it, "module file");
                    let s = self.span(&file);
                    let file = self.string(file).node.as_plain().unwrap_or_default();
                    let name = self.name(next(&mut it, "module name"));
                    Stmt::Use(Use {
                        path: vec![name],
                        file: Some(Spanned::new(file, s)),
                    })
                } else {
                    Stmt::Use(Use {
                        path: target.into_inner().map(|n| self.name(n)).collect(),
                        file: None,
                    })
                }
            }
            Rule::inventory_decl => {
                let file = next(&mut p.into_inner().skip(1), "inventory file");
                let s = self.span(&file);
                let file = self.string(file).node.as_plain().unwrap_or_default();
                Stmt::Inventory(Spanned::new(file, s))
            }
            Rule::lock_decl => {
                let what = next(&mut p.into_inner().skip(1), "lock scope");
                Stmt::Lock(self.name(what))
            }
            Rule::notify_decl => {
                let channel = next(&mut p.into_inner().skip(1), "notify channel");
                Stmt::Notify(self.expr(channel))
            }
            Rule::param_decl => self.param(p, doc),
            Rule::secret_decl => {
                let (name, source) = self.binding(p);
                Stmt::Secret(Secret { name, source })
            }
            Rule::host_decl => {
                let (name, target) = self.binding(p);
                Stmt::Host(Host { doc, name, target })
            }
            Rule::group_decl => {
                let (name, members) = self.binding(p);
                Stmt::Group(Group { name, members })
            }
            Rule::let_decl => {
                let (name, value) = self.binding(p);
                Stmt::Let(Let { name, value })
            }
            Rule::fn_def => self.fn_def(p, doc),
            Rule::step_def => self.step(p, doc),
            Rule::run_stmt => Stmt::Expr(self.run_stmt(p)),
            Rule::check_stmt => {
                let mut it = p.into_inner().filter(|p| !is_keyword_rule(p.as_rule()));
                let condition = self.expr(next(&mut it, "check condition"));
                let message = it.next().map(|m| self.expr(m));
                Stmt::Check(Check { condition, message })
            }
            Rule::wait_stmt => {
                let mut it = p.into_inner().filter(|p| !is_keyword_rule(p.as_rule()));
                let condition = self.expr(next(&mut it, "wait_until condition"));
                let every = self.duration_setting(next(&mut it, "wait_until every"));
                let timeout = self.duration_setting(next(&mut it, "wait_until timeout"));
                Stmt::WaitUntil(WaitUntil {
                    condition,
                    every,
                    timeout,
                })
            }
            Rule::approve_stmt => {
                let mut dangerous = false;
                let (mut message, mut by, mut min) = (None, None, None);
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::dangerous => dangerous = true,
                        Rule::expr => message = Some(self.expr(c)),
                        Rule::approve_by => {
                            let list = next(&mut c.into_inner().skip(1), "approve_by list");
                            let span = self.span(&list);
                            let items = list.into_inner().map(|i| self.expr(i)).collect();
                            by = Some(Spanned::new(items, span));
                        }
                        Rule::approve_min => {
                            min = Some(self.expr(next(&mut c.into_inner().skip(1), "approve_min")))
                        }
                        _ => {}
                    }
                }
                let Some(message) = message else {
                    unreachable!("rule approve_stmt has a message")
                };
                Stmt::Approve(Approve {
                    dangerous,
                    message,
                    by,
                    min,
                })
            }
            Rule::rollback_stmt => {
                Stmt::Rollback(self.block(next(&mut p.into_inner().skip(1), "rollback block")))
            }
            Rule::on_failure_stmt => {
                Stmt::OnFailure(self.block(next(&mut p.into_inner().skip(1), "on_failure block")))
            }
            Rule::always_stmt => {
                Stmt::Always(self.block(next(&mut p.into_inner().skip(1), "always block")))
            }
            Rule::if_stmt => Stmt::If(self.if_stmt(p)),
            Rule::for_stmt => {
                let mut it = p.into_inner().filter(|p| !is_keyword_rule(p.as_rule()));
                let name = self.name(next(&mut it, "for name"));
                let list = self.expr(next(&mut it, "for list"));
                let body = self.block(next(&mut it, "for body"));
                Stmt::For(For { name, list, body })
            }
            Rule::log_stmt => Stmt::Log(self.keyword_expr(p)),
            Rule::fail_stmt => Stmt::Fail(self.keyword_expr(p)),
            Rule::return_stmt => Stmt::Return(self.keyword_expr(p)),
            Rule::expr_stmt => Stmt::Expr(self.expr(next(&mut p.into_inner(), "expr_stmt"))),
            r => unreachable!("rule stmt cannot hold {r:?}"),
        }
    }

    /// `if C { } else if C { } else { }`: the nested `if`s of an `else if` chain flattened.
    fn if_stmt(&self, p: Pair<Rule>) -> If {
        let mut it = p.into_inner().filter(|p| !is_keyword_rule(p.as_rule()));
        let condition = self.expr(next(&mut it, "if condition"));
        let block = self.block(next(&mut it, "if block"));
        let mut branches = vec![(condition, block)];
        let otherwise = match it.next() {
            Some(c) if c.as_rule() == Rule::if_stmt => {
                let rest = self.if_stmt(c);
                branches.extend(rest.branches);
                rest.otherwise
            }
            Some(c) => Some(self.block(c)),
            None => None,
        };
        If {
            branches,
            otherwise,
        }
    }

    /// `KEYWORD name = expr`
    fn binding(&self, p: Pair<Rule>) -> (Name, Node<Expr>) {
        let mut it = p.into_inner().skip(1);
        let name = self.name(next(&mut it, "binding name"));
        let value = self.expr(next(&mut it, "binding value"));
        (name, value)
    }

    fn keyword_expr(&self, p: Pair<Rule>) -> Node<Expr> {
        self.expr(next(&mut p.into_inner().skip(1), "keyword expression"))
    }

    fn param(&self, p: Pair<Rule>, doc: Option<String>) -> Stmt {
        let mut it = p.into_inner().skip(1);
        let name = self.name(next(&mut it, "param name"));
        let mut ty = None;
        let mut default = None;
        for c in it {
            match c.as_rule() {
                Rule::type_name => ty = Some(self.name(c)),
                Rule::expr => default = Some(self.expr(c)),
                r => unreachable!("rule param_decl cannot hold {r:?}"),
            }
        }
        Stmt::Param(Param {
            doc,
            name,
            ty,
            default,
        })
    }

    fn fn_def(&self, p: Pair<Rule>, doc: Option<String>) -> Stmt {
        let mut it = p.into_inner().skip(1);
        let name = self.name(next(&mut it, "fn name"));
        let params = next(&mut it, "fn params")
            .into_inner()
            .map(|fp| {
                let mut parts = fp.into_inner();
                let name = self.name(next(&mut parts, "fn param name"));
                let default = parts.next().map(|d| self.expr(d));
                FnParam { name, default }
            })
            .collect();
        let body = self.block(next(&mut it, "fn body"));
        Stmt::Fn(FnDef {
            doc,
            name,
            params,
            body,
        })
    }

    fn step(&self, p: Pair<Rule>, doc: Option<String>) -> Stmt {
        let mut it = p.into_inner().skip(1);
        let id = self.name(next(&mut it, "step id"));
        let title = self.string(next(&mut it, "step title"));
        let mut modifiers = Vec::new();
        let mut body = None;
        for c in it {
            if c.as_rule() == Rule::block {
                body = Some(self.block(c));
            } else {
                modifiers.push(self.modifier(c));
            }
        }
        let Some(body) = body else {
            unreachable!("rule step_def ends in a block")
        };
        Stmt::Step(Step {
            doc,
            id,
            title,
            modifiers,
            body,
        })
    }

    fn modifier(&self, p: Pair<Rule>) -> Node<Modifier> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut it = p.into_inner().filter(|p| !is_keyword_rule(p.as_rule()));
        let m = match rule {
            Rule::on_mod => Modifier::On(self.name(next(&mut it, "on target"))),
            Rule::when_mod => Modifier::When(self.expr(next(&mut it, "when guard"))),
            Rule::unless_mod => Modifier::Unless(self.expr(next(&mut it, "unless guard"))),
            Rule::parallel_mod => Modifier::Parallel(self.count(next(&mut it, "parallel count"))),
            Rule::max_fail_mod => {
                let c = next(&mut it, "max_fail budget");
                if c.as_rule() == Rule::percent {
                    let s = self.span(&c);
                    let p = self.small_int(c.as_str().trim_end_matches('%'), s);
                    Modifier::MaxFail(Setting::Fixed(Spanned::new(FailBudget::Percent(p), s)))
                } else {
                    Modifier::MaxFail(match self.count(c) {
                        Setting::Fixed(n) => Setting::Fixed(n.map_node(FailBudget::Hosts)),
                        Setting::Computed(e) => Setting::Computed(e),
                    })
                }
            }
            Rule::timeout_mod => {
                Modifier::Timeout(self.duration_setting(next(&mut it, "timeout duration")))
            }
            Rule::retry_mod => {
                let times = self.count(next(&mut it, "retry count"));
                let every = self.duration_setting(next(&mut it, "retry every"));
                let backoff = it.next().map(|b| self.factor(b));
                Modifier::Retry(Retry {
                    times,
                    every,
                    backoff,
                })
            }
            Rule::sudo_mod => Modifier::Sudo,
            Rule::disconnects_mod => Modifier::Disconnects,
            Rule::tags_mod => Modifier::Tags(it.map(|n| self.name(n)).collect()),
            r => unreachable!("rule step_modifier cannot be {r:?}"),
        };
        Spanned::new(m, span)
    }

    fn block(&self, p: Pair<Rule>) -> Block {
        let mut stmts = Vec::new();
        let mut close = self.span(&p);
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::stmt => stmts.push(self.stmt(c)),
                Rule::block_end => close = self.span(&c),
                r => unreachable!("rule block cannot hold {r:?}"),
            }
        }
        Block { stmts, close }
    }

    pub(super) fn duration(&self, p: Pair<Rule>) -> Node<Duration> {
        let s = self.span(&p);
        let d = super::parse_duration(p.as_str()).unwrap_or_else(|| {
            self.error(Error::NumberTooLarge { span: s.into() });
            Duration::ZERO
        });
        Spanned::new(d, s)
    }

    /// A count setting: an int literal, or an expression computed as the step starts.
    fn count(&self, p: Pair<Rule>) -> Setting<u32> {
        let e = self.expr(p);
        match e.node {
            Expr::Int(n) => Setting::Fixed(Spanned::new(
                u32::try_from(n).unwrap_or_else(|_| {
                    self.error(Error::NumberTooLarge {
                        span: e.span.into(),
                    });
                    0
                }),
                e.span,
            )),
            _ => Setting::Computed(e),
        }
    }

    /// A backoff factor: a number literal, or an expression.
    fn factor(&self, p: Pair<Rule>) -> Setting<f64> {
        let e = self.expr(p);
        match e.node {
            #[allow(clippy::cast_precision_loss)] // a backoff factor is a small number
            Expr::Int(n) => Setting::Fixed(Spanned::new(n as f64, e.span)),
            Expr::Float(f) => Setting::Fixed(Spanned::new(f, e.span)),
            _ => Setting::Computed(e),
        }
    }

    fn small_int(&self, digits: &str, span: Span) -> u32 {
        digits.parse().unwrap_or_else(|_| {
            self.error(Error::NumberTooLarge { span: span.into() });
            0
        })
    }

    /// A duration setting: a duration literal, or an expression.
    fn duration_setting(&self, p: Pair<Rule>) -> Setting<Duration> {
        let e = self.expr(p);
        match e.node {
            Expr::Duration(d) => Setting::Fixed(Spanned::new(d, e.span)),
            _ => Setting::Computed(e),
        }
    }
}

/// Length of `text` without trailing whitespace and `#` comments.
fn trimmed_len(text: &str) -> usize {
    let mut end = text.trim_end().len();
    loop {
        let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        match comment_start(&text[line_start..end]) {
            Some(at) => end = text[..line_start + at].trim_end().len(),
            None => return end,
        }
    }
}

/// Where a `#` comment starts on a line, outside strings.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'#' if !in_string => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The `## ` lines directly above `offset`, when it starts a line.
fn doc_before(text: &str, offset: usize) -> Option<String> {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    if !before[line_start..].trim().is_empty() {
        return None;
    }
    let mut lines: Vec<&str> = before[..line_start]
        .lines()
        .rev()
        .map_while(|l| doc_text(l, "##"))
        .collect();
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    Some(lines.join("\n"))
}

/// The `##!` lines at the top of a file: what a module is for.
fn module_doc(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().map_while(|l| doc_text(l, "##!")).collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The text of a doc line with this marker (`##` is not `###` nor `##!`).
fn doc_text<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let rest = line.trim_start().strip_prefix(marker)?;
    if rest.starts_with('#') || (marker == "##" && rest.starts_with('!')) {
        return None;
    }
    Some(rest.strip_prefix(' ').unwrap_or(rest).trim_end())
}

fn is_keyword_rule(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_runbook
            | Rule::kw_use
            | Rule::kw_param
            | Rule::kw_secret
            | Rule::kw_host
            | Rule::kw_group
            | Rule::kw_let
            | Rule::kw_fn
            | Rule::kw_step
            | Rule::kw_on
            | Rule::kw_when
            | Rule::kw_unless
            | Rule::kw_parallel
            | Rule::kw_max_fail
            | Rule::kw_timeout
            | Rule::kw_retry
            | Rule::kw_every
            | Rule::kw_backoff
            | Rule::kw_run
            | Rule::kw_check
            | Rule::kw_else
            | Rule::kw_wait_until
            | Rule::kw_approve
            | Rule::kw_dangerous
            | Rule::kw_rollback
            | Rule::kw_log
            | Rule::kw_fail
            | Rule::kw_tags
            | Rule::kw_as
            | Rule::kw_if
            | Rule::kw_for
            | Rule::kw_in
            | Rule::kw_return
            | Rule::kw_true
            | Rule::kw_false
            | Rule::kw_and
            | Rule::kw_or
            | Rule::kw_not
    )
}

/// The next child the grammar guarantees.
fn next<'i>(it: &mut impl Iterator<Item = Pair<'i, Rule>>, what: &str) -> Pair<'i, Rule> {
    it.next()
        .unwrap_or_else(|| unreachable!("rule guarantees {what}"))
}
