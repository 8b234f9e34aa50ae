#!/usr/bin/env bash
# Work that must grow with the input, and no faster: `check` on a chain of N functions,
# `check`, `plan` and `doc` on N steps, at N and 4N. Linear work grows about 4x. The floor
# is `sh -n` (parse only) of a shell script of the same N functions or N commands, in the
# same run. A runbook that multiplies its work (each function calling the next twice) is
# refused by `check` at once: its time is shown too.
# Usage: bench/scale.sh [N] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
n=${1:-25000}
rounds=${2:-5}
cargo build --release --quiet
bin=target/release/runbook
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

chain() { # N: f0 calls f1 ... calls fN-1
  printf 'runbook chain "Chain"\n\n'
  for i in $(seq 0 $(($1 - 2))); do printf 'fn f%s(x) {\n  return f%s(x)\n}\n\n' "$i" $((i + 1)); done
  printf 'fn f%s(x) {\n  return x\n}\n\nstep one "One" {\n  log f0("a")\n}\n' $(($1 - 1))
}
chain_sh() {
  for i in $(seq 0 $(($1 - 2))); do printf 'f%s() {\n  f%s "$1"\n}\n' "$i" $((i + 1)); done
  printf 'f%s() {\n  echo "$1"\n}\nf0 a\n' $(($1 - 1))
}
steps() {
  printf 'runbook many "Many"\n\n'
  for i in $(seq "$1"); do printf 'step s%s "Step %s" {\n  run "echo %s"\n}\n\n' "$i" "$i" "$i"; done
}
steps_sh() { for i in $(seq "$1"); do printf 'echo %s\n' "$i"; done; }
doubling() { # 40 functions, each calling the next twice: 2^40 calls if it ran
  printf 'runbook blow "Blow"\n\n'
  for i in $(seq 0 38); do printf 'fn f%s(x) {\n  return f%s(x) + f%s(x)\n}\n\n' "$i" $((i + 1)) $((i + 1)); done
  printf 'fn f39(x) {\n  return x\n}\n\nstep one "One" {\n  log f0("a")\n}\n'
}

for size in "$n" $((4 * n)); do
  chain "$size" > "$work/chain-$size.rb"
  chain_sh "$size" > "$work/chain-$size.sh"
  steps "$size" > "$work/steps-$size.rb"
  steps_sh "$size" > "$work/steps-$size.sh"
done
doubling > "$work/doubling.rb"

printf 'median of %s rounds; growth is the time at 4N over the time at N (linear: ~4)\n' "$rounds"
printf '%-28s %10s %10s %8s %8s\n' "work" "N ms" "4N ms" "growth" "vs sh -n"
row() { # LABEL FLOOR_PREFIX CMD... (FILE is appended as the last argument)
  local label=$1 floor=$2; shift 2
  local a b f
  a=$(median_ms "$@" "$work/$floor-$n.rb")
  b=$(median_ms "$@" "$work/$floor-$((4 * n)).rb")
  f=$(median_ms sh -n "$work/$floor-$((4 * n)).sh")
  awk -v l="$label" -v a="$a" -v b="$b" -v f="$f" 'BEGIN {
    printf "%-28s %10.1f %10.1f %7.1fx %7.1fx\n", l, a, b, b / a, b / f }'
}
row "check, chain of functions" chain "$bin" check
row "check, steps" steps "$bin" check
row "plan, steps" steps "$bin" plan
row "doc, steps" steps "$bin" doc
refused() { "$bin" check "$work/doubling.rb" > /dev/null 2>&1; test $? -eq 2; }
d=$(median_ms refused)
printf '%-28s %10.1f ms (refused: runbook::check::call_explosion)\n' "check, 2^40 calls" "$d"
