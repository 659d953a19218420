#!/usr/bin/env bash
# Sets up and builds Trove, then runs the desktop app on the Local library.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec "$CARGO_TARGET_DIR/debug/trove-app" "$@"
