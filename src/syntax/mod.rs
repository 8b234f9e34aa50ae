//! Source text -> [`ast::File`], or every syntax problem found.

pub mod ast;
pub mod error;
mod expected;
pub mod grammar;
mod lower;
mod scan;
pub mod tree;

use pest::Parser;

pub use error::Error;

use crate::source::{FileId, MAX_SOURCE_BYTES};
use grammar::{Grammar, Rule};

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
