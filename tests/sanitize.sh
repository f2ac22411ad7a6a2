#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# sanitize.sh [BUILDDIR]: builds Cachet with AddressSanitizer + UndefinedBehaviorSanitizer (gcc,
# debug, the window included as in the normal build) and runs the whole test suite under them.
# Any sanitizer report stops the process that made it (halt_on_error), so the test fails.
# Leak detection stays on everywhere; only the ui suite reads tests/lsan-ui.supp, which names
# leaks inside GTK, GLib, fontconfig and the graphics stack that Cachet cannot free, and only
# the keyring suite reads tests/lsan-keyring.supp (one GDBus frame).
# Prints the meson summary; exits non-zero when a test failed. Called from .ci/run.
set -u
cd "$(dirname "$0")/.."
builddir=${1:-_build-sanitize}
src=$(pwd)

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" -Db_sanitize=address,undefined -Dbuildtype=debug -Dui=true \
    >"$builddir.setup.log" 2>&1 || { cat "$builddir.setup.log"; exit 1; }
  rm -f "$builddir.setup.log"
fi
ninja -C "$builddir" -j 2 >/dev/null || ninja -C "$builddir" -j 1 || exit 1

# GLib 2.74 still has its slice allocator: plain malloc lets ASan see every block.
export G_SLICE=always-malloc
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:print_summary=1"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1"

status=0
# Core, CLI, fuzz replay, data: leaks reported with no suppression at all.
LSAN_OPTIONS="report_objects=0" \
  meson test -C "$builddir" --print-errorlogs --num-processes 2 --no-suite ui --no-suite keyring \
    --timeout-multiplier 3 --logbase sanitize-core || status=1

# Suppressions match on any frame of a leak's stack; GLib and GTK have no frame pointers, so
# the suites that use them take full stacks from the slow unwinder (too slow for the others).
slow_stacks="$ASAN_OPTIONS:fast_unwind_on_malloc=0"

# The keyring suite: only GDBus's in-flight message at exit is suppressed (see the file).
ASAN_OPTIONS="$slow_stacks" \
LSAN_OPTIONS="suppressions=$src/tests/lsan-keyring.supp:print_suppressions=0" \
  meson test -C "$builddir" --print-errorlogs --suite keyring --timeout-multiplier 3 --logbase sanitize-keyring || status=1

if meson introspect "$builddir" --tests | grep -q ':ui"'; then
  ASAN_OPTIONS="$slow_stacks" \
  LSAN_OPTIONS="suppressions=$src/tests/lsan-ui.supp:print_suppressions=0" \
    meson test -C "$builddir" --print-errorlogs --suite ui --timeout-multiplier 3 --logbase sanitize-ui || status=1
fi

exit $status
