//! Completion: after `MODULE.`, the module's functions with their signatures and docs;
//! after `use `, the stdlib's modules; after `on `, hosts and groups; elsewhere keywords,
//! builtins, the modules in use, and what the document declares.

use lsp_types::{CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind};

use super::document::Document;
use super::index::{Kind, LibraryFn, Symbol};
use crate::check::builtins;
use crate::stdlib;
use crate::syntax::KEYWORDS;

pub fn complete(doc: &Document, library: &[LibraryFn], offset: usize) -> Vec<CompletionItem> {
    let (line, word) = doc.before(offset);
    let line = line.trim_start();
    if line.starts_with("use ") {
        return stdlib::names()
            .map(|m| item(&format!("std.{m}"), CompletionItemKind::MODULE, None, None))
            .collect();
    }
    if let Some((module, _)) = word.rsplit_once('.') {
        return library
            .iter()
            .filter(|f| f.module == module)
            .map(|f| {
                let s = &f.symbol;
                item(
                    &s.name,
                    CompletionItemKind::FUNCTION,
                    Some(&s.detail),
                    s.doc.as_deref(),
                )
            })
            .collect();
    }
    // A capture is in scope below its `let` only.
    let in_scope = |s: &&Symbol| s.kind != Kind::Capture || s.name_span.0 < offset;
    let declared = |kinds: &[Kind]| -> Vec<CompletionItem> {
        let mut seen = std::collections::HashSet::new();
        doc.symbols
            .iter()
            .filter(in_scope)
            .filter(|s| kinds.contains(&s.kind) && seen.insert((s.kind.word(), s.name.as_str())))
            .map(symbol_item)
            .collect()
    };
    if line
        .split_whitespace()
        .rev()
        .nth(usize::from(!word.is_empty()))
        == Some("on")
    {
        return declared(&[Kind::Host, Kind::Group]);
    }
    let mut items: Vec<CompletionItem> = KEYWORDS
        .iter()
        .map(|k| item(k, CompletionItemKind::KEYWORD, None, None))
        .collect();
    items.extend(builtins::FUNCTIONS.iter().map(|b| {
        let sig = b.signature().render();
        item(
            b.name,
            CompletionItemKind::FUNCTION,
            Some(&sig),
            Some(b.doc),
        )
    }));
    items.extend(
        doc.modules
            .iter()
            .map(|m| item(m, CompletionItemKind::MODULE, None, None)),
    );
    items.extend(declared(&[
        Kind::Fn,
        Kind::Param,
        Kind::Host,
        Kind::Group,
        Kind::Secret,
        Kind::Capture,
        Kind::Step,
    ]));
    items.retain(|i| i.label.starts_with(word));
    items
}

fn symbol_item(s: &Symbol) -> CompletionItem {
    let kind = match s.kind {
        Kind::Fn => CompletionItemKind::FUNCTION,
        Kind::Step => CompletionItemKind::EVENT,
        Kind::Param | Kind::Secret => CompletionItemKind::CONSTANT,
        Kind::Host | Kind::Group => CompletionItemKind::MODULE,
        Kind::Capture => CompletionItemKind::VARIABLE,
    };
    item(&s.name, kind, Some(&s.detail), s.doc.as_deref())
}

fn item(
    label: &str,
    kind: CompletionItemKind,
    detail: Option<&str>,
    doc: Option<&str>,
) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: detail.map(str::to_string),
        documentation: doc.map(|d| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: d.trim().to_string(),
            })
        }),
        ..CompletionItem::default()
    }
}
