## The seed's "Container Won't Start": web's state, the end of its log, and what holds its
## port. Read-only: it gathers what an operator needs to decide, and says so when web runs.
runbook container_start "Web won't start: state, logs, port"

use std.docker

param container = "skriptoteket-web"
## The port web listens on.
param port = 8000

host hemma = ssh("hemma")

step state "The container's state" on hemma {
  let state = run("docker inspect -f '\{{.State.Status}} exit=\{{.State.ExitCode}} \{{.State.Error}}' {{container}} 2>&1 || true", sudo: true).stdout.trim()
  let running = state.starts_with("running")
  log "{{ container }}: {{ state }}"
}

step logs "The end of its log" on hemma {
  log docker.logs(container, tail: 50, sudo: true)
}

step port "What holds port {{ port }}" on hemma {
  log run("lsof -i :{{port}} 2>&1 || true", sudo: true).stdout
}

step verdict "Web runs" on hemma {
  check running else "{{ container }} is not running: its log and port {{ port }} are above"
}
