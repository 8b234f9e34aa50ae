//! Secret words reach a command's shell on its stdin, never on a command line: any local
//! user can read command lines (`ps`), on this machine and on the host.
//!
//! The command becomes a prelude that reads one line per secret word into `$__rb_N`,
//! then the command itself, which refers to `"$__rb_N"`. Each line escapes `\` and
//! newline so that `printf '%b'` (a builtin of dash, bash and busybox sh) restores the
//! word exactly; whatever stdin the command was given follows the secret lines.

use super::render::{secret_var, Rendered};

/// The command line and stdin that carry `rendered`'s secret words.
pub(super) fn hand_over(rendered: &Rendered, stdin: Option<String>) -> (String, Option<String>) {
    if rendered.words.is_empty() {
        return (rendered.text.clone(), stdin);
    }
    let mut prelude = Vec::with_capacity(rendered.words.len());
    let mut lines = String::new();
    for (i, word) in rendered.words.iter().enumerate() {
        let var = secret_var(i + 1);
        prelude.push(format!(
            "IFS= read -r {var} && {var}=$(printf '%bx' \"${var}\") && {var}=${{{var}%x}}"
        ));
        lines.push_str(&encode(word));
        lines.push('\n');
    }
    let command = format!(
        "{{ {}; }} || exit 125\n{}",
        prelude.join(" && "),
        rendered.text
    );
    lines.push_str(stdin.as_deref().unwrap_or(""));
    (command, Some(lines))
}

/// One line that `printf '%b'` turns back into `word`.
fn encode(word: &str) -> String {
    word.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    /// Each shell a host may have restores every word byte for byte.
    #[test]
    fn every_shell_gets_the_words_back_exactly() {
        let words = [
            "plain",
            "it's \"quoted\" $HOME `x`",
            "back\\slash \\n \\c \\0101 %s %b",
            "multi\nline\n\nsecret\n",
            "  spaced  ",
            "ünï©ødé",
            "x",
        ];
        let rendered = Rendered {
            text: (1..=words.len())
                .map(|n| format!("printf '%s\\0' \"${}\"", secret_var(n)))
                .collect::<Vec<_>>()
                .join("; "),
            words: words.iter().map(|w| w.to_string()).collect(),
            ..Rendered::default()
        };
        let (command, stdin) = hand_over(&rendered, Some("after".into()));
        let command = format!("{command}; cat");
        for shell in ["sh", "dash", "bash", "busybox"] {
            let mut cmd = Command::new(shell);
            if shell == "busybox" {
                cmd.arg("sh");
            }
            let Ok(mut child) = cmd
                .args(["-c", &command])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
            else {
                assert_ne!(shell, "sh", "no sh");
                continue;
            };
            use std::io::Write;
            let mut input = child.stdin.take().unwrap();
            input
                .write_all(stdin.as_deref().unwrap().as_bytes())
                .unwrap();
            drop(input);
            let out = child.wait_with_output().unwrap();
            let text = String::from_utf8(out.stdout).unwrap();
            let mut got: Vec<&str> = text.split('\0').collect();
            assert_eq!(
                got.pop(),
                Some("after"),
                "{shell}: the command's own stdin follows"
            );
            assert_eq!(got, words, "{shell}");
        }
    }
}
