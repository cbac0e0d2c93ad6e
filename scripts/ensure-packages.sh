# Sourced by the scripts: ensure_packages PKG… installs the Debian packages that are missing
# (with sudo when not root), so each script works on a fresh machine.
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_rust() {
  if ! command -v cargo >/dev/null; then
    echo "Rust is not installed: fpga2gpu needs Rust 1.95 or newer (https://rustup.rs)." >&2
    exit 1
  fi
}
