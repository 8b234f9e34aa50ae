//! Writing runbook text: string literals, comments, names.

/// A plain runbook string (no interpolation).
pub fn literal_plain(text: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' && matches!(chars.peek(), Some('{' | '%' | '#')) {
            out.push_str("\\{");
            continue;
        }
        push_escaped(&mut out, c);
    }
    out.push('"');
    out
}

/// Appends `text` escaped for a runbook string; returns the shell quote state after it.
pub fn escape_into(out: &mut String, text: &str, mut quote: Option<char>) -> Option<char> {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push_str("\\\\");
                if quote != Some('\'') {
                    if let Some(n) = chars.next() {
                        push_escaped(out, n);
                    }
                }
                continue;
            }
            '\'' if quote.is_none() => quote = Some('\''),
            '\'' if quote == Some('\'') => quote = None,
            '"' if quote.is_none() => quote = Some('"'),
            '"' if quote == Some('"') => quote = None,
            _ => {}
        }
        if c == '{' && matches!(chars.peek(), Some('{' | '%' | '#')) {
            out.push_str("\\{");
            continue;
        }
        push_escaped(out, c);
    }
    quote
}

pub fn push_escaped(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        c => out.push(c),
    }
}

/// Text as `#` comment lines of at most ~96 characters.
pub fn comment_lines(lines: &mut Vec<String>, text: &str) {
    let mut line = String::from("#");
    for word in text.split_whitespace() {
        if line.len() + word.len() > 96 && line.len() > 1 {
            lines.push(std::mem::replace(&mut line, String::from("#")));
        }
        line.push(' ');
        line.push_str(word);
    }
    if line.len() > 1 {
        lines.push(line);
    }
}

/// A block's lines as comments, between fence marks.
pub fn comment_block(lines: &mut Vec<String>, lang: &str, body: &[String]) {
    lines.push(format!("# ```{lang}"));
    lines.extend(body.iter().map(|l| format!("# {l}").trim_end().to_string()));
    lines.push("# ```".into());
}

/// A name the language accepts: lowercase, `_` for the rest, not a keyword, not empty.
pub fn ident(text: &str) -> String {
    let mut s = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('_') {
            s.push('_');
        }
    }
    let mut s = s.trim_matches('_').to_string();
    if s.len() > 40 {
        s.truncate(40);
        s = s.trim_end_matches('_').to_string();
    }
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("s_{s}");
    }
    if crate::syntax::is_keyword(&s)
        || matches!(
            s.as_str(),
            "local" | "run" | "env" | "file" | "ssh" | "host"
        )
    {
        s.push('_');
    }
    s
}

/// A command on one line, cut at 70 characters.
pub fn one_line(command: &str) -> String {
    let flat = command.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 70 {
        format!("{}…", flat.chars().take(70).collect::<String>())
    } else {
        flat
    }
}
