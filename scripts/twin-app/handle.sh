#!/bin/sh
# One HTTP request to the twin's web. Its log lines go to the container's log (PID 1's
# stdout), as uvicorn's do.
log() { echo "$*" > /proc/1/fd/1; }
read -r method path _
forwarded=
while IFS= read -r line; do
  line=$(printf %s "$line" | tr -d '\r')
  [ -z "$line" ] && break
  case "$line" in
    [Xx]-[Ff]orwarded-[Pp]roto:*) forwarded=${line#*: } ;;
    [Hh]ost:*) host=${line#*: } ;;
  esac
done
respond() {
  status=$1 headers=$2 body=$3
  printf 'HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %s\r\nConnection: close\r\n%s\r\n%s\n' \
    "$status" "$(( ${#body} + 1 ))" "$headers" "$body"
  log "INFO: \"$method $path HTTP/1.1\" ${status%% *}"
}
# Every route reads the database: with its tables missing, every route is a 500.
if ! error=$(psql -h shared-postgres -U postgres -d skriptoteket -Atc 'select count(*) from scripts' 2>&1); then
  log "ERROR: Exception in ASGI application: sqlalchemy.exc.ProgrammingError: $error"
  respond "500 Internal Server Error" "" "Internal Server Error"
  exit 0
fi
case "$path" in
  # A path without its trailing slash is redirected, with the scheme web believes the
  # request came in with: behind nginx that is https only if it trusts X-Forwarded-Proto.
  /app)
    scheme=http
    [ -n "$PROXY_HEADERS" ] && [ -n "$forwarded" ] && scheme=$forwarded
    respond "307 Temporary Redirect" "Location: $scheme://${host:-localhost}/app/
" "" ;;
  *) respond "200 OK" "" "commit=$COMMIT env=${APP_ENV:-unset}" ;;
esac
