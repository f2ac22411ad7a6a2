#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a test program against a real gnome-keyring-daemon in a private D-Bus session, with a
# fresh HOME, XDG_RUNTIME_DIR and XDG_DATA_HOME, so tests never touch the user's keyring.
# Usage: run-with-keyring.sh PROGRAM [ARGS...]
set -eu

if ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
  # TAP: a plan of zero with a reason counts as skipped, never as passed.
  echo "1..0 # SKIP dbus-run-session or gnome-keyring-daemon missing (apt-get install dbus gnome-keyring)"
  exit 0
fi

top=$(mktemp -d "${TMPDIR:-/tmp}/cachet-keyring.XXXXXX")
trap 'rm -rf "$top"' EXIT INT TERM
mkdir -p "$top/home" "$top/runtime" "$top/data"
chmod 700 "$top/runtime"

export HOME="$top/home"
export XDG_RUNTIME_DIR="$top/runtime"
export XDG_DATA_HOME="$top/data"
export XDG_CONFIG_HOME="$top/home/.config"
export XDG_CACHE_HOME="$top/home/.cache"
export CACHET_TEST_KEYRING=1
unset DISPLAY WAYLAND_DISPLAY

exec dbus-run-session -- sh -c '
  # The daemon is a peer, not under test: G_DEBUG=fatal-warnings would make its own harmless
  # warnings kill it mid-test ("recipient disconnected from message bus").
  printf pw | env -u G_DEBUG -u MALLOC_PERTURB_ gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
  # Wait until the daemon owns the Secret Service name, so D-Bus activation does not start a
  # second, locked daemon that races with it.
  tries=0
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
          org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; do
    tries=$((tries + 1))
    if [ $tries -gt 100 ]; then echo "Bail out! gnome-keyring-daemon did not start"; exit 1; fi
    sleep 0.1
  done
  "$@"
  status=$?
  # The daemon belongs to this private session; it ends with it.
  exit $status
' cachet-keyring-session "$@"
