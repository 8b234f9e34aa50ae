//! Turns pest's "expected one of these rules" into the user's words.

use pest::error::{ErrorVariant, InputLocation};

use super::error::Error;
use super::grammar::Rule;

/// What the user should have written where `rule` was tried; `None` hides the rule.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of file",
        Rule::stmt => "a statement",
        Rule::header => "`runbook NAME \"title\"`",
        Rule::name | Rule::var | Rule::fn_name | Rule::type_name => "a name",
        Rule::module_path => "a module path such as `std.http`",
        Rule::field_name => "a field name",
        Rule::string | Rule::line_string | Rule::triple_string | Rule::plain_string => "a string",
        Rule::expr | Rule::primary | Rule::paren | Rule::run_call | Rule::expr_stmt => {
            "an expression"
        }
        Rule::int => "a whole number",
        Rule::float => "a number",
        Rule::percent => "a percentage such as `10%`",
        Rule::duration => "a duration such as `5s` or `2m`",
        Rule::time_unit => "a time unit (ms, s, m, h, d)",
        Rule::boolean => "`true` or `false`",
        Rule::list => "a list `[...]`",
        Rule::map => "a map `{...}`",
        Rule::map_entry => "a map entry `key: value`",
        Rule::block => "a body `{`",
        Rule::block_end => "`}`",
        Rule::on_mod => "`on HOST`",
        Rule::when_mod => "`when`",
        Rule::unless_mod => "`unless`",
        Rule::parallel_mod => "`parallel N`",
        Rule::max_fail_mod => "`max_fail N`",
        Rule::timeout_mod => "`timeout D`",
        Rule::retry_mod => "`retry N every D`",
        Rule::sudo_mod => "`sudo`",
        Rule::disconnects_mod => "`disconnects`",
        Rule::fn_params | Rule::fn_param => "a parameter name",
        Rule::args | Rule::named_arg => "an argument",
        Rule::call => "`(`",
        Rule::field => "`.`",
        Rule::index => "`[`",
        Rule::op_or | Rule::op_and => "an operator",
        Rule::op_eq | Rule::op_ne | Rule::op_lt | Rule::op_le | Rule::op_gt | Rule::op_ge => {
            "an operator"
        }
        Rule::op_add | Rule::op_sub | Rule::op_mul | Rule::op_div => "an operator",
        Rule::interpolation => "an expression inside `{{ }}`",
        Rule::filter => "`| filter` or `}}`",
        Rule::kw_else => "`else`",
        Rule::kw_every => "`every`",
        Rule::kw_timeout => "`timeout`",
        Rule::kw_backoff => "`backoff`",
        Rule::kw_in => "`in`",
        Rule::dangerous | Rule::kw_dangerous => "`dangerous`",
        _ => return None,
    })
}

/// Kinds of expression, implied when "an expression" is expected.
const EXPRESSION_PARTS: &[&str] = &[
    "a list `[...]`",
    "a map `{...}`",
    "`true` or `false`",
    "a whole number",
    "a number",
    "a duration such as `5s` or `2m`",
    "a string",
    "a name",
];

fn looks_like_duration(word: &str) -> bool {
    let unit = word.trim_start_matches(|c: char| c.is_ascii_digit());
    unit.len() < word.len() && unit.starts_with(|c: char| c.is_ascii_alphabetic())
}

fn is_keyword_rule(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_else
            | Rule::kw_every
            | Rule::kw_timeout
            | Rule::kw_backoff
            | Rule::kw_in
            | Rule::kw_dangerous
            | Rule::dangerous
    ) || describe(rule).is_none()
}

/// A help line for the most telling thing that was expected.
fn help_for(expected: &[&str]) -> String {
    let has = |s: &str| expected.contains(&s);
    if has("a body `{`") {
        "a step is `step ID \"title\" [on HOST] [when EXPR] [parallel N] [timeout D] [retry N every D] [sudo] [disconnects] { ... }`".into()
    } else if has("`every`") {
        "write `wait_until CONDITION every 5s timeout 2m`, or `retry N every D`".into()
    } else if has("`timeout`") {
        "`wait_until` needs both `every D` and `timeout D`".into()
    } else if has("an expression") {
        "an expression is a value (\"text\", 42, true, 5s, [list], {map}), a name, or a call".into()
    } else if has("a duration such as `5s` or `2m`") {
        "durations are a number and a unit: 500ms, 5s, 2m, 1h, 1d (or combined: 1h30m)".into()
    } else if has("a string") {
        "strings are written in double quotes: \"like this\"".into()
    } else {
        "see docs/language.md for the syntax".into()
    }
}

pub fn convert(err: pest::error::Error<Rule>, text: &str) -> Error {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let positives = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let word = word_at(text, pos);
    if let Some(e) = common_mistake(text, pos) {
        return e;
    }
    if positives
        .iter()
        .any(|r| matches!(r, Rule::name | Rule::var | Rule::fn_param | Rule::fn_params))
        && is_keyword(word)
    {
        return Error::KeywordAsName {
            keyword: word.to_string(),
            span: (pos, word.len()).into(),
        };
    }
    // Keywords are named only when nothing else was expected: "a body `{`" says more
    // than the list of every modifier a step may have.
    let (keywords, others): (Vec<Rule>, Vec<Rule>) =
        positives.into_iter().partition(|r| is_keyword_rule(*r));
    let chosen = if others.iter().any(|r| describe(*r).is_some()) {
        others
    } else {
        keywords
    };
    let mut expected: Vec<&str> = Vec::new();
    for rule in chosen {
        if let Some(d) = describe(rule) {
            if !expected.contains(&d) {
                expected.push(d);
            }
        }
    }
    if expected.contains(&"an expression") {
        expected.retain(|d| !EXPRESSION_PARTS.contains(d));
        // `5x`, `10min`: a number with a unit it does not know was meant as a duration.
        if looks_like_duration(word) {
            expected = vec!["a duration such as `5s` or `2m`"];
        }
    }
    if expected.is_empty() {
        expected.push("something else");
    }
    let help = help_for(&expected);
    let (found, span) = if pos >= text.len() {
        ("end of file".to_string(), last_token_span(text))
    } else if word.is_empty() {
        let ch = text[pos..].chars().next().unwrap_or(' ');
        (
            format!("`{}`", ch.escape_default()),
            (pos, ch.len_utf8()).into(),
        )
    } else {
        (format!("`{word}`"), (pos, word.len()).into())
    };
    Error::Unexpected {
        expected: join_or(&expected),
        found,
        span,
        help,
    }
}

/// Mistakes people make coming from other languages, said as such: `=` where `==` was
/// meant, and `elif` (or `elsif`, `elseif`) for `else if`.
fn common_mistake(text: &str, pos: usize) -> Option<Error> {
    let rest = text.get(pos..).unwrap_or("");
    if rest.starts_with('=') && !rest.starts_with("==") {
        let line = text[..pos].rsplit('\n').next().unwrap_or("").trim_start();
        let condition = [
            "if ",
            "check ",
            "wait_until ",
            "when ",
            "unless ",
            "else if ",
        ]
        .iter()
        .any(|k| line.starts_with(k) || line.contains(&format!(" {k}")));
        if condition {
            return Some(Error::AssignmentInCondition {
                span: (pos, 1).into(),
            });
        }
    }
    // The word may be before the point pest stopped at: `} elif x {` parses as far as
    // the block after it.
    let mut offset = 0;
    for line in text[..pos.min(text.len())].split_inclusive('\n') {
        let trimmed = line.trim_start();
        let after_brace = trimmed.strip_prefix('}').map(str::trim_start);
        for candidate in [Some(trimmed), after_brace].into_iter().flatten() {
            let word = word_at(candidate, 0);
            if matches!(word, "elif" | "elsif" | "elseif") {
                let at = offset + (line.len() - candidate.len());
                return Some(Error::Elif {
                    word: word.to_string(),
                    span: (at, word.len()).into(),
                });
            }
        }
        offset += line.len();
    }
    None
}

fn word_at(text: &str, pos: usize) -> &str {
    let rest = text.get(pos..).unwrap_or("");
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..len]
}

/// The reserved words of `grammar/runbook.pest` (rule `keyword`).
pub const KEYWORDS: &[&str] = &[
    "and",
    "approve",
    "backoff",
    "check",
    "dangerous",
    "else",
    "every",
    "fn",
    "fail",
    "for",
    "false",
    "group",
    "host",
    "if",
    "in",
    "let",
    "log",
    "max_fail",
    "not",
    "on",
    "or",
    "param",
    "parallel",
    "runbook",
    "run",
    "retry",
    "rollback",
    "return",
    "step",
    "secret",
    "timeout",
    "true",
    "use",
    "unless",
    "when",
    "wait_until",
];

fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// At end of input, point at the last token: a zero-width label at EOF is not drawn.
fn last_token_span(text: &str) -> miette::SourceSpan {
    let trimmed = text.trim_end();
    let start = trimmed.char_indices().next_back().map_or(0, |(i, _)| i);
    (start, trimmed.len() - start).into()
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

#[cfg(test)]
mod tests {
    use super::KEYWORDS;
    use crate::source::FileId;

    /// The grammar and this list agree: each word with a `kw_` rule is either reserved
    /// (listed, and refused as a name) or contextual (not listed, and a fine name, as
    /// `sudo` is in `sudo: true`). A word reserved by one only would be refused without the
    /// diagnostic saying why, or said reserved and accepted.
    #[test]
    fn the_keyword_list_is_the_grammars() {
        let grammar = include_str!("../../grammar/runbook.pest");
        let words: Vec<&str> = grammar
            .lines()
            .filter_map(|l| l.strip_prefix("kw_"))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        assert!(words.len() > 30, "the grammar's keyword rules were found");
        for word in &words {
            let text = format!("runbook t \"T\"\n\nlet {word} = 1\n");
            let refused = crate::syntax::parse(&text, FileId(0)).is_err();
            assert_eq!(refused, KEYWORDS.contains(word), "`{word}`");
        }
        for word in KEYWORDS {
            assert!(words.contains(word), "`{word}` has no rule in the grammar");
        }
    }
}
