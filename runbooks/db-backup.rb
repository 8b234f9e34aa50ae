## The seed's "Backup Database": a dump of skriptoteket from the shared-postgres container.
runbook db_backup "Back up the Skriptoteket database"

use std.fs
use std.postgres

param database = "skriptoteket"
param backups = "~/backups"

host hemma = ssh("hemma")

step dump "Dump the database" on hemma {
  let stamp = run("date +%Y%m%d-%H%M%S").stdout.trim()
  let file = "{{ backups }}/{{ database }}-{{ stamp }}.dump"
  run "mkdir -p {{ backups }}"
  postgres.dump(database, file, container: "shared-postgres", sudo: true)
  check fs.exists(file) else "the dump was not written"
  log "backup written to {{ file }}"
}
