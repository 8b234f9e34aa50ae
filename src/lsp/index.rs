//! What a document declares, found once per version of its text: steps, functions, params,
//! hosts, groups, secrets and captures, each with the span of its name, its doc and a line
//! that says what it is. Also the standard library's functions, for every module.

use crate::source::FileId;
use crate::stdlib;
use crate::syntax::ast::{self, Stmt};
use crate::syntax::{self, tree};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Step,
    Fn,
    Param,
    Host,
    Group,
    Secret,
    Capture,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Step => "step",
            Kind::Fn => "fn",
            Kind::Param => "param",
            Kind::Host => "host",
            Kind::Group => "group",
            Kind::Secret => "secret",
            Kind::Capture => "capture",
        }
    }
}

/// One declaration: where its name is, where it all is, and what to show of it.
#[derive(Debug, Clone)]
pub struct Symbol {
    pub name: String,
    pub kind: Kind,
    pub name_span: (usize, usize),
    pub span: (usize, usize),
    pub doc: Option<String>,
    /// The declaration in one line: `fn f(a, b: 1)`, `param n: int = 1`, `step id "Title"`.
    pub detail: String,
}

/// The declarations of one file, in the order of the text.
pub fn symbols(file: &ast::File) -> Vec<Symbol> {
    let mut out = Vec::new();
    for stmt in &file.stmts {
        top_level(
            &stmt.node,
            (stmt.span.start as usize, stmt.span.end as usize),
            &mut out,
        );
    }
    out
}

fn span(name: &ast::Name) -> (usize, usize) {
    (name.span.start as usize, name.span.end as usize)
}

fn top_level(stmt: &Stmt, whole: (usize, usize), out: &mut Vec<Symbol>) {
    let mut add = |name: &ast::Name, kind, doc: &Option<String>, detail: String| {
        out.push(Symbol {
            name: name.node.clone(),
            kind,
            name_span: span(name),
            span: whole,
            doc: doc.clone(),
            detail,
        });
    };
    match stmt {
        Stmt::Step(s) => {
            let detail = format!("step {} \"{}\"", s.id.node, tree::template(&s.title.node));
            add(&s.id, Kind::Step, &s.doc, detail);
            captures(&s.body, out);
        }
        Stmt::Fn(f) => add(&f.name, Kind::Fn, &f.doc, signature(f)),
        Stmt::Param(p) => {
            let mut detail = format!("param {}", p.name.node);
            if let Some(ty) = &p.ty {
                detail.push_str(&format!(": {}", ty.node));
            }
            if let Some(d) = &p.default {
                detail.push_str(&format!(" = {}", tree::expr(&d.node)));
            }
            add(&p.name, Kind::Param, &p.doc, detail);
        }
        Stmt::Host(h) => {
            let detail = format!("host {} = {}", h.name.node, tree::expr(&h.target.node));
            add(&h.name, Kind::Host, &h.doc, detail);
        }
        Stmt::Group(g) => {
            let detail = format!("group {} = {}", g.name.node, tree::expr(&g.members.node));
            add(&g.name, Kind::Group, &None, detail);
        }
        Stmt::Secret(s) => add(
            &s.name,
            Kind::Secret,
            &None,
            format!("secret {}", s.name.node),
        ),
        Stmt::Let(l) => {
            let detail = format!("let {} = {}", l.name.node, tree::expr(&l.value.node));
            add(&l.name, Kind::Capture, &None, detail);
        }
        _ => {}
    }
}

/// The `let`s of a step's body, rollbacks included.
fn captures(block: &ast::Block, out: &mut Vec<Symbol>) {
    for stmt in &block.stmts {
        match &stmt.node {
            Stmt::Let(l) => out.push(Symbol {
                name: l.name.node.clone(),
                kind: Kind::Capture,
                name_span: span(&l.name),
                span: (stmt.span.start as usize, stmt.span.end as usize),
                doc: None,
                detail: format!("let {} = {}", l.name.node, tree::expr(&l.value.node)),
            }),
            Stmt::Rollback(b) => captures(b, out),
            _ => {}
        }
    }
}

/// `fn name(a, b: "default")`.
pub fn signature(f: &ast::FnDef) -> String {
    format!("fn {}({})", f.name.node, tree::params(f))
}

/// A public function of the standard library.
#[derive(Debug, Clone)]
pub struct LibraryFn {
    pub module: &'static str,
    pub symbol: Symbol,
}

/// Every public function of every stdlib module (names starting with `_` are private).
pub fn library() -> Vec<LibraryFn> {
    let mut out = Vec::new();
    for (module, text) in stdlib::MODULES {
        let Ok(file) = syntax::parse(text, FileId(0)) else {
            continue;
        };
        for symbol in symbols(&file) {
            if symbol.kind == Kind::Fn && !symbol.name.starts_with('_') {
                out.push(LibraryFn { module, symbol });
            }
        }
    }
    out
}
