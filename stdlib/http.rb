##! HTTP checks, made with `curl` on the target host (so `127.0.0.1` means the target).

## The HTTP status code `url` answers with, or 0 when nothing answered in time.
##
## Runs: `curl -s -o /dev/null -w '%{http_code}' --max-time MAX_TIME URL` (000 when nothing answers)
## Returns: int
## Example: `check http.status("http://127.0.0.1:8000/health") == 200`
fn status(url, max_time = 10) {
  # curl prints 000 when nothing answers; the fallback covers a curl killed before printing.
  let r = run("code=$(curl -s -o /dev/null -w '%{http_code}' --max-time {{max_time}} {{url}}); echo \"${code:-000}\"")
  return r.stdout.trim().to_int()
}

## True when `url` answers with a 2xx status.
##
## Runs: `curl -s -o /dev/null -w '%{http_code}' --max-time MAX_TIME URL`
## Returns: bool
## Example: `wait_until http.ok("http://127.0.0.1:8000/health") every 5s timeout 2m`
fn ok(url, max_time = 10) {
  let code = status(url, max_time: max_time)
  return code >= 200 and code < 300
}

## True when a server answers at `url` with a status below 500: a redirect to a login page
## means the app is up; a 502 from a proxy in front of it, or no answer, means it is not.
## For apps without a health endpoint.
##
## Runs: `curl -s -o /dev/null -w '%{http_code}' --max-time MAX_TIME URL`
## Returns: bool
## Example: `wait_until http.up("http://127.0.0.1:8000/") every 5s timeout 2m`
fn up(url, max_time = 10) {
  let code = status(url, max_time: max_time)
  return code >= 100 and code < 500
}

## The body of `url`; the step fails when the status is not 2xx.
##
## Runs: `curl -fsS --max-time MAX_TIME URL`
## Returns: string
## Example: `check http.get("http://127.0.0.1:8082/health").contains("ok")`
fn get(url, max_time = 10) {
  return run("curl -fsS --max-time {{max_time}} {{url}}").stdout
}

## The body of `url` parsed as JSON, for field lookups.
##
## Runs: `curl -fsS --max-time MAX_TIME URL`
## Returns: the JSON value (map, list, string, number, bool)
## Example: `check http.get_json("http://127.0.0.1:8083/v1/health").status == "ok"`
fn get_json(url, max_time = 10) {
  return parse_json(get(url, max_time: max_time))
}
