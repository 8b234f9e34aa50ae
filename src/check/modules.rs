//! Loading the stdlib modules a file `use`s: each is parsed and checked once, and what
//! callers need (signatures, docs, whether a function runs commands) is kept.

use std::collections::{HashMap, HashSet};

use super::builtins::Signature;
use super::{Checker, Options, Problem};
use crate::source::{FileId, SourceMap, Span};
use crate::stdlib;
use crate::syntax::{self, ast};

/// A function as callers see it.
#[derive(Debug, Clone)]
pub struct FnInfo {
    pub sig: Signature,
    pub doc: Option<String>,
    pub span: Span,
    /// Runs a command itself or through another function.
    pub runs: bool,
    /// Functions of the same file it calls, for recursion and effect analysis.
    pub calls: Vec<(String, Span)>,
}

#[derive(Debug, Clone)]
pub struct ModuleSig {
    pub path: String,
    pub doc: Option<String>,
    pub file: FileId,
    pub fns: HashMap<String, FnInfo>,
    pub ast: ast::File,
}

#[derive(Debug)]
pub struct Loader {
    options: Options,
    loaded: HashMap<String, ModuleSig>,
    loading: HashSet<String>,
}

impl Loader {
    pub fn new(options: Options) -> Self {
        Loader {
            options,
            loaded: HashMap::new(),
            loading: HashSet::new(),
        }
    }

    /// The modules `file` imports, by the name it calls them with. Unknown modules are
    /// left out: the checker reports them where the `use` is.
    pub fn load_uses(
        &mut self,
        sources: &mut SourceMap,
        file: &ast::File,
        problems: &mut Vec<Problem>,
    ) -> HashMap<String, ModuleSig> {
        let mut out = HashMap::new();
        for stmt in &file.stmts {
            let ast::Stmt::Use(u) = &stmt.node else {
                continue;
            };
            let Some(name) = std_module_name(u) else {
                continue;
            };
            if let Some(sig) = self.load(sources, name, problems) {
                out.insert(name.to_string(), sig);
            }
        }
        out
    }

    fn load(
        &mut self,
        sources: &mut SourceMap,
        name: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<ModuleSig> {
        if let Some(sig) = self.loaded.get(name) {
            return Some(sig.clone());
        }
        let text = stdlib::source(name)?;
        if !self.loading.insert(name.to_string()) {
            return None; // a cycle of `use`: the inner one sees the module as unknown
        }
        let file = sources.add(format!("std.{name} (embedded stdlib/{name}.rb)"), text);
        let ast = match syntax::parse(text, file) {
            Ok(ast) => ast,
            Err(errors) => {
                problems.extend(errors.into_iter().map(|e| Problem::Parse(file, e)));
                return None;
            }
        };
        let imported = self.load_uses(sources, &ast, problems);
        let checked = Checker::new(file, self.options, &imported).run(&ast);
        problems.extend(checked.errors.into_iter().map(|e| Problem::Check(file, e)));
        let sig = ModuleSig {
            path: format!("std.{name}"),
            doc: ast.doc.clone(),
            file,
            fns: checked.fns,
            ast,
        };
        self.loading.remove(name);
        self.loaded.insert(name.to_string(), sig.clone());
        Some(sig)
    }
}

/// `use std.http` -> `http`
pub fn std_module_name(u: &ast::Use) -> Option<&str> {
    match u.path.as_slice() {
        [std, name] if std.node == "std" && stdlib::source(&name.node).is_some() => {
            Some(&name.node)
        }
        _ => None,
    }
}
