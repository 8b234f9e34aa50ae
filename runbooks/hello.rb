## A two-minute tour: every concept of the language once, all on this machine.
## Try: runbook run runbooks/hello.rb --set name=you
runbook hello "Hello, runbook"

use std.http

## Who to greet.
param name = "world"
## How many greetings to write.
param times = 3
## Remove the scratch directory at the end (asks first).
param cleanup = false

secret token = env("HELLO_TOKEN", default: "not-a-real-token")

host here = local
group everyone = [here]

let workdir = "/tmp/runbook-hello"

## A function of your own; the stdlib is written the same way.
fn greeting(who) {
  return "hello, {{ who | lower }}"
}

## Steps run in order; a failing step rolls back the completed ones, newest first.
step prepare "Make a scratch directory" on here timeout 10s {
  run "mkdir -p {{workdir}}"
  let kernel = run("uname -s").stdout.trim()
  log "running on {{kernel}}"
  rollback {
    run "rm -rf {{workdir}}"
  }
}

step greet "Write the greetings" on everyone parallel 1 retry 2 every 1s {
  let line = greeting(name)
  run "for i in $(seq {{times}}); do echo {{line}}; done > {{workdir}}/greeting.txt"
  let written = run("cat {{workdir}}/greeting.txt").stdout
  check written.lines().length() == times else "expected {{times}} lines"
}

step token "Use a secret without showing it" {
  run "test -n {{token}}"
  log "the token is {{token}} (masked in every output)"
}

step settle "Wait for the file to be written" {
  wait_until run("test -s {{workdir}}/greeting.txt", ok: [0, 1]).ok every 200ms timeout 5s
}

step web "Only when a web server answers on :8000" when http.ok("http://127.0.0.1:8000/", max_time: 1) {
  log "something answers on :8000"
}

step too_many "Refuse silly counts" when times > 100 {
  fail "{{times}} greetings is too many"
}

step cleanup "Remove the scratch directory" unless not cleanup {
  approve "Remove {{workdir}} and everything in it?"
  run "rm -rf {{workdir}}"
}
