#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Install test: builds Cachet into a temporary --prefix (so Exec= and the D-Bus service file
# point where the program really is; --destdir would leave them pointing at the real prefix),
# then, with that prefix's share folder on XDG_DATA_DIRS set before a private D-Bus session
# starts:
#   - every MIME type of the desktop file lists Cachet in `gio mime`;
#   - the session bus can activate the app id (the service file is found);
#   - the installed Dutch catalogue is used by the installed cachet-cli (LANGUAGE=nl);
#   - under Xvfb, `gio open` of a signed .eml starts Cachet through D-Bus activation, a window
#     appears, and a screenshot is taken (in English and, LANG=C.UTF-8 LANGUAGE=nl, in Dutch).
# Needs no root and touches nothing outside its temporary folder (and the screenshot folder).
#
# Usage: test-install.sh SOURCE_ROOT
# Environment: APP_ID (default io.github.cachet_smime.Cachet), CACHET_TEST_SCREENSHOT_DIR
# (where the PNGs go; default: the temporary folder, removed at the end),
# CACHET_TEST_KEEP=1 keeps the temporary folder.
set -u

srcdir=$(cd "${1:?usage: test-install.sh SOURCE_ROOT}" && pwd)
app_id=${APP_ID:-io.github.cachet_smime.Cachet}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cachet-install.XXXXXX")
prefix=$tmp/prefix
build=$tmp/build
failures=0

cleanup () {
  if [ "${CACHET_TEST_KEEP:-0}" = 1 ]; then
    echo "# kept $tmp"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT

ok ()   { echo "ok - $*"; }
fail () { echo "not ok - $*"; failures=$((failures + 1)); }
skip () { echo "ok - $* # SKIP"; }
die ()  { echo "not ok - $*"; exit 1; }

for tool in meson ninja gio dbus-run-session gdbus; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is not installed; cannot run the install test"; exit 77; }
done

# ---- build and install into the temporary prefix --------------------------------------------

echo "# building into $prefix (a second, complete build: this takes a few minutes)"
meson setup "$build" "$srcdir" --prefix="$prefix" -Dui=true -Dapp_id="$app_id" \
      -Dbuildtype=plain >"$tmp/setup.log" 2>&1 \
  || { tail -n 30 "$tmp/setup.log"; die "meson setup with --prefix=$prefix"; }
# Only what gets installed, two jobs at most (the build machines have two cores).
ninja -C "$build" -j 2 >"$tmp/build.log" 2>&1 \
  || { tail -n 40 "$tmp/build.log"; die "build in $build"; }
meson install -C "$build" --no-rebuild >"$tmp/install.log" 2>&1 \
  || { tail -n 30 "$tmp/install.log"; die "meson install into $prefix"; }
ok "meson install into a temporary prefix, without root"

share=$prefix/share
desktop=$share/applications/$app_id.desktop
service=$share/dbus-1/services/$app_id.service

for f in "$prefix/bin/cachet" "$prefix/bin/cachet-cli" "$desktop" "$service" \
         "$share/metainfo/$app_id.metainfo.xml" \
         "$share/glib-2.0/schemas/$app_id.gschema.xml" \
         "$share/glib-2.0/schemas/gschemas.compiled" \
         "$share/icons/hicolor/scalable/apps/$app_id.svg" \
         "$share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg" \
         "$share/man/man1/cachet.1" "$share/man/man1/cachet-cli.1" \
         "$share/locale/nl/LC_MESSAGES/cachet.mo"; do
  if [ -e "$f" ]; then ok "installed ${f#$prefix/}"; else fail "not installed: ${f#$prefix/}"; fi
done

if grep -qx "Exec=$prefix/bin/cachet --gapplication-service" "$service"; then
  ok "the D-Bus service file starts the installed cachet"
else
  fail "the D-Bus service file does not point at $prefix/bin/cachet: $(grep '^Exec=' "$service")"
fi
if command -v desktop-file-validate >/dev/null 2>&1; then
  if desktop-file-validate "$desktop"; then ok "installed desktop file validates"; else fail "installed desktop file does not validate"; fi
fi

# meson's post-install step normally does this; doing it again is harmless and makes the test
# independent of whether the step ran.
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database "$share/applications" || fail "update-desktop-database"
fi

# ---- a private session that sees the prefix ---------------------------------------------------

mkdir -p "$tmp/home/.local/share" "$tmp/home/.config" "$tmp/home/.cache" "$tmp/runtime"
chmod 700 "$tmp/runtime"
export HOME="$tmp/home"
export XDG_DATA_HOME="$tmp/home/.local/share" XDG_CONFIG_HOME="$tmp/home/.config"
export XDG_CACHE_HOME="$tmp/home/.cache" XDG_RUNTIME_DIR="$tmp/runtime"
# Must be set before dbus-run-session: the bus reads its service folders from it.
export XDG_DATA_DIRS="$share:/usr/local/share:/usr/share"
export GSETTINGS_BACKEND=memory
export GSK_RENDERER=cairo
export LANG=C.UTF-8
unset LC_ALL LANGUAGE

mime_types=$(sed -n 's/^MimeType=//p' "$desktop" | tr ';' ' ')
[ -n "$mime_types" ] || fail "the installed desktop file has no MimeType="

cat >"$tmp/session-checks.sh" <<EOF
status=0
for type in $mime_types; do
  out=\$(gio mime "\$type" 2>&1)
  if printf '%s\n' "\$out" | grep -q "$app_id.desktop"; then
    echo "ok - gio mime \$type lists $app_id.desktop"
  else
    echo "not ok - gio mime \$type does not list $app_id.desktop:"; printf '%s\n' "\$out" | sed 's/^/#   /'
    status=1
  fi
done
if gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
     --method org.freedesktop.DBus.ListActivatableNames | grep -q "'$app_id'"; then
  echo "ok - the session bus can activate $app_id"
else
  echo "not ok - the session bus does not know how to activate $app_id"; status=1
fi
exit \$status
EOF
if dbus-run-session -- sh "$tmp/session-checks.sh"; then :; else failures=$((failures + 1)); fi

# ---- the installed translation is found ---------------------------------------------------------

if command -v gettext >/dev/null 2>&1; then
  expected=$(TEXTDOMAINDIR="$share/locale" LANGUAGE=nl gettext cachet "Commands:")
  if [ "$expected" = "Commands:" ]; then
    fail "the installed Dutch catalogue does not translate \"Commands:\""
  elif LANGUAGE=nl "$prefix/bin/cachet-cli" --help 2>&1 | grep -qF "$expected"; then
    ok "LANG=C.UTF-8 LANGUAGE=nl cachet-cli --help is in Dutch (\"$expected\")"
  else
    fail "LANGUAGE=nl cachet-cli --help does not show \"$expected\": $(LANGUAGE=nl "$prefix/bin/cachet-cli" --help 2>&1 | head -n 3)"
  fi
else
  skip "gettext(1) is not installed: Dutch cachet-cli not checked"
fi

# ---- gio open of a signed .eml under Xvfb --------------------------------------------------------

if ! command -v xvfb-run >/dev/null 2>&1 || ! command -v xauth >/dev/null 2>&1 \
   || ! command -v import >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
  skip "xvfb-run, xauth, ImageMagick import or openssl missing: gio open under Xvfb not run"
  [ $failures -eq 0 ] || exit 1
  exit 0
fi

# A throw-away PKI and a signed message (RSA-2048, email protection).
pki=$tmp/pki
mkdir -p "$pki"
(
  cd "$pki" || exit 1
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 \
    -subj "/CN=Cachet Install Test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
  openssl req -newkey rsa:2048 -nodes -keyout alice.key -out alice.csr \
    -subj "/CN=Alice Example/emailAddress=alice@example.com" &&
  printf 'subjectAltName=email:alice@example.com\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\n' >alice.ext &&
  openssl x509 -req -in alice.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
    -extfile alice.ext -out alice.pem &&
  printf 'Content-Type: text/plain; charset=utf-8\r\n\r\nHello Bob,\r\n\r\nthis message is signed.\r\n' >entity.txt &&
  openssl cms -sign -in entity.txt -signer alice.pem -inkey alice.key \
    -from alice@example.com -to bob@example.com -subject "Signed hello" -out signed.eml
) >"$tmp/pki.log" 2>&1 || { cat "$tmp/pki.log"; die "making a signed test message with openssl"; }

# python3 with the AT-SPI bindings (Debian's, not a virtualenv's) reads the window's text.
python_gi=/usr/bin/python3
[ -x "$python_gi" ] || python_gi=python3
app_name=cachet

shots=${CACHET_TEST_SCREENSHOT_DIR:-$tmp/screenshots}
mkdir -p "$shots"

# Runs inside Xvfb + a private bus: opens the message the way a file manager does, waits for the
# app to own its name, screenshots the screen, lists the windows, and asks the app to quit.
cat >"$tmp/open-checks.sh" <<EOF
shot=\$1
gio open "$pki/signed.eml" &
i=0
while [ \$i -lt 60 ]; do
  if gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
       --method org.freedesktop.DBus.NameHasOwner "$app_id" 2>/dev/null | grep -q true; then
    break
  fi
  sleep 0.5; i=\$((i + 1))
done
if [ \$i -ge 60 ]; then
  echo "not ok - gio open did not start $app_id within 30 s"; exit 1
fi
echo "ok - gio open of a signed .eml started $app_id through D-Bus activation"
sleep 4   # let the window map and the verification finish
import -window root "\$shot" && echo "# screenshot: \$shot"
# What a screen reader finds in the window: the report names the file and the signer.
if "$python_gi" "$srcdir/tests/accessible-text.py" "$app_name" >"\$shot.txt" 2>"\$shot.err"; then
  if grep -qF "signed.eml" "\$shot.txt" && grep -qF "Alice Example" "\$shot.txt"; then
    echo "ok - the window shows the report of signed.eml, signed by Alice Example"
  else
    echo "not ok - the window does not show the report of signed.eml; it shows:"
    head -n 40 "\$shot.txt" | sed 's/^/#   /'
    exit 1
  fi
  if [ -n "\${EXPECT_TEXT:-}" ]; then
    if grep -qF "\$EXPECT_TEXT" "\$shot.txt"; then
      echo "ok - the window shows “\$EXPECT_TEXT”"
    else
      echo "not ok - the window does not show “\$EXPECT_TEXT”"; head -n 40 "\$shot.txt" | sed 's/^/#   /'; exit 1
    fi
  fi
else
  echo "# AT-SPI text not read (\$(cat "\$shot.err")): only the screenshot shows the report"
fi
if command -v xdotool >/dev/null 2>&1; then
  titles=\$(for w in \$(xdotool search --onlyvisible --name '.' 2>/dev/null); do xdotool getwindowname "\$w"; done)
  if [ -n "\$titles" ]; then
    echo "ok - a window is shown:"; printf '%s\n' "\$titles" | sed 's/^/#   title: /'
  else
    echo "not ok - no visible window after gio open"; exit 1
  fi
fi
gdbus call --session --dest "$app_id" --object-path "$(printf '/%s' "$app_id" | tr . /)" \
  --method org.gtk.Actions.Activate quit '[]' '{}' >/dev/null 2>&1 || true
exit 0
EOF

run_open () {
  # \$1: screenshot name, remaining: environment assignments
  name=$1; shift
  env "$@" xvfb-run -a -s "-screen 0 1280x800x24" \
    dbus-run-session -- sh "$tmp/open-checks.sh" "$shots/$name" >"$tmp/open-$name.log" 2>&1
  rc=$?
  grep -E '^(ok|not ok|#)' "$tmp/open-$name.log"
  if [ $rc -ne 0 ]; then
    grep -vE '^(ok|not ok|#)' "$tmp/open-$name.log" | tail -n 20 | sed 's/^/#   /'
    fail "gio open under Xvfb ($name)"
  fi
}

# The Dutch run expects the translation of a string the report always shows.
signer_nl=$(TEXTDOMAINDIR="$share/locale" LANGUAGE=nl gettext cachet "Signer" 2>/dev/null)
run_open install-open-report.png LANG=C.UTF-8 EXPECT_TEXT=Signer
run_open install-open-report-nl.png LANG=C.UTF-8 LANGUAGE=nl EXPECT_TEXT="${signer_nl:-Signer}"

[ $failures -eq 0 ] || { echo "# $failures check(s) failed"; exit 1; }
exit 0
