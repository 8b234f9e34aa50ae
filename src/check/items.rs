//! The file as a whole: its shape, its declarations, and the order of the passes.

use std::collections::HashMap;

use super::builtins::{ParamSig, Signature};
use super::error::Error;
use super::modules::{std_module_name, FnInfo};
use super::scope::{Binding, Kind};
use super::suggest::did_you_mean;
use super::types::Ty;
use super::{Checker, Place, Summary};
use crate::source::{Span, Spanned};
use crate::stdlib;
use crate::syntax::ast::{self, Expr, Stmt};

impl Checker<'_> {
    pub(super) fn check_file(&mut self, file: &ast::File) -> Summary {
        let is_runbook = file.stmts.iter().any(|s| {
            matches!(
                s.node,
                Stmt::Header(_)
                    | Stmt::Step(_)
                    | Stmt::Param(_)
                    | Stmt::Secret(_)
                    | Stmt::Host(_)
                    | Stmt::Group(_)
                    | Stmt::Inventory(_)
            )
        });
        self.check_shape(file, is_runbook);
        let local = Binding::new(Kind::Host, Ty::Any, Span::new(self.file, 0, 0));
        local.used.set(true);
        self.scope.globals.insert("local".into(), local);
        self.declare_inventory(file);
        for stmt in &file.stmts {
            self.declare(stmt);
        }
        for stmt in &file.stmts {
            self.check_declaration(stmt);
        }
        // The title may show the runbook's values (`"Deploy {{version}}"`): read once every
        // one is declared, like a step's title.
        for stmt in &file.stmts {
            if let Stmt::Header(h) = &stmt.node {
                self.check_template(&h.title.node, false);
            }
        }
        for stmt in &file.stmts {
            if let Stmt::Fn(f) = &stmt.node {
                self.check_fn(f);
            }
        }
        self.resolve_fn_effects();
        for stmt in &file.stmts {
            if let Stmt::Step(step) = &stmt.node {
                let lets = self.step_lets.entry(step.id.node.clone()).or_default();
                for s in &step.body.stmts {
                    if let Stmt::Let(l) = &s.node {
                        lets.push(l.name.node.clone());
                        self.later_captures
                            .entry(l.name.node.clone())
                            .or_insert_with(|| step.id.node.clone());
                    }
                }
            }
        }
        let mut steps: HashMap<String, Span> = HashMap::new();
        for stmt in &file.stmts {
            if let Stmt::Step(step) = &stmt.node {
                if let Some(first) = steps.get(&step.id.node) {
                    self.error(Error::DuplicateStep {
                        id: step.id.node.clone(),
                        span: step.id.span.into(),
                        first: (*first).into(),
                    });
                } else {
                    steps.insert(step.id.node.clone(), step.id.span);
                }
                self.check_step(step);
            }
        }
        self.report_unused_globals();
        let header = file.stmts.iter().find_map(|s| match &s.node {
            Stmt::Header(h) => Some(h.name.node.clone()),
            _ => None,
        });
        match (is_runbook, header) {
            (true, name) => Summary::Runbook {
                name: name.unwrap_or_default(),
                steps: steps.len(),
            },
            (false, _) => Summary::Module {
                functions: self.fns.len(),
            },
        }
    }

    /// One header, first; and only declarations at the top level.
    fn check_shape(&mut self, file: &ast::File, is_runbook: bool) {
        let headers: Vec<&Spanned<Stmt>> = file
            .stmts
            .iter()
            .filter(|s| matches!(s.node, Stmt::Header(_)))
            .collect();
        match headers.first() {
            None if is_runbook => {
                let span = file
                    .stmts
                    .first()
                    .map_or(Span::new(self.file, 0, 0), head_span);
                self.error(Error::MissingHeader { span: span.into() });
            }
            Some(first) => {
                if let Some(before) = file
                    .stmts
                    .first()
                    .filter(|s| !matches!(s.node, Stmt::Header(_)))
                {
                    self.error(Error::HeaderNotFirst {
                        span: first.span.into(),
                        before: head_span(before).into(),
                    });
                }
                for dup in &headers[1..] {
                    self.error(Error::DuplicateHeader {
                        span: dup.span.into(),
                        first: first.span.into(),
                    });
                }
            }
            None => {}
        }
        for stmt in &file.stmts {
            match &stmt.node {
                Stmt::Use(_)
                | Stmt::Inventory(_)
                | Stmt::Notify(_)
                | Stmt::Lock(_)
                | Stmt::Let(_)
                | Stmt::Fn(_)
                | Stmt::Header(_) => {}
                Stmt::Param(_)
                | Stmt::Secret(_)
                | Stmt::Host(_)
                | Stmt::Group(_)
                | Stmt::Step(_) => {}
                other => self.misplaced(other, head_span(stmt), Place::TopLevel),
            }
        }
    }

    /// The inventory's hosts and groups, as if declared where the inventory is.
    fn declare_inventory(&mut self, file: &ast::File) {
        let Some(inv) = self.inventory else { return };
        let at = file
            .stmts
            .iter()
            .find_map(|s| match &s.node {
                Stmt::Inventory(path) => Some(path.span),
                _ => None,
            })
            .unwrap_or(Span::new(self.file, 0, 0));
        let hosts = inv.hosts.keys().map(|h| (h, Kind::Host));
        let groups = inv.groups.keys().map(|g| (g, Kind::Group));
        for (name, kind) in hosts.chain(groups) {
            let b = Binding::new(kind, Ty::Any, at);
            b.used.set(true);
            self.scope.globals.insert(name.clone(), b);
        }
        for (name, g) in &inv.groups {
            self.group_members
                .insert(name.clone(), Some(g.members.clone()));
        }
    }

    fn insert_global(&mut self, name: &ast::Name, binding: Binding) {
        if let Some(first) = self.scope.globals.get(&name.node) {
            let first = first.span;
            self.error(Error::DuplicateDefinition {
                name: name.node.clone(),
                span: name.span.into(),
                first: first.into(),
            });
            return;
        }
        self.scope.globals.insert(name.node.clone(), binding);
    }

    fn declare(&mut self, stmt: &Spanned<Stmt>) {
        match &stmt.node {
            Stmt::Use(u) => self.declare_use(u, stmt.span),
            Stmt::Param(p) => {
                let ty = match (&p.ty, &p.default) {
                    (Some(t), _) => Ty::from_name(&t.node).unwrap_or(Ty::Any),
                    (None, Some(d)) => literal_type(&d.node).unwrap_or(Ty::Any),
                    (None, None) => Ty::Any,
                };
                self.insert_global(&p.name, Binding::new(Kind::Param, ty, p.name.span));
            }
            Stmt::Secret(s) => {
                self.insert_global(&s.name, Binding::new(Kind::Secret, Ty::Str, s.name.span))
            }
            Stmt::Host(h) => {
                self.insert_global(&h.name, Binding::new(Kind::Host, Ty::Any, h.name.span))
            }
            Stmt::Group(g) => {
                let members = match &g.members.node {
                    Expr::List(items) => Some(
                        items
                            .iter()
                            .filter_map(|i| match &i.node {
                                Expr::Var(v) => Some(v.clone()),
                                _ => None,
                            })
                            .collect(),
                    ),
                    _ => None,
                };
                self.group_members.insert(g.name.node.clone(), members);
                self.insert_global(&g.name, Binding::new(Kind::Group, Ty::Any, g.name.span))
            }
            Stmt::Let(l) => {
                let b = Binding::new(Kind::Let, Ty::Any, l.name.span);
                b.ready.set(false);
                self.insert_global(&l.name, b);
            }
            Stmt::Fn(f) => {
                let params = f
                    .params
                    .iter()
                    .map(|p| ParamSig {
                        name: p.name.node.clone(),
                        optional: p.default.is_some(),
                    })
                    .collect();
                let sig = Signature {
                    name: f.name.node.clone(),
                    params,
                    ret: Ty::Any,
                };
                let info = FnInfo {
                    sig,
                    doc: f.doc.clone(),
                    span: f.name.span,
                    runs: false,
                    calls: Vec::new(),
                };
                if !self.scope.globals.contains_key(&f.name.node) {
                    self.fns.insert(f.name.node.clone(), info);
                }
                self.insert_global(&f.name, Binding::new(Kind::Fn, Ty::Any, f.name.span));
            }
            _ => {}
        }
    }

    fn declare_use(&mut self, u: &ast::Use, span: Span) {
        let dotted = u.dotted();
        if u.file.is_some() {
            // The module is known by the name the `use` gives it, even when the loader could
            // not find it (and said so): its calls are then not reported again.
            if let Some(alias) = u.path.first() {
                self.bind_module(alias, dotted, span);
            }
            return;
        }
        if std_module_name(u).is_none() {
            let last = u.path.last().map_or("", |n| n.node.as_str());
            let available: Vec<String> = stdlib::names().map(|n| format!("std.{n}")).collect();
            let help = match super::suggest::closest(last, stdlib::names()) {
                Some(c) => format!("did you mean `std.{c}`?"),
                None => format!("available modules: {}", available.join(", ")),
            };
            self.error(Error::UnknownModule {
                path: dotted,
                span: span.into(),
                help,
            });
            return;
        }
        let Some(alias) = u.path.last() else {
            unreachable!("a std module path has segments")
        };
        self.bind_module(alias, dotted, span);
    }

    /// `alias` names a module from here on; a second `use` of the same name is refused.
    fn bind_module(&mut self, alias: &ast::Name, dotted: String, span: Span) {
        if let Some(first) = self
            .scope
            .globals
            .get(&alias.node)
            .filter(|b| b.kind == Kind::Module)
        {
            let first = first.span;
            self.error(Error::DuplicateUse {
                path: dotted,
                span: span.into(),
                first: first.into(),
            });
            return;
        }
        self.insert_global(alias, Binding::new(Kind::Module, Ty::Any, span));
    }

    /// Declarations in order: params, secrets, hosts, groups and top-level values.
    fn check_declaration(&mut self, stmt: &Spanned<Stmt>) {
        match &stmt.node {
            Stmt::Param(p) => self.check_param(p),
            Stmt::Secret(s) => self.check_secret(s),
            Stmt::Host(h) => self.check_host(h),
            Stmt::Group(g) => self.check_group(g),
            Stmt::Notify(n) => self.check_notify(n),
            Stmt::Lock(what) if what.node != "hosts" => self.error(Error::InvalidLock {
                span: what.span.into(),
            }),
            Stmt::Let(l) => {
                let info = self.expr(&l.value);
                self.require_value(info.ty, "a value", l.value.span);
                if let Some(b) = self
                    .scope
                    .globals
                    .get_mut(&l.name.node)
                    .filter(|b| b.span == l.name.span)
                {
                    b.ty = info.ty;
                    b.secret = info.secret;
                    b.ready.set(true);
                }
            }
            _ => {}
        }
    }

    fn check_param(&mut self, p: &ast::Param) {
        let declared = p.ty.as_ref().and_then(|t| {
            let ty = Ty::from_name(&t.node);
            if ty.is_none() {
                self.error(Error::UnknownType {
                    name: t.node.clone(),
                    span: t.span.into(),
                });
            }
            ty
        });
        match &p.default {
            None if p.ty.is_none() => self.error(Error::ParamNeedsType {
                name: p.name.node.clone(),
                span: p.name.span.into(),
            }),
            None => {}
            Some(d) => match literal_type(&d.node) {
                None => self.error(Error::ParamDefaultNotLiteral {
                    span: d.span.into(),
                }),
                Some(found) => {
                    if let Some(declared) = declared.filter(|want| !found.fits(*want)) {
                        self.error(Error::ParamDefaultType {
                            name: p.name.node.clone(),
                            declared: type_name(declared).into(),
                            found: found.to_string(),
                            span: d.span.into(),
                        });
                    }
                }
            },
        }
    }

    fn check_secret(&mut self, s: &ast::Secret) {
        let is_source = matches!(&s.source.node, Expr::Call(callee, _)
            if matches!(&callee.node, Expr::Var(f) if f == "env" || f == "file"));
        if is_source {
            self.expr(&s.source);
        } else {
            self.error(Error::InvalidSecretSource {
                span: s.source.span.into(),
            });
        }
    }

    fn check_host(&mut self, h: &ast::Host) {
        match &h.target.node {
            Expr::Var(v) if v == "local" => {}
            Expr::Call(callee, args) if matches!(&callee.node, Expr::Var(f) if f == "ssh") => {
                self.ssh_args(args, h.target.span);
            }
            _ => self.error(Error::InvalidHost {
                span: h.target.span.into(),
            }),
        }
    }

    fn check_group(&mut self, g: &ast::Group) {
        if let Expr::Var(name) = &g.members.node {
            return self.group_from_param(name, g.members.span);
        }
        let Expr::List(items) = &g.members.node else {
            self.error(Error::InvalidGroup {
                span: g.members.span.into(),
            });
            return;
        };
        if items.is_empty() {
            self.error(Error::EmptyGroup {
                name: g.name.node.clone(),
                span: g.members.span.into(),
            });
        }
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for item in items {
            let Expr::Var(name) = &item.node else {
                self.error(Error::InvalidGroup {
                    span: item.span.into(),
                });
                continue;
            };
            if let Some(first) = seen.get(name.as_str()) {
                self.error(Error::DuplicateGroupMember {
                    name: name.clone(),
                    span: item.span.into(),
                    first: (*first).into(),
                });
                continue;
            }
            seen.insert(name, item.span);
            self.host_reference(name, item.span);
        }
    }

    /// `group web = targets`: the members are a list param's, resolved with the params.
    fn group_from_param(&mut self, name: &str, span: Span) {
        match self.scope.globals.get(name) {
            Some(b) if b.kind == Kind::Param && matches!(b.ty, Ty::List | Ty::Any) => {
                b.used.set(true)
            }
            _ => self.error(Error::InvalidGroup { span: span.into() }),
        }
    }

    /// A name that must be a declared host (group members, `jump:`).
    pub(super) fn host_reference(&mut self, name: &str, span: Span) {
        match self.scope.globals.get(name) {
            Some(b) if b.kind == Kind::Host => b.used.set(true),
            Some(_) => self.error(Error::InvalidGroup { span: span.into() }),
            None => {
                let hosts = self.names_of(&[Kind::Host]);
                let help = did_you_mean(
                    name,
                    hosts.iter().map(String::as_str),
                    "declare it: `host NAME = ssh(\"user@host\")`",
                );
                self.error(Error::UndefinedHost {
                    name: name.into(),
                    span: span.into(),
                    help,
                });
            }
        }
    }

    pub(super) fn names_of(&self, kinds: &[Kind]) -> Vec<String> {
        let mut names: Vec<String> = self
            .scope
            .names()
            .filter(|(_, b)| kinds.contains(&b.kind))
            .map(|(n, _)| n.clone())
            .collect();
        names.sort();
        names
    }

    fn check_fn(&mut self, f: &ast::FnDef) {
        self.place = Place::Fn;
        self.current_fn = Some(f.name.node.clone());
        self.returns.clear();
        let mut locals = HashMap::new();
        for p in &f.params {
            let ty = match &p.default {
                Some(d) => literal_type(&d.node).unwrap_or_else(|| {
                    self.error(Error::ParamDefaultNotLiteral {
                        span: d.span.into(),
                    });
                    Ty::Any
                }),
                None => Ty::Any,
            };
            let b = Binding::new(Kind::FnParam, ty, p.name.span);
            if let Some(first) = locals.get(&p.name.node).map(|b: &Binding| b.span) {
                self.error(Error::DuplicateDefinition {
                    name: p.name.node.clone(),
                    span: p.name.span.into(),
                    first: first.into(),
                });
            }
            locals.insert(p.name.node.clone(), b);
        }
        self.scope.locals.push(locals);
        self.check_block(&f.body, Place::Fn);
        self.pop_scope();
        let ret = unify(&self.returns);
        if let Some(info) = self.fns.get_mut(&f.name.node) {
            info.sig.ret = ret;
        }
        self.current_fn = None;
        self.place = Place::TopLevel;
    }

    fn report_unused_globals(&mut self) {
        let mut unused: Vec<(Span, Kind, String)> = self
            .scope
            .globals
            .iter()
            .chain(self.scope.all_captures())
            .filter(|(name, b)| !b.used.get() && !name.starts_with('_'))
            .filter(|(_, b)| {
                matches!(
                    b.kind,
                    Kind::Param
                        | Kind::Secret
                        | Kind::Let
                        | Kind::Capture
                        | Kind::Host
                        | Kind::Module
                )
            })
            .map(|(name, b)| (b.span, b.kind, name.clone()))
            .collect();
        unused.sort_by_key(|(span, _, _)| span.start);
        for (span, kind, name) in unused {
            self.error(Error::Unused {
                kind: kind.describe().into(),
                name,
                span: span.into(),
            });
        }
    }
}

/// The type of a literal a param default may be; `None` when it is not a literal.
pub(super) fn literal_type(e: &Expr) -> Option<Ty> {
    Some(match e {
        Expr::Str(t) if t.as_plain().is_some() => Ty::Str,
        Expr::Int(_) => Ty::Int,
        Expr::Float(_) => Ty::Float,
        Expr::Bool(_) => Ty::Bool,
        Expr::Duration(_) => Ty::Duration,
        Expr::List(items) if items.iter().all(|i| literal_type(&i.node).is_some()) => Ty::List,
        Expr::Unary(ast::UnaryOp::Neg, inner)
            if matches!(inner.node, Expr::Int(_) | Expr::Float(_)) =>
        {
            literal_type(&inner.node)?
        }
        _ => return None,
    })
}

fn type_name(ty: Ty) -> &'static str {
    match ty {
        Ty::Str => "string",
        Ty::Int => "int",
        Ty::Float => "float",
        Ty::Bool => "bool",
        Ty::Duration => "duration",
        Ty::List => "list",
        _ => "value",
    }
}

/// One type for every `return`, else `Any`; no `return` gives nothing.
fn unify(types: &[Ty]) -> Ty {
    match types.split_first() {
        None => Ty::Nothing,
        Some((first, rest)) if rest.iter().all(|t| t == first) => *first,
        Some(_) => Ty::Any,
    }
}

/// Steps and functions are labelled up to their name, not over their whole body.
pub(super) fn head_span(stmt: &Spanned<Stmt>) -> Span {
    match &stmt.node {
        Stmt::Step(s) => Span {
            end: s.title.span.end,
            ..stmt.span
        },
        Stmt::Fn(f) => Span {
            end: f.name.span.end,
            ..stmt.span
        },
        Stmt::Rollback(_) => Span {
            end: stmt.span.start + "rollback".len() as u32,
            ..stmt.span
        },
        Stmt::OnFailure(_) => Span {
            end: stmt.span.start + "on_failure".len() as u32,
            ..stmt.span
        },
        Stmt::Always(_) => Span {
            end: stmt.span.start + "always".len() as u32,
            ..stmt.span
        },
        Stmt::If(i) => Span {
            end: i
                .branches
                .first()
                .map_or(stmt.span.end, |(c, _)| c.span.end),
            ..stmt.span
        },
        Stmt::For(f) => Span {
            end: f.list.span.end,
            ..stmt.span
        },
        _ => stmt.span,
    }
}
