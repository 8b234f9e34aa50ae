##! systemd units on the target host, through `systemctl`. Actions take `sudo: true` to run
##! under `sudo -n`.

## True when `unit` is active (running).
##
## Runs: `systemctl is-active --quiet UNIT`
## Returns: bool
## Example: `check systemd.is_active("ssh") else "sshd is down"`
fn is_active(unit) {
  return run("systemctl is-active --quiet {{unit}}", ok: [0, 1, 2, 3, 4]).code == 0
}

## True when `unit` is enabled (starts at boot).
##
## Runs: `systemctl is-enabled UNIT`
## Returns: bool
## Example: `check systemd.is_enabled("cleanup-smart-logs.timer")`
fn is_enabled(unit) {
  return run("systemctl is-enabled {{unit}}", ok: [0, 1]).stdout.trim() == "enabled"
}

## True when `unit` is masked (cannot be started at all).
##
## Runs: `systemctl is-enabled UNIT`
## Returns: bool
## Example: `check systemd.unit_masked("llama-server.service") else "retired units must stay masked"`
fn unit_masked(unit) {
  return run("systemctl is-enabled {{unit}}", ok: [0, 1]).stdout.trim() == "masked"
}

## The status report of `unit`, as `systemctl status` prints it (whatever its state).
##
## Runs: `systemctl status --no-pager UNIT`
## Returns: string
## Example: `log systemd.status("health-watchdog.service")`
fn status(unit) {
  return run("systemctl status --no-pager {{unit}}", ok: [0, 1, 2, 3, 4]).stdout
}

## Starts `unit`.
##
## Runs: `systemctl start UNIT`
## Example: `systemd.start("skriptoteket-session-files-cleanup.service", sudo: true)`
fn start(unit, sudo = false) {
  run("systemctl start {{unit}}", sudo: sudo)
}

## Stops `unit`.
##
## Runs: `systemctl stop UNIT`
## Example: `systemd.stop("tabby.service", sudo: true)`
fn stop(unit, sudo = false) {
  run("systemctl stop {{unit}}", sudo: sudo)
}

## Restarts `unit`.
##
## Runs: `systemctl restart UNIT`
## Example: `systemd.restart("ddclient", sudo: true)`
fn restart(unit, sudo = false) {
  run("systemctl restart {{unit}}", sudo: sudo)
}

## Enables `unit` and starts it now.
##
## Runs: `systemctl enable --now UNIT`
## Example: `systemd.enable_now("cleanup-smart-logs.timer", sudo: true)`
fn enable_now(unit, sudo = false) {
  run("systemctl enable --now {{unit}}", sudo: sudo)
}

## Makes systemd re-read unit files after they changed.
##
## Runs: `systemctl daemon-reload`
## Example: `systemd.daemon_reload(sudo: true)`
fn daemon_reload(sudo = false) {
  run("systemctl daemon-reload", sudo: sudo)
}

## When `timer` next elapses, as `systemctl list-timers` prints it (`n/a` when never).
##
## Runs: `systemctl list-timers --all --no-pager --no-legend TIMER`
## Returns: string, e.g. `Sun 2026-11-29 19:00:00 UTC`
## Example: `check systemd.timer_next("cleanup-smart-logs.timer") != "n/a"`
fn timer_next(timer) {
  let out = run("systemctl list-timers --all --no-pager --no-legend {{timer}} | awk 'NR == 1 { if ($1 == \"n/a\") print \"n/a\"; else print $1, $2, $3, $4 }'")
  return out.stdout.trim()
}
