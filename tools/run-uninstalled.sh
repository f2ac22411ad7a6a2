#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Starts Cachet from the build folder, with its GSettings schema, optionally opening a file.
builddir=${1:-_build}
shift
export GSETTINGS_SCHEMA_DIR="$builddir/data"
exec "$builddir/src/ui/cachet" "$@"
