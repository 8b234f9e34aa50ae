## The seed's "307 Redirect to HTTP Instead of HTTPS": behind nginx-proxy, web must know that
## the request came in over https (uvicorn's --proxy-headers, nginx's X-Forwarded-Proto), or
## its redirects send browsers to http://. Read-only: it finds which side lacks its part.
runbook diagnose_307 "Redirects to http://: which side lacks the proxy headers"

use std.docker

## The public address, and a path that web redirects (a path without its trailing slash).
param public_url = "https://skriptoteket.hule.education"
param redirected = "/app"

host hemma = ssh("hemma")

step redirect "Where a redirect sends a browser" on hemma {
  let location = run("curl -s -o /dev/null -w '%{redirect_url}' --max-time 10 {{public_url}}{{redirected}}").stdout.trim()
  check location != "" else "{{ public_url }}{{ redirected }} does not redirect: pick a path that does (`--set redirected=...`)"
  let insecure = location.starts_with("http://")
  log "{{ public_url }}{{ redirected }} redirects to {{ location }}"
}

step web_side "web's serve command trusts X-Forwarded-Proto" on hemma when insecure {
  let serve = docker.exec("skriptoteket-web", ["grep", "^serve", "/app/pyproject.toml"], sudo: true).stdout.trim()
  check serve.contains("--proxy-headers") and serve.contains("--forwarded-allow-ips") else "web's serve command lacks --proxy-headers --forwarded-allow-ips='*' (pyproject.toml): {{ serve }}"
}

step proxy_side "nginx-proxy sends X-Forwarded-Proto" on hemma when insecure {
  let config = run("docker exec nginx-proxy nginx -T 2>/dev/null", sudo: true).stdout
  check config.contains("X-Forwarded-Proto") else "nginx-proxy does not set X-Forwarded-Proto: add `proxy_set_header X-Forwarded-Proto $scheme;`"
}

step verdict "Redirects stay on https" on hemma {
  check not insecure else "redirects still go to http:// though both sides look right: recreate web (runbooks/deploy-recreate.rb)"
}
