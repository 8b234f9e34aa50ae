//! Loading the modules a file `use`s: the stdlib's (`use std.http`) and a team's files of
//! `fn`s (`use "lib/ops.rb" as ops`, beside the file that uses it or on `RUNBOOK_PATH`).
//! Each is parsed and checked once, and what callers need (signatures, docs, whether a
//! function runs commands) is kept.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::builtins::Signature;
use super::error::Error;
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
    /// What each name read in the module means.
    pub names: super::names::Names,
}

#[derive(Debug)]
pub struct Loader {
    options: Options,
    loaded: HashMap<String, ModuleSig>,
    loading: HashSet<String>,
    /// Every module loaded, nested ones too, by the name its user gives it: what a run
    /// needs to call a module's function from another module.
    named: HashMap<String, ModuleSig>,
}

impl Loader {
    pub fn new(options: Options) -> Self {
        Loader {
            options,
            loaded: HashMap::new(),
            loading: HashSet::new(),
            named: HashMap::new(),
        }
    }

    /// The modules `file` imports, by the name it calls them with. Unknown modules are
    /// left out: the checker reports them where the `use` is.
    pub fn load_uses(
        &mut self,
        sources: &mut SourceMap,
        from: FileId,
        file: &ast::File,
        problems: &mut Vec<Problem>,
    ) -> HashMap<String, ModuleSig> {
        let mut out = HashMap::new();
        for stmt in &file.stmts {
            let ast::Stmt::Use(u) = &stmt.node else {
                continue;
            };
            if let (Some(path), Some(alias)) = (&u.file, u.path.first()) {
                if let Some(sig) = self.load_file(sources, from, path, &alias.node, problems) {
                    self.named.insert(alias.node.clone(), sig.clone());
                    out.insert(alias.node.clone(), sig);
                }
                continue;
            }
            let Some(name) = std_module_name(u) else {
                continue;
            };
            if let Some(sig) = self.load(sources, name, problems) {
                self.named.insert(name.to_string(), sig.clone());
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
        let imported = self.load_uses(sources, file, &ast, problems);
        let checked = Checker::new(file, self.options, &imported).run(&ast);
        problems.extend(checked.errors.into_iter().map(|e| Problem::Check(file, e)));
        let sig = ModuleSig {
            path: format!("std.{name}"),
            doc: ast.doc.clone(),
            file,
            fns: checked.fns,
            names: checked.names,
            ast,
        };
        self.loading.remove(name);
        self.loaded.insert(name.to_string(), sig.clone());
        Some(sig)
    }
}

impl Loader {
    /// Every module loaded, by name: the file's own and those its modules use.
    pub fn everything(self) -> HashMap<String, ModuleSig> {
        self.named
    }

    /// A team module: found, read, parsed and checked once per file, whatever name each
    /// user gives it. One that cannot be found is reported at its `use`.
    fn load_file(
        &mut self,
        sources: &mut SourceMap,
        from: FileId,
        written: &ast::Node<String>,
        _alias: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<ModuleSig> {
        let candidates = candidates(Path::new(&sources.get(from).name), &written.node);
        let Some(found) = candidates.iter().find(|p| p.is_file()) else {
            let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
            problems.push(Problem::Check(
                from,
                Error::ModuleFileNotFound {
                    path: written.node.clone(),
                    span: written.span.into(),
                    help: format!("looked for {}; a module is a file of `fn`s, found beside the runbook or in a directory of RUNBOOK_PATH", looked.join(", ")),
                },
            ));
            return None;
        };
        let key = std::fs::canonicalize(found)
            .unwrap_or_else(|_| found.clone())
            .display()
            .to_string();
        if let Some(sig) = self.loaded.get(&key) {
            return Some(sig.clone());
        }
        if !self.loading.insert(key.clone()) {
            return None; // a cycle of `use`: the inner one sees the module as unknown
        }
        let text = match std::fs::read_to_string(found) {
            Ok(t) if t.len() <= crate::source::MAX_SOURCE_BYTES => t,
            Ok(_) | Err(_) => {
                problems.push(Problem::Check(
                    from,
                    Error::ModuleFileNotFound {
                        path: written.node.clone(),
                        span: written.span.into(),
                        help: format!(
                            "{} cannot be read as a runbook module (UTF-8 text, at most 64 MiB)",
                            found.display()
                        ),
                    },
                ));
                self.loading.remove(&key);
                return None;
            }
        };
        let file = sources.add(found.display().to_string(), text.clone());
        let ast = match syntax::parse(&text, file) {
            Ok(ast) => ast,
            Err(errors) => {
                problems.extend(errors.into_iter().map(|e| Problem::Parse(file, e)));
                self.loading.remove(&key);
                return None;
            }
        };
        let imported = self.load_uses(sources, file, &ast, problems);
        let checked = Checker::new(file, self.options, &imported).run(&ast);
        problems.extend(checked.errors.into_iter().map(|e| Problem::Check(file, e)));
        let sig = ModuleSig {
            path: written.node.clone(),
            doc: ast.doc.clone(),
            file,
            fns: checked.fns,
            names: checked.names,
            ast,
        };
        self.loading.remove(&key);
        self.loaded.insert(key, sig.clone());
        Some(sig)
    }
}

/// Where `use "PATH"` may be, in order: an absolute path as it is; else beside the file that
/// uses it, then in each directory of `RUNBOOK_PATH` (separated by `:`).
pub fn candidates(from: &Path, written: &str) -> Vec<PathBuf> {
    let path = Path::new(written);
    if path.is_absolute() {
        return vec![path.to_path_buf()];
    }
    let beside = from
        .parent()
        .map_or_else(|| path.to_path_buf(), |d| d.join(path));
    let mut out = vec![beside];
    if let Ok(dirs) = std::env::var("RUNBOOK_PATH") {
        out.extend(
            dirs.split(':')
                .filter(|d| !d.is_empty())
                .map(|d| Path::new(d).join(path)),
        );
    }
    out
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
