//! `runbook fmt`: one canonical layout for a runbook or module. It changes only whitespace
//! outside strings, so what a file means cannot change; comments and doc comments stay
//! where they are. The rules:
//!
//! - two spaces of indentation per open bracket (`{`, `(`, `[`), a line that starts with
//!   closers indented as far as what they close;
//! - no trailing blanks, no blank line at the start of the file or of a block, nor before a
//!   `}`, at most one blank line in a row, one line break at the end;
//! - a blank line before each top-level `step` and `fn` (and the comments on top of it);
//! - the text of a `"""` string exactly as written.

mod line;

use line::{lines, Line};

/// What one line of the result is, for the blank-line rules.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Blank,
    /// Ends with `{`: what follows is inside a block.
    Opens,
    /// Starts with `}`.
    Closes,
    /// A top-level comment (doc comments too): it belongs to what follows.
    TopComment,
    /// A top-level `step` or `fn`.
    TopBlock,
    /// Text of a `"""` string.
    Verbatim,
    Other,
}

/// `text` laid out canonically. Formatting the result again gives it back unchanged.
pub fn format(text: &str) -> String {
    let all = lines(text);
    let mut out: Vec<(String, Kind)> = Vec::with_capacity(all.len());
    for (i, line) in all.iter().enumerate() {
        let ends_in_string = all.get(i + 1).is_some_and(|next| next.in_string);
        let laid = lay(line, ends_in_string);
        let kind = kind(line, &laid);
        if kind == Kind::Blank {
            let after_open = |(t, k): &(String, Kind)| {
                *k == Kind::Opens || (*k == Kind::TopBlock && t.ends_with('{'))
            };
            if out
                .last()
                .is_none_or(|l| l.1 == Kind::Blank || after_open(l))
            {
                continue;
            }
        } else if kind == Kind::Closes && out.last().is_some_and(|(_, k)| *k == Kind::Blank) {
            out.pop();
        }
        if kind == Kind::TopBlock {
            separate(&mut out);
        }
        out.push((laid, kind));
    }
    while out.last().is_some_and(|(_, k)| *k == Kind::Blank) {
        out.pop();
    }
    let mut result = String::with_capacity(text.len());
    for (text, _) in out {
        result.push_str(&text);
        result.push('\n');
    }
    result
}

/// The line at its indentation; the text of a string untouched.
fn lay(line: &Line, ends_in_string: bool) -> String {
    if line.in_string {
        return line.text.to_string();
    }
    if line.is_blank() {
        return String::new();
    }
    let indent = line.depth.saturating_sub(line.leading_closers);
    let code = if ends_in_string {
        line.text.trim_start()
    } else {
        line.code()
    };
    format!("{}{code}", "  ".repeat(indent))
}

fn kind(line: &Line, laid: &str) -> Kind {
    if line.in_string {
        return Kind::Verbatim;
    }
    if laid.is_empty() {
        return Kind::Blank;
    }
    let code = laid.trim_start();
    let top = line.depth == 0;
    if top && line.is_comment() {
        Kind::TopComment
    } else if top && (code.starts_with("step ") || code.starts_with("fn ")) {
        Kind::TopBlock
    } else if code.starts_with('}') && !code.ends_with('{') {
        Kind::Closes
    } else if !line.is_comment() && code.ends_with('{') {
        Kind::Opens
    } else {
        Kind::Other
    }
}

/// A blank line before a top-level block, above the comments that sit on top of it.
fn separate(out: &mut Vec<(String, Kind)>) {
    let mut at = out.len();
    while at > 0 && out[at - 1].1 == Kind::TopComment {
        at -= 1;
    }
    if at > 0 && out[at - 1].1 != Kind::Blank {
        out.insert(at, (String::new(), Kind::Blank));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runbook_is_laid_out_and_its_strings_are_not() {
        let messy = "\n\nrunbook r \"R\"   \nparam n = 1\n# about a\nstep a \"A\" on web {\n\n      run \"echo {\"\n  check run(\"x\",\n  ok: [0,\n1]).ok\n\n\n   log \"\"\"\n   kept   \n     as is\n\"\"\"\n\n}\nfn f() {\nreturn 1\n    }";
        let tidy = "runbook r \"R\"\nparam n = 1\n\n# about a\nstep a \"A\" on web {\n  run \"echo {\"\n  check run(\"x\",\n    ok: [0,\n      1]).ok\n\n  log \"\"\"\n   kept   \n     as is\n\"\"\"\n}\n\nfn f() {\n  return 1\n}\n";
        assert_eq!(format(messy), tidy);
        assert_eq!(format(tidy), tidy, "formatting is idempotent");
    }
}
