#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks po/POTFILES: every source file with user-visible strings (_(, N_(, C_(, NC_(,
# ngettext-style calls, translatable="yes" in .ui files, and the data/*.in files that carry
# translatable text) is listed, and every listed file exists (xgettext stops on a missing one).
# Usage: check-potfiles.sh SOURCE_ROOT
set -u
root=${1:?usage: check-potfiles.sh SOURCE_ROOT}
cd "$root" || exit 2
potfiles=po/POTFILES
[ -f "$potfiles" ] || { echo "not ok: $potfiles is missing"; exit 1; }

listed=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$potfiles" | sort -u)
status=0

for f in $listed; do
  if [ ! -f "$f" ]; then
    echo "listed in $potfiles but missing: $f (remove it, or xgettext fails)"
    status=1
  fi
done

call_re='(^|[^A-Za-z0-9_])(_|N_|C_|NC_|ngettext|g_dngettext|g_dpgettext2|g_dcgettext)[[:space:]]*\('
candidates=$( {
  find src -type f \( -name '*.c' -o -name '*.h' \) -exec grep -l -E "$call_re" {} + 2>/dev/null
  find src data -type f -name '*.ui' -exec grep -l 'translatable="yes"' {} + 2>/dev/null
  find data -type f \( -name '*.desktop.in*' -o -name '*.metainfo.xml.in*' -o -name '*.appdata.xml.in*' \
                      -o -name '*.gschema.xml.in*' \) 2>/dev/null
} | sed 's|^\./||' | sort -u)

for f in $candidates; do
  if ! printf '%s\n' "$listed" | grep -qxF "$f"; then
    echo "has translatable strings but is not in $potfiles: $f"
    status=1
  fi
done

n=$(printf '%s\n' "$candidates" | grep -c .)
if [ $status -eq 0 ]; then
  echo "ok: $potfiles lists all $n files with translatable strings"
fi
exit $status
