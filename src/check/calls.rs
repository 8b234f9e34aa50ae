//! Calls: user functions, stdlib functions (`module.fn`), builtins and methods.

use super::builtins::{self, Signature};
use super::error::Error;
use super::expr::Info;
use super::names::Name;
use super::scope::Kind;
use super::suggest::did_you_mean;
use super::types::Ty;
use super::{Checker, Place};
use crate::source::{Span, Spanned};
use crate::stdlib;
use crate::syntax::ast::{Arg, Expr};
use crate::syntax::tree;

/// The arguments of a call, by parameter: the value's info and expression.
type Bound<'a> = Vec<Option<(Info, &'a Spanned<Expr>)>>;

impl Checker<'_> {
    pub(super) fn call(&mut self, callee: &Spanned<Expr>, args: &[Arg], span: Span) -> Info {
        match &callee.node {
            Expr::Var(name) => self.call_named(name, callee.span, args, span),
            Expr::Field(obj, method) => {
                if let Expr::Var(m) = &obj.node {
                    let binding = self.scope.lookup(m).map(|b| b.kind);
                    if binding == Some(Kind::Module) {
                        self.names.set(obj.span, Name::Module);
                        return self.call_module(m, &method.node, method.span, args, span);
                    }
                    if binding.is_none() && stdlib::source(m).is_some() {
                        self.error(Error::ModuleNotImported {
                            module: m.clone(),
                            span: obj.span.into(),
                        });
                        self.check_args_only(args);
                        return Info::of(Ty::Any);
                    }
                }
                let info = self.expr(obj);
                self.call_method(info, &method.node, method.span, args)
            }
            _ => {
                self.expr(callee);
                self.error(Error::NotAFunction {
                    name: tree::expr(&callee.node),
                    span: callee.span.into(),
                });
                self.check_args_only(args);
                Info::of(Ty::Any)
            }
        }
    }

    fn call_named(&mut self, name: &str, name_span: Span, args: &[Arg], span: Span) -> Info {
        match self.scope.lookup(name).map(|b| b.kind) {
            Some(Kind::Fn) => {
                if let Some(b) = self.scope.lookup(name) {
                    b.used.set(true);
                }
                let Some(info) = self.fns.get(name) else {
                    return Info::of(Ty::Any);
                };
                let sig = info.sig.clone();
                if let Some(current) = self.current_fn.clone() {
                    if let Some(f) = self.fns.get_mut(&current) {
                        f.calls.push((name.to_string(), name_span));
                    }
                }
                if self.place == Place::TopLevel {
                    self.top_level_calls.push((name.to_string(), span));
                }
                if self.in_template > 0 {
                    self.template_calls.push((name.to_string(), span));
                }
                let bound = self.bind_args(&sig, args, span, None);
                Info {
                    ty: sig.ret,
                    secret: any_secret(&bound),
                }
            }
            Some(_) => {
                if let Some(b) = self.scope.lookup(name) {
                    b.used.set(true);
                }
                self.error(Error::NotAFunction {
                    name: name.into(),
                    span: name_span.into(),
                });
                self.check_args_only(args);
                Info::of(Ty::Any)
            }
            None => match builtins::function(name) {
                Some(sig) => self.call_builtin(&sig, args, span),
                None => {
                    let mut candidates: Vec<String> = self.fns.keys().cloned().collect();
                    candidates.extend(builtins::function_names().map(str::to_string));
                    let help = did_you_mean(
                        name,
                        candidates.iter().map(String::as_str),
                        "define it with `fn`, or call a stdlib function as `module.function(...)` after `use std.module`",
                    );
                    self.error(Error::UndefinedFunction {
                        name: name.into(),
                        span: name_span.into(),
                        help,
                    });
                    self.check_args_only(args);
                    Info::of(Ty::Any)
                }
            },
        }
    }

    fn call_module(
        &mut self,
        module: &str,
        name: &str,
        name_span: Span,
        args: &[Arg],
        span: Span,
    ) -> Info {
        if let Some(b) = self.scope.lookup(module) {
            b.used.set(true);
        }
        // A team module that could not be loaded was reported at its `use`: its calls are
        // not reported again.
        if !self.modules.contains_key(module)
            && self
                .scope
                .lookup(module)
                .is_some_and(|b| b.kind == Kind::Module)
        {
            self.check_args_only(args);
            return Info::of(Ty::Any);
        }
        let Some(f) = self
            .modules
            .get(module)
            .and_then(|m| m.fns.get(name))
            .cloned()
        else {
            let mut names: Vec<&str> = self
                .modules
                .get(module)
                .map(|m| m.fns.keys().map(String::as_str).collect())
                .unwrap_or_default();
            names.sort();
            let help = did_you_mean(
                name,
                names.iter().copied(),
                &format!(
                    "`{}` has: {}",
                    self.modules.get(module).map_or(module, |m| m.path.as_str()),
                    names.join(", ")
                ),
            );
            self.error(Error::UnknownModuleFunction {
                module: module.into(),
                name: name.into(),
                span: name_span.into(),
                help,
            });
            self.check_args_only(args);
            return Info::of(Ty::Any);
        };
        if f.runs {
            self.effect(&format!("`{module}.{name}`"), span);
        }
        let mut sig = f.sig.clone();
        sig.name = format!("{module}.{name}");
        let bound = self.bind_args(&sig, args, span, None);
        Info {
            ty: sig.ret,
            secret: any_secret(&bound),
        }
    }

    /// A command runs here: fine in a step, an error at the top level.
    fn effect(&mut self, what: &str, span: Span) {
        if self.in_template > 0 {
            self.error(Error::EffectInInterpolation {
                what: what.into(),
                span: span.into(),
            });
        } else if self.place == Place::TopLevel {
            self.error(Error::EffectOutsideStep {
                what: what.into(),
                span: span.into(),
            });
        }
        if let Some(current) = self.current_fn.clone() {
            if let Some(f) = self.fns.get_mut(&current) {
                f.runs = true;
            }
        }
    }

    fn call_builtin(&mut self, sig: &Signature, args: &[Arg], span: Span) -> Info {
        match sig.name.as_str() {
            "run" => {
                self.effect("`run`", span);
                let bound = self.bind_args(sig, args, span, Some(0));
                let command = args.first().filter(|a| a.name.is_none()).map(|a| &a.value);
                let mut secret = false;
                if let Some(c) = command {
                    if let Expr::Str(t) = &c.node {
                        secret = self.check_template(t, true);
                    } else {
                        self.expr(c);
                        self.error(Error::RunNeedsLiteral {
                            span: c.span.into(),
                        });
                    }
                }
                if let Some((info, e)) = bound[1] {
                    self.require_type(info.ty, Ty::List, "`ok:`", e.span);
                    if let Expr::List(items) = &e.node {
                        for item in items {
                            if !matches!(item.node, Expr::Int(_)) {
                                self.require_type(
                                    Ty::Any,
                                    Ty::Int,
                                    "an exit code in `ok:`",
                                    item.span,
                                );
                            }
                        }
                    }
                }
                self.arg_type(&bound, 2, Ty::Str, "`stdin:`");
                self.arg_type(&bound, 3, Ty::Bool, "`sudo:`");
                Info {
                    ty: Ty::CmdResult,
                    secret,
                }
            }
            "ssh" => {
                self.error(Error::Misplaced {
                    what: "`ssh(...)`".into(),
                    place: "here".into(),
                    span: span.into(),
                    help: "it declares a host: `host web = ssh(\"user@web1\")`, then `on web`"
                        .into(),
                });
                self.check_args_only(args);
                Info::of(Ty::Any)
            }
            name => {
                let bound = self.bind_args(sig, args, span, None);
                let want: &[Ty] = match name {
                    "env" => &[Ty::Str, Ty::Str],
                    "file" | "parse_json" | "version" => &[Ty::Str],
                    "flag" => &[Ty::Bool, Ty::Any],
                    _ => &[Ty::Str, Ty::List],
                };
                // Zipped: a builtin whose list here is longer than its signature cannot
                // index past it.
                for (i, (ty, param)) in want.iter().zip(&sig.params).enumerate() {
                    self.arg_type(
                        &bound,
                        i,
                        *ty,
                        &format!("argument `{}` of `{name}`", param.name),
                    );
                }
                Info {
                    ty: sig.ret,
                    secret: any_secret(&bound),
                }
            }
        }
    }

    /// `host NAME = ssh("target", port: 22, user: "u", identity: "~/.ssh/id", jump: bastion, config: "file")`
    pub(super) fn ssh_args(&mut self, args: &[Arg], span: Span) {
        let Some(sig) = builtins::function("ssh") else {
            unreachable!("ssh is a builtin")
        };
        let jump = args
            .iter()
            .find(|a| a.name.as_ref().is_some_and(|n| n.node == "jump"));
        let skip = jump.and(sig.params.iter().position(|p| p.name == "jump"));
        let bound = self.bind_args(&sig, args, span, skip);
        self.arg_type(&bound, 0, Ty::Str, "the ssh target");
        if let Some((info, e)) = bound[1] {
            match e.node {
                Expr::Int(port) if !(1..=65535).contains(&port) => self.error(Error::InvalidPort {
                    port,
                    span: e.span.into(),
                }),
                _ => self.require_type(info.ty, Ty::Int, "`port:`", e.span),
            }
        }
        for (i, what) in [(2, "`user:`"), (3, "`identity:`"), (5, "`config:`")] {
            self.arg_type(&bound, i, Ty::Str, what);
        }
        self.arg_type(&bound, 6, Ty::Bool, "`sudo:`");
        if let Some(j) = jump {
            match &j.value.node {
                Expr::Var(host) => self.host_reference(host, j.value.span),
                _ => {
                    let info = self.expr(&j.value);
                    self.require_type(info.ty, Ty::Str, "`jump:`", j.value.span);
                }
            }
        }
    }

    fn arg_type(&mut self, bound: &Bound, index: usize, want: Ty, context: &str) {
        if let Some(Some((info, e))) = bound.get(index) {
            self.require_type(info.ty, want, context, e.span);
        }
    }

    fn call_method(&mut self, on: Info, method: &str, span: Span, args: &[Arg]) -> Info {
        if on.ty == Ty::Any {
            self.check_args_only(args);
            return Info {
                ty: Ty::Any,
                secret: on.secret,
            };
        }
        let Some((params, ret)) = builtins::method(on.ty, method) else {
            let help = match on.ty {
                Ty::CmdResult => format!("methods work on the output: `.stdout.{method}()`"),
                Ty::Nothing => "the function called here returns nothing".into(),
                ty => {
                    let names = builtins::method_names(ty);
                    let fallback = if names.is_empty() {
                        format!("{ty} has no methods")
                    } else {
                        format!("{ty} has: {}", names.join(", "))
                    };
                    did_you_mean(method, names.iter().copied(), &fallback)
                }
            };
            self.error(Error::UnknownMethod {
                method: method.into(),
                ty: on.ty.to_string(),
                span: span.into(),
                help,
            });
            self.check_args_only(args);
            return Info {
                ty: Ty::Any,
                secret: on.secret,
            };
        };
        let required: Vec<&str> = params.to_vec();
        let sig = Signature::new(method, &required, &[], ret);
        let bound = self.bind_args(&sig, args, span, None);
        if method == "matches" || method == "captures" {
            if let Some((
                _,
                Spanned {
                    node: Expr::Str(t),
                    span,
                },
            )) = bound[0]
            {
                if let Some(Err(e)) = t.as_plain().map(|re| regex::Regex::new(&re)) {
                    self.error(Error::InvalidRegex {
                        message: e.to_string(),
                        span: (*span).into(),
                    });
                }
            }
        }
        Info {
            ty: ret,
            secret: on.secret || any_secret(&bound),
        }
    }

    /// Matches arguments to parameters and reports every mismatch. The argument at
    /// `skip` (a parameter index) is matched but left for the caller to check.
    fn bind_args<'a>(
        &mut self,
        sig: &Signature,
        args: &'a [Arg],
        span: Span,
        skip: Option<usize>,
    ) -> Bound<'a> {
        let mut bound: Bound<'a> = vec![None; sig.params.len()];
        let mut given: Vec<Option<Span>> = vec![None; sig.params.len()];
        let mut positional = 0;
        let mut first_named: Option<Span> = None;
        for arg in args {
            let index = match &arg.name {
                None => {
                    if let Some(named) = first_named {
                        self.error(Error::PositionalAfterNamed {
                            span: arg.value.span.into(),
                            named: named.into(),
                        });
                        self.expr(&arg.value);
                        continue;
                    }
                    positional += 1;
                    if positional > sig.params.len() {
                        self.error(Error::WrongArity {
                            name: sig.name.clone(),
                            expected: arity(sig),
                            found: args.iter().filter(|a| a.name.is_none()).count(),
                            signature: sig.render(),
                            span: arg.value.span.into(),
                        });
                        self.expr(&arg.value);
                        continue;
                    }
                    positional - 1
                }
                Some(name) => {
                    first_named.get_or_insert(name.span);
                    let Some(i) = sig.params.iter().position(|p| p.name == name.node) else {
                        let names: Vec<&str> = sig.params.iter().map(|p| p.name.as_str()).collect();
                        let fallback = if names.is_empty() {
                            format!("`{}` takes no named arguments", sig.name)
                        } else {
                            format!("parameters: {}", names.join(", "))
                        };
                        let help = did_you_mean(&name.node, names.iter().copied(), &fallback);
                        self.error(Error::UnknownNamedArgument {
                            name: sig.name.clone(),
                            arg: name.node.clone(),
                            span: name.span.into(),
                            help,
                        });
                        self.expr(&arg.value);
                        continue;
                    };
                    i
                }
            };
            let at = arg.name.as_ref().map_or(arg.value.span, |n| n.span);
            if let Some(first) = given[index] {
                self.error(Error::DuplicateArgument {
                    param: sig.params[index].name.clone(),
                    span: at.into(),
                    first: first.into(),
                });
                continue;
            }
            given[index] = Some(at);
            let info = if skip == Some(index) {
                Info::of(Ty::Any)
            } else {
                let info = self.expr(&arg.value);
                self.require_value(
                    info.ty,
                    &format!("argument `{}`", sig.params[index].name),
                    arg.value.span,
                );
                info
            };
            bound[index] = Some((info, &arg.value));
        }
        for (i, p) in sig.params.iter().enumerate() {
            if !p.optional && given[i].is_none() {
                self.error(Error::MissingArgument {
                    name: sig.name.clone(),
                    param: p.name.clone(),
                    signature: sig.render(),
                    span: span.into(),
                });
            }
        }
        bound
    }

    /// Checks argument expressions of a call that could not be resolved.
    fn check_args_only(&mut self, args: &[Arg]) {
        for a in args {
            self.expr(&a.value);
        }
    }
}

fn arity(sig: &Signature) -> String {
    let required = sig.params.iter().filter(|p| !p.optional).count();
    if required == sig.params.len() {
        required.to_string()
    } else {
        format!("{required} to {}", sig.params.len())
    }
}

fn any_secret(bound: &Bound) -> bool {
    bound.iter().flatten().any(|(info, _)| info.secret)
}
