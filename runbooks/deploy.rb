## The seed's "Standard Deploy (Code Changes)" for Skriptoteket on hemma: pull, build the
## runner image, deploy web, wait for health. A failed deploy puts the previous commit back.
runbook deploy "Standard deploy (code changes)"

use std.compose
use std.git
use std.http

## Apply database migrations after the deploy (asks first).
param migrate = false
## Where web answers on hemma. The seed names its port (8000) but no health endpoint, so
## any answer below 500 counts as up (a login redirect does; a 502 does not).
param health_url = "http://127.0.0.1:8000/"

host hemma = ssh("hemma")

let app = "~/apps/skriptoteket"
## Production uses compose.prod.yaml, NOT compose.yaml.
let compose_file = "compose.prod.yaml"

step preflight "Server is healthy before we start" on hemma {
  check http.up(health_url) else "the app is unhealthy before the deploy: fix that first"
  check git.is_clean(app) else "uncommitted changes in {{app}}: someone edited files on the server"
}

## Records the current commit so a failure can go back to it.
step pull "Pull the new code" on hemma {
  let previous = git.head(app)
  git.pull(app)
  rollback {
    git.reset(app, previous)
    compose.up(app, file: compose_file, build: true, sudo: true)
  }
}

step build_runner "Build the runner image (tool/editor sandbox)" on hemma timeout 20m {
  compose.build(app, file: compose_file, profile: "build-only", services: ["runner"], sudo: true)
}

step deploy "Deploy web" on hemma timeout 15m {
  compose.up(app, file: compose_file, build: true, sudo: true)
  wait_until http.up(health_url) every 5s timeout 2m
}

step migrate "Run database migrations" on hemma when migrate {
  approve "Apply database migrations to production?"
  compose.exec(app, "web", ["pdm", "run", "db-upgrade"], file: compose_file, sudo: true)
  check http.up(health_url) else "unhealthy after migrations"
}
