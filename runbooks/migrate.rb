## The seed's "Run Migrations" (also the fix for "500 Internal Server Error on All Routes").
runbook migrate "Apply database migrations"

use std.compose
use std.http
use std.postgres

## Where web answers on hemma. The seed names its port (8000) but no health endpoint, so
## any answer below 500 counts as up (a login redirect does; a 502 does not).
param health_url = "http://127.0.0.1:8000/"

host hemma = ssh("hemma")
let app = "~/apps/skriptoteket"

step backup "Back up before migrating" on hemma {
  let stamp = run("date +%Y%m%d-%H%M%S").stdout.trim()
  postgres.dump("skriptoteket", "~/backups/skriptoteket-pre-migrate-{{ stamp }}.dump", container: "shared-postgres", sudo: true)
}

step upgrade "Upgrade the schema" on hemma {
  approve "Apply database migrations to production?"
  compose.exec(app, "web", ["pdm", "run", "db-upgrade"], file: "compose.prod.yaml", env: ["PYTHONPATH=/app/src"], sudo: true)
  check http.up(health_url) else "the app is unhealthy after the migration"
}
