## The seed's "502 Bad Gateway" fix: the web container fell off hule-network.
runbook fix_502 "Reconnect the web container to hule-network"

use std.compose
use std.docker
use std.http

host hemma = ssh("hemma")
let app = "~/apps/skriptoteket"

step reconnect "Reconnect the container (temporary fix)" on hemma unless docker.network_connected("hule-network", "skriptoteket-web", sudo: true) {
  docker.network_connect("hule-network", "skriptoteket-web", sudo: true)
}

step recreate "Recreate with compose.prod.yaml (permanent fix)" on hemma {
  approve "Recreate the production containers?"
  compose.up(app, file: "compose.prod.yaml", force_recreate: true, sudo: true)
  wait_until http.ok("http://127.0.0.1:8000/healthz") every 5s timeout 2m
}
