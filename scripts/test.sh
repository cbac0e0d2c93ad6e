#!/usr/bin/env bash
# Runs every test of fpga2gpu on a fresh Debian machine: installs what the headless GUI tests need
# (software Vulkan: lavapipe), then formatting check and the whole test suite.
# Usage: scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/ensure-packages.sh
ensure_packages mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgl1-mesa-dri libxkbcommon0 fonts-dejavu-core
ensure_rust

# Headless rendering for the egui_kittest tests: lavapipe (software Vulkan), same pixels everywhere.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/fpga2gpu-xdg}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export WGPU_BACKEND=vulkan
# Golden files are checked, never written, here.
export INSTA_UPDATE=no
unset UPDATE_SNAPSHOTS

cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
# The engine and the command line stand without the GUI: they build without it, and nothing of
# the GUI stack is in their dependency tree.
cargo check --locked --no-default-features --lib --bins
gui_crates="$(cargo tree --locked --no-default-features -e normal --prefix none | grep -E '^(eframe|egui|egui_extras|egui-wgpu|wgpu|winit|rfd) ' || true)"
if [ -n "$gui_crates" ]; then
  echo "the engine without the gui feature still depends on: $gui_crates" >&2
  exit 1
fi
cargo test --locked "$@"
