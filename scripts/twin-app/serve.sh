#!/bin/sh
# skriptoteket's web on the twin: answers every request with the commit it was built from
# and the environment it runs with, so a deploy, a rollback and an env change are visible.
head=$(cat /app/.git/HEAD)
case "$head" in ref:*) head=$(cat "/app/.git/${head#ref: }") ;; esac
mkdir -p /www
echo "commit=$head env=${APP_ENV:-unset}" > /www/index.html
echo "serving commit=$head env=${APP_ENV:-unset}"
exec httpd -f -p 8000 -h /www
