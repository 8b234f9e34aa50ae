//! Expressions, with operator precedence from one Pratt parser (lowest first):
//! `or`, `and`, `not`, comparisons, `??`, `+ -`, `* /`, unary `-`, then `.field`, `(call)`,
//! `[index]`.

use std::sync::OnceLock;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::{next, Lowerer};
use crate::source::Spanned;
use crate::syntax::ast::*;
use crate::syntax::error::Error;
use crate::syntax::grammar::Rule;

fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::op_or, Assoc::Left))
            .op(Op::infix(Rule::op_and, Assoc::Left))
            .op(Op::prefix(Rule::op_not))
            .op(Op::infix(Rule::op_eq, Assoc::Left)
                | Op::infix(Rule::op_ne, Assoc::Left)
                | Op::infix(Rule::op_lt, Assoc::Left)
                | Op::infix(Rule::op_le, Assoc::Left)
                | Op::infix(Rule::op_gt, Assoc::Left)
                | Op::infix(Rule::op_ge, Assoc::Left))
            .op(Op::infix(Rule::op_default, Assoc::Left))
            .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
            .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
            .op(Op::prefix(Rule::op_neg))
            .op(Op::postfix(Rule::field) | Op::postfix(Rule::call) | Op::postfix(Rule::index))
    })
}

/// Operators (and `.field`, calls, indexes) in one expression, beyond which it is refused:
/// the tree of a longer one could overflow the stack of the passes that walk it.
pub const MAX_OPERATORS: usize = 256;

impl Lowerer<'_> {
    pub(super) fn expr(&self, pair: Pair<Rule>) -> Node<Expr> {
        if pair.clone().into_inner().count() > 2 * MAX_OPERATORS {
            let span = self.span(&pair);
            self.error(Error::TooComplex {
                limit: MAX_OPERATORS,
                span: span.into(),
            });
            return Spanned::new(Expr::Bool(false), span);
        }
        pratt()
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, rhs| {
                let span = self.span(&op).to(rhs.span);
                let op = match op.as_rule() {
                    Rule::op_not => UnaryOp::Not,
                    Rule::op_neg => UnaryOp::Neg,
                    r => unreachable!("rule prefix cannot be {r:?}"),
                };
                Spanned::new(Expr::Unary(op, Box::new(rhs)), span)
            })
            .map_postfix(|lhs, op| {
                let span = lhs.span.to(self.span(&op));
                let expr = match op.as_rule() {
                    Rule::field => Expr::Field(
                        Box::new(lhs),
                        self.name(next(&mut op.into_inner(), "field name")),
                    ),
                    Rule::call => Expr::Call(
                        Box::new(lhs),
                        self.args(next(&mut op.into_inner(), "call args")),
                    ),
                    Rule::index => Expr::Index(
                        Box::new(lhs),
                        Box::new(self.expr(next(&mut op.into_inner(), "index"))),
                    ),
                    r => unreachable!("rule postfix cannot be {r:?}"),
                };
                Spanned::new(expr, span)
            })
            .map_infix(|lhs, op, rhs| {
                let span = lhs.span.to(rhs.span);
                let op = binary_op(op.as_rule());
                Spanned::new(Expr::Binary(op, Box::new(lhs), Box::new(rhs)), span)
            })
            .parse(pair.into_inner())
    }

    fn primary(&self, p: Pair<Rule>) -> Node<Expr> {
        let span = self.span(&p);
        let expr = match p.as_rule() {
            Rule::run_call => return self.run_call(p),
            Rule::duration => return self.duration(p).map_node(Expr::Duration),
            Rule::float => match p.as_str().parse::<f64>() {
                Ok(f) if f.is_finite() => Expr::Float(f),
                _ => {
                    self.error(Error::NumberTooLarge { span: span.into() });
                    Expr::Float(0.0)
                }
            },
            Rule::int => Expr::Int(p.as_str().parse::<i64>().unwrap_or_else(|_| {
                self.error(Error::NumberTooLarge { span: span.into() });
                0
            })),
            Rule::boolean => Expr::Bool(p.as_str() == "true"),
            Rule::string => return self.string(p).map_node(Expr::Str),
            Rule::list => Expr::List(p.into_inner().map(|e| self.expr(e)).collect()),
            Rule::map => Expr::Map(
                p.into_inner()
                    .map(|entry| {
                        let mut it = entry.into_inner();
                        let key = next(&mut it, "map key");
                        let key = if key.as_rule() == Rule::string {
                            let s = self.span(&key);
                            let text = self.string(key).node.as_plain().unwrap_or_default();
                            Spanned::new(text, s)
                        } else {
                            self.name(key)
                        };
                        (key, self.expr(next(&mut it, "map value")))
                    })
                    .collect(),
            ),
            Rule::var => Expr::Var(p.as_str().to_string()),
            // The value is the inner expression's; the span takes in the parentheses, so
            // that the source text of `not (a > b)` ends with its `)`.
            Rule::paren => {
                let inner = self.expr(next(&mut p.into_inner(), "parenthesised expr"));
                return Spanned::new(inner.node, span);
            }
            r => unreachable!("rule primary cannot be {r:?}"),
        };
        Spanned::new(expr, span)
    }

    /// `run(...)` and the statement form `run "cmd", ok: [1]` are both a call of `run`.
    pub(super) fn run_call(&self, p: Pair<Rule>) -> Node<Expr> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let kw = next(&mut it, "run keyword");
        let callee = Spanned::new(Expr::Var("run".into()), self.span(&kw));
        let args = self.args(next(&mut it, "run args"));
        Spanned::new(Expr::Call(Box::new(callee), args), span)
    }

    pub(super) fn run_stmt(&self, p: Pair<Rule>) -> Node<Expr> {
        let inner = next(&mut p.clone().into_inner(), "run statement");
        if inner.as_rule() == Rule::run_call {
            return self.run_call(inner);
        }
        self.run_call(p)
    }

    fn args(&self, p: Pair<Rule>) -> Vec<Arg> {
        p.into_inner()
            .map(|a| match a.as_rule() {
                Rule::named_arg => {
                    let mut it = a.into_inner();
                    let name = self.name(next(&mut it, "argument name"));
                    Arg {
                        name: Some(name),
                        value: self.expr(next(&mut it, "argument value")),
                    }
                }
                Rule::expr => Arg {
                    name: None,
                    value: self.expr(a),
                },
                r => unreachable!("rule args cannot hold {r:?}"),
            })
            .collect()
    }
}

fn binary_op(rule: Rule) -> BinaryOp {
    match rule {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq => BinaryOp::Eq,
        Rule::op_ne => BinaryOp::Ne,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::Le,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::Ge,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        Rule::op_div => BinaryOp::Div,
        Rule::op_default => BinaryOp::Default,
        r => unreachable!("rule infix cannot be {r:?}"),
    }
}
