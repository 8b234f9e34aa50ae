# Shared by the bench scripts: `median_ms CMD...` runs CMD once to warm up, then $rounds
# times, and prints the median wall time in ms. A failing run stops the benchmark: a
# failure is not a measurement.
median_ms() {
  if ! "$@" > "$work/last.log" 2>&1; then
    echo "failed: $*" >&2
    tail -5 "$work/last.log" >&2
    exit 1
  fi
  local times=()
  for _ in $(seq "$rounds"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" > /dev/null 2>&1
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}
