## The seed's "Deploy with Force Recreate": for changes to compose.prod.yaml itself
## (networks, volumes, environment), which a plain `up` or `restart` does not apply.
runbook deploy_recreate "Deploy with force recreate"

use std.compose
use std.docker
use std.http

host hemma = ssh("hemma")
let app = "~/apps/skriptoteket"

step recreate "Recreate the production containers" on hemma timeout 15m {
  approve "Recreate every production container (a short outage)?"
  compose.up(app, file: "compose.prod.yaml", force_recreate: true, sudo: true)
  wait_until http.ok("http://127.0.0.1:8000/healthz") every 5s timeout 2m
}

step network "The web container is on hule-network" on hemma {
  check docker.network_connected("hule-network", "skriptoteket-web", sudo: true) else "skriptoteket-web is not on hule-network: nginx will answer 502"
}
