## The seed's "SSL Certificate: Renew": certbot in the infrastructure compose project,
## then nginx-proxy reloads.
runbook cert_renew "Renew the TLS certificate"

use std.docker
use std.tls

param min_days = 30

host hemma = ssh("hemma")

step renew "Renew with certbot" on hemma unless tls.cert_days_left("skriptoteket.hule.education:443") > min_days {
  run("cd ~/infrastructure && docker compose run --rm certbot renew", sudo: true)
  docker.exec("nginx-proxy", ["nginx", "-s", "reload"], sudo: true)
}

step verify "The new certificate is served" on hemma {
  # nginx's reload is asynchronous: its workers take the new certificate a moment later.
  wait_until tls.cert_days_left("skriptoteket.hule.education:443") > min_days every 1s timeout 30s
  let days = tls.cert_days_left("skriptoteket.hule.education:443")
  log "{{ days }} days left"
}
