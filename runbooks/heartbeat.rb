## The seed's "Heartbeat Log (Hang Correlation)": a line a minute in the journal, so a hang
## shows as a gap. Read-only: safe to run any time.
runbook heartbeat "Heartbeat log: the timer runs and the beats are there"

use std.journal
use std.systemd

## How far back to read the beats (journalctl's --since).
param since = "2 hours ago"

host hemma = ssh("hemma")

step timer "The heartbeat timer is active" on hemma {
  check systemd.is_active("heartbeat-log.timer") else "heartbeat-log.timer is not active: a hang will leave no gap to see"
}

step beats "Beats since {{ since }}" on hemma sudo {
  let beats = journal.grep("heartbeat", "heartbeat", since: since, tag: true)
  check not beats.is_empty() else "no heartbeat since {{ since }}: the timer runs but logs nothing"
  let count = beats.length()
  let last = beats.last()
  log "{{ count }} beats since {{ since }}; the last: {{ last }}"
}
