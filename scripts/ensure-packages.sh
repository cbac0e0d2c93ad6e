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

# The Rust toolchain Cargo.toml asks for (rust-version): kept when present and new enough,
# otherwise installed with rustup (the compiler needs a C linker, gcc, on a fresh Debian).
RUST_VERSION="$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)"
ensure_rust() {
  ensure_packages gcc libc6-dev
  [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
  if command -v cargo >/dev/null && rust_new_enough; then
    return 0
  fi
  if ! command -v rustup >/dev/null; then
    ensure_packages curl ca-certificates
    echo "installing Rust $RUST_VERSION with rustup (https://rustup.rs)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
      sh -s -- -y --profile minimal --default-toolchain "$RUST_VERSION" --component rustfmt,clippy >/dev/null
    . "$HOME/.cargo/env"
  else
    rustup toolchain install "$RUST_VERSION" --profile minimal --component rustfmt,clippy >/dev/null
    rustup default "$RUST_VERSION" >/dev/null
  fi
  rust_new_enough || { echo "Rust $RUST_VERSION or newer is needed; found $(rustc --version)" >&2; exit 1; }
}

# rustc's version is at least RUST_VERSION.
rust_new_enough() {
  local have
  have="$(rustc --version | awk '{print $2}')"
  [ "$(printf '%s\n%s\n' "$RUST_VERSION" "${have%%-*}" | sort -V | head -n1)" = "$RUST_VERSION" ]
}
