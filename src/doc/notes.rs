//! The comments of a runbook, for its document: the notes a step carries (inside it and just
//! above it) and the `# review:` items an import left. The syntax tree keeps no comments, so
//! they are read from the source by the spans of the top-level statements.

use std::collections::HashMap;

use crate::syntax::ast::{File, Stmt};

/// Comment text: its lines without the `#`, an empty line between paragraphs.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Text {
    pub lines: Vec<String>,
    /// `# review:` items: what a person must look at before running it.
    pub review: Vec<String>,
}

impl Text {
    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(String::is_empty) && self.review.is_empty()
    }

    /// The comments of a stretch of source; doc comments (`##`) are shown as docs already.
    fn read(&mut self, source: &str) {
        for line in source.lines() {
            let line = line.trim_start();
            if line.starts_with("##") {
                continue;
            }
            let Some(comment) = line.strip_prefix('#') else {
                if self.lines.last().is_some_and(|l| !l.is_empty()) {
                    self.lines.push(String::new());
                }
                continue;
            };
            let comment = comment.strip_prefix(' ').unwrap_or(comment).trim_end();
            match comment.strip_prefix("review:") {
                Some(item) => self.review.push(item.trim_end().to_string()),
                None => self.lines.push(comment.to_string()),
            }
        }
        while self.lines.last().is_some_and(String::is_empty) {
            self.lines.pop();
        }
    }
}

/// The comments of one step: those standing above it (after the statement before), and
/// those in its body.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Notes {
    pub before: Text,
    pub inside: Text,
}

/// Notes per step id, and the comments after the last step.
#[derive(Debug, Default)]
pub struct RunbookNotes {
    pub steps: HashMap<String, Notes>,
    pub end: Text,
}

/// The comments of `source` (the text `ast` was parsed from): each is given to the step it
/// is in or the step that follows it; those after the last step are the end's. Comments
/// above the `runbook` header are the file's, not the document's.
pub fn of(ast: &File, source: &str) -> RunbookNotes {
    let mut notes = RunbookNotes::default();
    let mut from: Option<usize> = None;
    let mut before = Text::default();
    for stmt in &ast.stmts {
        let range = stmt.span.range();
        if let Some(start) = from {
            before.read(source.get(start..range.start).unwrap_or(""));
        }
        from = Some(range.end);
        let Stmt::Step(step) = &stmt.node else {
            continue;
        };
        let mut inside = Text::default();
        inside.read(source.get(range).unwrap_or(""));
        let before = std::mem::take(&mut before);
        notes
            .steps
            .insert(step.id.node.clone(), Notes { before, inside });
    }
    if let Some(start) = from {
        notes.end = before;
        notes.end.read(source.get(start..).unwrap_or(""));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    #[test]
    fn comments_go_to_the_step_they_are_in_or_before() {
        let source = "# the file's\nrunbook r \"R\"\n# ## Meaning\n\n# before a\nstep a \"A\" {\n  # inside a\n  run \"true\" # not a line comment\n}\n## the doc of b\nstep b \"B\" {\n  # review: not imported, it follows forever:\n  # review:   tail -f x\n  run \"true\"\n}\n# review: the end\n";
        let mut sources = SourceMap::default();
        let file = sources.add("r.rb", source);
        let ast = crate::syntax::parse(source, file).expect("parses");
        let notes = of(&ast, source);
        assert_eq!(
            notes.steps["a"].before.lines,
            ["## Meaning", "", "before a"]
        );
        assert_eq!(notes.steps["a"].inside.lines, ["inside a"]);
        assert!(
            notes.steps["b"].before.is_empty(),
            "a doc comment is the step's doc"
        );
        assert_eq!(
            notes.steps["b"].inside.review,
            [" not imported, it follows forever:", "   tail -f x"]
        );
        assert_eq!(notes.end.review, [" the end"]);
    }
}
