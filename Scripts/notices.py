#!/usr/bin/env python3
"""Writes THIRD_PARTY_NOTICES for the package: the licence of every Swift package pinned in
Package.resolved (from the build's checkouts), of the Swift runtime, and of the C libraries the binary
links statically (from Debian's copyright files).

    Scripts/notices.py .build-package > THIRD_PARTY_NOTICES
"""
import glob
import json
import os
import sys

SYSTEM = [
    ("ncurses (ncursesw, tinfo)", "/usr/share/doc/libncursesw6/copyright"),
    ("SQLite", "/usr/share/doc/libsqlite3-0/copyright"),
    ("zlib", "/usr/share/doc/zlib1g/copyright"),
    ("GNU libstdc++ (GCC Runtime Library Exception)", "/usr/share/doc/libstdc++6/copyright"),
]

SWIFT = """The Swift runtime, standard library, Foundation and Dispatch are linked into the binary.
They are part of the Swift project (https://swift.org), licensed under the Apache License 2.0 with the
Runtime Library Exception (https://swift.org/LICENSE.txt)."""


def section(title, text):
    rule = "=" * 78
    return "%s\n%s\n%s\n\n%s\n\n" % (rule, title, rule, text.strip())


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: notices.py SCRATCH_PATH")
    scratch = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "Package.resolved")) as f:
        pins = json.load(f)["pins"]
    out = ["RunnerDeck includes the following third-party software.\n\n", section("Swift", SWIFT)]
    for pin in sorted(pins, key=lambda pin: pin["identity"]):
        name = pin["location"].rstrip("/").split("/")[-1].removesuffix(".git")
        version = pin["state"].get("version") or pin["state"].get("revision", "")[:12]
        licences = sorted(glob.glob(os.path.join(scratch, "checkouts", name, "LICENSE*"))
                          + glob.glob(os.path.join(scratch, "checkouts", name, "COPYING*")))
        if not licences:
            sys.exit("notices.py: no licence file for %s in %s/checkouts (build first)" % (name, scratch))
        with open(licences[0], errors="replace") as f:
            out.append(section("%s %s (%s)" % (name, version, pin["location"]), f.read()))
    for title, path in SYSTEM:
        if not os.path.exists(path):
            sys.exit("notices.py: %s is missing (%s)" % (path, title))
        with open(path, errors="replace") as f:
            out.append(section(title, f.read()))
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
