## The seed's disk and Docker space checks; prunes only after asking.
runbook disk_check "Disk space and Docker cleanup"

use std.disk
use std.docker

## Below this many GB free on /, offer to prune Docker.
param min_free_gb = 20

inventory "hosts.toml"

step space "Measure free space" on hemma {
  let free = disk.free_gb("/")
  for mount in host.mounts {
    let left = disk.free_gb(mount)
    let used = disk.used_percent(mount)
    log "{{ mount }} has {{ left }} GB free ({{ used }}% used)"
  }
  log docker.system_df(sudo: true)
}

step prune "Prune unused Docker data" on hemma when free < min_free_gb {
  approve "Only {{ free }} GB free: prune stopped containers, unused networks and dangling images?"
  log docker.prune(sudo: true)
}
