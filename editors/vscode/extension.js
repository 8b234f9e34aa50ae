// The language client: starts `runbook lsp` (the binary named by `runbook.path`) for every
// runbook file. Highlighting comes from the grammar alone and works without the binary.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("runbook").get("path") || "runbook";
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "runbook",
    "Runbook",
    { run: server, debug: server },
    { documentSelector: [{ language: "runbook" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
