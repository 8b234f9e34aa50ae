##! Docker Compose projects on the target host. Every function takes the project
##! directory first and the compose file as `file:` (production often is not `compose.yaml`).
##! `sudo: true` runs the command under `sudo -n`.

## Creates and starts the project's containers in the background.
##
## Runs: `cd DIR && docker compose -f FILE up -d [--build] [--force-recreate] [--no-deps] [SERVICES...]`
## Example: `compose.up(app, file: "compose.prod.yaml", build: true)`
fn up(dir, file = "compose.yaml", build = false, force_recreate = false, no_deps = false, services = [], sudo = false) {
  let flags = flag(build, "--build") + flag(force_recreate, "--force-recreate") + flag(no_deps, "--no-deps")
  run("cd {{dir}} && docker compose -f {{file}} up -d {{flags}} {{services}}", sudo: sudo)
}

## Restarts containers without recreating them (does not re-read `.env`: use `up` with
## `force_recreate: true` for environment changes).
##
## Runs: `cd DIR && docker compose -f FILE restart [SERVICES...]`
## Example: `compose.restart(app, file: "compose.prod.yaml")`
fn restart(dir, file = "compose.yaml", services = [], sudo = false) {
  run("cd {{dir}} && docker compose -f {{file}} restart {{services}}", sudo: sudo)
}

## Runs `command` (a list of words, each passed as one argument) in a running
## service container, without a TTY. `env` sets variables inside the container.
##
## Runs: `cd DIR && docker compose -f FILE exec -T [-e K=V...] SERVICE COMMAND...`
## Returns: the command's result (`.stdout`, `.code`, ...)
## Example: `compose.exec(app, "web", ["pdm", "run", "db-upgrade"], file: "compose.prod.yaml")`
fn exec(dir, service, command, file = "compose.yaml", env = [], sudo = false) {
  let env_flags = flag_each("-e", env)
  return run("cd {{dir}} && docker compose -f {{file}} exec -T {{env_flags}} {{service}} {{command}}", sudo: sudo)
}

## Builds images, optionally only those of a profile.
##
## Runs: `cd DIR && docker compose -f FILE [--profile PROFILE] build [SERVICES...]`
## Example: `compose.build(app, services: ["runner"], profile: "build-only", file: "compose.prod.yaml")`
fn build(dir, file = "compose.yaml", profile = "", services = [], sudo = false) {
  let profile_flags = flag(profile != "", ["--profile", profile])
  run("cd {{dir}} && docker compose -f {{file}} {{profile_flags}} build {{services}}", sudo: sudo)
}

## The project's containers and their state, as `docker compose ps` prints them.
##
## Runs: `cd DIR && docker compose -f FILE ps`
## Returns: string
## Example: `log compose.ps(app, file: "compose.prod.yaml")`
fn ps(dir, file = "compose.yaml", sudo = false) {
  return run("cd {{dir}} && docker compose -f {{file}} ps", sudo: sudo).stdout
}

## Stops and removes the project's containers (volumes are kept).
##
## Runs: `cd DIR && docker compose -f FILE down`
## Example: `compose.down(app, file: "compose.yaml")`
fn down(dir, file = "compose.yaml", sudo = false) {
  run("cd {{dir}} && docker compose -f {{file}} down", sudo: sudo)
}
