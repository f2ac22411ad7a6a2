#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks that every screenshot the AppStream metainfo names (by its raw URL in the repository)
# exists as a PNG in data/screenshots/, so software centres do not show broken images.
# SKIPs (77) while data/screenshots/ does not exist yet (tests/screenshots.sh fills it).
# Usage: check-metainfo-screenshots.py METAINFO.xml SOURCE_ROOT
import os
import sys
import xml.etree.ElementTree as ET

PREFIX = "https://github.com/cachet-smime/cachet/raw/main/"


def main():
    metainfo, root = sys.argv[1], sys.argv[2]
    shots_dir = os.path.join(root, "data", "screenshots")
    if not os.path.isdir(shots_dir):
        print(f"{shots_dir} does not exist yet: run tests/screenshots.sh")
        return 77
    images = [e.text.strip() for e in ET.parse(metainfo).getroot().iter("image") if e.text]
    if not images:
        print("not ok: the metainfo names no screenshot")
        return 1
    status = 0
    for url in images:
        if not url.startswith(PREFIX):
            print(f"not ok: {url} is not a file of the repository ({PREFIX}...)")
            status = 1
            continue
        path = os.path.join(root, url[len(PREFIX):])
        try:
            with open(path, "rb") as f:
                magic = f.read(8)
        except OSError:
            print(f"not ok: {url} names {path}, which does not exist")
            status = 1
            continue
        if magic != b"\x89PNG\r\n\x1a\n":
            print(f"not ok: {path} is not a PNG")
            status = 1
        else:
            print(f"ok: {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
