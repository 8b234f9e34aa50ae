##! Kernel parameters of the target host (/proc/sys, as `sysctl` shows them).

## The value of a kernel parameter, e.g. `kernel.panic_on_oops`.
##
## Runs: `cat /proc/sys/KEY` (dots become slashes)
## Returns: string
## Example: `check sysctl.get("kernel.panic_on_oops") == "1"`
fn get(key) {
  return run("cat /proc/sys/{{ key | replace(".", "/") }}").stdout.trim()
}
