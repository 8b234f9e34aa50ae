## The seed's "Restart Services". `restart` keeps containers (and does not re-read .env:
## use deploy-recreate.rb for environment changes).
runbook restart "Restart Skriptoteket"

use std.compose
use std.http

## Also restart the observability stack.
param observability = false

## Where web answers on hemma. The seed names its port (8000) but no health endpoint, so
## any answer below 500 counts as up (a login redirect does; a 502 does not).
param health_url = "http://127.0.0.1:8000/"

host hemma = ssh("hemma")
let app = "~/apps/skriptoteket"

step app "Restart the app" on hemma {
  compose.restart(app, file: "compose.prod.yaml", sudo: true)
  wait_until http.up(health_url) every 3s timeout 1m
}

step observability "Restart observability" on hemma when observability {
  compose.restart(app, file: "compose.observability.yaml", sudo: true)
}
