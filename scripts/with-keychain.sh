#!/usr/bin/env bash
# Runs a command with a real OS keychain: its own D-Bus session, with GNOME Keyring serving the
# Secret Service, unlocked, keeping its keyrings in a throwaway folder. Trove files API keys there,
# so the tests (and a headless machine) need one; a desktop session already has its own.
#   scripts/with-keychain.sh cargo test ...
set -euo pipefail

if [ -z "${TROVE_KEYCHAIN_SESSION:-}" ]; then
  exec dbus-run-session -- env TROVE_KEYCHAIN_SESSION=1 "$0" "$@"
fi

keyrings="$(mktemp -d)"
daemon_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null || true
  rm -rf "$keyrings"
}
trap cleanup EXIT

# --unlock reads the new login keyring's password from stdin and creates it unlocked.
# --foreground keeps the daemon ours to stop (it would otherwise outlive the session).
printf 'trove-tests' | XDG_DATA_HOME="$keyrings" gnome-keyring-daemon --foreground --unlock \
  --components=secrets >"$keyrings/daemon.log" 2>&1 &
daemon_pid=$!
# Ready once the daemon owns the Secret Service's name on the session bus.
ready=""
for _ in $(seq 1 100); do
  if dbus-send --session --dest=org.freedesktop.DBus --type=method_call --print-reply \
    /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
    | grep -q "boolean true"; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "with-keychain: GNOME Keyring did not start:" >&2
  cat "$keyrings/daemon.log" >&2
  exit 1
fi
"$@"
