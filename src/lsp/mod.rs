//! `runbook lsp`: a language server over stdio, built on the project's own parser, checker
//! and formatter. Diagnostics as you type (with their codes), hover docs, completion, go to
//! definition (into the stdlib too), the outline, and formatting. Documents are synced
//! whole: a runbook is small next to the time a check takes.

mod complete;
mod diagnostics;
mod document;
mod hover;
mod index;
mod navigate;
mod position;

use std::collections::HashMap;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, Request as _,
};
use lsp_types::{
    CompletionOptions, HoverProviderCapability, OneOf, PublishDiagnosticsParams,
    ServerCapabilities, TextDocumentPositionParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextEdit, Uri,
};

use document::Document;
use index::LibraryFn;

/// Serves one editor on stdin/stdout until it says `exit`; the error, if the protocol broke.
pub fn serve() -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    };
    let caps = serde_json::to_value(capabilities).map_err(|e| e.to_string())?;
    connection.initialize(caps).map_err(|e| e.to_string())?;
    let mut server = Server {
        connection: &connection,
        documents: HashMap::new(),
        library: index::library(),
    };
    server.run()?;
    drop(connection);
    io.join().map_err(|e| e.to_string())
}

struct Server<'a> {
    connection: &'a Connection,
    documents: HashMap<Uri, Document>,
    library: Vec<LibraryFn>,
}

impl Server<'_> {
    fn run(&mut self) -> Result<(), String> {
        for message in &self.connection.receiver {
            match message {
                Message::Request(request) => {
                    if self
                        .connection
                        .handle_shutdown(&request)
                        .map_err(|e| e.to_string())?
                    {
                        return Ok(());
                    }
                    let response = self.request(request);
                    self.send(Message::Response(response))?;
                }
                Message::Notification(n) => self.notification(n)?,
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    fn send(&self, message: Message) -> Result<(), String> {
        self.connection
            .sender
            .send(message)
            .map_err(|e| e.to_string())
    }

    fn notification(&mut self, n: Notification) -> Result<(), String> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: lsp_types::DidOpenTextDocumentParams = params(n.params)?;
                self.update(p.text_document.uri, p.text_document.text)
            }
            DidChangeTextDocument::METHOD => {
                let p: lsp_types::DidChangeTextDocumentParams = params(n.params)?;
                match p.content_changes.into_iter().last() {
                    Some(change) => self.update(p.text_document.uri, change.text),
                    None => Ok(()),
                }
            }
            DidCloseTextDocument::METHOD => {
                let p: lsp_types::DidCloseTextDocumentParams = params(n.params)?;
                self.documents.remove(&p.text_document.uri);
                self.publish(p.text_document.uri, Vec::new())
            }
            _ => Ok(()),
        }
    }

    /// A new text for a document: check it and publish what was found.
    fn update(&mut self, uri: Uri, text: String) -> Result<(), String> {
        // The file's own path: team modules (`use "lib/ops.rb" as ops`) are found beside it.
        let name = uri.path().as_str().to_string();
        let (document, diagnostics) = Document::new(&name, text, self.documents.get(&uri));
        self.documents.insert(uri.clone(), document);
        self.publish(uri, diagnostics)
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>) -> Result<(), String> {
        let p = PublishDiagnosticsParams::new(uri, diagnostics, None);
        self.send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.to_string(),
            p,
        )))
    }

    fn request(&self, request: Request) -> Response {
        let id = request.id.clone();
        match self.answer(request) {
            Ok(value) => Response::new_ok(id, value),
            Err(message) => error(id, &message),
        }
    }

    fn answer(&self, request: Request) -> Result<serde_json::Value, String> {
        match request.method.as_str() {
            HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = params(request.params)?;
                let (doc, offset) = self.at(&p.text_document_position_params)?;
                Ok(json(hover::hover(doc, &self.library, offset)))
            }
            Completion::METHOD => {
                let p: lsp_types::CompletionParams = params(request.params)?;
                let (doc, offset) = self.at(&p.text_document_position)?;
                Ok(json(complete::complete(doc, &self.library, offset)))
            }
            GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = params(request.params)?;
                let at = &p.text_document_position_params;
                let (doc, offset) = self.at(at)?;
                let uri = &at.text_document.uri;
                Ok(json(navigate::definition(doc, uri, &self.library, offset)))
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = params(request.params)?;
                let doc = self.document(&p.text_document.uri)?;
                Ok(json(navigate::outline(doc)))
            }
            Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams = params(request.params)?;
                let doc = self.document(&p.text_document.uri)?;
                // A text that does not parse is not formatted: its layout cannot be judged.
                let edits = doc.parses.then(|| {
                    vec![TextEdit::new(
                        navigate::whole(doc),
                        crate::format::format(&doc.text),
                    )]
                });
                Ok(json(edits))
            }
            other => Err(format!("runbook lsp does not answer {other}")),
        }
    }

    fn document(&self, uri: &Uri) -> Result<&Document, String> {
        self.documents
            .get(uri)
            .ok_or_else(|| format!("{} is not open", uri.as_str()))
    }

    fn at(&self, p: &TextDocumentPositionParams) -> Result<(&Document, usize), String> {
        let doc = self.document(&p.text_document.uri)?;
        Ok((doc, doc.index.offset(&doc.text, p.position)))
    }
}

/// What a request returns, as the protocol carries it.
fn json(value: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn params<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("invalid params: {e}"))
}

fn error(id: RequestId, message: &str) -> Response {
    // -32602: invalid params; -32601: method not found (JSON-RPC).
    let code = if message.starts_with("invalid params") {
        -32602
    } else {
        -32601
    };
    Response::new_err(id, code, message.to_string())
}
