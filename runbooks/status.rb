## The seed's "Quick Status Check": every container, then the app's web container running.
## Read-only: safe to run any time.
runbook status "Quick status: containers and the app"

use std.docker

host hemma = ssh("hemma")

step containers "All containers" on hemma {
  log docker.ps(all: true, sudo: true).join("\n")
}

step web "Skriptoteket's web is running" on hemma {
  check docker.running("skriptoteket-web", sudo: true) else "skriptoteket-web is not running: see `runbook run runbooks/logs.rb`"
}
