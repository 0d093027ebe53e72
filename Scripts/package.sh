#!/usr/bin/env bash
# Builds the jump-host package: dist/runnerdeck-<version>-linux-<arch>.tar.gz (#17).
#
#   Scripts/package.sh            # release build in .build-package, then the tarball
#
# The binary carries the Swift runtime and Foundation (--static-swift-stdlib) and links ncursesw, tinfo,
# SQLite, zlib, libstdc++ and libgcc's unwinder statically too, so it needs nothing on the host but glibc (INSTALL names the
# oldest glibc it runs on, read off the binary). It is stripped. Beside it: runnerdeck.1 (written from the
# argument parser by Scripts/manpage.py), bash/zsh/fish completions (from the argument parser), LICENSE,
# THIRD_PARTY_NOTICES and INSTALL.
#
# Environment: RUNNERDECK_SCRATCH (build directory, default .build-package), RUNNERDECK_SWIFTC_FLAGS
# (extra compiler flags, e.g. -Osize; they change every compile command, so the first build with them is
# a full one).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scratch=${RUNNERDECK_SCRATCH:-$root/.build-package}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Static system libraries: a directory holding only the .a files, searched first. ncursesw's pkg-config
# file names it (so the -L comes before the system directory on the link line) and keeps ncursesw's
# compile flags, so the objects of an earlier build stay valid and only the link runs again.
mkdir -p "$work/static" "$work/pkgconfig"
for library in ncursesw tinfo sqlite3 z; do
    archive=$(gcc -print-file-name="lib$library.a")
    [ -f "$archive" ] || { echo "package.sh: lib$library.a is missing (apt-get install -y libncursesw5-dev libsqlite3-dev zlib1g-dev)" >&2; exit 1; }
    ln -s "$archive" "$work/static/"
done
ln -s "$(gcc -print-file-name=libstdc++.a)" "$work/static/"
# What gcc's -static-libgcc does: the driver asks for -lgcc_s (the unwinder); this name finds libgcc_eh.a.
ln -s "$(gcc -print-file-name=libgcc_eh.a)" "$work/static/libgcc_s.a"
cat > "$work/pkgconfig/ncursesw.pc" <<EOF
Name: ncursesw
Description: ncursesw and tinfo, linked statically by Scripts/package.sh
Version: $(pkg-config --modversion ncursesw)
Libs: -L$work/static -lncursesw -ltinfo
Cflags: $(pkg-config --cflags ncursesw)
EOF

extra=()
for flag in ${RUNNERDECK_SWIFTC_FLAGS:-}; do extra+=(-Xswiftc "$flag"); done
# --no-export-dynamic undoes the toolchain's -export-dynamic (static-stdlib-args.lnk): a static binary has
# no plug-ins to export its symbols to, and the 50,000 dynamic symbols cost 5.5 MB and the runtime's
# start-up dladdr (which walks them all) a few milliseconds of every command.
PKG_CONFIG_PATH="$work/pkgconfig" swift build -c release --static-swift-stdlib --product runnerdeck \
    --scratch-path "$scratch" -Xlinker --no-export-dynamic -Xlinker -Map="$scratch/runnerdeck.map" \
    ${extra[@]+"${extra[@]}"}
binary="$scratch/release/runnerdeck"

version=$("$binary" --version | cut -d' ' -f1)
arch=$(uname -m)
name="runnerdeck-$version-linux-$arch"
stage="$work/$name"
mkdir -p "$stage/completions" "$root/dist"
strip --strip-all -o "$stage/runnerdeck" "$binary"
python3 Scripts/manpage.py "$stage/runnerdeck" > "$stage/runnerdeck.1"
"$stage/runnerdeck" --generate-completion-script bash > "$stage/completions/runnerdeck.bash"
"$stage/runnerdeck" --generate-completion-script zsh > "$stage/completions/_runnerdeck"
"$stage/runnerdeck" --generate-completion-script fish > "$stage/completions/runnerdeck.fish"
cp LICENSE "$stage/LICENSE"
python3 Scripts/notices.py "$scratch" > "$stage/THIRD_PARTY_NOTICES"

# The oldest glibc the binary runs on: the newest symbol version it asks for.
glibc=$(objdump -T "$stage/runnerdeck" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
cat > "$stage/INSTALL" <<EOF
RunnerDeck $("$stage/runnerdeck" --version) for Linux $arch

Needs glibc $glibc or newer ("ldd --version" tells which one a host has).
Nothing else: the Swift runtime, ncurses, SQLite and zlib are inside the binary.

Run it where it is:
    ./runnerdeck --demo                  # the dashboard on a simulated fleet, no AWS account
    ./runnerdeck --profile prod          # the dashboard on your App Runner services

Install for yourself (no root):
    install -D runnerdeck ~/.local/bin/runnerdeck
    install -D -m 644 runnerdeck.1 ~/.local/share/man/man1/runnerdeck.1
    install -D -m 644 completions/runnerdeck.bash ~/.local/share/bash-completion/completions/runnerdeck
    install -D -m 644 completions/runnerdeck.fish ~/.config/fish/completions/runnerdeck.fish
    # zsh: copy completions/_runnerdeck into a directory of your \$fpath

The terminal: any TERM with a terminfo entry on the host; one without (xterm-kitty, alacritty,
wezterm) draws as xterm-256color, xterm or vt100, whichever the host has. --no-clock keeps an idle
dashboard silent on slow links.
EOF

tarball="$root/dist/$name.tar.gz"
tar -C "$work" --owner=0 --group=0 --numeric-owner -cf - "$name" | gzip -9 > "$tarball"
echo "$tarball"
