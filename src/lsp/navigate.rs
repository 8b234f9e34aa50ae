//! Going to a definition (in the document, or in the stdlib module a call names), and the
//! outline of a document: its steps (with their captures) and functions.

use std::path::PathBuf;
use std::sync::OnceLock;

use lsp_types::{DocumentSymbol, Location, Position, Range, SymbolKind, Uri};

use super::document::Document;
use super::index::{Kind, LibraryFn, Symbol};
use super::position::LineIndex;
use crate::stdlib;

pub fn definition(
    doc: &Document,
    uri: &Uri,
    library: &[LibraryFn],
    offset: usize,
) -> Option<Location> {
    let (start, word) = doc.word_at(offset)?;
    if let Some((module, name)) = word.split_once('.') {
        if let Some(f) = library
            .iter()
            .find(|f| f.module == module && f.symbol.name == name)
        {
            return stdlib_location(f);
        }
    }
    let name = word.split('.').next().unwrap_or(word);
    let s = doc.declaration(name, start)?;
    Some(Location::new(
        uri.clone(),
        doc.index.range(&doc.text, s.name_span.0, s.name_span.1),
    ))
}

/// The stdlib is embedded in the binary: an editor is shown a copy of the module, written
/// once per version under the temporary directory (and once per server, not per request).
fn stdlib_location(f: &LibraryFn) -> Option<Location> {
    static COPY: OnceLock<Option<PathBuf>> = OnceLock::new();
    let dir = COPY.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("runbook-stdlib-{}", env!("CARGO_PKG_VERSION")));
        std::fs::create_dir_all(&dir).ok()?;
        for (name, text) in stdlib::MODULES {
            let path = dir.join(format!("{name}.rb"));
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
                std::fs::write(&path, text).ok()?;
            }
        }
        Some(dir)
    });
    let text = stdlib::source(f.module)?;
    let path = dir.as_ref()?.join(format!("{}.rb", f.module));
    let uri: Uri = format!("file://{}", path.display()).parse().ok()?;
    let index = LineIndex::new(text);
    let (a, b) = f.symbol.name_span;
    Some(Location::new(uri, index.range(text, a, b)))
}

/// Steps (with their captures as children) and functions, in the order of the text.
pub fn outline(doc: &Document) -> Vec<DocumentSymbol> {
    let mut out: Vec<DocumentSymbol> = Vec::new();
    for s in &doc.symbols {
        match s.kind {
            Kind::Step | Kind::Fn => out.push(symbol(doc, s)),
            Kind::Capture => {
                let parent = out
                    .iter_mut()
                    .rev()
                    .find(|p| p.kind == SymbolKind::EVENT && contains(doc, p.range, s.span.0));
                if let Some(p) = parent {
                    p.children.get_or_insert_with(Vec::new).push(symbol(doc, s));
                }
            }
            _ => {}
        }
    }
    out
}

fn contains(doc: &Document, range: Range, offset: usize) -> bool {
    let p = doc.index.position(&doc.text, offset);
    range.start <= p && p <= range.end
}

#[allow(deprecated)] // `deprecated` is a field the type requires
fn symbol(doc: &Document, s: &Symbol) -> DocumentSymbol {
    let kind = match s.kind {
        Kind::Step => SymbolKind::EVENT,
        Kind::Fn => SymbolKind::FUNCTION,
        _ => SymbolKind::VARIABLE,
    };
    DocumentSymbol {
        name: s.name.clone(),
        detail: Some(s.detail.clone()),
        kind,
        tags: None,
        deprecated: None,
        range: doc.index.range(&doc.text, s.span.0, s.span.1),
        selection_range: doc.index.range(&doc.text, s.name_span.0, s.name_span.1),
        children: None,
    }
}

/// The whole of a text, for an edit that replaces it.
pub fn whole(doc: &Document) -> Range {
    Range::new(
        Position::new(0, 0),
        doc.index.position(&doc.text, doc.text.len()),
    )
}
