#!/usr/bin/env bash
# The journal's cost on the PostgreSQL state backend against the file journal, on loopback:
# a 100-step local runbook of trivial commands, journaled in a throwaway PostgreSQL cluster
# (fsync and synchronous_commit on, as a real server has them), in a state directory (fsync
# on), and the same 100 `sh -c` calls as the floor, in one run.
# Usage: bench/journal_pg.sh [STEPS] [ROUNDS]   (as root, or as a user who can run initdb)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
steps=${1:-100}
rounds=${2:-11}
cargo build --release --quiet
bin=$PWD/target/release/runbook
work=$(mktemp -d)
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  as_pg=(runuser -u postgres --)
  chown postgres "$work"
fi
stop() {
  "${as_pg[@]}" "$pgbin/pg_ctl" -s -w -m immediate -D "$work/pg" stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT
"${as_pg[@]}" "$pgbin/initdb" --no-sync -A trust -U postgres -D "$work/pg" >/dev/null
"${as_pg[@]}" "$pgbin/pg_ctl" -s -w -D "$work/pg" -l "$work/pg.log" \
  -o "-p $port -c listen_addresses=127.0.0.1 -k $work" start
"$pgbin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -c 'CREATE DATABASE runbook'
url="postgres://postgres@127.0.0.1:$port/runbook"
{
  printf 'runbook bench "%s trivial steps"\n\n' "$steps"
  for i in $(seq "$steps"); do printf 'step s%s "Step %s" {\n  run "true"\n}\n\n' "$i" "$i"; done
} > "$work/bench.rb"
printf 'for i in $(seq %s); do sh -c true; done\n' "$steps" > "$work/bench.sh"
chmod -R a+rX "$work"

sh_ms=$(median_ms bash "$work/bench.sh")
files_ms=$(median_ms "$bin" --state-dir "$work/state" run "$work/bench.rb" -q)
pg_ms=$(median_ms "$bin" --state "$url" run "$work/bench.rb" -q)
records=$("$pgbin/psql" -X -t -A -h 127.0.0.1 -p "$port" -U postgres -d runbook \
  -c "SELECT count(*) / count(DISTINCT run_id) FROM runbook_records")
awk -v s="$sh_ms" -v f="$files_ms" -v p="$pg_ms" -v k="$steps" -v r="$records" 'BEGIN {
  printf "steps: %d, median of the runs; %d journal records per run\n", k, r
  printf "  sh loop                        %8.1f ms\n", s
  printf "  runbook, file journal + fsync  %8.1f ms  ratio %.2fx\n", f, f / s
  printf "  runbook, PostgreSQL journal    %8.1f ms  ratio %.2fx\n", p, p / s
  printf "  journal cost per step: %.3f ms on PostgreSQL, %.3f ms on files (target: under 2 ms)\n", (p - s) / k, (f - s) / k
  printf "  PostgreSQL against files: %.2fx the whole run\n", p / f
}'
