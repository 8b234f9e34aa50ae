#!/usr/bin/env python3
"""Regenerates the tables of docs/diagnostics.md from the error enums (the prose above
the first table is kept). tests/codes.rs checks the result is complete."""
import re
from pathlib import Path

root = Path(__file__).resolve().parent.parent
sections = [
    ("src/syntax/error.rs", "Parse errors"),
    ("src/check/error.rs", "Check errors and warnings"),
    ("src/plan/error.rs", "Plan errors (the runbook is valid but cannot start as asked)"),
    ("src/journal/error.rs", "Journal errors (state directory, locks, resume)"),
]
pattern = re.compile(r'#\[error\("((?:[^"\\]|\\.)*)"\)\]\s*#\[diagnostic\(\s*code\(([a-z_:]+)\)(.*?)\)\]\s*\n\s*(\w+)', re.S)


def clean(text):
    return (text.replace("{{", "{").replace("}}", "}").replace('\\"', '"')
            .replace("\\\\", "\\").replace("|", "\\|"))


out = []
for path, title in sections:
    source = (root / path).read_text()
    out.append(f"\n## {title}\n\n| code | message | what to do |\n|---|---|---|")
    for message, code, rest, _name in pattern.findall(source):
        found = re.search(r'help\("((?:[^"\\]|\\.)*)"\)', rest)
        help_text = found.group(1) if found else "(specific to the case: a suggestion or the valid names)"
        warning = " (warning)" if "severity(Warning)" in rest else ""
        out.append(f"| `{code}`{warning} | {clean(message)} | {clean(help_text)} |")
doc = root / "docs/diagnostics.md"
text = doc.read_text()
head = text[: text.index("\n## Parse errors")]
doc.write_text(head + "\n".join(out) + "\n")
