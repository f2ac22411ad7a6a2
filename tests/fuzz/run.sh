#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs each libFuzzer target for a while (by hand; CI only replays the corpus):
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
# Builds in _build-fuzz with clang, AddressSanitizer and UndefinedBehaviorSanitizer. New inputs
# that grow coverage stay in a scratch folder; crashers are written as crash-* in the current
# folder: copy each into tests/fuzz/corpus/TARGET/ after fixing it, so the suite replays it.
set -eu
seconds=${1:-180}
shift 2>/dev/null || true
top=$(cd "$(dirname "$0")/../.." && pwd)
build="$top/_build-fuzz"

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" "$top" -Dui=false -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized \
    -Dc_args=-fsanitize=fuzzer-no-link
fi
ninja -C "$build"

targets=${*:-$(ls "$top/tests/fuzz/corpus")}
for target in $targets; do
  scratch=$(mktemp -d)
  echo "== fuzz-$target for ${seconds}s"
  "$build/tests/fuzz/fuzz-$target" -max_total_time="$seconds" -max_len=65536 \
    "$scratch" "$top/tests/fuzz/corpus/$target" || echo "fuzz-$target found a crash (see crash-* files)"
  rm -rf "$scratch"
done
