//! The source as lines, each with what layout needs of it: how deep in brackets it starts,
//! how many brackets it closes first, and whether it is inside a `"""` string (whose text
//! is the string's, and is never touched).

/// One line of a runbook, read with the language's strings and comments in mind.
#[derive(Debug, Clone, PartialEq)]
pub struct Line<'a> {
    /// The line without its line break.
    pub text: &'a str,
    /// Brackets (`{`, `(`, `[`) open at its start.
    pub depth: usize,
    /// Brackets it closes before anything else (`}`, `) {`): it is indented that much less.
    pub leading_closers: usize,
    /// It starts inside a `"""` string: its text belongs to the string.
    pub in_string: bool,
}

impl Line<'_> {
    /// Empty, or only blanks (outside a string).
    pub fn is_blank(&self) -> bool {
        !self.in_string && self.text.trim().is_empty()
    }

    /// A `#` comment line (doc comments too).
    pub fn is_comment(&self) -> bool {
        !self.in_string && self.text.trim_start().starts_with('#')
    }

    /// Where the code of the line starts, at its indentation.
    pub fn code(&self) -> &str {
        self.text.trim()
    }
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Code,
    /// In a `"…"` string; strings cannot span lines, but a broken file may leave one open.
    Short,
    Long,
}

/// Splits `text` into lines and follows brackets, strings and comments across them.
pub fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut depth: usize = 0;
    let mut state = State::Code;
    for text in text.split('\n') {
        let text = text.strip_suffix('\r').unwrap_or(text);
        let in_string = state == State::Long;
        let start_depth = depth;
        let mut leading_closers = 0;
        let mut leading = !in_string;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match state {
                State::Code => match b {
                    b'#' => break,
                    b'"' if text[i..].starts_with("\"\"\"") => {
                        state = State::Long;
                        i += 2;
                    }
                    b'"' => state = State::Short,
                    b'{' | b'(' | b'[' => depth += 1,
                    b'}' | b')' | b']' => {
                        depth = depth.saturating_sub(1);
                        if leading {
                            leading_closers += 1;
                        }
                    }
                    _ => {}
                },
                State::Short => match b {
                    b'\\' => i += 1,
                    b'"' => state = State::Code,
                    _ => {}
                },
                State::Long => match b {
                    b'\\' => i += 1,
                    b'"' if text[i..].starts_with("\"\"\"") => {
                        state = State::Code;
                        i += 2;
                    }
                    _ => {}
                },
            }
            if leading && !b.is_ascii_whitespace() && !matches!(b, b'}' | b')' | b']') {
                leading = false;
            }
            i += 1;
        }
        if state == State::Short {
            state = State::Code;
        }
        out.push(Line {
            text,
            depth: start_depth,
            leading_closers,
            in_string,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = "step a \"{ not a block\" {\n  # } nor this\n  run \"\"\"\n  }{\n  \"\"\"\n}";
        let depths: Vec<(usize, usize, bool)> = lines(text)
            .iter()
            .map(|l| (l.depth, l.leading_closers, l.in_string))
            .collect();
        assert_eq!(
            depths,
            [
                (0, 0, false),
                (1, 0, false),
                (1, 0, false),
                (1, 0, true),
                (1, 0, true),
                (1, 1, false)
            ]
        );
    }
}
