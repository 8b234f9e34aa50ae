## The seed's "Incident Log Capture (Periodic)" and pstore checks: the capture timer runs and
## its latest logs are there; the kernel's crash records (pstore) and their archive are shown.
## Read-only: safe to run any time. An empty pstore is normal before the first crash.
runbook incident "Incident captures and crash records"

use std.systemd

## Where the capture writes its logs (`incident-*.log`).
param logs_dir = "/root/logs"
## The kernel's pstore, and where systemd-pstore archives it.
param pstore_dir = "/sys/fs/pstore"
param pstore_archive = "/var/lib/systemd/pstore"

host hemma = ssh("hemma")

step timer "The capture timer is active" on hemma {
  check systemd.is_active("skriptoteket-incident-capture.timer") else "skriptoteket-incident-capture.timer is not active: nothing is captured"
}

step captures "The latest captures" on hemma {
  let latest = run("ls -1 {{logs_dir}}/incident-*.log 2>/dev/null | tail -n 5", sudo: true).stdout.trim()
  check latest != "" else "no incident-*.log in {{ logs_dir }}: the capture never wrote"
  log latest
}

step pstore "Crash records (pstore)" on hemma {
  check systemd.is_active("systemd-pstore.service") or systemd.is_enabled("systemd-pstore.service") else "systemd-pstore is neither active nor enabled: crash records will not be archived"
  let records = run("ls -1 {{pstore_dir}} 2>/dev/null | grep . || echo '(none)'", sudo: true).stdout.trim()
  let archived = run("ls -1 {{pstore_archive}} 2>/dev/null | grep . || echo '(none)'", sudo: true).stdout.trim()
  log "in {{ pstore_dir }}: {{ records }}"
  log "archived in {{ pstore_archive }}: {{ archived }}"
}
