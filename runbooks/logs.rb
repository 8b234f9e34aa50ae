## The seed's "View Logs", bounded: the seed's `docker logs -f` never ends, so a run shows the
## last lines of a recent window instead (`--set since=10m --set tail=200`).
runbook logs "Recent logs of the app"

use std.docker

## How far back to look (docker's --since: `10m`, `1h`, a timestamp).
param since = "1h"
## At most this many lines per container.
param tail = 100
## The web container (the seed's `skriptoteket-web`).
param container = "skriptoteket-web"

host hemma = ssh("hemma")

step web "Web application logs" on hemma {
  log docker.logs(container, tail: tail, since: since, sudo: true)
}
