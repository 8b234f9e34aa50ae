//! A step's head: its target and modifiers, each checked once and for what it needs.

use std::collections::HashMap;

use super::error::Error;
use super::scope::{Binding, Kind};
use super::suggest::did_you_mean;
use super::types::Ty;
use super::{Checker, Place};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, Modifier};

impl Checker<'_> {
    pub(super) fn check_step(&mut self, step: &ast::Step) {
        let mut seen: HashMap<&'static str, Span> = HashMap::new();
        let mut target_is_group = false;
        let mut on: Option<String> = None;
        let mut guarded = false;
        for m in &step.modifiers {
            let key = match m.node {
                Modifier::When(_) | Modifier::Unless(_) => "guard",
                ref other => other.keyword(),
            };
            if let Some(first) = seen.get(key) {
                let first = (*first).into();
                if key == "guard" {
                    self.error(Error::ConflictingGuards {
                        span: m.span.into(),
                        first,
                    });
                } else {
                    self.error(Error::DuplicateModifier {
                        keyword: key.into(),
                        span: m.span.into(),
                        first,
                    });
                }
                continue;
            }
            seen.insert(key, m.span);
            match &m.node {
                Modifier::On(target) => {
                    target_is_group = self.step_target(target);
                    on = Some(target.node.clone());
                }
                Modifier::When(_) | Modifier::Unless(_) => guarded = true,
                _ => {}
            }
        }
        self.step_hosts = match on {
            None => Some(vec!["local".into()]),
            Some(g) if target_is_group => self.group_members.get(&g).cloned().flatten(),
            Some(h)
                if self
                    .scope
                    .globals
                    .get(&h)
                    .is_some_and(|b| b.kind == Kind::Host) =>
            {
                Some(vec![h])
            }
            Some(_) => None,
        };
        self.step = Some((step.id.node.clone(), guarded));
        self.scope.current_step = Some(step.id.node.clone());
        self.place = Place::Step;
        // In a step, `host` is the host it runs on (each host of a fan-out in turn).
        let this_host = Binding::new(Kind::Let, Ty::Map, step.id.span);
        this_host.used.set(true);
        self.scope.globals.insert("host".into(), this_host);
        for m in &step.modifiers {
            self.check_modifier(m, target_is_group);
        }
        self.check_template(&step.title.node, false);
        if step.body.stmts.is_empty() {
            self.error(Error::EmptyStep {
                id: step.id.node.clone(),
                span: Span {
                    start: step.body.close.start.saturating_sub(1),
                    ..step.body.close
                }
                .into(),
            });
        }
        self.check_block(&step.body, Place::Step);
        self.scope.globals.remove("host");
        self.step = None;
        self.step_hosts = None;
        self.scope.current_step = None;
        self.place = Place::TopLevel;
    }

    /// Resolves `on NAME`; true when it names a group.
    fn step_target(&mut self, target: &ast::Name) -> bool {
        match self.scope.globals.get(&target.node) {
            Some(b) if b.kind == Kind::Host || b.kind == Kind::Group => {
                b.used.set(true);
                b.kind == Kind::Group
            }
            // The inventory that would say could not be read: that error says it all.
            None if self.inventory_failed => false,
            found => {
                let targets = self.names_of(&[Kind::Host, Kind::Group]);
                let fallback = match found {
                    Some(b) => format!(
                        "`{}` is a {}; declare hosts with `host NAME = ssh(...)`",
                        target.node,
                        b.kind.describe()
                    ),
                    None if targets.is_empty() => {
                        "declare it: `host NAME = ssh(\"user@host\")`, or use `local`".into()
                    }
                    None => format!("declared hosts and groups: {}", targets.join(", ")),
                };
                let help =
                    did_you_mean(&target.node, targets.iter().map(String::as_str), &fallback);
                self.error(Error::UndefinedTarget {
                    name: target.node.clone(),
                    span: target.span.into(),
                    help,
                });
                false
            }
        }
    }

    fn check_modifier(&mut self, m: &Spanned<Modifier>, on_group: bool) {
        self.step_head = true;
        self.modifier_settings(m, on_group);
        self.step_head = false;
    }

    fn modifier_settings(&mut self, m: &Spanned<Modifier>, on_group: bool) {
        let group_only = |keyword: &str| Error::GroupOnlyModifier {
            keyword: keyword.into(),
            help: format!(
                "`{keyword}` limits a fan-out over a group's hosts; this step runs on one host"
            ),
            span: m.span.into(),
        };
        match &m.node {
            Modifier::On(_) | Modifier::Sudo | Modifier::Disconnects | Modifier::Tags(_) => {}
            Modifier::When(e) | Modifier::Unless(e) => {
                let info = self.expr(e);
                self.require_type(
                    info.ty,
                    Ty::Bool,
                    &format!("`{}`", m.node.keyword()),
                    e.span,
                );
            }
            Modifier::Parallel(n) => {
                if on_group {
                    self.count_setting(
                        n,
                        "parallel",
                        "`parallel N` runs on at most N hosts at once",
                    );
                } else {
                    self.error(group_only("parallel"));
                }
            }
            Modifier::MaxFail(b) => {
                if on_group {
                    self.budget_setting(b);
                } else {
                    self.error(group_only("max_fail"));
                }
            }
            Modifier::Timeout(d) => {
                self.duration_setting(d, "timeout", "a step with a zero timeout can never finish")
            }
            Modifier::Retry(r) => {
                self.count_setting(
                    &r.times,
                    "retry",
                    "`retry N` tries again up to N times; leave it out for no retries",
                );
                self.duration_setting(
                    &r.every,
                    "retry every",
                    "wait at least a moment between tries, e.g. `every 5s`",
                );
                if let Some(b) = &r.backoff {
                    self.factor_setting(b);
                }
            }
        }
    }
}
