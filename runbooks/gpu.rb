## The seed's "Host GPU AI Services": llama.cpp (Docker, ROCm) under its systemd wrapper unit
## and Tabby, both active and answering, and the retired llama-server units kept masked.
## Read-only: safe to run any time.
runbook gpu "Host GPU AI services: units, health, retired units"

use std.http
use std.systemd

host hemma = ssh("hemma")

step units "llama-server-rocm and tabby are active" on hemma {
  log run("systemctl status --no-pager llama-server-rocm.service tabby.service | head -n 60", sudo: true, ok: [0, 3]).stdout
  check systemd.is_active("llama-server-rocm.service") else "llama-server-rocm.service is not active"
  check systemd.is_active("tabby.service") else "tabby.service is not active"
}

step health "Both answer their health endpoints" on hemma {
  check http.get("http://127.0.0.1:8082/health").contains("ok") else "llama-server (8082) is not healthy"
  check http.ok("http://127.0.0.1:8083/v1/health") else "tabby (8083) is not healthy"
}

step retired "The retired llama-server units stay masked" on hemma {
  check systemd.unit_masked("llama-server.service") else "llama-server.service is not masked: mask it (sudo systemctl mask llama-server.service)"
  check systemd.unit_masked("llama-server-hip.service") else "llama-server-hip.service is not masked"
  check systemd.unit_masked("llama-server-vulkan.service") else "llama-server-vulkan.service is not masked"
}
