##! The running kernel of the target host: its command line and modules.

## True when the kernel was booted with `flag` (a whole word of /proc/cmdline, such as
## `amdgpu.runpm=0` or `log_buf_len=4M`).
##
## Runs: `tr ' ' '\n' < /proc/cmdline | grep -qxF -- FLAG`
## Returns: bool
## Example: `check kernel.cmdline_contains("amdgpu.cwsr_enable=0")`
fn cmdline_contains(flag) {
  return run("tr ' ' '\\n' < /proc/cmdline | grep -qxF -- {{flag}}", ok: [0, 1]).code == 0
}

## True when kernel module `name` is loaded.
##
## Runs: `awk -v m=NAME '$1 == m' /proc/modules`
## Returns: bool
## Example: `check kernel.module_loaded("sp5100_tco") else "the watchdog driver is not loaded"`
fn module_loaded(name) {
  return run("awk -v m={{name}} '$1 == m { found = 1 } END { exit !found }' /proc/modules", ok: [0, 1, 2]).code == 0
}
