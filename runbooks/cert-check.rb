## Certificate expiry of the public endpoints.
runbook cert_check "TLS certificates are not about to expire"

use std.tls

param min_days = 14

host hemma = ssh("hemma")

step public "The public certificate" on hemma {
  let days = tls.cert_days_left("skriptoteket.hule.education:443")
  check days >= min_days else "the certificate expires in {{ days }} days: renew it"
  log "{{ days }} days left"
}
