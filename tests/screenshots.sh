#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# screenshots.sh BUILD_DIR [OUT_DIR]: starts the built Cachet on a private X server, with a
# private D-Bus session, keyring and data folder, drives it into the states a person meets
# (drop zone, a good and a bad signature, an untrusted signer, the identities and the contacts,
# the Sign / Encrypt panel with its recipients, a report in the dark style, a certificate's
# details) and writes one PNG per state to OUT_DIR (default: data/screenshots). Builds nothing
# itself.
#
# Needs: xvfb-run, xauth, dbus-daemon, gnome-keyring-daemon, openssl, ImageMagick (import),
# xdotool, gapplication (libglib2.0-bin).
set -eu
[ -n "${CACHET_SCREENSHOTS_TRACE:-}" ] && set -x

if [ "${CACHET_SCREENSHOTS_INNER:-}" != 1 ]; then
  [ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [OUT_DIR]" >&2; exit 2; }
  for tool in xvfb-run xauth dbus-run-session gnome-keyring-daemon openssl import xdotool gapplication; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$0: $tool is not installed" >&2; exit 2; }
  done
  build=$(cd "$1" && pwd)
  src=$(cd "$(dirname "$0")/.." && pwd)
  out=${2:-$src/data/screenshots}
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  [ -x "$build/src/ui/cachet" ] || { echo "$0: $build/src/ui/cachet is not built" >&2; exit 2; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  export CACHET_SCREENSHOTS_INNER=1 BUILD="$build" OUT="$out" WORK="$work"
  # A fresh home: the app's data, settings and keyring are the script's own.
  export HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config" \
         XDG_CACHE_HOME="$work/home/cache" XDG_RUNTIME_DIR="$work/runtime"
  mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  status=0
  dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" "$0" "$@" 2>"$work/log" || status=$?
  if [ "$status" -ne 0 ] || [ -n "${CACHET_SCREENSHOTS_TRACE:-}" ]; then
    echo "$0: failed (exit $status); its log:" >&2
    cat "$work/log" >&2
  fi
  exit "$status"
fi

# ---- inside the private session and X server ----
app_id=io.github.cachet_smime.Cachet
export GSK_RENDERER=cairo GDK_BACKEND=x11 GSETTINGS_BACKEND=memory LANG=C.UTF-8 LC_ALL=C.UTF-8
export GSETTINGS_SCHEMA_DIR="$BUILD/data"
cli="$BUILD/src/cli/cachet-cli"
app="$BUILD/src/ui/cachet"
cd "$WORK"

printf 'screenshots\n' | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null

# A small PKI: a root, an intermediate, Alice (you), Bob (a contact), and Mallory from elsewhere.
cat > ca.cnf <<'CNF'
[v3_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = emailProtection
subjectAltName = email:$ENV::EMAIL
subjectKeyIdentifier = hash
CNF
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.crt -days 3650 \
  -subj '/O=Example Mail Authority/CN=Example Mail Root CA' \
  -addext 'basicConstraints=critical,CA:true' -addext 'keyUsage=critical,keyCertSign,cRLSign'
ossl req -newkey rsa:2048 -nodes -keyout inter.key -out inter.csr -subj '/O=Example Mail Authority/CN=Example Mail Issuing CA'
EMAIL=x ossl x509 -req -in inter.csr -CA root.crt -CAkey root.key -CAcreateserial -days 3000 \
  -extfile ca.cnf -extensions v3_ca -out inter.crt
issue() { # NAME EMAIL FILE CA CAKEY
  ossl req -newkey rsa:2048 -nodes -keyout "$3.key" -out "$3.csr" -subj "/CN=$1/emailAddress=$2"
  EMAIL="$2" ossl x509 -req -in "$3.csr" -CA "$4.crt" -CAkey "$4.key" -CAcreateserial -days 730 \
    -extfile ca.cnf -extensions leaf -out "$3.crt"
}
issue 'Alice Liddell' alice@example.org alice inter root
issue 'Bob Dodgson' bob@example.org bob inter root
ossl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.crt -days 3650 \
  -subj '/CN=Unknown Corp CA' -addext 'basicConstraints=critical,CA:true' -addext 'keyUsage=critical,keyCertSign'
issue 'Mallory Grey' mallory@example.net mallory other other
cat alice.crt inter.crt > alice-chain.pem
printf 'backup-password\n' > p12.pw
ossl pkcs12 -export -inkey alice.key -in alice.crt -certfile inter.crt -name 'Alice Liddell' \
  -passout file:p12.pw -out alice.p12

# Alice's store: the root trusted and her identity imported. Bob becomes a contact when his
# signed message checks out.
"$cli" trust add root.crt >/dev/null
"$cli" identity import alice.p12 --password-file p12.pw >/dev/null
# Mallory's certificate was sent by mail: a contact, but not one to encrypt to (not trusted).
"$cli" contact import mallory.crt >/dev/null

# Messages.
cat > body.txt <<'MSG'
Content-Type: text/plain; charset=utf-8

Hello Alice,

here are the minutes of Thursday's meeting. The budget stays as agreed;
the new office opens on 1 March.

Bob
MSG
ossl cms -sign -in body.txt -signer bob.crt -inkey bob.key -certfile inter.crt \
  -from 'Bob Dodgson <bob@example.org>' -to 'Alice Liddell <alice@example.org>' \
  -subject 'Minutes of Thursday' -out minutes.eml
sed 's/stays as agreed/doubles/' minutes.eml > minutes-altered.eml
printf 'Shopping list: tea, milk, bread.\n' > notes.txt
ossl cms -sign -in body.txt -signer mallory.crt -inkey mallory.key \
  -from 'Mallory Grey <mallory@example.net>' -to 'Alice Liddell <alice@example.org>' \
  -subject 'Invoice 2026-113' -out invoice.eml

# Waits until the window is quiet; writes OUT/NAME.png of the window ($wid, found once: searching
# again while GTK maps and unmaps its helper windows can crash xdotool).
shot() {
  sleep "${2:-2}"
  eval "$(xdotool getwindowgeometry --shell "$wid")"
  import -window root -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" +repage "$OUT/$1.png"
  echo "wrote $OUT/$1.png"
}

# Starts Cachet on FILES (may be none) and finds its window.
launch() {
  ${CACHET_SCREENSHOTS_WRAPPER:-} "$app" "$@" >>"$WORK/app.log" 2>&1 &
  app_pid=$!
  wid=$(timeout 30 xdotool search --sync --onlyvisible --name '^Cachet$' | head -n 1)
  [ -n "$wid" ] || { echo "$0: the window did not appear" >&2; exit 1; }
  xdotool windowsize "$wid" 1000 820
}
quit_app() {
  gapplication action "$app_id" quit || true
  wait "$app_pid" 2>/dev/null || true
}
trap 'cat "$WORK/app.log" >&2; kill $app_pid 2>/dev/null || true' EXIT

# Every file reaches the running instance through GApplication "open", as from the file manager.
launch
shot 01-drop-zone 1
"$app" "$WORK/minutes.eml"
shot 02-report-good 3
"$app" "$WORK/minutes-altered.eml"
shot 03-report-bad 3
"$app" "$WORK/invoice.eml"
shot 04-report-untrusted 3
"$app" "$WORK/minutes.eml" "$WORK/minutes-altered.eml" "$WORK/invoice.eml" "$WORK/notes.txt"
shot 05-several-files 4
"$app" "$WORK/notes.txt"
shot 06-plain-file 3
gapplication action "$app_id" show-pane "'identities'"
shot 07-identities
gapplication action "$app_id" new-identity
sleep 1
# No window manager here: centre the dialog over the window ourselves, then fill it in.
for dialog in $(xdotool search --onlyvisible --pid "$app_pid" 2>/dev/null); do
  [ "$dialog" = "$wid" ] && continue
  eval "$(xdotool getwindowgeometry --shell "$dialog")"
  xdotool windowmove "$dialog" $(( (1000 - WIDTH) / 2 )) $(( (820 - HEIGHT) / 2 ))
  xdotool windowfocus --sync "$dialog" 2>/dev/null || true
  xdotool type --delay 20 'Alice Liddell'
  xdotool key Tab
  xdotool type --delay 20 'alice@example.org'
done
shot 08-new-identity
xdotool key --window "$wid" Escape
gapplication action "$app_id" show-pane "'contacts'"
shot 09-contacts
# Phone width: the view switcher moves to the bottom.
"$app" "$WORK/minutes.eml"
xdotool windowsize "$wid" 400 760
shot 10-narrow 3
# The Sign / Encrypt panel for a plain file, Encrypt turned on: Bob (collected from his good
# signature above) can be chosen, Mallory cannot, and the row says why.
# (A fresh instance: the New Identity dialog above may still hold the keyboard.)
quit_app
launch "$WORK/notes.txt"
sleep 2
# A click on the heading gives the window the keyboard (there is no window manager), then
# Alt+E, the Encrypt row's mnemonic, turns its switch on.
xdotool mousemove --window "$wid" 500 150 click 1
sleep 0.5
xdotool key alt+e
sleep 1
# Choose Bob (the first recipient row).
xdotool mousemove --window "$wid" 500 647 click 1
shot 11-protect-encrypt 2
quit_app
# The good report again, in the dark style (libadwaita's own switch for a session's preference).
export ADW_DEBUG_COLOR_SCHEME=prefer-dark
launch "$WORK/minutes.eml"
shot 12-report-good-dark 3
quit_app
# The signer's certificate, from the Details button of the good report (light style again).
unset ADW_DEBUG_COLOR_SCHEME
launch "$WORK/minutes.eml"
sleep 3
xdotool mousemove --window "$wid" 809 246 click 1
sleep 2
for dialog in $(xdotool search --onlyvisible --pid "$app_pid" 2>/dev/null); do
  [ "$dialog" = "$wid" ] || details=$dialog
done
[ -n "${details:-}" ] || { echo "$0: the certificate dialog did not appear" >&2; exit 1; }
wid=$details
shot 13-certificate-details 1
quit_app
