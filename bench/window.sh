#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The window's responsiveness during big jobs (issue 8): frames, longest gap between frames,
# Cancel, peak RSS, and the time to show a 50 KB message's report. Not a test: a person runs it.
#
#   bench/window.sh [BUILDDIR] [FILE_MB]
#
# BUILDDIR must be configured with -Dui=true (it holds bench/window-bench). Makes a test PKI,
# a 50 KB signed message, and with openssl a FILE_MB (default 1024) random file, its encryption
# (.p7m, BER, -stream) and an opaque signature of it (.p7m), then runs bench/window-bench under
# a private X server (tests/run-under-xvfb.sh) and prints its table (see window-bench.c for
# what each column means). GSK_RENDERER=cairo in the environment measures without OpenGL
# (under Xvfb GTK otherwise renders with Mesa's llvmpipe, on the CPU).
# Environment: BENCH_DIR=DIR keeps the inputs in DIR (reused when present).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(realpath "${1:-_build}")
file_mb=${2:-1024}
driver="$builddir/bench/window-bench"
[ -x "$driver" ] || { echo "window.sh: build with -Dui=true first (no $driver)" >&2; exit 2; }
for tool in openssl xvfb-run dbus-daemon xauth; do
  command -v "$tool" >/dev/null || { echo "window.sh: $tool is needed (apt-get install openssl xvfb xauth dbus)" >&2; exit 2; }
done

if [ -n "${BENCH_DIR:-}" ]; then
  work=$BENCH_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d /var/tmp/cachet-window-bench-XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
cd "$work"

if [ ! -f wme.crt ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout wca.key -out wca.crt -days 30 -subj "/CN=Window Bench CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout wme.key -out wme.csr \
    -subj "/CN=Bench User/emailAddress=me@bench.test" 2>/dev/null
  printf 'subjectAltName=email:me@bench.test\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\n' > wext
  openssl x509 -req -in wme.csr -CA wca.crt -CAkey wca.key -CAcreateserial -days 30 -extfile wext -out wme.crt 2>/dev/null
fi
if [ ! -f wsmall.eml ]; then
  {
    printf 'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nsee attachment\n--b\n'
    printf 'Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n'
    printf 'Content-Disposition: attachment; filename="a.bin"\n\n'
    head -c $((50 * 1024 * 3 / 4)) /dev/urandom | base64 -w 76
    printf -- '--b--\n'
  } > wsmall-entity.txt
  openssl cms -sign -in wsmall-entity.txt -signer wme.crt -inkey wme.key \
    -from 'Bench User <me@bench.test>' -to me@bench.test -subject small -out wsmall.eml
fi
if [ ! -f wlong.eml ]; then
  {
    printf 'From: Bench User <me@bench.test>\nTo: me@bench.test\nSubject: long\nMIME-Version: 1.0\n'
    printf 'Content-Type: text/plain; charset=utf-8\n\n'
    seq -f 'Line %07g of a long message, of the kind a log or a mailing list digest makes.' 80000
  } > wlong.eml
fi
if [ ! -f wbig.bin ] || [ "$(stat -c %s wbig.bin)" -ne $((file_mb * 1024 * 1024)) ]; then
  head -c $((file_mb * 1024 * 1024)) /dev/urandom > wbig.bin
  rm -f wbig.p7m wbig-signed.p7m
fi
[ -f wbig.p7m ] || openssl cms -encrypt -binary -aes256 -stream -in wbig.bin -outform DER -out wbig.p7m wme.crt
[ -f wbig-signed.p7m ] || openssl cms -sign -binary -nodetach -stream -in wbig.bin -signer wme.crt -inkey wme.key \
  -outform DER -out wbig-signed.p7m

# an empty store (the driver adds the CA and ME as a contact) and settings of its own; the
# window's job, not the keyring, is measured
rm -rf "$work/data" "$work/config" "$work/cache"
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache"
export GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$builddir/data" GDK_BACKEND=x11 LC_ALL=C.UTF-8
echo "window bench, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "inputs: ${file_mb} MB file; renderer ${GSK_RENDERER:-default} on Xvfb"
"$src/tests/run-under-xvfb.sh" /usr/bin/time -f 'whole process: peak RSS %M KB, %e s wall, %U s user, %S s system' \
  "$driver" "$work/wca.crt" "$work/wme.crt" "$work/wme.key" "$work/wsmall.eml" \
  "$work/wbig.p7m" "$work/wbig-signed.p7m" "$work/wbig.bin" "$work/wlong.eml"
echo "after: load $(cut -d' ' -f1-3 /proc/loadavg)"
