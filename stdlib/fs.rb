##! Files on the target host.

## True when `path` exists (file, directory or anything else).
##
## Runs: `test -e PATH`
## Returns: bool
## Example: `check fs.exists("/dev/watchdog0")`
fn exists(path) {
  return run("test -e {{path}}", ok: [0, 1]).code == 0
}

## The contents of a file.
##
## Runs: `cat PATH`
## Returns: string
## Example: `log fs.read("/etc/modprobe.d/sp5100_tco.conf")`
fn read(path, sudo = false) {
  return run("cat {{path}}", sudo: sudo).stdout
}

## Writes `content` to `path` atomically: a temporary file beside it, then a rename, so
## readers see the old contents or the new, never half.
##
## Runs: `tmp=$(mktemp PATH.XXXXXX) && cat > "$tmp" && mv -f "$tmp" PATH` (content on stdin)
## Example: `fs.write("/etc/systemd/system.conf.d/99-watchdog.conf", "[Manager]\nRuntimeWatchdogSec=0\n", sudo: true)`
fn write(path, content, sudo = false) {
  run("tmp=$(mktemp {{path}}.XXXXXX) && cat > \"$tmp\" && chmod 644 \"$tmp\" && mv -f \"$tmp\" {{path}}", stdin: content, sudo: sudo)
}

## True when the file contains `text` (a fixed string, not a pattern) on one of its lines.
## `text` is one line: grep would take each line of a longer text for a pattern of its own
## (and an empty one matches everything), so such a text fails the step.
##
## Runs: `grep -qF -- TEXT PATH`
## Returns: bool
## Example: `check fs.contains("/etc/default/kdump-tools", "modprobe.blacklist=amdgpu")`
fn contains(path, text, sudo = false) {
  check not text.contains("\n") else "fs.contains looks for one line of text, not several"
  return run("grep -qF -- {{text}} {{path}}", ok: [0, 1], sudo: sudo).code == 0
}

## A value from /sys or /proc (one line, trimmed).
##
## Runs: `cat PATH`
## Returns: string
## Example: `check fs.sysfs("/sys/class/watchdog/watchdog0/nowayout") == "1"`
fn sysfs(path) {
  return run("cat {{path}}").stdout.trim()
}
