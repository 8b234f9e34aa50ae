## The seed's "Full Database Reset (DANGER)": destroys all data. Only for fresh
## installations; shared-postgres is external and not managed by this compose project.
runbook db_reset "Full database reset (destroys all data)"

use std.compose
use std.postgres

param database = "skriptoteket"

host hemma = ssh("hemma")
let app = "~/apps/skriptoteket"

step stop "Stop the app" on hemma {
  approve dangerous "This DESTROYS ALL DATA in {{ database }}. Continue?"
  compose.down(app, file: "compose.prod.yaml", sudo: true)
  rollback {
    compose.up(app, file: "compose.prod.yaml", sudo: true)
  }
}

step recreate "Drop and recreate the database" on hemma {
  postgres.drop_db(database, container: "shared-postgres", sudo: true)
  postgres.create_db(database, container: "shared-postgres", sudo: true)
}

step start "Start and migrate" on hemma timeout 15m {
  compose.up(app, file: "compose.prod.yaml", sudo: true)
  compose.exec(app, "web", ["pdm", "run", "db-upgrade"], file: "compose.prod.yaml", sudo: true)
  log "next: bootstrap the superuser (runbook-user-management) and seed the script bank"
}
