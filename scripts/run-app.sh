#!/usr/bin/env bash
# Builds and runs the fpga2gpu desktop app on a Debian desktop: installs the few run-time
# libraries eframe loads (X11/Wayland keyboard, Vulkan/GL drivers) when they are missing.
# Usage: scripts/run-app.sh [MANIFEST]   (with no file it opens the bundled sample)
set -euo pipefail
cd "$(dirname "$0")/.."

need=(libxkbcommon-x11-0 libxkbcommon0 libx11-xcb1 libxcursor1 libxrandr2 libxi6 libvulkan1 mesa-vulkan-drivers libegl1 libgl1 libwayland-client0 libwayland-egl1)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v cargo >/dev/null; then
  echo "Rust is not installed: fpga2gpu needs Rust 1.95 or newer (https://rustup.rs)." >&2
  exit 1
fi
exec cargo run --release --locked -- "$@"
