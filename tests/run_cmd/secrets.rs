//! The secret matrix: every way a secret or a value made from it could reach a person who
//! should not see it, for secrets of every awkward shape. Each (secret, form, surface)
//! is one vector; not one may leak.

use std::path::Path;

use super::common::{journals, Runbook};

/// The runbook that uses the secret every way a runbook can.
const MAIN: &str = r#"runbook t "Test"

secret token = env("RB_SECRET")

fn shout(x) {
  return x.upper()
}

step one "Title {{ token }}" {
  let upper_t = "{{ token | upper }}"
  let lower_t = token.lower()
  let replaced = token.replace("e", "E")
  let shouted = shout(token)
  let header = "Bearer {{ token }}"
  let echoed = run("printf '%s' {{ token }}").stdout
  log "log {{ token }} {{ upper_t }} {{ lower_t }} {{ replaced }} {{ shouted }} {{ header }}"
  run "x={{ token }}; cat /proc/[0-9]*/cmdline | tr '\\000' '\\n' > ps-local.txt"
  run("x={{ upper_t }}; y={{ shouted }}; cat > /dev/null", stdin: token)
}

step root "As root" sudo {
  run "x={{ token }}; cat /proc/[0-9]*/cmdline | tr '\\000' '\\n' > ps-sudo.txt"
}

step echo "Echoes it" {
  run "printf '%s\\n' out {{ token }} {{ upper_t }}; printf '%s\\n' err {{ token }} >&2"
}

step three "Uses what was made from it" {
  run "test -e ok"
  run "printf '%s\\n' {{ upper_t }} {{ lower_t }} {{ replaced }} {{ shouted }} {{ header }} {{ echoed }} > derived.txt"
}
"#;

/// Runbooks that fail on the secret, each its own way.
const FAILING: [(&str, &str); 4] = [
    ("int.rb", "  let n = token.to_int()\n"),
    ("float.rb", "  let n = \"{{ token | lower }}\".to_float()\n"),
    (
        "fail.rb",
        "  fail \"fail {{ token }} {{ token | upper }}\"\n",
    ),
    (
        "check.rb",
        "  check token == \"\" else \"check {{ token }}\"\n",
    ),
];

/// The forms of a secret whose appearance anywhere is a leak: the secret, what the
/// runbook makes of it, each of its lines, and each of those as JSON escapes it.
fn forms(secret: &str) -> Vec<String> {
    let mut forms = vec![
        secret.to_string(),
        secret.to_uppercase(),
        secret.to_lowercase(),
        secret.replace('e', "E"),
    ];
    if secret.contains('\n') {
        forms.extend(secret.lines().map(str::to_string));
        forms.extend(secret.lines().map(str::to_uppercase));
    }
    let escaped: Vec<String> = forms
        .iter()
        .map(|f| serde_json::to_string(f).expect("json"))
        .map(|j| j.trim_matches('"').to_string())
        .collect();
    forms.extend(escaped);
    forms.sort();
    forms.dedup();
    forms
}

/// Every file under the state directory, as text.
fn state_text(dir: &Path) -> String {
    let mut all = String::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
            } else if let Ok(bytes) = std::fs::read(e.path()) {
                all.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
    all
}

#[test]
// The count of vectors is the figure this test reports (`--nocapture`).
#[allow(clippy::print_stderr)]
fn no_secret_leaks_through_any_surface() {
    let secrets = [
        "s3cr3t-value-41",
        "it's \"q$u`o`te\\d %s\\n",
        "line-one-aaa\nline-two-bbb\nline-three-ccc",
        "  padded secret  ",
        "Ωµ",
        "^",
    ];
    let mut vectors = 0;
    let mut leaks = Vec::new();
    for secret in secrets {
        // Too short to be found in what commands print: runbook says so, and still
        // masks it wherever it shows a value itself.
        let short = secret.trim().len() < 3;
        let mut t = Runbook::new().file("t.rb", MAIN);
        for (name, body) in FAILING {
            t = t.file(
                name,
                format!("runbook t \"Test\"\n\nsecret token = env(\"RB_SECRET\")\n\nstep s \"S\" {{\n{body}}}\n"),
            );
        }
        let env = [("RB_SECRET", secret)];
        let mut surfaces: Vec<(String, String)> = Vec::new();
        let mut add = |name: &str, text: String| surfaces.push((name.to_string(), text));

        let first = t.run_env(&["run", "t.rb", "-v"], &env);
        assert_eq!(
            first.code, 1,
            "{secret:?}: stops at `test -e ok`\n{}",
            first.stderr
        );
        if short {
            assert!(
                first.stderr.contains("shorter than 3 characters"),
                "{}",
                first.stderr
            );
        }
        let run_id = journals(t.path())[0]
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        add("run -v: stdout", without_echo(&first.stdout, short));
        add("run -v: stderr", first.stderr);
        for ps in ["ps-local.txt", "ps-sudo.txt"] {
            let text = std::fs::read_to_string(t.path().join(ps)).expect("ps dump");
            assert!(text.contains("runbook"), "the dump lists processes: {text}");
            add(&format!("command lines ({ps})"), text);
        }
        let json = t.run_env(&["run", "t.rb", "--json", "-v"], &env);
        add(
            "run --json -v",
            without_echo(&json.stdout, short) + &json.stderr,
        );

        std::fs::write(t.path().join("ok"), "").expect("ok");
        let resumed = t.run_env(&["resume", &run_id], &env);
        assert_eq!(
            resumed.code, 0,
            "{secret:?}\n{}\n{}",
            resumed.stdout, resumed.stderr
        );
        let derived = std::fs::read_to_string(t.path().join("derived.txt")).expect("derived");
        let expected: Vec<String> = [
            secret.to_uppercase(),
            secret.to_lowercase(),
            secret.replace('e', "E"),
            secret.to_uppercase(),
            format!("Bearer {secret}"),
            secret.to_string(),
        ]
        .into_iter()
        .map(|v| format!("{v}\n"))
        .collect();
        assert_eq!(
            derived,
            expected.concat(),
            "the resumed run got the real values back"
        );
        add("resume", resumed.stdout + &resumed.stderr);

        for (name, _) in FAILING {
            let out = t.run_env(&["run", name], &env);
            assert_eq!(out.code, 1, "{name} fails on the secret\n{}", out.stderr);
            add(&format!("run {name}"), out.stdout + &out.stderr);
        }
        for args in [
            &["show", &run_id][..],
            &["show", &run_id, "--json"],
            &["runs"],
            &["plan", "t.rb"],
            &["plan", "t.rb", "--json"],
            &["doc", "t.rb"],
            &["rollback", &run_id, "--dry-run"],
        ] {
            let out = t.run_env(args, &env);
            add(&args.join(" "), out.stdout + &out.stderr);
        }
        add("state directory", state_text(&t.state()));

        for (surface, text) in &surfaces {
            for form in forms(secret) {
                // A secret too short to scrub is still never shown by runbook: test it
                // only where it would be a whole word of runbook's own.
                let needle = if short {
                    format!(" {form} ")
                } else {
                    form.clone()
                };
                vectors += 1;
                if text.contains(&needle) {
                    leaks.push(format!("{secret:?} as {form:?} in {surface}"));
                }
            }
        }
    }
    eprintln!("secret matrix: {vectors} vectors, {} leaks", leaks.len());
    assert!(leaks.is_empty(), "leaks:\n{}", leaks.join("\n"));
}

/// The output of a run without the lines the `echo` step printed: for a secret too short
/// to scrub, those are the one place it may appear (documented).
fn without_echo(stdout: &str, short: bool) -> String {
    if !short {
        return stdout.to_string();
    }
    let echoed = |l: &&str| l.contains("echo") && (l.contains("out") || l.contains("err"));
    stdout
        .lines()
        .filter(|l| !echoed(l) && !l.starts_with("  │"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_changed_secret_refuses_the_resume_and_names_the_capture() {
    let body = "runbook t \"Test\"\n\nsecret token = env(\"RB_SECRET\")\n\nstep one \"One\" {\n  let up = token.upper()\n}\n\nstep two \"Two\" {\n  run \"test -e ok\"\n  run \"printf '%s' {{ up }} > got\"\n}\n";
    let t = Runbook::new().file("t.rb", body);
    assert_eq!(
        t.run_env(&["run", "t.rb"], &[("RB_SECRET", "old-token")])
            .code,
        1
    );
    std::fs::write(t.path().join("ok"), "").expect("ok");
    let out = t.run_env(&["resume"], &[("RB_SECRET", "new-token")]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("runbook::journal::capture_locked"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("`one.up`"), "{}", out.stderr);
    assert!(
        !t.path().join("got").exists(),
        "nothing ran with a stale or masked value"
    );
    let out = t.run_env(&["resume"], &[("RB_SECRET", "old-token")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(t.path().join("got")).expect("got"),
        "OLD-TOKEN"
    );
}
