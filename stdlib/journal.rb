##! The systemd journal on the target host, through `journalctl`.

## The log of a unit (or, with `tag: true`, of a syslog identifier) since a moment
## `journalctl --since` understands.
##
## Runs: `journalctl -u UNIT --since SINCE --no-pager` (`-t TAG` with `tag: true`)
## Returns: string
## Example: `log journal.since("health-watchdog", since: "1 hour ago", tag: true)`
fn since(unit, since = "1 hour ago", tag = false) {
  let selector = flag(tag, "-t") + flag(not tag, "-u")
  return run("journalctl {{selector}} {{unit}} --since {{since}} --no-pager").stdout
}

## The log lines of a unit (or tag) that match `pattern` (a regular expression).
##
## Runs: `journalctl -u UNIT --since SINCE --no-pager --grep PATTERN`
## Returns: list of strings (empty when nothing matched)
## Example: `check journal.grep("skriptoteket-web", "Traceback").is_empty()`
fn grep(unit, pattern, since = "1 hour ago", tag = false) {
  let selector = flag(tag, "-t") + flag(not tag, "-u")
  let out = run("journalctl {{selector}} {{unit}} --since {{since}} --no-pager --grep {{pattern}}", ok: [0, 1])
  return out.stdout.trim().lines()
}
