## The seed's "GPU Tunnels" (its `~/bin/hemma-gpu-tunnel` helper), run on the workstation:
## llama-server (8082) and tabby (8083) on hemma forwarded to this machine's localhost. Each
## tunnel is a background ssh with its own control socket, so `stop` and `status` find it.
##
##   runbook run runbooks/gpu-tunnel.rb --set action=start [--set service=llama]
runbook gpu_tunnel "GPU tunnels to hemma: start, stop, status"

use std.http

## `start`, `stop` or `status`.
param action = "status"
## `both`, `llama` or `tabby`.
param service = "both"
## An ssh_config for reaching hemma from here ("": ssh's own, ~/.ssh/config). The tunnels are
## this machine's own ssh processes: runbook's --ssh-config does not reach them.
param ssh_config = ""
## Where the tunnels' control sockets live.
param sockets = "/tmp"
## This machine's ports for the tunnels.
param llama_port = 8082
param tabby_port = 8083

let ssh_flags = flag(ssh_config != "", "-F") + flag(ssh_config != "", ssh_config)

## Each tunnel: this machine's port, hemma's, and the health endpoint. llama's answers
## `{"status":"ok"}` (its status code is not enough while a model loads).
let tunnels = [
  {name: "llama", port: llama_port, remote: 8082, health: "/health", says: "ok"},
  {name: "tabby", port: tabby_port, remote: 8083, health: "/v1/health", says: ""},
]

step request "Check the request" {
  check action == "start" or action == "stop" or action == "status" else "action is start, stop or status, not '{{ action }}'"
  check service == "both" or service == "llama" or service == "tabby" else "service is both, llama or tabby, not '{{ service }}'"
}

# A tunnel outlives the run: `6>&- 7>&-` lets go of the run's lock, which every command holds.
step tunnels "Start, stop or show the tunnels" {
  for t in tunnels {
    if service == "both" or service == t.name {
      let url = "http://127.0.0.1:{{ t.port }}{{ t.health }}"
      if action == "start" {
        run "ssh {{ssh_flags}} -S {{sockets}}/hemma-gpu-{{t.name}}.sock -O check hemma 2>/dev/null || 6>&- 7>&- ssh {{ssh_flags}} -f -N -M -S {{sockets}}/hemma-gpu-{{t.name}}.sock -o ExitOnForwardFailure=yes -L 127.0.0.1:{{t.port}}:127.0.0.1:{{t.remote}} hemma"
        if t.says != "" {
          wait_until http.get(url).contains(t.says) every 1s timeout 30s
        } else {
          wait_until http.ok(url) every 1s timeout 30s
        }
      } else if action == "stop" {
        run "ssh {{ssh_flags}} -S {{sockets}}/hemma-gpu-{{t.name}}.sock -O check hemma 2>/dev/null || exit 0; ssh {{ssh_flags}} -S {{sockets}}/hemma-gpu-{{t.name}}.sock -O exit hemma"
      } else {
        let up = run("ssh {{ssh_flags}} -S {{sockets}}/hemma-gpu-{{t.name}}.sock -O check hemma", ok: [0, 255]).code == 0
        let answering = http.ok(url, max_time: 3)
        log "{{ t.name }} (:{{ t.port }}): tunnel {{ up }}, answering {{ answering }}"
      }
    }
  }
}
