#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# run-under-xvfb.sh PROGRAM [ARGS...]: runs a GTK program (a UI test) on a private X server
# inside a private D-Bus session with its own unlocked keyring, so it neither needs nor touches
# the user's display, session or secrets.
# The bus and the services it starts (the accessibility bus) write to stderr, never to stdout:
# stdout carries the test's TAP.
set -e
for tool in xvfb-run dbus-daemon xauth; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    # TAP: a whole-program skip, never a pass.
    echo "1..0 # SKIP $tool is not installed (Debian packages xvfb, xauth, dbus)"
    exit 0
  fi
done

bus_dir=$(mktemp -d)
dbus-daemon --session --fork --print-address=3 --print-pid=4 \
  3>"$bus_dir/address" 4>"$bus_dir/pid" >&2 </dev/null
DBUS_SESSION_BUS_ADDRESS=$(cat "$bus_dir/address")
export DBUS_SESSION_BUS_ADDRESS
bus_pid=$(cat "$bus_dir/pid")
trap 'kill "$bus_pid" 2>/dev/null; rm -rf "$bus_dir"' EXIT INT TERM

# A keyring of our own in that session, for the tests that keep keys (skipped without it).
if command -v gnome-keyring-daemon >/dev/null 2>&1; then
  mkdir -p "$bus_dir/home" "$bus_dir/runtime"
  chmod 700 "$bus_dir/runtime"
  HOME="$bus_dir/home"
  XDG_RUNTIME_DIR="$bus_dir/runtime"
  export HOME XDG_RUNTIME_DIR
  # Not with the tests' G_DEBUG=fatal-warnings: a warning of the daemon's own then kills it
  # (seen when a test stored a key a test before it had stored), and later tests skip.
  printf 'cachet-test\n' | env -u G_DEBUG -u MALLOC_PERTURB_ gnome-keyring-daemon --unlock \
    --components=secrets --daemonize >/dev/null 2>&1 || true
fi

status=0
xvfb-run -a -s "-screen 0 1280x800x24" "$@" || status=$?
exit $status
