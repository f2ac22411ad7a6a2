#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian/Ubuntu packages Cachet needs to build, run and test. Every package is
# named: nothing relies on Recommends. Does nothing when all are present.
set -e

PACKAGES="
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libgmime-3.0-dev libgnutls28-dev libtasn1-6-dev libtasn1-bin
  libsecret-1-dev libjson-glib-dev libp11-kit-dev libnss3 libgtk-4-dev libadwaita-1-dev
  openssl gpgsm gnupg gnome-keyring dbus dbus-daemon
  xvfb xauth at-spi2-core imagemagick xdotool
  desktop-file-utils appstream shared-mime-info python3 python3-gi gir1.2-atspi-2.0 time
  gettext-base man-db groff-base libgtk-4-bin
"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done

[ -z "$missing" ] && exit 0

echo "Installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
