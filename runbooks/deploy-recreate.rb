## The seed's "Deploy with Force Recreate": for changes to compose.prod.yaml itself
## (networks, volumes, environment), which a plain `up` or `restart` does not apply.
runbook deploy_recreate "Deploy with force recreate"

use std.compose
use std.docker
use std.http

## Where web answers on hemma. The seed names its port (8000) but no health endpoint, so
## any answer below 500 counts as up (a login redirect does; a 502 does not).
param health_url = "http://127.0.0.1:8000/"

host hemma = ssh("hemma")
let app = "~/apps/skriptoteket"

step recreate "Recreate the production containers" on hemma timeout 15m {
  approve "Recreate every production container (a short outage)?"
  compose.up(app, file: "compose.prod.yaml", force_recreate: true, sudo: true)
  wait_until http.up(health_url) every 5s timeout 2m
}

step network "The web container is on hule-network" on hemma {
  check docker.network_connected("hule-network", "skriptoteket-web", sudo: true) else "skriptoteket-web is not on hule-network: nginx will answer 502"
}
