//! `runbook lsp` driven as an editor drives it: real JSON-RPC messages over the binary's
//! stdin and stdout.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

const URI: &str = "file:///tmp/lsp-test/deploy.rb";

/// A language server child process and the messages it sends.
pub struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Client {
    pub fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_runbook"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("runbook lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            messages,
            next_id: 1,
        };
        let init = client.request("initialize", json!({"capabilities": {}, "processId": null}));
        assert!(
            init["result"]["capabilities"]["hoverProvider"] == json!(true),
            "{init}"
        );
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response (notifications on the way are dropped).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.next();
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    /// The next notification of `method`.
    pub fn notification(&mut self, method: &str) -> Value {
        loop {
            let message = self.next();
            if message["method"] == json!(method) {
                return message["params"].clone();
            }
        }
    }

    fn next(&mut self) -> Value {
        self.messages
            .recv_timeout(Duration::from_secs(20))
            .expect("the server answers within 20 s")
    }

    pub fn open(&mut self, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "runbook", "version": 1, "text": text}}),
        );
        self.notification("textDocument/publishDiagnostics")
    }

    /// The whole new text of the document, as an editor sends each change.
    pub fn change(&mut self, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    pub fn format(&mut self) -> Value {
        let options = json!({"tabSize": 2, "insertSpaces": true});
        self.request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": URI}, "options": options}),
        )
    }

    pub fn at(&mut self, method: &str, line: u32, character: u32) -> Value {
        let params = json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}});
        self.request(method, params)["result"].clone()
    }

    /// `shutdown`, `exit`, and the server's exit code.
    pub fn stop(mut self) -> Option<i32> {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("wait");
        status.code()
    }
}

/// The labels of a completion list.
fn labels_of(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["label"].as_str()).collect())
        .unwrap_or_default()
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

const RUNBOOK: &str = "runbook deploy \"Deploy\"\n\nuse std.http\n\n## The commit to deploy.\nparam commit: string\nhost web = ssh(\"web1\")\n\nstep fetch \"Fetch\" on web {\n  let head = run(\"git rev-parse HEAD\").stdout.trim()\n  run \"git checkout {{ commit }}\"\n  log \"was at {{ head }}\"\n}\n\nfn healthy(url) {\n  return http.ok(url)\n}\n";

#[test]
fn diagnostics_come_as_you_type_with_their_codes() {
    let mut client = Client::start();
    let published = client.open(&RUNBOOK.replace("{{ commit }}", "{{ comit }}"));
    let diagnostics = published["diagnostics"].as_array().expect("a list").clone();
    // The typo, and (a warning) the param it leaves unused.
    let codes: Vec<&str> = diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "runbook::check::undefined_variable",
            "runbook::check::unused"
        ],
        "{published}"
    );
    assert_eq!(diagnostics[1]["severity"], json!(2), "a warning");
    let d = &diagnostics[0];
    assert_eq!(d["severity"], json!(1), "an error");
    assert_eq!(
        d["code"],
        json!("runbook::check::undefined_variable"),
        "{d}"
    );
    assert_eq!(d["range"]["start"]["line"], json!(10), "{d}");
    assert!(d["message"].as_str().unwrap_or("").contains("comit"), "{d}");
    client.change(2, RUNBOOK);
    let fixed = client.notification("textDocument/publishDiagnostics");
    assert_eq!(fixed["diagnostics"], json!([]), "{fixed}");
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn hover_shows_docs_of_the_stdlib_and_of_the_document() {
    let mut client = Client::start();
    client.open(RUNBOOK);
    // `http.ok` on line 15 (`  return http.ok(url)`).
    let hover = client.at("textDocument/hover", 15, 15);
    let text = hover["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(text.contains("fn http.ok(url"), "{hover}");
    assert!(text.contains("2xx"), "the doc comment: {hover}");
    // `commit` inside the template of line 10.
    let hover = client.at("textDocument/hover", 10, 24);
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(text.contains("param commit: string"), "{hover}");
    assert!(text.contains("The commit to deploy."), "{hover}");
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn completion_offers_module_functions_hosts_and_keywords() {
    let mut client = Client::start();
    let text = RUNBOOK.replace("  return http.ok(url)", "  return http.\n  on_\n");
    client.open(text.as_str());
    let items = client.at("textDocument/completion", 15, 14);
    let labels = labels_of(&items);
    assert!(
        labels.contains(&"status") && labels.contains(&"ok"),
        "{labels:?}"
    );
    let status = items
        .as_array()
        .and_then(|a| a.iter().find(|i| i["label"] == json!("status")))
        .expect("status");
    assert_eq!(
        status["detail"],
        json!("fn status(url, max_time: 10)"),
        "{status}"
    );
    let step = "step next \"Next\" on \n";
    let text = format!("{RUNBOOK}{step}");
    client.change(2, &text);
    let hosts = client.at("textDocument/completion", 17, 20);
    let labels = labels_of(&hosts);
    assert_eq!(labels, ["web"], "after `on`, the hosts");
    let everything = client.at("textDocument/completion", 18, 0);
    let labels = labels_of(&everything);
    for expected in [
        "step",
        "wait_until",
        "run",
        "commit",
        "web",
        "healthy",
        "head",
        "fetch",
        "http",
    ] {
        assert!(labels.contains(&expected), "{expected} in {labels:?}");
    }
    assert_eq!(client.stop(), Some(0));
}

#[test]
fn definitions_symbols_and_formatting() {
    let mut client = Client::start();
    client.open(RUNBOOK);
    let param = client.at("textDocument/definition", 10, 24);
    assert_eq!(param["uri"], json!(URI));
    assert_eq!(
        param["range"]["start"],
        json!({"line": 5, "character": 6}),
        "{param}"
    );
    let stdlib = client.at("textDocument/definition", 15, 15);
    let uri = stdlib["uri"].as_str().expect("a uri");
    let path = uri.strip_prefix("file://").expect("a file");
    let module = std::fs::read_to_string(path).expect("the module is on disk");
    let line = stdlib["range"]["start"]["line"].as_u64().expect("line") as usize;
    assert!(
        module.lines().nth(line).unwrap_or("").starts_with("fn ok("),
        "{stdlib}"
    );
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let names: Vec<&str> = symbols["result"]
        .as_array()
        .expect("symbols")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["fetch", "healthy"]);
    assert_eq!(
        symbols["result"][0]["children"][0]["name"],
        json!("head"),
        "a step's captures"
    );
    let messy = RUNBOOK.replace("  run \"git", "run \"git");
    client.change(2, &messy);
    let edits = client.format();
    assert_eq!(edits["result"][0]["newText"], json!(RUNBOOK), "{edits}");
    assert_eq!(client.stop(), Some(0));
}

/// Mid-edit the text does not parse: the syntax error is a diagnostic with its code, and
/// completion goes on with what the last version that parsed declared.
#[test]
fn a_text_that_does_not_parse_mid_edit_keeps_completion_going() {
    let mut client = Client::start();
    client.open(RUNBOOK);
    let broken = format!("{RUNBOOK}step half \"Half\" on ");
    client.change(2, &broken);
    let published = client.notification("textDocument/publishDiagnostics");
    let code = published["diagnostics"][0]["code"].as_str().unwrap_or("");
    assert!(code.starts_with("runbook::parse::"), "{published}");
    let hosts = client.at("textDocument/completion", 17, 23);
    let labels = labels_of(&hosts);
    assert_eq!(labels, ["web"], "{hosts}");
    let edits = client.format();
    assert_eq!(
        edits["result"],
        Value::Null,
        "a text that does not parse is not formatted"
    );
    let modules = {
        let text = "runbook m \"M\"\nuse ";
        client.change(3, text);
        client.at("textDocument/completion", 1, 4)
    };
    let labels = labels_of(&modules);
    assert!(
        labels.contains(&"std.http") && labels.contains(&"std.systemd"),
        "{labels:?}"
    );
    let unknown = client.request("textDocument/rename", json!({}));
    assert_eq!(unknown["error"]["code"], json!(-32601), "{unknown}");
    assert_eq!(client.stop(), Some(0));
}
