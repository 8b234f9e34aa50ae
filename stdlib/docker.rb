##! Docker containers and networks on the target host. Every function takes `sudo: true`
##! for hosts where the docker socket is root's.

## True when `container` exists and is running.
##
## Runs: `docker inspect -f '{{.State.Running}}' CONTAINER`
## Returns: bool
## Example: `check docker.running("skriptoteket-web", sudo: true)`
fn running(container, sudo = false) {
  let out = run("docker inspect -f '\{{.State.Running}}' {{container}}", ok: [0, 1], sudo: sudo)
  return out.stdout.trim() == "true"
}

## The last `tail` lines of a container's log (stdout and stderr), only those newer than
## `since` when given (`"1h"`, `"2026-01-07T10:00"`): the bounded form of `docker logs -f`.
##
## Runs: `docker logs --tail N [--since SINCE] CONTAINER 2>&1`
## Returns: string
## Example: `log docker.logs("skriptoteket-web", tail: 50, since: "1h", sudo: true)`
fn logs(container, tail = 50, since = "", sudo = false) {
  let since_flags = flag(since != "", ["--since", since])
  return run("docker logs --tail {{tail}} {{since_flags}} {{container}} 2>&1", sudo: sudo).stdout
}

## The containers (running ones, or `all`), one line each: name, image, status.
##
## Runs: `docker ps [-a] --format '{{.Names}}\t{{.Image}}\t{{.Status}}'`
## Returns: list of strings
## Example: `log docker.ps(sudo: true).join("\n")`
fn ps(all = false, sudo = false) {
  let all_flags = flag(all, "-a")
  return run("docker ps {{all_flags}} --format '\{{.Names}}\t\{{.Image}}\t\{{.Status}}'", sudo: sudo).stdout.trim().lines()
}

## True when `container` is attached to `network`.
##
## Runs: `docker network inspect NETWORK -f '{{range .Containers}}{{.Name}} {{end}}'`
## Returns: bool
## Example: `check docker.network_connected("hule-network", "skriptoteket-web", sudo: true)`
fn network_connected(network, container, sudo = false) {
  let out = run("docker network inspect {{network}} -f '\{{range .Containers}}\{{.Name}} \{{end}}'", sudo: sudo)
  return out.stdout.trim().split(" ").contains(container)
}

## Attaches `container` to `network`.
##
## Runs: `docker network connect NETWORK CONTAINER`
## Example: `docker.network_connect("hule-network", "skriptoteket-web", sudo: true)`
fn network_connect(network, container, sudo = false) {
  run("docker network connect {{network}} {{container}}", sudo: sudo)
}

## Runs `command` (a list of words) in a running container; `env` is a list of `K=V`.
##
## Runs: `docker exec [-e K=V...] CONTAINER COMMAND...`
## Returns: the command's result
## Example: `docker.exec("skriptoteket-web", ["pdm", "run", "python", "-m", "skriptoteket.cli", "cleanup-session-files"], env: ["PYTHONPATH=/app/src"])`
fn exec(container, command, env = [], sudo = false) {
  let env_flags = flag_each("-e", env)
  return run("docker exec {{env_flags}} {{container}} {{command}}", sudo: sudo)
}

## Disk use of images, containers, volumes and build cache.
##
## Runs: `docker system df`
## Returns: string
## Example: `log docker.system_df(sudo: true)`
fn system_df(sudo = false) {
  return run("docker system df", sudo: sudo).stdout
}

## Removes stopped containers, unused networks and dangling images (`all: true`: every
## unused image; `volumes: true`: unused volumes too).
##
## Runs: `docker system prune -f [-a] [--volumes]`
## Returns: string (what was reclaimed)
## Example: `docker.prune(sudo: true)`
fn prune(all = false, volumes = false, sudo = false) {
  let flags = flag(all, "-a") + flag(volumes, "--volumes")
  return run("docker system prune -f {{flags}}", sudo: sudo).stdout
}
