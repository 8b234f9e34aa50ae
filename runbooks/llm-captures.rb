## The seed's "Platform-only LLM debug captures": list the recent captures, or show one.
## Captures may hold tool code and raw model output: they are platform-only, read over ssh,
## never copied off hemma by this runbook.
##
##   runbook run runbooks/llm-captures.rb [--set kind=chat_ops_response --set capture=CID]
runbook llm_captures "LLM debug captures: list, or show one"

use std.docker

## A capture's kind (its folder) and id (the request's correlation id), to show one.
param kind = ""
param capture = ""

host hemma = ssh("hemma")
let root = "/app/.artifacts/llm-captures"

step list "Recent captures" on hemma {
  let found = docker.exec("skriptoteket-web", ["sh", "-c", "cd " + root + " 2>/dev/null && ls -1t */ | head -n 40"], sudo: true).stdout.trim()
  log "{{ root }}:\n{{ found }}"
}

step show "Capture {{ kind }}/{{ capture }}" on hemma when capture != "" {
  check kind != "" else "give the capture's kind too (--set kind=...): its folder under {{ root }}"
  log docker.exec("skriptoteket-web", ["cat", root + "/" + kind + "/" + capture + "/capture.json"], sudo: true).stdout
}
