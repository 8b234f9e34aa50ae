## The seed's "Verification" of the health-gated hardware watchdog and crash capture.
runbook watchdog_verify "Verify the hardware watchdog and crash capture"

use std.fs
use std.journal
use std.kernel
use std.sysctl
use std.systemd

host hemma = ssh("hemma")

step petter "The health-gated petter runs" on hemma {
  check systemd.is_active("health-watchdog.service") else "health-watchdog.service is not running: the host will be reset"
  log journal.since("health-watchdog", since: "1 hour ago", tag: true)
}

step hardware "The hardware watchdog is armed" on hemma {
  check kernel.module_loaded("sp5100_tco") else "the sp5100_tco driver is not loaded"
  check fs.sysfs("/sys/class/watchdog/watchdog0/nowayout") == "1" else "nowayout is off"
  let seconds = fs.sysfs("/sys/class/watchdog/watchdog0/timeout")
  log "hardware watchdog timeout: {{ seconds }} s"
}

step crash_capture "Crash capture is configured" on hemma {
  check sysctl.get("kernel.panic_on_oops") == "1" else "kernel.panic_on_oops is not 1"
  check sysctl.get("kernel.panic") == "10" else "kernel.panic is not 10"
  check kernel.cmdline_contains("log_buf_len=4M") else "the kernel was booted without log_buf_len=4M"
  check fs.contains("/etc/default/kdump-tools", "modprobe.blacklist=amdgpu", sudo: true) else "kdump does not blacklist amdgpu"
}
