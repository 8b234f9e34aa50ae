#!/bin/sh
# skriptoteket's web on the twin: every request is answered by handle.sh with the commit web
# was built from and the environment it runs with (so a deploy, a rollback and an env change
# are visible), after asking shared-postgres for the app's table, as the real app does.
head=$(cat /app/.git/HEAD)
case "$head" in ref:*) head=$(cat "/app/.git/${head#ref: }") ;; esac
export COMMIT="$head"
# uvicorn's --proxy-headers: whether the serve command in pyproject.toml trusts
# X-Forwarded-Proto (the seed's 307 fix).
if grep -q -- '--proxy-headers' /app/pyproject.toml; then export PROXY_HEADERS=1; fi
echo "serving commit=$head env=${APP_ENV:-unset}"
exec nc -ll -p 8000 -e /app/handle.sh
