#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Prints the text a screen reader finds in an application's windows (names, descriptions and
# text contents of every accessible, one per line), through AT-SPI. Used by test-install.sh to
# check what a window shows without reading pixels.
# Usage: accessible-text.py APPLICATION-NAME-SUBSTRING
# Exit: 0 printed, 1 application not found, 77 AT-SPI bindings missing.
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)

try:
    import gi
    gi.require_version("Atspi", "2.0")
    from gi.repository import Atspi
except (ImportError, ValueError):
    print("python3-gi with gir1.2-atspi-2.0 is not installed", file=sys.stderr)
    sys.exit(77)


def walk(node, depth=0, seen=None):
    if node is None or depth > 60:
        return
    texts = []
    try:
        texts.append(node.get_name() or "")
        texts.append(node.get_description() or "")
        text_iface = node.get_text_iface()
        if text_iface is not None:
            count = Atspi.Text.get_character_count(text_iface)
            texts.append(Atspi.Text.get_text(text_iface, 0, min(count, 2000)) or "")
    except Exception:  # a widget may go away while we read it
        pass
    for t in texts:
        t = t.strip()
        if t:
            print(t)
    try:
        n = node.get_child_count()
    except Exception:
        return
    for i in range(n):
        try:
            walk(node.get_child_at_index(i), depth + 1)
        except Exception:
            pass


def main():
    want = sys.argv[1].lower() if len(sys.argv) > 1 else ""
    desktop = Atspi.get_desktop(0)
    found = False
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is None:
            continue
        name = (app.get_name() or "").lower()
        if want in name:
            found = True
            walk(app)
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
