#!/usr/bin/env bash
# The cost of `runbook run` over plain `sh`: a 100-step runbook of trivial local commands
# against a bash loop of the same 100 `sh -c` calls, measured in the same run.
# Usage: bench/local_run.sh [STEPS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
steps=${1:-100}
rounds=${2:-15}
cargo build --release --quiet
bin=target/release/runbook
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

{
  printf 'runbook bench "%s trivial steps"\n\n' "$steps"
  for i in $(seq "$steps"); do printf 'step s%s "Step %s" {\n  run "true"\n}\n\n' "$i" "$i"; done
} > "$work/bench.rb"
{
  printf '#!/usr/bin/env bash\n'
  printf 'for i in $(seq %s); do sh -c true; done\n' "$steps"
} > "$work/bench.sh"
chmod +x "$work/bench.sh"
"$bin" check "$work/bench.rb" > /dev/null


sh_ms=$(median_ms "$work/bench.sh")
rb_ms=$(median_ms "$bin" run "$work/bench.rb" -q)
rb_json_ms=$(median_ms "$bin" run "$work/bench.rb" --json)

awk -v s="$sh_ms" -v r="$rb_ms" -v j="$rb_json_ms" -v n="$steps" 'BEGIN {
  printf "steps: %d, median of the runs\n", n
  printf "  sh loop         %8.1f ms  (%.2f ms/step)\n", s, s / n
  printf "  runbook run -q  %8.1f ms  (%.2f ms/step)  ratio %.2fx, own overhead %.3f ms/step\n", r, r / n, r / s, (r - s) / n
  printf "  runbook --json  %8.1f ms  (%.2f ms/step)  ratio %.2fx, own overhead %.3f ms/step\n", j, j / n, j / s, (j - s) / n
}'
