## The seed's cleanup timers (sessions, sandbox snapshots, login events, SMART logs):
## enabled, and each has a next run scheduled.
runbook cleanup_timers "Enable and verify the cleanup timers"

use std.systemd

host hemma = ssh("hemma")

step enable "Enable the timers" on hemma {
  systemd.enable_now("skriptoteket-sandbox-snapshots-cleanup.timer", sudo: true)
  systemd.enable_now("skriptoteket-login-events-cleanup.timer", sudo: true)
  systemd.enable_now("cleanup-smart-logs.timer", sudo: true)
}

step verify "Each timer is enabled and scheduled" on hemma {
  check systemd.is_enabled("skriptoteket-session-files-cleanup.timer") else "the session files cleanup timer is not enabled"
  check systemd.is_enabled("skriptoteket-sandbox-snapshots-cleanup.timer") else "the sandbox snapshots cleanup timer is not enabled"
  check systemd.is_enabled("skriptoteket-login-events-cleanup.timer") else "the login events cleanup timer is not enabled"
  check systemd.timer_next("cleanup-smart-logs.timer") != "n/a" else "cleanup-smart-logs.timer has no next run"
  let next_run = systemd.timer_next("skriptoteket-session-files-cleanup.timer")
  log "session files cleanup next runs {{ next_run }}"
}
