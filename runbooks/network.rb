## The seed's "Current Network + DDNS Settings", checked live: ethernet only (the uplink up
## with an address and the default route through it, Wi-Fi off), and ddclient running.
## Read-only: safe to run any time.
runbook network "Network settings: ethernet only, DDNS client running"

use std.net
use std.systemd

## The ethernet uplink (netplan: dhcp4, optional).
param iface = "enp7s0"
## The Wi-Fi unit that must stay off.
param wifi_unit = "wpa_supplicant@wlp5s0.service"

host hemma = ssh("hemma")

step ethernet "The uplink is up and carries the default route" on hemma {
  check net.link_up(iface) else "{{ iface }} is down"
  let address = run("ip -4 -br addr show dev {{iface}}").stdout.trim()
  check address.contains("/") else "{{ iface }} has no IPv4 address (DHCP?)"
  let route = run("ip route show default").stdout.trim()
  check route.contains("dev " + iface) else "the default route does not go through {{ iface }}: {{ route }}"
  log "{{ address }}; {{ route }}"
}

step wifi "Wi-Fi stays off" on hemma {
  check not systemd.is_active(wifi_unit) else "{{ wifi_unit }} is active: the seed keeps hemma on ethernet only"
  check not systemd.is_enabled(wifi_unit) else "{{ wifi_unit }} is enabled: disable it"
}

step ddns "The DDNS client runs" on hemma {
  check systemd.is_active("ddclient") else "ddclient is not active: the public name will go stale (see runbooks/dns.rb)"
}
