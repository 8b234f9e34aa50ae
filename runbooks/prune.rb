## Docker cleanup on hemma: show what takes space, then prune after asking.
runbook prune "Prune Docker images, containers and build cache"

use std.disk
use std.docker

## Also remove every unused image, not only dangling ones.
param all_images = false

host hemma = ssh("hemma")

step before "Space before" on hemma {
  let before = disk.free_gb("/")
  log docker.system_df(sudo: true)
}

step prune "Prune" on hemma {
  approve "Prune unused Docker data (all images: {{ all_images }})?"
  log docker.prune(all: all_images, sudo: true)
  let after = disk.free_gb("/")
  log "free on /: {{ before }} GB before, {{ after }} GB after"
}
