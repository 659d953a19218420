#!/usr/bin/env bash
# Sets up and builds Trove, then runs every check and test: formatting, lints, the UI's type check
# and unit tests, the generated IPC types' freshness, every crate's tests, the CLI + server
# integration suite and the end-to-end suite through the real webview.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
started=$SECONDS

echo "== rustfmt"
cargo fmt --all -- --check
echo "== clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== ui: svelte-check and vitest"
(cd ui && npm run --silent check && npm test --silent)
echo "== cargo test (unit, bindings freshness, CLI + server, end to end)"
# API keys live in the OS keychain: the suites get a real one (GNOME Keyring in a D-Bus session).
scripts/with-keychain.sh cargo test --workspace --no-fail-fast -- --nocapture 2>&1 \
  | tee "$CARGO_TARGET_DIR/last-test-run.log"
echo "== all checks passed in $((SECONDS - started)) s after set-up"
