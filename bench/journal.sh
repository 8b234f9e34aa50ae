#!/usr/bin/env bash
# The journal's cost: a 100-step local runbook of trivial commands, journaled with fsync
# (the default) and with RUNBOOK_FSYNC=off, against the same 100 `sh -c` calls, in one run.
# Usage: bench/journal.sh [STEPS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
steps=${1:-100}
rounds=${2:-11}
cargo build --release --quiet
bin=$PWD/target/release/runbook
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  printf 'runbook bench "%s trivial steps"\n\n' "$steps"
  for i in $(seq "$steps"); do printf 'step s%s "Step %s" {\n  run "true"\n}\n\n' "$i" "$i"; done
} > "$work/bench.rb"
printf 'for i in $(seq %s); do sh -c true; done\n' "$steps" > "$work/bench.sh"


sh_ms=$(median_ms bash "$work/bench.sh")
sync_ms=$(median_ms "$bin" --state-dir "$work/state" run "$work/bench.rb" -q)
nosync_ms=$(RUNBOOK_FSYNC=off median_ms "$bin" --state-dir "$work/state" run "$work/bench.rb" -q)
df -T "$work" | awk 'NR==2 {print "filesystem of the state dir: " $2}'
awk -v s="$sh_ms" -v y="$sync_ms" -v n="$nosync_ms" -v k="$steps" 'BEGIN {
  printf "steps: %d, median of the runs\n", k
  printf "  sh loop                   %8.1f ms\n", s
  printf "  runbook, journal + fsync  %8.1f ms  ratio %.2fx\n", y, y / s
  printf "  runbook, RUNBOOK_FSYNC=off%8.1f ms  ratio %.2fx\n", n, n / s
  printf "  journal cost per step: %.3f ms with fsync (1 synced record per step), %.3f ms without\n", (y - s) / k, (n - s) / k
  printf "  fsync alone: %.3f ms per step\n", (y - n) / k
}'
