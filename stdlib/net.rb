##! Network state of the target host: listening ports, routes, links, reachability. Reads
##! /proc and /sys where it can, so no extra tools are needed.

## True when something listens on TCP `port` (IPv4 or IPv6).
##
## Runs: `awk` over /proc/net/tcp and /proc/net/tcp6 (state LISTEN)
## Returns: bool
## Example: `check net.port_listening(22) else "sshd is not listening"`
fn port_listening(port) {
  let out = run("awk -v p=$(printf ':%04X' {{port}}) '$4 == \"0A\" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null", ok: [0, 1, 2])
  return out.code == 0
}

## The gateway of the default IPv4 route, or "" when there is none.
##
## Runs: `awk` over /proc/net/route
## Returns: string, e.g. `192.168.0.1`
## Example: `check net.default_route() != "" else "no default route"`
fn default_route() {
  let out = run("g=$(awk '$2 == \"00000000\" && $8 == \"00000000\" { print $3; exit }' /proc/net/route 2>/dev/null); if [ -n \"$g\" ]; then set -- $(echo \"$g\" | sed 's/../0x& /g'); printf '%d.%d.%d.%d\\n' $4 $3 $2 $1; fi")
  return out.stdout.trim()
}

## True when network interface `iface` is up.
##
## Runs: `cat /sys/class/net/IFACE/operstate`
## Returns: bool
## Example: `check net.link_up("enp7s0")`
fn link_up(iface) {
  let out = run("cat /sys/class/net/{{iface}}/operstate", ok: [0, 1])
  return out.stdout.trim() == "up" or out.stdout.trim() == "unknown" and iface == "lo"
}

## True when `target` answers `count` pings within `wait` seconds each.
##
## Runs: `ping -c COUNT -W WAIT TARGET`
## Returns: bool
## Example: `check net.ping("192.168.0.1") else "the gateway does not answer"`
fn ping(target, count = 1, wait = 2) {
  return run("ping -c {{count}} -W {{wait}} {{target}} > /dev/null 2>&1", ok: [0, 1, 2, 127]).code == 0
}

## True when `name` resolves (DNS, /etc/hosts, whatever the host's resolver uses).
##
## Runs: `getent hosts NAME`
## Returns: bool
## Example: `check net.resolves("skriptoteket.hule.education")`
fn resolves(name) {
  return run("getent hosts {{name}} > /dev/null", ok: [0, 1, 2]).code == 0
}
