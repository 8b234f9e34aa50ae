## The seed's "500 Internal Server Error on All Routes": usually the database's tables are
## missing (migrations not run). Web's log says so ("relation ... does not exist"); then the
## migrations are run, with approval, and the run waits for web to answer again.
runbook diagnose_500 "500 on every route: find the cause, run the migrations"

use std.compose
use std.docker
use std.http

## Where web answers on hemma.
param health_url = "http://127.0.0.1:8000/"

host hemma = ssh("hemma")
let app = "~/apps/skriptoteket"

step status "What web answers" on hemma {
  let code = http.status(health_url)
  log "{{ health_url }} answers {{ code }}"
}

step logs "Web's log: missing tables?" on hemma {
  let recent = docker.logs("skriptoteket-web", tail: 50, sudo: true)
  let missing = recent.contains("does not exist")
  log "relation missing in the last 50 lines: {{ missing }}"
}

step migrate "Run the migrations" on hemma when missing and code == 500 {
  approve "web's log says tables are missing: run the migrations (pdm run db-upgrade)?"
  compose.exec(app, "web", ["pdm", "run", "db-upgrade"], file: "compose.prod.yaml", sudo: true)
  wait_until http.status(health_url) != 500 every 2s timeout 1m
}

step verify "Web answers without a 500" on hemma {
  let now = http.status(health_url)
  check now != 500 else "still 500 and no missing table in web's log: read `runbook run runbooks/logs.rb`"
  log "{{ health_url }} answers {{ now }}"
}
