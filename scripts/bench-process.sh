#!/usr/bin/env bash
# Whole-process cost of fpga2gpu on a generated manifest (1000 modules by default): wall time and
# peak memory (maximum resident set size) of `fpga2gpu check` and `fpga2gpu migrate --accept all`,
# measured with GNU time (`/usr/bin/time -v`, installed when missing).
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

measure "fpga2gpu check" "$target/fpga2gpu" check "$manifest"
measure "fpga2gpu migrate --accept all" "$target/fpga2gpu" migrate --accept all "$manifest" -o "$work/out.json"
