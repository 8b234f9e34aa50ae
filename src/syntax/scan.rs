//! A quick pass over the raw text for the mistakes pest reports poorly: unterminated
//! strings and interpolations, and unbalanced brackets. It reports every one it finds,
//! pointing at the opening side, where the mistake usually is.

use miette::SourceSpan;

use super::error::Error;

/// Deeper nesting is refused: it only happens in generated or corrupted files, and
/// bounding it bounds the recursion of everything after parsing.
pub const MAX_DEPTH: usize = 64;

pub fn scan(text: &str) -> Vec<Error> {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
        open: Vec::new(),
        errors: Vec::new(),
        lost: false,
    };
    scanner.run();
    scanner.errors
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    open: Vec<(u8, usize)>,
    errors: Vec<Error>,
    /// After an unterminated string, brackets cannot be trusted: stop judging them.
    lost: bool,
}

fn closer(open: u8) -> u8 {
    match open {
        b'{' => b'}',
        b'(' => b')',
        _ => b']',
    }
}

fn opener(close: u8) -> u8 {
    match close {
        b'}' => b'{',
        b')' => b'(',
        _ => b'[',
    }
}

impl Scanner<'_> {
    fn peek(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn starts_with(&self, s: &[u8]) -> bool {
        self.bytes[self.pos..].starts_with(s)
    }

    fn run(&mut self) {
        while let Some(b) = self.peek(0) {
            match b {
                b'#' => self.skip_line(),
                b'"' if self.starts_with(b"\"\"\"") => self.triple_string(),
                b'"' => self.line_string(),
                b'{' | b'(' | b'[' => {
                    if self.open.len() == MAX_DEPTH && !self.lost {
                        self.errors.push(Error::TooDeep {
                            limit: MAX_DEPTH,
                            span: (self.pos, 1).into(),
                        });
                        self.lost = true;
                    }
                    self.open.push((b, self.pos));
                    self.pos += 1;
                }
                b'}' | b')' | b']' => self.close(b),
                _ => self.pos += 1,
            }
        }
        if self.lost {
            return;
        }
        for (open, at) in std::mem::take(&mut self.open) {
            self.errors.push(Error::UnclosedDelimiter {
                open: open as char,
                close: closer(open) as char,
                span: (at, 1).into(),
            });
        }
    }

    fn close(&mut self, b: u8) {
        if self.lost {
            self.pos += 1;
            return;
        }
        // A closer that matches an opener further out closes everything up to it.
        let matching = self.open.iter().rposition(|(o, _)| closer(*o) == b);
        let top = self.open.last().copied();
        match (top, matching) {
            (Some((open, at)), Some(i)) if closer(open) != b => {
                self.errors.push(Error::MismatchedClose {
                    open: open as char,
                    expected: closer(open) as char,
                    found: b as char,
                    open_span: (at, 1).into(),
                    span: (self.pos, 1).into(),
                });
                self.open.truncate(i);
                self.pos += 1;
                return;
            }
            _ => {}
        }
        match self.open.pop() {
            None => self.errors.push(Error::UnexpectedClose {
                found: b as char,
                opener: opener(b) as char,
                span: (self.pos, 1).into(),
            }),
            Some((open, at)) if closer(open) != b => self.errors.push(Error::MismatchedClose {
                open: open as char,
                expected: closer(open) as char,
                found: b as char,
                open_span: (at, 1).into(),
                span: (self.pos, 1).into(),
            }),
            Some(_) => {}
        }
        self.pos += 1;
    }

    fn skip_line(&mut self) {
        while let Some(b) = self.peek(0) {
            if b == b'\n' {
                return;
            }
            self.pos += 1;
        }
    }

    fn line_end(&self) -> usize {
        self.bytes[self.pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.bytes.len(), |n| self.pos + n)
    }

    fn line_string(&mut self) {
        let start = self.pos;
        self.pos += 1;
        while let Some(b) = self.peek(0) {
            match b {
                b'"' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => self.pos += 2,
                b'\n' => break,
                b'{' if self.starts_with(b"{{") => {
                    if !self.interpolation(false) {
                        self.pos = self.line_end();
                        return;
                    }
                }
                _ => self.pos += 1,
            }
        }
        let end = self.pos.min(self.bytes.len());
        self.errors.push(Error::UnterminatedString {
            span: span(start, end),
        });
        self.lost = true;
    }

    fn triple_string(&mut self) {
        let start = self.pos;
        self.pos += 3;
        while let Some(b) = self.peek(0) {
            match b {
                b'"' if self.starts_with(b"\"\"\"") => {
                    self.pos += 3;
                    return;
                }
                b'\\' => self.pos += 2,
                b'{' if self.starts_with(b"{{") => {
                    self.interpolation(true);
                }
                _ => self.pos += 1,
            }
        }
        self.errors.push(Error::UnterminatedString {
            span: span(start, start + 3),
        });
        self.lost = true;
        self.pos = self.bytes.len();
    }

    /// Skips `{{ ... }}`; false (and an error) when it does not close on its line.
    fn interpolation(&mut self, in_triple: bool) -> bool {
        let start = self.pos;
        self.pos += 2;
        while let Some(b) = self.peek(0) {
            match b {
                b'}' if self.starts_with(b"}}") => {
                    self.pos += 2;
                    return true;
                }
                b'\n' => break,
                b'"' if in_triple && self.starts_with(b"\"\"\"") => break,
                b'"' => {
                    // A quoted filter argument, or the end of the enclosing string.
                    let close = self.bytes[self.pos + 1..]
                        .iter()
                        .position(|&c| c == b'"' || c == b'\n');
                    match close {
                        Some(n) if self.bytes[self.pos + 1 + n] == b'"' => self.pos += n + 2,
                        _ => break,
                    }
                }
                _ => self.pos += 1,
            }
        }
        self.errors.push(Error::UnclosedInterpolation {
            span: span(start, start + 2),
        });
        false
    }
}

fn span(start: usize, end: usize) -> SourceSpan {
    (start, end.saturating_sub(start).max(1)).into()
}
