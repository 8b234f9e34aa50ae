## The seed's "Restore Database", from a dump made by db-backup.rb.
runbook db_restore "Restore the Skriptoteket database"

use std.compose
use std.fs
use std.postgres

## The dump to restore, on hemma (e.g. ~/backups/skriptoteket-20260101-030000.dump).
param dump: string
param database = "skriptoteket"

host hemma = ssh("hemma")
let app = "~/apps/skriptoteket"

step exists "The dump is there" on hemma {
  check fs.exists(dump) else "no dump at {{ dump }}"
}

step safety "Back up the current data first" on hemma {
  let stamp = run("date +%Y%m%d-%H%M%S").stdout.trim()
  postgres.dump(database, "~/backups/{{ database }}-before-restore-{{ stamp }}.dump", container: "shared-postgres", sudo: true)
}

step restore "Restore" on hemma {
  approve "Replace the data of {{ database }} with {{ dump }}?"
  compose.down(app, file: "compose.prod.yaml", sudo: true)
  # Into an empty database: a plain-SQL dump cannot replace what is there.
  postgres.drop_db(database, container: "shared-postgres", sudo: true)
  postgres.create_db(database, container: "shared-postgres", sudo: true)
  postgres.restore(database, dump, container: "shared-postgres", sudo: true)
  compose.up(app, file: "compose.prod.yaml", sudo: true)
}
