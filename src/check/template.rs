//! `{{ }}` interpolations: names, filters, and for commands, shell quoting.

use super::builtins;
use super::error::Error;
use super::suggest::did_you_mean;
use super::types::Ty;
use super::Checker;
use crate::syntax::ast::{Interpolation, Part, Template};

/// Where the shell is in a command's literal text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

impl Checker<'_> {
    /// Checks every interpolation; true when a secret flows into the string.
    pub(super) fn check_template(&mut self, t: &Template, command: bool) -> bool {
        let mut quote = Quote::None;
        let mut secret = false;
        for part in &t.parts {
            match &part.node {
                Part::Text(text) => quote = advance(quote, text),
                Part::Interpolation(i) => {
                    secret |= self.check_interp(i, part.span);
                    if command && quote != Quote::None && !i.is_raw() {
                        let quote = if quote == Quote::Single {
                            "single"
                        } else {
                            "double"
                        };
                        self.error(Error::QuotedInterpolation {
                            quote: quote.into(),
                            span: part.span.into(),
                        });
                    }
                }
            }
        }
        secret
    }

    fn check_interp(&mut self, i: &Interpolation, span: crate::source::Span) -> bool {
        self.in_template += 1;
        let info = self.expr(&i.value);
        self.in_template -= 1;
        for f in &i.filters {
            for a in &f.args {
                self.expr(a);
            }
            match builtins::filter(&f.name.node) {
                None => {
                    let help = did_you_mean(
                        &f.name.node,
                        builtins::FILTER_NAMES.iter().copied(),
                        &format!("filters: {}", builtins::FILTER_NAMES.join(", ")),
                    );
                    self.error(Error::UnknownFilter {
                        name: f.name.node.clone(),
                        span: f.name.span.into(),
                        help,
                    });
                }
                Some((min, max, example)) if f.args.len() < min || f.args.len() > max => {
                    let expected = if min == max {
                        min.to_string()
                    } else {
                        format!("{min} to {max}")
                    };
                    self.error(Error::FilterArity {
                        name: f.name.node.clone(),
                        expected,
                        found: f.args.len(),
                        example: example.into(),
                        span: f.span.into(),
                    });
                }
                Some(_) => {}
            }
        }
        if i.is_raw() {
            if info.secret {
                self.error(Error::RawSecret {
                    name: crate::syntax::tree::expr(&i.value.node),
                    span: span.into(),
                });
            } else if self.options.strict {
                self.error(Error::RawInterpolation { span: span.into() });
            }
        }
        let reshaped = i.filters.iter().any(|f| f.name.node != "raw");
        if !reshaped && matches!(info.ty, Ty::CmdResult | Ty::Map | Ty::Nothing) {
            let help = match info.ty {
                Ty::CmdResult => {
                    "interpolate one of its fields: `{{ r.stdout }}` or `{{ r.code }}`"
                }
                Ty::Map => "interpolate one of its fields: `{{ m.key }}`",
                _ => "the function called here returns nothing",
            };
            self.error(Error::InterpolateRecord {
                ty: info.ty.to_string(),
                span: span.into(),
                help: help.into(),
            });
        }
        info.secret
    }
}

/// The quoting state after the shell reads `text`.
fn advance(mut quote: Quote, text: &str) -> Quote {
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        quote = match (quote, c) {
            (Quote::None | Quote::Double, '\\') => {
                chars.next();
                quote
            }
            (Quote::None, '\'') => Quote::Single,
            (Quote::Single, '\'') => Quote::None,
            (Quote::None, '"') => Quote::Double,
            (Quote::Double, '"') => Quote::None,
            _ => quote,
        };
    }
    quote
}
