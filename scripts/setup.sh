#!/usr/bin/env bash
# Sets up everything Trove needs on a Debian machine, then builds it. Idempotent and quick when done:
# each step checks before it installs. Sourced by run.sh and test.sh, or run on its own.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Builds go to a cache outside the checkout, so a fresh clone (CI) reuses what an earlier one built.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/trove/target}"
export PATH="$HOME/.cargo/bin:$PATH"

# What the app needs to build (WebKitGTK; libdbus for the Secret Service keychain), and what the
# tests need to run it (Xvfb, WebKitWebDriver, ffmpeg, a D-Bus session with GNOME Keyring).
APT_PACKAGES=(build-essential pkg-config file libwebkit2gtk-4.1-dev libdbus-1-dev xvfb
  webkit2gtk-driver ffmpeg dbus gnome-keyring)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "setup: Rust is required (https://rustup.rs), then run this again" >&2; exit 1; }
command -v node >/dev/null || { echo "setup: Node.js 20 or newer with npm is required, then run this again" >&2; exit 1; }
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --version '^2'

# The web UI: dependencies exactly as locked, then the bundle the app embeds.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund)
fi
(cd ui && npm run --silent build)

cargo build --workspace
