## The seed's "Disk Space / Session Cleanup": the hourly timer's TTL cleanup, run by hand the
## way the timer runs it (docker exec into skriptoteket-web, the app's CLI with
## PYTHONPATH=/app/src), then its timer checked. `--set all=true` deletes every session file
## instead, behind a dangerous approval (the seed's `clear-all-session-files --yes`).
runbook session_cleanup "Session files: TTL cleanup, or delete them all"

use std.docker
use std.systemd

## Delete ALL session files, not only the expired ones.
param all = false

host hemma = ssh("hemma")
let cli = ["pdm", "run", "python", "-m", "skriptoteket.cli"]

step ttl "TTL cleanup (as the timer runs it)" on hemma unless all {
  log docker.exec("skriptoteket-web", cli + ["cleanup-session-files"], env: ["PYTHONPATH=/app/src"], sudo: true).stdout
}

step everything "Delete ALL session files" on hemma when all {
  approve dangerous "Delete ALL session files of every user?"
  log docker.exec("skriptoteket-web", cli + ["clear-all-session-files", "--yes"], env: ["PYTHONPATH=/app/src"], sudo: true).stdout
}

step timer "The hourly timer runs" on hemma {
  check systemd.is_active("skriptoteket-session-files-cleanup.timer") else "skriptoteket-session-files-cleanup.timer is not active: expired session files pile up"
}
