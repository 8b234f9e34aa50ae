//! A compact, indented tree of the AST for snapshot tests and `runbook parse --tree`.
//! One node per line, children indented, strings shown as written (interpolations too).

use std::fmt::Write;

use super::ast::*;

pub fn render(file: &File) -> String {
    let mut t = Tree {
        out: String::new(),
        depth: 0,
        docs: true,
    };
    if let Some(doc) = &file.doc {
        for l in doc.lines() {
            t.line(&format!("##! {l}"));
        }
    }
    for s in &file.stmts {
        t.stmt(&s.node);
    }
    t.out
}

/// What a statement means, without its doc comments: layout, comments and docs do not
/// show, so a harmless edit leaves it unchanged (what a resume compares).
pub fn meaning(stmt: &Stmt) -> String {
    let mut t = Tree {
        out: String::new(),
        depth: 0,
        docs: false,
    };
    t.stmt(stmt);
    t.out
}

struct Tree {
    out: String,
    depth: usize,
    /// Whether doc comments are shown.
    docs: bool,
}

impl Tree {
    fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn nested(&mut self, head: &str, f: impl FnOnce(&mut Self)) {
        self.line(head);
        self.depth += 1;
        f(self);
        self.depth -= 1;
    }

    fn doc(&mut self, doc: &Option<String>) {
        if let Some(d) = doc.as_ref().filter(|_| self.docs) {
            for l in d.lines() {
                self.line(&format!("## {l}"));
            }
        }
    }

    fn block(&mut self, b: &Block) {
        for s in &b.stmts {
            self.stmt(&s.node);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Header(h) => {
                self.doc(&h.doc);
                self.line(&format!(
                    "runbook {} {}",
                    h.name.node,
                    template(&h.title.node)
                ));
            }
            Stmt::Use(u) => self.line(&format!("use {}", u.dotted())),
            Stmt::Inventory(f) => self.line(&format!("inventory {:?}", f.node)),
            Stmt::Notify(e) => self.line(&format!("notify {}", expr(&e.node))),
            Stmt::Lock(n) => self.line(&format!("lock {}", n.node)),
            Stmt::Param(p) => {
                self.doc(&p.doc);
                let mut l = format!("param {}", p.name.node);
                if let Some(t) = &p.ty {
                    let _ = write!(l, ": {}", t.node);
                }
                if let Some(d) = &p.default {
                    let _ = write!(l, " = {}", expr(&d.node));
                }
                self.line(&l);
            }
            Stmt::Secret(s) => self.line(&format!(
                "secret {} = {}",
                s.name.node,
                expr(&s.source.node)
            )),
            Stmt::Host(h) => {
                self.doc(&h.doc);
                self.line(&format!("host {} = {}", h.name.node, expr(&h.target.node)));
            }
            Stmt::Group(g) => self.line(&format!(
                "group {} = {}",
                g.name.node,
                expr(&g.members.node)
            )),
            Stmt::Let(l) => self.line(&format!("let {} = {}", l.name.node, expr(&l.value.node))),
            Stmt::Fn(f) => {
                self.doc(&f.doc);
                let params: Vec<String> = f
                    .params
                    .iter()
                    .map(|p| match &p.default {
                        Some(d) => format!("{} = {}", p.name.node, expr(&d.node)),
                        None => p.name.node.clone(),
                    })
                    .collect();
                self.nested(&format!("fn {}({})", f.name.node, params.join(", ")), |t| {
                    t.block(&f.body)
                });
            }
            Stmt::Step(st) => {
                self.doc(&st.doc);
                let mut head = format!("step {} {}", st.id.node, template(&st.title.node));
                for m in &st.modifiers {
                    let _ = write!(head, " ({})", modifier(&m.node));
                }
                self.nested(&head, |t| t.block(&st.body));
            }
            Stmt::Expr(e) => self.line(&expr(&e.node)),
            Stmt::Check(c) => match &c.message {
                Some(m) => self.line(&format!(
                    "check {} else {}",
                    expr(&c.condition.node),
                    expr(&m.node)
                )),
                None => self.line(&format!("check {}", expr(&c.condition.node))),
            },
            Stmt::WaitUntil(w) => self.line(&format!(
                "wait_until {} every {} timeout {}",
                expr(&w.condition.node),
                setting(&w.every, |d| human_duration(*d)),
                setting(&w.timeout, |d| human_duration(*d))
            )),
            Stmt::Approve(a) => {
                let kind = if a.dangerous {
                    "approve dangerous"
                } else {
                    "approve"
                };
                let mut line = format!("{kind} {}", expr(&a.message.node));
                if let Some(by) = &a.by {
                    let names: Vec<String> = by.node.iter().map(|n| expr(&n.node)).collect();
                    let _ = write!(line, " by [{}]", names.join(", "));
                }
                if let Some(min) = &a.min {
                    let _ = write!(line, " min {}", expr(&min.node));
                }
                self.line(&line);
            }
            Stmt::Rollback(b) => self.nested("rollback", |t| t.block(b)),
            Stmt::OnFailure(b) => self.nested("on_failure", |t| t.block(b)),
            Stmt::Always(b) => self.nested("always", |t| t.block(b)),
            Stmt::If(i) => {
                for (n, (condition, block)) in i.branches.iter().enumerate() {
                    let head = if n == 0 { "if" } else { "else if" };
                    self.nested(&format!("{head} {}", expr(&condition.node)), |t| {
                        t.block(block)
                    });
                }
                if let Some(b) = &i.otherwise {
                    self.nested("else", |t| t.block(b));
                }
            }
            Stmt::For(f) => self.nested(
                &format!("for {} in {}", f.name.node, expr(&f.list.node)),
                |t| t.block(&f.body),
            ),
            Stmt::Log(e) => self.line(&format!("log {}", expr(&e.node))),
            Stmt::Fail(e) => self.line(&format!("fail {}", expr(&e.node))),
            Stmt::Return(e) => self.line(&format!("return {}", expr(&e.node))),
        }
    }
}

fn modifier(m: &Modifier) -> String {
    match m {
        Modifier::On(h) => format!("on {}", h.node),
        Modifier::When(e) => format!("when {}", expr(&e.node)),
        Modifier::Unless(e) => format!("unless {}", expr(&e.node)),
        Modifier::Parallel(n) => format!("parallel {}", setting(n, u32::to_string)),
        Modifier::MaxFail(b) => format!(
            "max_fail {}",
            setting(b, |b| match b {
                FailBudget::Hosts(n) => n.to_string(),
                FailBudget::Percent(p) => format!("{p}%"),
            })
        ),
        Modifier::Timeout(d) => format!("timeout {}", setting(d, |d| human_duration(*d))),
        Modifier::Sudo => "sudo".into(),
        Modifier::Disconnects => "disconnects".into(),
        Modifier::Tags(t) => format!(
            "tags [{}]",
            t.iter()
                .map(|n| n.node.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Modifier::Retry(r) => {
            let mut s = format!(
                "retry {} every {}",
                setting(&r.times, u32::to_string),
                setting(&r.every, |d| human_duration(*d))
            );
            if let Some(b) = &r.backoff {
                let _ = write!(s, " backoff {}", setting(b, f64::to_string));
            }
            s
        }
    }
}

/// A literal setting as written, a computed one as its expression.
fn setting<T>(s: &Setting<T>, literal: impl Fn(&T) -> String) -> String {
    match s {
        Setting::Fixed(n) => literal(&n.node),
        Setting::Computed(e) => expr(&e.node),
    }
}

/// Fully parenthesised, so the tree shows precedence.
pub fn expr(e: &Expr) -> String {
    match e {
        Expr::Str(t) => template(t),
        Expr::Int(i) => i.to_string(),
        Expr::Float(f) => format!("{f:?}"),
        Expr::Bool(b) => b.to_string(),
        Expr::Duration(d) => human_duration(*d),
        Expr::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| expr(&i.node))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Expr::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", k.node, expr(&v.node)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Expr::Var(v) => v.clone(),
        Expr::Field(obj, f) => format!("{}.{}", expr(&obj.node), f.node),
        Expr::Index(obj, i) => format!("{}[{}]", expr(&obj.node), expr(&i.node)),
        Expr::Call(callee, args) => {
            let args: Vec<String> = args
                .iter()
                .map(|a| match &a.name {
                    Some(n) => format!("{}: {}", n.node, expr(&a.value.node)),
                    None => expr(&a.value.node),
                })
                .collect();
            format!("{}({})", expr(&callee.node), args.join(", "))
        }
        Expr::Unary(UnaryOp::Not, e) => format!("(not {})", expr(&e.node)),
        Expr::Unary(UnaryOp::Neg, e) => format!("(-{})", expr(&e.node)),
        Expr::Binary(op, l, r) => format!("({} {} {})", expr(&l.node), op.symbol(), expr(&r.node)),
    }
}

/// A function's parameters as its docs show them: `url, max_time: 10`.
pub fn params(f: &super::ast::FnDef) -> String {
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| match &p.default {
            Some(d) => format!("{}: {}", p.name.node, expr(&d.node)),
            None => p.name.node.clone(),
        })
        .collect();
    params.join(", ")
}

pub fn template(t: &Template) -> String {
    let mut s = String::from("\"");
    for p in &t.parts {
        match &p.node {
            Part::Text(text) => escape_into(&mut s, text),
            Part::Interpolation(i) => {
                s.push_str("{{ ");
                s.push_str(&expr(&i.value.node));
                for f in &i.filters {
                    s.push_str(" | ");
                    s.push_str(&f.name.node);
                    if !f.args.is_empty() {
                        let args: Vec<String> = f.args.iter().map(|a| expr(&a.node)).collect();
                        let _ = write!(s, "({})", args.join(", "));
                    }
                }
                s.push_str(" }}");
            }
        }
    }
    s.push('"');
    s
}

/// As the text would be written in a runbook string.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}
