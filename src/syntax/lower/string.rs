//! String literals: escapes, `{{ }}` interpolations, and the indentation of `"""` blocks.

use pest::iterators::Pair;

use super::{next, Lowerer};
use crate::source::{Span, Spanned};
use crate::syntax::ast::*;
use crate::syntax::error::Error;
use crate::syntax::grammar::Rule;

impl Lowerer<'_> {
    pub(super) fn string(&self, pair: Pair<Rule>) -> Node<Template> {
        let span = self.span(&pair);
        let inner = next(&mut pair.into_inner(), "string kind");
        let triple = inner.as_rule() == Rule::triple_string;
        let mut parts: Vec<Node<Part>> = Vec::new();
        for p in inner.into_inner() {
            let s = self.span(&p);
            match p.as_rule() {
                Rule::line_text | Rule::triple_text => push_text(&mut parts, p.as_str(), s),
                Rule::escape => {
                    if let Some(text) = self.escape(p.as_str(), s) {
                        push_text(&mut parts, text, s);
                    }
                }
                Rule::template_tag => self.error(Error::TemplateTag { span: s.into() }),
                Rule::interpolation => {
                    parts.push(Spanned::new(Part::Interpolation(self.interpolation(p)), s))
                }
                r => unreachable!("rule string cannot hold {r:?}"),
            }
        }
        if triple {
            dedent(&mut parts);
        }
        Spanned::new(Template { parts }, span)
    }

    fn filter_arg(&self, p: Pair<Rule>) -> Node<Expr> {
        let span = self.span(&p);
        let expr = match p.as_rule() {
            Rule::plain_string => {
                let mut text = String::new();
                for part in p.into_inner() {
                    let s = self.span(&part);
                    match part.as_rule() {
                        Rule::escape => {
                            text.push_str(self.escape(part.as_str(), s).unwrap_or_default())
                        }
                        _ => text.push_str(part.as_str()),
                    }
                }
                Expr::Str(Template {
                    parts: vec![Spanned::new(Part::Text(text), span)],
                })
            }
            Rule::int => Expr::Int(p.as_str().parse().unwrap_or_else(|_| {
                self.error(Error::NumberTooLarge { span: span.into() });
                0
            })),
            Rule::float => Expr::Float(p.as_str().parse().unwrap_or(0.0)),
            Rule::boolean => Expr::Bool(p.as_str() == "true"),
            r => unreachable!("rule filter_arg cannot be {r:?}"),
        };
        Spanned::new(expr, span)
    }

    fn escape(&self, text: &str, span: Span) -> Option<&'static str> {
        Some(match text {
            "\\\\" => "\\",
            "\\\"" => "\"",
            "\\n" => "\n",
            "\\t" => "\t",
            "\\r" => "\r",
            "\\{" => "{",
            "\\}" => "}",
            "\\\n" => "",
            _ => {
                self.error(Error::InvalidEscape {
                    escape: text.to_string(),
                    span: span.into(),
                });
                return None;
            }
        })
    }

    fn interpolation(&self, p: Pair<Rule>) -> Interpolation {
        let mut it = p.into_inner();
        let value = self.expr(next(&mut it, "interpolation expr"));
        let filters = it
            .map(|f| {
                let span = self.span(&f);
                let mut fi = f.into_inner();
                let name = self.name(next(&mut fi, "filter name"));
                let args = fi.map(|a| self.filter_arg(a)).collect();
                Filter { name, args, span }
            })
            .collect();
        Interpolation { value, filters }
    }
}

/// Adjacent text (say, text then an escape) becomes one part.
fn push_text(parts: &mut Vec<Node<Part>>, text: &str, span: Span) {
    if let Some(Spanned {
        node: Part::Text(prev),
        span: prev_span,
    }) = parts.last_mut()
    {
        prev.push_str(text);
        *prev_span = prev_span.to(span);
        return;
    }
    parts.push(Spanned::new(Part::Text(text.to_string()), span));
}

/// `"""` blocks drop the newline after the opening quotes, the last line when only the
/// closing quotes stand on it, and that line's indentation from every line, so a heredoc
/// can be indented with the runbook.
fn dedent(parts: &mut [Node<Part>]) {
    let mut indent = 0;
    if let Some(Spanned {
        node: Part::Text(t),
        ..
    }) = parts.last_mut()
    {
        if let Some(nl) = t.rfind('\n') {
            if t[nl + 1..].chars().all(|c| c == ' ' || c == '\t') {
                indent = t.len() - nl - 1;
                t.truncate(nl);
            }
        }
    }
    // Adjacent text is merged into one part, so only lines after a newline start a line.
    for part in parts.iter_mut() {
        if let Part::Text(t) = &mut part.node {
            let lines: Vec<&str> = t.split('\n').collect();
            let mut out = String::with_capacity(t.len());
            for (i, line) in lines.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                    out.push_str(strip_indent(line, indent));
                } else {
                    out.push_str(line);
                }
            }
            *t = out;
        }
    }
    if let Some(Spanned {
        node: Part::Text(t),
        ..
    }) = parts.first_mut()
    {
        if let Some(rest) = t.strip_prefix('\n') {
            *t = rest.to_string();
        }
    }
}

fn strip_indent(line: &str, indent: usize) -> &str {
    let n = line
        .bytes()
        .take(indent)
        .take_while(|b| *b == b' ' || *b == b'\t')
        .count();
    &line[n..]
}
