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
let llama = service != "tabby"
let tabby = service != "llama"

step request "Check the request" {
  check action == "start" or action == "stop" or action == "status" else "action is start, stop or status, not '{{ action }}'"
  check service == "both" or service == "llama" or service == "tabby" else "service is both, llama or tabby, not '{{ service }}'"
}

# A tunnel outlives the run: `6>&- 7>&-` lets go of the run's lock, which every command holds.
step start_llama "Start the llama tunnel (:{{ llama_port }})" when action == "start" and llama {
  run "ssh {{ssh_flags}} -S {{sockets}}/hemma-gpu-llama.sock -O check hemma 2>/dev/null || 6>&- 7>&- ssh {{ssh_flags}} -f -N -M -S {{sockets}}/hemma-gpu-llama.sock -o ExitOnForwardFailure=yes -L 127.0.0.1:{{llama_port}}:127.0.0.1:8082 hemma"
  wait_until http.get("http://127.0.0.1:{{llama_port}}/health").contains("ok") every 1s timeout 30s
}

step start_tabby "Start the tabby tunnel (:{{ tabby_port }})" when action == "start" and tabby {
  run "ssh {{ssh_flags}} -S {{sockets}}/hemma-gpu-tabby.sock -O check hemma 2>/dev/null || 6>&- 7>&- ssh {{ssh_flags}} -f -N -M -S {{sockets}}/hemma-gpu-tabby.sock -o ExitOnForwardFailure=yes -L 127.0.0.1:{{tabby_port}}:127.0.0.1:8083 hemma"
  wait_until http.ok("http://127.0.0.1:{{tabby_port}}/v1/health") every 1s timeout 30s
}

step stop_llama "Stop the llama tunnel" when action == "stop" and llama {
  run "ssh {{ssh_flags}} -S {{sockets}}/hemma-gpu-llama.sock -O check hemma 2>/dev/null || exit 0; ssh {{ssh_flags}} -S {{sockets}}/hemma-gpu-llama.sock -O exit hemma"
}

step stop_tabby "Stop the tabby tunnel" when action == "stop" and tabby {
  run "ssh {{ssh_flags}} -S {{sockets}}/hemma-gpu-tabby.sock -O check hemma 2>/dev/null || exit 0; ssh {{ssh_flags}} -S {{sockets}}/hemma-gpu-tabby.sock -O exit hemma"
}

step status "Tunnel status" when action == "status" {
  let llama_up = run("ssh {{ssh_flags}} -S {{sockets}}/hemma-gpu-llama.sock -O check hemma", ok: [0, 255]).code == 0
  let tabby_up = run("ssh {{ssh_flags}} -S {{sockets}}/hemma-gpu-tabby.sock -O check hemma", ok: [0, 255]).code == 0
  let llama_ok = http.ok("http://127.0.0.1:{{llama_port}}/health", max_time: 3)
  let tabby_ok = http.ok("http://127.0.0.1:{{tabby_port}}/v1/health", max_time: 3)
  log "llama (:{{ llama_port }}): tunnel {{ llama_up }}, answering {{ llama_ok }}"
  log "tabby (:{{ tabby_port }}): tunnel {{ tabby_up }}, answering {{ tabby_ok }}"
}
