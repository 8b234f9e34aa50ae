## The seed's "502 Bad Gateway" fix: the web container fell off hule-network.
runbook fix_502 "Reconnect the web container to hule-network"

use std.compose
use std.docker
use std.http

## Where web answers on hemma. The seed names its port (8000) but no health endpoint, so
## any answer below 500 counts as up (a login redirect does; a 502 does not).
param health_url = "http://127.0.0.1:8000/"
## Where nginx-proxy answers for web: the 502 the seed's section is about.
param public_url = "https://skriptoteket.hule.education/"

host hemma = ssh("hemma")
let app = "~/apps/skriptoteket"

step symptom "What nginx-proxy answers" on hemma {
  let code = http.status(public_url)
  log "{{ public_url }} answers {{ code }}"
}

step reconnect "Reconnect the container (temporary fix)" on hemma unless docker.network_connected("hule-network", "skriptoteket-web", sudo: true) {
  docker.network_connect("hule-network", "skriptoteket-web", sudo: true)
  wait_until http.up(public_url) every 1s timeout 1m
}

step recreate "Recreate with compose.prod.yaml (permanent fix)" on hemma {
  approve "Recreate the production containers?"
  compose.up(app, file: "compose.prod.yaml", force_recreate: true, sudo: true)
  wait_until http.up(health_url) every 5s timeout 2m
  wait_until http.up(public_url) every 2s timeout 1m
}
