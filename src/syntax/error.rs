//! `runbook::parse::*` diagnostics: problems found before there is a syntax tree.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum Error {
    #[error("unterminated string")]
    #[diagnostic(
        code(runbook::parse::unterminated_string),
        help("close the string with `\"` on the same line, or use `\"\"\"` for text over several lines")
    )]
    UnterminatedString {
        #[label("this string is never closed")]
        span: SourceSpan,
    },

    #[error("unclosed interpolation `{{{{`")]
    #[diagnostic(
        code(runbook::parse::unclosed_interpolation),
        help("close it with `}}}}`, or write `\\{{` for a literal brace")
    )]
    UnclosedInterpolation {
        #[label("this `{{{{` has no `}}}}`")]
        span: SourceSpan,
    },

    #[error("unclosed `{open}`")]
    #[diagnostic(
        code(runbook::parse::unclosed_block),
        help("add the matching `{close}`")
    )]
    UnclosedDelimiter {
        open: char,
        close: char,
        #[label("this `{open}` is never closed")]
        span: SourceSpan,
    },

    #[error("unexpected `{found}`")]
    #[diagnostic(
        code(runbook::parse::unexpected_close),
        help("remove it, or look above for a missing `{opener}`")
    )]
    UnexpectedClose {
        found: char,
        opener: char,
        #[label("nothing to close here")]
        span: SourceSpan,
    },

    #[error("`{found}` does not close `{open}`")]
    #[diagnostic(
        code(runbook::parse::mismatched_close),
        help("close `{open}` with `{expected}` first")
    )]
    MismatchedClose {
        open: char,
        expected: char,
        found: char,
        #[label("opened here")]
        open_span: SourceSpan,
        #[label("expected `{expected}` here")]
        span: SourceSpan,
    },

    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(runbook::parse::unexpected_token))]
    Unexpected {
        expected: String,
        found: String,
        #[label("expected {expected}")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`=` binds a value; a condition compares with `==`")]
    #[diagnostic(
        code(runbook::parse::assignment_in_condition),
        help("write `==` to compare; to bind a value, put `let NAME = ...` on a line of its own")
    )]
    AssignmentInCondition {
        #[label("did you mean `==`?")]
        span: SourceSpan,
    },

    #[error("`{word}` is not a keyword here: an `if` chain continues with `else if`")]
    #[diagnostic(
        code(runbook::parse::elif),
        help("write `}} else if CONDITION {{`, and `}} else {{` for the last branch")
    )]
    Elif {
        word: String,
        #[label("write `else if`")]
        span: SourceSpan,
    },

    #[error("`{keyword}` is a keyword and cannot be used as a name")]
    #[diagnostic(
        code(runbook::parse::keyword_as_name),
        help("choose another name, e.g. `{keyword}_`")
    )]
    KeywordAsName {
        keyword: String,
        #[label("reserved word")]
        span: SourceSpan,
    },

    #[error("unknown escape `{escape}`")]
    #[diagnostic(
        code(runbook::parse::invalid_escape),
        help("valid escapes are \\\\ \\\" \\n \\t \\r \\{{ \\}} and \\ at the end of a line; write \\\\ for a backslash the shell should see")
    )]
    InvalidEscape {
        escape: String,
        #[label("not an escape")]
        span: SourceSpan,
    },

    #[error("template tags `{{% %}}` and `{{# #}}` are not allowed in strings")]
    #[diagnostic(
        code(runbook::parse::template_tag),
        help("only `{{{{ value | filter }}}}` may appear in a string: tags such as `{{% autoescape %}}` could switch shell quoting off; use `\\{{` for a literal brace")
    )]
    TemplateTag {
        #[label("template tag")]
        span: SourceSpan,
    },

    #[error("number too large")]
    #[diagnostic(
        code(runbook::parse::number_too_large),
        help("numbers are 64-bit; durations at most ~584 million years")
    )]
    NumberTooLarge {
        #[label("does not fit")]
        span: SourceSpan,
    },

    #[error("brackets nested more than {limit} deep")]
    #[diagnostic(
        code(runbook::parse::too_deep),
        help("split the value into several `let`s")
    )]
    TooDeep {
        limit: usize,
        #[label("too deep here")]
        span: SourceSpan,
    },

    #[error("expression with more than {limit} operators")]
    #[diagnostic(
        code(runbook::parse::too_complex),
        help("split it into several `let`s")
    )]
    TooComplex {
        limit: usize,
        #[label("too long")]
        span: SourceSpan,
    },

    #[error("file is too large ({bytes} bytes)")]
    #[diagnostic(
        code(runbook::parse::file_too_large),
        help("runbooks are limited to 64 MiB")
    )]
    FileTooLarge { bytes: usize },
}
