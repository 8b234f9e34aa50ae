//! A test that states what it expects, in the style of casey/just's tests: the runbook as
//! unindented text, the command line, and the exit status, output, diagnostic codes and
//! journal records the run must give. Every expectation is checked, and a failure shows the
//! whole output, so a test reads as a specification.

use super::{Output, Runbook};

#[derive(Debug)]
pub struct Case {
    runbook: Runbook,
    args: Vec<String>,
    status: i32,
    stdout: Vec<String>,
    stderr: Vec<String>,
    stderr_lacks: Vec<String>,
    codes: Vec<String>,
    journal: Option<Vec<(String, String)>>,
}

/// What the case produced, for the assertions a case does not state.
#[derive(Debug)]
pub struct Ran {
    pub output: Output,
    pub runbook: Runbook,
}

/// Text written indented in a test, as the file it stands for: the common leading
/// whitespace of its lines removed, and the first line break after the opening quote.
pub fn unindent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect();
    let mut out = lines.join("\n").trim_end_matches('\n').to_string();
    out.push('\n');
    out
}

impl Case {
    /// A case whose runbook, `t.rb`, is `text` unindented; it runs `runbook run t.rb` unless
    /// told otherwise, and expects success unless told otherwise.
    pub fn new(text: &str) -> Case {
        Case {
            runbook: Runbook::new().file("t.rb", unindent(text)),
            args: vec!["run".into(), "t.rb".into()],
            status: 0,
            stdout: Vec::new(),
            stderr: Vec::new(),
            stderr_lacks: Vec::new(),
            codes: Vec::new(),
            journal: None,
        }
    }

    /// Another file beside the runbook (a module, an inventory), unindented.
    pub fn file(mut self, name: &str, text: &str) -> Case {
        self.runbook = self.runbook.file(name, unindent(text));
        self
    }

    pub fn args(mut self, args: &[&str]) -> Case {
        self.args = args.iter().map(|a| a.to_string()).collect();
        self
    }

    pub fn status(mut self, code: i32) -> Case {
        self.status = code;
        self
    }

    /// A line (or part of one) stdout must hold.
    pub fn stdout(mut self, text: &str) -> Case {
        self.stdout.push(text.into());
        self
    }

    /// A line (or part of one) stderr must hold.
    pub fn stderr(mut self, text: &str) -> Case {
        self.stderr.push(text.into());
        self
    }

    /// Something stderr must never show (a secret, a stale message).
    pub fn stderr_lacks(mut self, text: &str) -> Case {
        self.stderr_lacks.push(text.into());
        self
    }

    /// A diagnostic code the run must report (`runbook::run::command_failed`).
    pub fn code(mut self, code: &str) -> Case {
        self.codes.push(code.into());
        self
    }

    /// The journal's records that name a step, as (type, step), in order: exactly these.
    pub fn journal(mut self, records: &[(&str, &str)]) -> Case {
        self.journal = Some(
            records
                .iter()
                .map(|(t, s)| (t.to_string(), s.to_string()))
                .collect(),
        );
        self
    }

    /// Runs the case and checks every expectation, all at once.
    pub fn run(self) -> Ran {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let output = self.runbook.run_args(&args);
        let mut wrong = Vec::new();
        if output.code != self.status {
            wrong.push(format!("status {} (expected {})", output.code, self.status));
        }
        for want in &self.stdout {
            if !output.stdout.contains(want.as_str()) {
                wrong.push(format!("stdout lacks {want:?}"));
            }
        }
        for want in self.stderr.iter().chain(&self.codes) {
            if !output.stderr.contains(want.as_str()) {
                wrong.push(format!("stderr lacks {want:?}"));
            }
        }
        for never in &self.stderr_lacks {
            if output.stderr.contains(never.as_str()) {
                wrong.push(format!("stderr shows {never:?}"));
            }
        }
        if let Some(expected) = &self.journal {
            let got: Vec<(String, String)> = super::journal(self.runbook.path())
                .map(|p| super::records(&p))
                .unwrap_or_default()
                .iter()
                .filter_map(|r| {
                    Some((
                        r["type"].as_str()?.to_string(),
                        r["step"].as_str()?.to_string(),
                    ))
                })
                .collect();
            if &got != expected {
                wrong.push(format!("journal {got:?}\n  expected {expected:?}"));
            }
        }
        assert!(
            wrong.is_empty(),
            "{}\n--- stdout\n{}\n--- stderr\n{}",
            wrong.join("\n"),
            output.stdout,
            output.stderr
        );
        Ran {
            output,
            runbook: self.runbook,
        }
    }
}

#[test]
fn unindent_keeps_relative_indentation() {
    let text = unindent(
        "
        runbook t \"T\"

        step a \"A\" {
          run \"true\"
        }
        ",
    );
    assert_eq!(
        text,
        "runbook t \"T\"\n\nstep a \"A\" {\n  run \"true\"\n}\n"
    );
}
