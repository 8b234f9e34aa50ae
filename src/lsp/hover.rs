//! Hover: the declaration and doc of what is under the cursor — a stdlib function
//! (`http.get`), a function, param, host, step or capture of the document, or a builtin.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::document::Document;
use super::index::LibraryFn;
use crate::check::builtins;

pub fn hover(doc: &Document, library: &[LibraryFn], offset: usize) -> Option<Hover> {
    let (start, word) = doc.word_at(offset)?;
    let (detail, text) = match word.split_once('.') {
        Some((module, name)) if !module.contains('.') => {
            let f = library
                .iter()
                .find(|f| f.module == module && f.symbol.name == name)?;
            let sig = f.symbol.detail.replacen("fn ", &format!("fn {module}."), 1);
            (sig, f.symbol.doc.clone())
        }
        _ => {
            let name = word.split('.').next().unwrap_or(word);
            match doc.declaration(name, start) {
                Some(s) => (s.detail.clone(), s.doc.clone()),
                None => {
                    let b = builtins::Builtin::named(name)?;
                    (b.signature().render(), Some(b.doc.to_string()))
                }
            }
        }
    };
    let mut value = format!("```runbook\n{detail}\n```");
    if let Some(text) = text {
        value.push_str(&format!("\n\n{}", text.trim()));
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(doc.index.range(&doc.text, start, start + word.len())),
    })
}
