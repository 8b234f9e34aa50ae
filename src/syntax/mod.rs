//! Source text -> [`ast::File`], or every syntax problem found.

pub mod ast;
pub mod error;
mod expected;
pub mod grammar;
mod lower;
mod scan;
pub mod tree;

use std::time::Duration;

use pest::Parser;

pub use error::Error;
pub use expected::KEYWORDS;

use crate::source::{FileId, MAX_SOURCE_BYTES};
use grammar::{Grammar, Rule};

/// A reserved word of the language.
pub fn is_keyword(word: &str) -> bool {
    expected::KEYWORDS.contains(&word)
}

pub fn parse(text: &str, file: FileId) -> Result<ast::File, Vec<Error>> {
    if text.len() > MAX_SOURCE_BYTES {
        return Err(vec![Error::FileTooLarge { bytes: text.len() }]);
    }
    let lexical = scan::scan(text);
    if !lexical.is_empty() {
        return Err(lexical);
    }
    let mut pairs =
        Grammar::parse(Rule::file, text).map_err(|e| vec![expected::convert(e, text)])?;
    let Some(root) = pairs.next() else {
        unreachable!("rule file always yields one pair")
    };
    let lowerer = lower::Lowerer::new(text, file);
    let ast = lowerer.file(root);
    let errors = lowerer.finish();
    if errors.is_empty() {
        Ok(ast)
    } else {
        Err(errors)
    }
}

/// `1h30m`, `500ms`, `5s`: digits and a unit, repeated. `None` when malformed or too long.
pub fn parse_duration(text: &str) -> Option<Duration> {
    if text.is_empty() {
        return None;
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit_ms, len) = if rest.starts_with("ms") {
            (1, 2)
        } else {
            match rest.as_bytes().first() {
                Some(b's') => (1_000, 1),
                Some(b'm') => (60_000, 1),
                Some(b'h') => (3_600_000, 1),
                Some(b'd') => (86_400_000, 1),
                _ => return None,
            }
        };
        rest = &rest[len..];
        total = total.checked_add(Duration::from_millis(n.checked_mul(unit_ms)?))?;
    }
    Some(total)
}
