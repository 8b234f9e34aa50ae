## The seed's cleanup timers (sessions, sandbox snapshots, login events, SMART logs):
## enabled, and each has a next run scheduled.
runbook cleanup_timers "Enable and verify the cleanup timers"

use std.systemd

## The timers to enable. The session files one comes enabled with the app's install.
param timers = ["skriptoteket-sandbox-snapshots-cleanup.timer", "skriptoteket-login-events-cleanup.timer", "cleanup-smart-logs.timer"]

host hemma = ssh("hemma")

let every_timer = ["skriptoteket-session-files-cleanup.timer"] + timers

step enable "Enable the timers" on hemma {
  for timer in timers {
    systemd.enable_now(timer, sudo: true)
  }
}

step verify "Each timer is enabled and scheduled" on hemma {
  for timer in every_timer {
    check systemd.is_enabled(timer) else "{{ timer }} is not enabled"
    let next_run = systemd.timer_next(timer)
    check next_run != "n/a" else "{{ timer }} has no next run"
    log "{{ timer }} next runs {{ next_run }}"
  }
}
