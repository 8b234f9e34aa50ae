//! An open document: its text, its line index, and what it declares. While the text does
//! not parse (mid-edit), the declarations of the last version that did are kept, so hover
//! and completion go on working.

use lsp_types::Diagnostic;

use super::diagnostics;
use super::index::{symbols, Symbol};
use super::position::LineIndex;

#[derive(Debug, Clone)]
pub struct Document {
    pub text: String,
    pub index: LineIndex,
    pub symbols: Vec<Symbol>,
    /// The stdlib modules the document uses, by the name it binds (`http` for `use std.http`).
    pub modules: Vec<String>,
    pub parses: bool,
}

impl Document {
    /// A document for `text`, with what is kept of `before`; and its diagnostics.
    pub fn new(name: &str, text: String, before: Option<&Document>) -> (Self, Vec<Diagnostic>) {
        let (verdict, diagnostics) = diagnostics::check(name, &text);
        let index = LineIndex::new(&text);
        let document = match verdict.ast {
            Some(ast) => Document {
                symbols: symbols(&ast),
                modules: verdict.modules.keys().cloned().collect(),
                index,
                text,
                parses: true,
            },
            None => Document {
                symbols: before.map(|b| b.symbols.clone()).unwrap_or_default(),
                modules: before.map(|b| b.modules.clone()).unwrap_or_default(),
                index,
                text,
                parses: false,
            },
        };
        (document, diagnostics)
    }

    /// The name or dotted path (`http.get`) at a byte offset, with its start.
    pub fn word_at(&self, offset: usize) -> Option<(usize, &str)> {
        let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'.';
        let bytes = self.text.as_bytes();
        let mut start = offset.min(bytes.len());
        while start > 0 && is_word(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = offset.min(bytes.len());
        while end < bytes.len() && is_word(bytes[end]) {
            end += 1;
        }
        let word = self.text.get(start..end)?.trim_matches('.');
        (!word.is_empty()).then_some((start, word))
    }

    /// What is typed before `offset` on its line, and the word being typed.
    pub fn before(&self, offset: usize) -> (&str, &str) {
        let offset = offset.min(self.text.len());
        let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line = &self.text[line_start..offset];
        let word_start = line
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        (line, &line[word_start..])
    }

    /// The declaration a name refers to: the last one above `offset` of that name (a
    /// capture of the same name in two steps), else the first.
    pub fn declaration(&self, name: &str, offset: usize) -> Option<&Symbol> {
        let named = || self.symbols.iter().filter(|s| s.name == name);
        named()
            .rfind(|s| s.name_span.0 <= offset)
            .or_else(|| named().next())
    }
}
