//! `notify webhook(url, events: [...], format: "...")`: the one channel there is, checked whole.

use super::error::Error;
use super::types::Ty;
use super::Checker;
use crate::syntax::ast::{self, Expr};

/// What a notification may be sent for.
pub const EVENTS: &[&str] = &[
    "awaiting_approval",
    "failed",
    "rolled_back",
    "declined",
    "succeeded",
];

/// The bodies a webhook can be sent.
pub const FORMATS: &[&str] = &["json", "slack"];

impl Checker<'_> {
    pub(super) fn check_notify(&mut self, e: &ast::Node<Expr>) {
        let Expr::Call(callee, args) = &e.node else {
            return self.invalid_notify(
                e.span,
                "write `notify webhook(url)`, with the URL from a secret",
            );
        };
        if !matches!(&callee.node, Expr::Var(v) if v == "webhook") {
            return self.invalid_notify(
                callee.span,
                "the channel is `webhook(url)`: a POST of JSON to a URL",
            );
        }
        let mut url = None;
        for arg in args {
            match arg.name.as_ref().map(|n| n.node.as_str()) {
                None if url.is_none() => url = Some(&arg.value),
                None => self.invalid_notify(
                    arg.value.span,
                    "one URL per `notify`; declare another `notify` for a second hook",
                ),
                Some("events") => self.notify_events(&arg.value),
                Some("format") => self.notify_format(&arg.value),
                Some(other) => {
                    let help =
                        format!("`webhook` takes a URL, `events:` and `format:`, not `{other}:`");
                    self.invalid_notify(arg.value.span, &help)
                }
            }
        }
        let Some(url) = url else {
            return self.invalid_notify(
                e.span,
                "give it the URL: `webhook(hook)`, with `secret hook = env(\"OPS_WEBHOOK\")`",
            );
        };
        let info = self.expr(url);
        self.require_type(info.ty, Ty::Str, "a webhook URL", url.span);
        if !info.secret {
            self.error(Error::WebhookNotSecret {
                span: url.span.into(),
            });
        }
    }

    fn notify_events(&mut self, list: &ast::Node<Expr>) {
        let Expr::List(items) = &list.node else {
            return self.invalid_notify(
                list.span,
                &format!("`events:` lists what to tell: {}", EVENTS.join(", ")),
            );
        };
        for item in items {
            let known = matches!(&item.node, Expr::Str(t)
                if t.as_plain().is_some_and(|s| EVENTS.contains(&s.as_str())));
            if !known {
                let help = format!("the events are: {}", EVENTS.join(", "));
                self.invalid_notify(item.span, &help);
            }
        }
    }

    fn notify_format(&mut self, format: &ast::Node<Expr>) {
        let known = matches!(&format.node, Expr::Str(t)
            if t.as_plain().is_some_and(|s| FORMATS.contains(&s.as_str())));
        if !known {
            self.invalid_notify(
                format.span,
                "`format:` is \"json\" (the documented payload) or \"slack\" (a Slack-compatible `text`)",
            );
        }
    }

    fn invalid_notify(&mut self, span: crate::source::Span, help: &str) {
        self.error(Error::InvalidNotify {
            span: span.into(),
            help: help.into(),
        });
    }
}
