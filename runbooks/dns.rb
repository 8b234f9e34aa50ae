## The seed's "DNS Not Resolving": the registrar's nameserver must answer hemma's public
## address for the public name. When it does not, ddclient is forced to update and the run
## waits for the nameserver to agree.
runbook dns "DNS: the public name points at hemma"

use std.systemd

## The public name and the registrar's nameserver that is authoritative for it.
param name = "skriptoteket.hule.education"
param nameserver = "pdns1.registrar-servers.com"
## What tells hemma its public address.
param ip_echo = "ifconfig.me"

host hemma = ssh("hemma")

step ddclient "ddclient runs" on hemma {
  log run("systemctl status ddclient --no-pager", sudo: true, ok: [0, 3]).stdout
  check systemd.is_active("ddclient") else "ddclient is not active: start it (sudo systemctl start ddclient)"
}

step addresses "hemma's public address and the nameserver's answer" on hemma {
  let public_ip = run("curl -s --max-time 10 {{ip_echo}}").stdout.trim()
  check public_ip != "" else "{{ ip_echo }} did not answer: is hemma online?"
  let answer = run("dig +short {{name}} @{{nameserver}}").stdout.trim()
  log "public address {{ public_ip }}; {{ nameserver }} answers '{{ answer }}' for {{ name }}"
}

step update "Force a DDNS update" on hemma when answer != public_ip {
  run "ddclient -force", sudo: true
  wait_until run("dig +short {{name}} @{{nameserver}}").stdout.trim() == public_ip every 10s timeout 5m
}
