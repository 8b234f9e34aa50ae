## The seed's "Rollback": check out an earlier commit and rebuild. `runbook resume` and the
## journal keep the commit that was running, so this can itself be undone.
runbook rollback_to "Roll back to an earlier commit"

use std.compose
use std.git
use std.http

## The commit to go back to (see `git log --oneline -10` on hemma).
param commit: string

## Where web answers on hemma. The seed names its port (8000) but no health endpoint, so
## any answer below 500 counts as up (a login redirect does; a 502 does not).
param health_url = "http://127.0.0.1:8000/"

host hemma = ssh("hemma")
let app = "~/apps/skriptoteket"

step show "Show the recent commits" on hemma {
  log git.log(app, n: 10).join("\n")
}

step checkout "Check out the earlier commit" on hemma {
  let current = git.head(app)
  approve "Roll production back to {{ commit }}?"
  git.reset(app, commit)
  rollback {
    git.reset(app, current)
  }
}

step rebuild "Rebuild and restart" on hemma timeout 15m {
  compose.up(app, file: "compose.prod.yaml", build: true, sudo: true)
  wait_until http.up(health_url) every 5s timeout 2m
}
