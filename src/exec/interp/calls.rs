//! Calls: `run`, builtins, functions of the runbook and the stdlib, and methods.

use std::collections::HashMap;
use std::sync::Arc;

use super::expr::on_clear;
use super::secret_words;
use super::{Failure, Flow, Frame, FrameKind, Interpreter, Outcome, Target};
use crate::check::builtins::{Builtin, Function, Method, MethodDef};
use crate::exec::event::Event;
use crate::exec::sudo;
use crate::exec::taint;
use crate::exec::transport::{CommandSpec, Ran, TransportError};
use crate::exec::value::{self, CmdResult, Value};
use crate::plan::Name;
use crate::syntax::ast::{Arg, Expr, FnDef, Node};

fn eval_error(message: impl Into<String>) -> Failure {
    Failure::Eval {
        message: message.into(),
    }
}

impl Interpreter<'_> {
    pub(super) fn call(
        &mut self,
        callee: &Node<Expr>,
        args: &[Arg],
        target: Option<&Target>,
    ) -> Outcome<Value> {
        match &callee.node {
            Expr::Var(name)
                if Builtin::named(name).is_some_and(|b| b.function == Function::Run) =>
            {
                self.run_command(args, target)
            }
            Expr::Var(name) => {
                let module = self.current_module().map(str::to_string);
                let def = match &module {
                    Some(m) => self.module_fns.get(&(m.as_str(), name.as_str())).copied(),
                    None => self.fns.get(name.as_str()).copied(),
                };
                match def {
                    Some(def) => self.call_fn(def, module, args, target),
                    None => self.builtin(name, args, target),
                }
            }
            Expr::Field(obj, method) => {
                if let Expr::Var(m) = &obj.node {
                    if self.plan.names.get(obj.span) == Some(&Name::Module) {
                        if let Some(def) = self
                            .module_fns
                            .get(&(m.as_str(), method.node.as_str()))
                            .copied()
                        {
                            return self.call_fn(def, Some(m.clone()), args, target);
                        }
                    }
                }
                let recv = self.eval(obj, target)?;
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.eval(&a.value, target)?);
                }
                if let Value::Unknown(what) = &recv {
                    // `v.stdout: captured in step s` -> `v.stdout.trim(): captured in step s`
                    return Ok(Value::Unknown(match what.split_once(": ") {
                        Some((name, rest)) => format!("{name}.{}(): {rest}", method.node),
                        None => format!("{what}.{}()", method.node),
                    }));
                }
                values.insert(0, recv);
                on_clear(values, |mut v| {
                    let recv = v.remove(0);
                    call_method(recv, &method.node, v)
                })
            }
            _ => Err(eval_error("this cannot be called")),
        }
    }

    fn call_fn(
        &mut self,
        def: &FnDef,
        module: Option<String>,
        args: &[Arg],
        target: Option<&Target>,
    ) -> Outcome<Value> {
        let mut vars: HashMap<String, Value> = HashMap::new();
        let mut positional = def.params.iter();
        for a in args {
            let v = self.eval(&a.value, target)?;
            let name = match &a.name {
                Some(n) => n.node.clone(),
                None => positional
                    .next()
                    .map(|p| p.name.node.clone())
                    .ok_or_else(|| eval_error("too many arguments"))?,
            };
            vars.insert(name, v);
        }
        for p in &def.params {
            if !vars.contains_key(&p.name.node) {
                let v = match &p.default {
                    Some(d) => crate::plan::literal(&d.node),
                    None => {
                        return Err(eval_error(format!(
                            "missing argument `{}` of `{}`",
                            p.name.node, def.name.node
                        )))
                    }
                };
                vars.insert(p.name.node.clone(), v);
            }
        }
        // A function given a secret gives a secret back, whatever it does with it.
        let mut from = Vec::new();
        for v in vars.values() {
            taint::reveal(v.clone(), &mut from);
        }
        self.frames.push(Frame {
            vars,
            kind: match module {
                Some(m) => FrameKind::ModuleFunction(m),
                None => FrameKind::RunbookFunction,
            },
        });
        let result = self.block(&def.body, target);
        self.frames.pop();
        Ok(taint::taint(
            match result? {
                Flow::Return(v) => v,
                Flow::Next => Value::Nothing,
            },
            from,
        ))
    }

    /// Named arguments by name, positional ones in order.
    fn args(
        &mut self,
        args: &[Arg],
        target: Option<&Target>,
    ) -> Outcome<(Vec<Value>, HashMap<String, Value>)> {
        let mut positional = Vec::new();
        let mut named = HashMap::new();
        for a in args {
            let v = self.eval(&a.value, target)?;
            match &a.name {
                Some(n) => {
                    named.insert(n.node.clone(), v);
                }
                None => positional.push(v),
            }
        }
        Ok((positional, named))
    }

    fn builtin(&mut self, name: &str, args: &[Arg], target: Option<&Target>) -> Outcome<Value> {
        let (pos, named) = self.args(args, target)?;
        let mut from = Vec::new();
        let pos: Vec<Value> = pos
            .into_iter()
            .map(|v| taint::reveal(v, &mut from))
            .collect();
        let secret = !from.is_empty();
        self.builtin_on(name, pos, named)
            .map(|v| taint::taint(v, from))
            .map_err(|f| super::render::hide(f, secret))
    }

    fn builtin_on(
        &mut self,
        name: &str,
        pos: Vec<Value>,
        mut named: HashMap<String, Value>,
    ) -> Outcome<Value> {
        if let Some(Value::Unknown(what)) = pos.iter().find(|v| matches!(v, Value::Unknown(_))) {
            return Ok(Value::Unknown(what.clone()));
        }
        let arg = |i: usize| {
            pos.get(i)
                .cloned()
                .ok_or_else(|| eval_error(format!("`{name}` is missing an argument")))
        };
        let text = |v: Value| match v {
            Value::Str(s) => Ok(s),
            other => Err(eval_error(format!(
                "`{name}` needs a string, got {}",
                other.type_name()
            ))),
        };
        let Some(builtin) = Builtin::named(name) else {
            return Err(eval_error(format!("unknown function `{name}`")));
        };
        match builtin.function {
            Function::Env => {
                let var = text(arg(0)?)?;
                match (std::env::var(&var), named.remove("default")) {
                    (Ok(v), _) => Ok(Value::Str(v)),
                    (Err(_), Some(default)) => Ok(default),
                    (Err(_), None) => Err(eval_error(format!(
                        "environment variable `{var}` is not set"
                    ))),
                }
            }
            Function::File => {
                let path = text(arg(0)?)?;
                let path = expand_home(&path);
                std::fs::read_to_string(&path)
                    .map(|s| Value::Str(s.trim_end_matches('\n').to_string()))
                    .map_err(|e| eval_error(format!("cannot read `{path}`: {e}")))
            }
            Function::Version => {
                let t = text(arg(0)?)?;
                crate::value::version::Version::parse(&t)
                    .map(Value::Version)
                    .map_err(eval_error)
            }
            Function::ParseJson => {
                let t = text(arg(0)?)?;
                serde_json::from_str::<serde_json::Value>(&t)
                    .map(value::from_json)
                    .map_err(|e| eval_error(format!("not JSON: {e}")))
            }
            Function::Flag => match arg(0)? {
                Value::Bool(true) => Ok(match arg(1)? {
                    Value::List(items) => Value::List(items),
                    v => Value::List(vec![v]),
                }),
                Value::Bool(false) => Ok(Value::List(Vec::new())),
                other => Err(eval_error(format!(
                    "`flag` needs a bool, got {}",
                    other.type_name()
                ))),
            },
            Function::FlagEach => {
                let flag = arg(0)?;
                match arg(1)? {
                    Value::List(items) => Ok(Value::List(
                        items.into_iter().flat_map(|v| [flag.clone(), v]).collect(),
                    )),
                    other => Err(eval_error(format!(
                        "`flag_each` needs a list, got {}",
                        other.type_name()
                    ))),
                }
            }
            // `run` takes its command as written (`run_command`); `ssh(...)` is a host's
            // address, read by the plan: neither is a value to compute here.
            Function::Run | Function::Ssh => {
                Err(eval_error(format!("`{name}(...)` cannot be called here")))
            }
        }
    }

    fn run_command(&mut self, args: &[Arg], target: Option<&Target>) -> Outcome<Value> {
        let Some(target) = target else {
            return Err(eval_error("commands run only in steps"));
        };
        let Some(Expr::Str(template)) = args
            .first()
            .filter(|a| a.name.is_none())
            .map(|a| &a.value.node)
        else {
            return Err(eval_error("`run` needs a command string"));
        };
        let rendered = self.render(template, true)?;
        let mut from = rendered.from.clone();
        let mut ok_codes = vec![0];
        let mut stdin = None;
        let mut stdin_shown = None;
        let mut stdin_secret = None;
        let mut sudo = false;
        for a in args.iter().skip(1) {
            let v = self.eval(&a.value, Some(target))?;
            match (a.name.as_ref().map(|n| n.node.as_str()), v) {
                (Some("ok"), Value::List(codes)) => {
                    ok_codes = codes
                        .iter()
                        .filter_map(|c| {
                            if let Value::Int(i) = c {
                                i32::try_from(*i).ok()
                            } else {
                                None
                            }
                        })
                        .collect();
                }
                (Some("stdin"), v)
                    if matches!(taint::reveal(v.clone(), &mut Vec::new()), Value::Str(_)) =>
                {
                    stdin_shown = Some(v.to_string());
                    let secret = taint::holds_secret(&v);
                    if let Value::Str(s) = taint::reveal(v, &mut from) {
                        stdin_secret = secret.then(|| s.clone());
                        stdin = Some(s);
                    }
                }
                (Some("sudo"), Value::Bool(b)) => sudo = b,
                (name, v) => {
                    return Err(eval_error(format!(
                        "`run` option {name:?} cannot be {}",
                        v.type_name()
                    )))
                }
            }
        }
        let sudo = sudo || target.sudo;
        // Output from outside (a secret read back from a file) is masked by its text too,
        // before any wrapping splits it between quotes.
        let mut shown = self.services.masker.mask(&rendered.shown).into_owned();
        let (mut command, stdin) = secret_words::hand_over(&rendered, stdin);
        // A value known only at run time is named by its own command, not by the sudo wrap.
        let description = format!("output of `{}`", short(&shown));
        let named = shown.clone();
        if sudo {
            let wrap = |c: &str| -> Outcome<String> { sudo::wrap(c).map_err(eval_error) };
            command = wrap(&command)?;
            shown = wrap(&shown)?;
        }
        // What the command prints may hold the values made from secrets it was given.
        let mut masker = std::borrow::Cow::Borrowed(&self.services.masker);
        for word in rendered.words.iter().chain(stdin_secret.as_ref()) {
            masker.to_mut().scrub(word);
        }
        let masker = &*masker;
        let observer = self.services.observer;
        let (step, host) = (target.step.clone(), target.host.clone());
        if self.services.verbose {
            observer.event(Event::Command {
                step: step.clone(),
                host: host.clone(),
                command: shown.clone(),
            });
        }
        let spec = CommandSpec {
            command,
            shown: shown.clone(),
            stdin,
            deadline: target.deadline,
        };
        let quiet = target.quiet;
        let mut on_line = |stream, line: &str| {
            if quiet {
                return;
            }
            observer.event(Event::Output {
                step: step.clone(),
                host: host.clone(),
                stream,
                line: masker.mask(line).into_owned(),
            });
        };
        let started = std::time::Instant::now();
        let result = self.services.runtime.block_on(target.transport.run(
            &spec,
            &mut on_line,
            self.services.stop.clone(),
        ));
        if let (true, Ok(Ran::Finished(r))) = (self.services.debug, &result) {
            observer.event(Event::CommandFinished {
                step: target.step.clone(),
                host: target.host.clone(),
                code: r.code,
                duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            });
        }
        let result = match result {
            Ok(Ran::Finished(r)) => r,
            // A plan's command: written down, its output known when it runs.
            Ok(Ran::Recorded) => {
                let stdin = stdin_shown.map(|s| masker.mask(&s).into_owned());
                self.dry_record(crate::plan::doc::Action::Run {
                    command: shown,
                    sudo,
                    ok_codes,
                    stdin,
                });
                return Ok(Value::Unknown(description));
            }
            Err(TransportError::TimedOut) => return Err(Failure::TimedOut),
            Err(TransportError::Interrupted) => return Err(Failure::Interrupted),
            Err(TransportError::Spawn(message)) => return Err(Failure::Transport { message }),
            Err(TransportError::Connect(message)) => return Err(Failure::Unreachable { message }),
            Err(TransportError::Lost(message)) => {
                return Err(Failure::Dropped {
                    command: named,
                    message,
                })
            }
        };
        if !ok_codes.contains(&result.code) {
            return Err(Failure::Command {
                command: named,
                code: result.code,
                stderr: masker.mask(&result.stderr).into_owned(),
            });
        }
        // What a command made of a secret is a secret too.
        Ok(taint::taint(
            Value::Result(Arc::new(CmdResult {
                code: result.code,
                stdout: result.stdout,
                stderr: result.stderr,
            })),
            from,
        ))
    }
}

/// A command shortened for a description.
fn short(command: &str) -> String {
    let flat: String = command.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 40 {
        format!("{}…", flat.chars().take(40).collect::<String>())
    } else {
        flat
    }
}

/// `~/x` on the control machine.
fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    }
}

fn call_method(recv: Value, name: &str, args: Vec<Value>) -> Outcome<Value> {
    let no_method =
        |recv: &Value| eval_error(format!("{} has no method `{name}`", recv.type_name()));
    let Some(method) = MethodDef::named(name) else {
        return Err(no_method(&recv));
    };
    let arg_str = |i: usize| match args.get(i) {
        Some(Value::Str(s)) => Ok(s.clone()),
        Some(other) => Err(eval_error(format!(
            "`{name}` needs a string argument, got {}",
            other.type_name()
        ))),
        None => Err(eval_error(format!("`{name}` is missing an argument"))),
    };
    Ok(match (recv, method) {
        (Value::Str(s), Method::Trim) => Value::Str(s.trim().to_string()),
        (Value::Str(s), Method::Lines) => {
            Value::List(s.lines().map(|l| Value::Str(l.to_string())).collect())
        }
        (Value::Str(s), Method::Contains) => Value::Bool(s.contains(&arg_str(0)?)),
        (Value::Str(s), Method::Matches) => {
            let re = regex::Regex::new(&arg_str(0)?)
                .map_err(|e| eval_error(format!("invalid regex: {e}")))?;
            Value::Bool(re.is_match(&s))
        }
        (Value::Str(s), Method::Captures) => {
            let re = regex::Regex::new(&arg_str(0)?)
                .map_err(|e| eval_error(format!("invalid regex: {e}")))?;
            // The groups of the first match, in order (`""` for one that took no part);
            // no match gives an empty list.
            let groups = re.captures(&s).map_or_else(Vec::new, |c| {
                c.iter()
                    .skip(1)
                    .map(|g| Value::Str(g.map_or("", |m| m.as_str()).to_string()))
                    .collect()
            });
            Value::List(groups)
        }
        (Value::Str(s), Method::ToInt) => Value::Int(
            s.trim()
                .parse()
                .map_err(|_| eval_error(format!("`{}` is not a whole number", s.trim())))?,
        ),
        (Value::Str(s), Method::ToFloat) => Value::Float(
            s.trim()
                .parse()
                .map_err(|_| eval_error(format!("`{}` is not a number", s.trim())))?,
        ),
        (Value::Str(s), Method::StartsWith) => Value::Bool(s.starts_with(&arg_str(0)?)),
        (Value::Str(s), Method::EndsWith) => Value::Bool(s.ends_with(&arg_str(0)?)),
        (Value::Str(s), Method::Split) => Value::List(
            s.split(&arg_str(0)?)
                .map(|p| Value::Str(p.to_string()))
                .collect(),
        ),
        (Value::Str(s), Method::Upper) => Value::Str(s.to_uppercase()),
        (Value::Str(s), Method::Lower) => Value::Str(s.to_lowercase()),
        (Value::Str(s), Method::Replace) => Value::Str(s.replace(&arg_str(0)?, &arg_str(1)?)),
        (Value::Str(s), Method::Length) => Value::Int(s.chars().count() as i64),
        (Value::Str(s), Method::IsEmpty) => Value::Bool(s.is_empty()),
        (Value::List(l), Method::Length) => Value::Int(l.len() as i64),
        (Value::List(l), Method::IsEmpty) => Value::Bool(l.is_empty()),
        (Value::List(l), Method::Contains) => {
            Value::Bool(args.first().is_some_and(|x| l.contains(x)))
        }
        (Value::List(l), Method::Join) => Value::Str(
            l.iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(&arg_str(0)?),
        ),
        (Value::List(l), Method::First) => l
            .first()
            .cloned()
            .ok_or_else(|| eval_error("`first` of an empty list"))?,
        (Value::List(l), Method::Last) => l
            .last()
            .cloned()
            .ok_or_else(|| eval_error("`last` of an empty list"))?,
        (Value::Map(m), Method::Keys) => {
            Value::List(m.keys().map(|k| Value::Str(k.clone())).collect())
        }
        (Value::Map(m), Method::Get) => m.get(&arg_str(0)?).cloned().unwrap_or(Value::Nothing),
        (Value::Map(m), Method::Length) => Value::Int(m.len() as i64),
        (Value::Map(m), Method::IsEmpty) => Value::Bool(m.is_empty()),
        (recv, _) => return Err(no_method(&recv)),
    })
}
