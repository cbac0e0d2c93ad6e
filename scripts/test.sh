#!/usr/bin/env bash
# Runs every test of fpga2gpu on a fresh Debian machine: installs what the headless GUI tests need
# (software Vulkan: lavapipe), then formatting check and the whole test suite.
# Usage: scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

need=(mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgl1-mesa-dri libxkbcommon0 fonts-dejavu-core)
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

# Headless rendering for the egui_kittest tests: lavapipe (software Vulkan), same pixels everywhere.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/fpga2gpu-xdg}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export WGPU_BACKEND=vulkan
# Golden files are checked, never written, here.
export INSTA_UPDATE=no
unset UPDATE_SNAPSHOTS

cargo fmt --all -- --check
cargo test --locked "$@"
