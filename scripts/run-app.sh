#!/usr/bin/env bash
# Builds and runs the fpga2gpu desktop app on a Debian desktop: installs the few run-time
# libraries eframe loads (X11/Wayland keyboard, Vulkan/GL drivers) when they are missing.
# Usage: scripts/run-app.sh [MANIFEST]   (with no file it opens the bundled sample)
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/ensure-packages.sh
ensure_packages libxkbcommon-x11-0 libxkbcommon0 libx11-xcb1 libxcursor1 libxrandr2 libxi6 libvulkan1 mesa-vulkan-drivers libegl1 libgl1 libwayland-client0 libwayland-egl1
ensure_rust
exec cargo run --release --locked -- "$@"
