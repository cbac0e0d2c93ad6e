#!/usr/bin/env bash
# Whole-process cost of fpga2gpu on a generated manifest (1000 modules by default): wall time and
# peak memory (maximum resident set size) of `fpga2gpu check`, `fpga2gpu migrate --accept all` and
# `fpga2gpu k8s` (YAML and JSON), measured with GNU time (`/usr/bin/time -v`, installed when
# missing); then `k8s` against `check` (budget: at most twice), each the median of 5 runs.
# Usage: scripts/bench-process.sh [MODULES] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
modules=${1:-1000}
seed=${2:-42}

. scripts/ensure-packages.sh
ensure_packages time
ensure_rust

cargo build --release --locked --quiet --bin fpga2gpu --example synth
target=${CARGO_TARGET_DIR:-target}/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
manifest=$work/manifest-$modules.json
"$target/examples/synth" "$modules" "$seed" > "$manifest"
echo "manifest: $modules modules (seed $seed), $(wc -c < "$manifest") bytes"
echo "machine:  $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

# Runs a command under GNU time and prints its wall time and peak memory. Exit codes 0 and 1
# (no error findings / error findings) are success; 2 means the input was refused.
measure() {
  local label=$1; shift
  local log=$work/time.log status=0
  /usr/bin/time -v "$@" > /dev/null 2> "$log" || status=$?
  if [ "$status" -gt 1 ]; then
    echo "$label: failed with exit code $status" >&2
    cat "$log" >&2
    exit 1
  fi
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
  awk -v l="$label" -v w="$wall" -v r="$rss" 'BEGIN { printf "%-32s wall %s   peak RSS %d KiB (%.1f MiB)\n", l, w, r, r / 1024 }'
}

# Median wall time in seconds of 5 runs of a command (exit codes 0 and 1 are success).
median_seconds() {
  local times=()
  for _ in 1 2 3 4 5; do
    local start end status=0
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1 || status=$?
    end=$(date +%s.%N)
    if [ "$status" -gt 1 ]; then
      echo "$* failed with exit code $status" >&2
      exit 1
    fi
    times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }')")
  done
  printf '%s\n' "${times[@]}" | sort -g | sed -n 3p
}

measure "fpga2gpu check" "$target/fpga2gpu" check "$manifest"
measure "fpga2gpu migrate --accept all" "$target/fpga2gpu" migrate --accept all "$manifest" -o "$work/out.json"
measure "fpga2gpu k8s" "$target/fpga2gpu" k8s "$manifest"
measure "fpga2gpu k8s --format json" "$target/fpga2gpu" k8s --format json "$manifest"

check_s=$(median_seconds "$target/fpga2gpu" check "$manifest")
k8s_s=$(median_seconds "$target/fpga2gpu" k8s "$manifest")
json_s=$(median_seconds "$target/fpga2gpu" k8s --format json "$manifest")
awk -v c="$check_s" -v k="$k8s_s" -v j="$json_s" 'BEGIN {
  printf "median of 5: check %.3f s, k8s (YAML) %.3f s, k8s --format json %.3f s\n", c, k, j
  worst = (k > j) ? k : j
  printf "k8s / check = %.2f (budget: at most 2): %s\n", worst / c, (worst <= 2 * c) ? "met" : "NOT met"
}'
