## The seed's "AMDGPU Release Watch": the daily check for new AMDGPU releases, run once now,
## then its timer and the last week of what it logged.
runbook amdgpu_watch "AMDGPU release watch: run once, status and logs"

use std.journal
use std.systemd

## How far back to read its log.
param since = "7 days ago"

host hemma = ssh("hemma")

step run_once "Run the watch once" on hemma {
  systemd.start("amdgpu-release-watch.service", sudo: true)
}

step timer "The daily timer is active" on hemma {
  check systemd.is_active("amdgpu-release-watch.timer") else "amdgpu-release-watch.timer is not active: no daily check"
}

step logs "What it logged since {{ since }}" on hemma sudo {
  let lines = journal.grep("amdgpu-release-watch", "amdgpu-release-watch", since: since, tag: true)
  check not lines.is_empty() else "the watch logged nothing since {{ since }}"
  log lines.join("\n")
}
