##! TLS certificates: from a PEM file on the target host, or served at `host:port`.

## A certificate's validity as `openssl` prints it: `not_before|not_after`.
fn _validity(target) {
  let out = run("if [ -f {{target}} ]; then cat {{target}}; else echo | openssl s_client -connect {{target}} -servername $(echo {{target}} | cut -d: -f1) 2>/dev/null; fi | openssl x509 -noout -startdate -enddate | cut -d= -f2 | paste -sd '|'")
  return out.stdout.trim()
}

## When the certificate became valid and when it expires, as `openssl` prints them.
##
## Runs: `openssl x509 -noout -startdate -enddate` on the file, or on what
## `openssl s_client -connect HOST:PORT` receives
## Returns: map `{not_before, not_after}`
## Example: `log tls.cert_dates("/etc/ssl/certs/hemma.pem").not_after`
fn cert_dates(target) {
  let dates = _validity(target).split("|")
  return {not_before: dates[0], not_after: dates[1]}
}

## Whole days until the certificate expires (negative once it has).
##
## Runs: `openssl x509 -noout -enddate`, then `date -d` to count the days
## Returns: int
## Example: `check tls.cert_days_left("skriptoteket.hule.education:443") > 14 else "renew the certificate"`
fn cert_days_left(target) {
  let not_after = cert_dates(target).not_after
  let out = run("echo $(( ($(date -d {{not_after}} +%s) - $(date +%s)) / 86400 ))")
  return out.stdout.trim().to_int()
}
