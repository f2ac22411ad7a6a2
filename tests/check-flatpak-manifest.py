#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks the Flatpak manifest without a Flatpak runtime (none can be fetched on the build
# machines): it parses as JSON, names the app id meson is configured with, uses the GNOME
# runtime, builds GMime pinned to a release tag and commit, keeps file access to portals,
# and limits run-tests to suites that need no keyring daemon, X server or gpgsm.
# Usage: check-flatpak-manifest.py MANIFEST.json APP_ID
import json
import re
import sys

GMIME_TAG = "3.2.15"
GMIME_COMMIT = "76aee730fedc41dc09e1819d85bf0800bdbc0a2d"
REQUIRED_FINISH_ARGS = ["--share=ipc", "--socket=wayland", "--socket=fallback-x11", "--device=dri"]
# Broad file access defeats the portals; the keyring goes through the Secret portal.
FORBIDDEN_FINISH_ARGS = ["--filesystem=home", "--filesystem=host", "--filesystem=host-os",
                         "--socket=x11", "--talk-name=org.freedesktop.secrets"]
ALLOWED_TEST_SUITES = {"unit", "data"}

problems = []


def check(condition, message):
    if not condition:
        problems.append(message)


def main():
    if len(sys.argv) != 3:
        print("usage: check-flatpak-manifest.py MANIFEST.json APP_ID", file=sys.stderr)
        return 2
    path, app_id = sys.argv[1], sys.argv[2]
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        print(f"not ok: {path} does not parse as JSON: {e}")
        return 1

    manifest_id = manifest.get("id", manifest.get("app-id"))
    check(manifest_id == app_id, f"id is {manifest_id!r}, meson's app_id is {app_id!r}")
    check(path.endswith(f"/{app_id}.json") or path == f"{app_id}.json",
          f"the manifest file should be named {app_id}.json")
    check(manifest.get("runtime") == "org.gnome.Platform", "runtime must be org.gnome.Platform")
    check(manifest.get("sdk") == "org.gnome.Sdk", "sdk must be org.gnome.Sdk")
    check(re.fullmatch(r"\d+", str(manifest.get("runtime-version", ""))) is not None,
          "runtime-version must be a GNOME release number such as \"47\"")
    check(manifest.get("command") == "cachet", "command must be cachet")

    finish_args = manifest.get("finish-args", [])
    for arg in REQUIRED_FINISH_ARGS:
        check(arg in finish_args, f"finish-args lacks {arg}")
    for arg in FORBIDDEN_FINISH_ARGS:
        check(arg not in finish_args, f"finish-args must not contain {arg}")
    check(not any(a.startswith("--filesystem=home") or a.startswith("--filesystem=~")
                  for a in finish_args),
          "files come through portals, not --filesystem access to the home folder")

    modules = manifest.get("modules", [])
    names = [m.get("name") if isinstance(m, dict) else m for m in modules]
    check(names[-1:] == ["cachet"], f"the last module must be cachet, modules are {names}")
    check("gmime" in names, "GMime is not in the GNOME runtime: it must be built as a module")

    for module in modules:
        if not isinstance(module, dict):
            continue
        if module.get("name") == "gmime":
            check(module.get("buildsystem", "autotools") == "autotools", "gmime builds with autotools")
            check("--disable-crypto" in module.get("config-opts", []),
                  "gmime needs --disable-crypto (no GpgME; Cachet has its own crypto context)")
            sources = module.get("sources", [])
            check(len(sources) == 1 and sources[0].get("type") == "git", "gmime comes from its git repository")
            if sources:
                check(sources[0].get("tag") == GMIME_TAG, f"gmime tag must be {GMIME_TAG}")
                check(sources[0].get("commit") == GMIME_COMMIT, f"gmime commit must be {GMIME_COMMIT}")
        if module.get("name") == "cachet":
            check(module.get("buildsystem") == "meson", "cachet builds with meson")
            if module.get("run-tests"):
                check(module.get("test-rule") == "",
                      "test-rule must be \"\" so flatpak-builder does not run every suite with `ninja test`")
                commands = module.get("test-commands", [])
                check(len(commands) > 0, "run-tests without test-commands runs nothing")
                for command in commands:
                    suites = set(re.findall(r"--suite[= ](\S+)", command))
                    check(suites and suites <= ALLOWED_TEST_SUITES,
                          f"test command {command!r} must select only suites {sorted(ALLOWED_TEST_SUITES)}")

    if problems:
        for p in problems:
            print(f"not ok: {p}")
        return 1
    print(f"ok: {path} parses and has what a Cachet Flatpak needs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
