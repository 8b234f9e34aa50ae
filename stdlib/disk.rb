##! Disk space on the target host, through `df`.

## Free space on the filesystem holding `path`, in GB (10^9 bytes... of 1024^3: GiB).
##
## Runs: `df -Pk PATH`
## Returns: float (GiB available to unprivileged users)
## Example: `check disk.free_gb("/") >= 10 else "less than 10 GB free on /"`
fn free_gb(path = "/") {
  let out = run("df -Pk {{path}} | awk 'NR == 2 { printf \"%.2f\\n\", $4 / 1048576 }'")
  return out.stdout.trim().to_float()
}

## How full the filesystem holding `path` is, in percent.
##
## Runs: `df -P PATH`
## Returns: int
## Example: `check disk.used_percent("/var/lib/docker") < 90`
fn used_percent(path = "/") {
  let out = run("df -P {{path}} | awk 'NR == 2 { sub(\"%\", \"\", $5); print $5 }'")
  return out.stdout.trim().to_int()
}
