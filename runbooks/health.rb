## The seed's health gate (what health-watchdog checks every 10 s) and the service endpoints,
## checked from outside on hemma. Read-only: safe to run any time.
runbook health "Server health: ssh, route, link, gateway, services"

use std.http
use std.net
use std.systemd

## The uplink the health gate watches.
param iface = "enp7s0"
## The LAN gateway the health gate pings.
param gateway = "192.168.0.1"

## Where web answers on hemma. The seed names its port (8000) but no health endpoint, so
## any answer below 500 counts as up (a login redirect does; a 502 does not).
param health_url = "http://127.0.0.1:8000/"

host hemma = ssh("hemma")

step ssh "SSH is up" on hemma {
  check systemd.is_active("ssh") else "sshd is not active"
  check net.port_listening(22) else "nothing listens on port 22"
}

step network "Default route, link and gateway" on hemma {
  check net.default_route() != "" else "no default route"
  check net.link_up(iface) else "{{ iface }} is down"
  check net.ping(gateway) else "the gateway {{ gateway }} does not answer"
}

step gpu "GPU services answer" on hemma {
  check http.get("http://127.0.0.1:8082/health").contains("ok") else "llama-server is not healthy"
  check http.ok("http://127.0.0.1:8083/v1/health") else "tabby is not healthy"
}

step app "Skriptoteket answers" on hemma {
  check http.up(health_url) else "web does not answer on {{ health_url }}"
}
