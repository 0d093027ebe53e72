#!/usr/bin/env bash
# The proof of the jump-host package (#17): builds it with Scripts/package.sh (or takes a tarball), unpacks
# it into an empty directory and runs the binary there with an environment cleared of everything but PATH
# and TERM (plus what a command needs: HOME, credentials for the local endpoint), with the Swift
# toolchain's library directories out of the loader's reach. Then prints the figures: sizes, the largest
# contributors, whole-process time and peak memory against the AWS CLI.
#
#   Scripts/check-package.sh                 # package.sh, then the checks
#   Scripts/check-package.sh dist/x.tar.gz   # the checks on an existing tarball
#
# Needs tmux (the dashboard check) and the AWS CLI (the comparison). Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tarball=${1:-$(Scripts/package.sh | tail -n 1)}
scratch=${RUNNERDECK_SCRATCH:-$root/.build-package}
work=$(mktemp -d)
session="rd-check-$$"
cleanup() {
    tmux -L "$session" kill-server 2>/dev/null || true
    [ -n "${serve:-}" ] && kill "$serve" 2>/dev/null && wait "$serve" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

mkdir "$work/unpacked" "$work/home"
tar -C "$work/unpacked" -xzf "$tarball"
dir=$(echo "$work"/unpacked/runnerdeck-*)
bin="$dir/runnerdeck"
# Nothing but PATH and TERM; LD_LIBRARY_PATH unset, so the toolchain's libraries cannot be found (the
# loader's cache never had them: see the ldconfig check).
clean=(env -i PATH=/usr/bin:/bin TERM=xterm-256color)

step "what the loader sees"
if /sbin/ldconfig -p | grep -E 'libswiftCore|libFoundation|_FoundationICU' ; then fail "the loader cache knows the Swift toolchain's libraries"; fi
ldd "$bin"
if ldd "$bin" | grep -E 'libswift|libFoundation|libicu|_FoundationICU|libdispatch|libBlocksRuntime|libncurses|libtinfo|libsqlite|libz\.|libstdc\+\+|libgcc_s'; then
    fail "the binary loads a library it should carry"
fi
if nm -D "$bin" 2>/dev/null | grep -q . && readelf -Ws "$bin" | grep -q 'icudt[0-9]*_dat'; then echo "note: ICU data is still inside the binary"; fi

step "--version and --help"
"${clean[@]}" "$bin" --version | tee "$work/version"
grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]{12}(-dirty)?\)$' "$work/version" || fail "--version does not name a commit"
"${clean[@]}" "$bin" --help | head -n 3

step "services --output json against runnerdeck serve (the unpacked binary serves too)"
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"${clean[@]}" HOME="$work/home" "$bin" serve --port "$port" --seed demo >"$work/serve.log" 2>&1 &
serve=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
grep -q "listening on" "$work/serve.log" || { cat "$work/serve.log"; fail "serve did not start"; }
credentials=(AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=check-secret AWS_REGION=us-east-1)
"${clean[@]}" HOME="$work/home" "${credentials[@]}" "$bin" services --output json --endpoint-url "http://127.0.0.1:$port" > "$work/services.json"
python3 -c 'import json,sys; n=len(json.load(open(sys.argv[1]))["ServiceSummaryList"]); print(n, "services"); sys.exit(n == 0)' "$work/services.json"

step "the dashboard in tmux under TERM=xterm-kitty (no terminfo entry here)"
if infocmp xterm-kitty >/dev/null 2>&1; then fail "this host has a terminfo entry for xterm-kitty; the check needs one without"; fi
tmux -L "$session" -f /dev/null new-session -d -x 100 -y 30 -s check \
    "env -i PATH=/usr/bin:/bin TERM=xterm-kitty HOME=$work/home ${credentials[*]} $bin --endpoint-url http://127.0.0.1:$port; sleep 30"
seen=""
for _ in $(seq 100); do
    screen=$(tmux -L "$session" capture-pane -p -t check 2>/dev/null || true)
    if grep -q "drawing as xterm-256color" <<<"$screen" && grep -q "admin-portal" <<<"$screen"; then seen=yes; break; fi
    sleep 0.2
done
printf '%s\n' "$screen" | head -n 12
[ -n "$seen" ] || fail "the dashboard did not draw its first screen"
tmux -L "$session" send-keys -t check q

step "man page and completions"
MANWIDTH=80 man --warnings -l "$dir/runnerdeck.1" 2>"$work/man.warnings" | head -n 8
[ ! -s "$work/man.warnings" ] || { cat "$work/man.warnings"; fail "man reports problems"; }
bash -c "source '$dir/completions/runnerdeck.bash' && complete -p runnerdeck" || fail "bash completion did not load"
if command -v zsh >/dev/null; then zsh -c "autoload -U compinit; compinit -u; source '$dir/completions/_runnerdeck'" || fail "zsh completion"; else echo "zsh: not installed here"; fi
if command -v fish >/dev/null; then fish -c "source '$dir/completions/runnerdeck.fish'; complete -C 'runnerdeck ser'" || fail "fish completion"; else echo "fish: not installed here"; fi

step "figures"
python3 - "$tarball" "$bin" "$scratch/runnerdeck.map" <<'PY'
import collections, os, re, subprocess, sys
tarball, binary, link_map = sys.argv[1:4]
mb = lambda n: n / 1e6
print("stripped binary %.1f MB, tarball %.1f MB (gzip -9)" % (mb(os.path.getsize(binary)), mb(os.path.getsize(tarball))))
sections = {}
for line in subprocess.run(["size", "-A", binary], capture_output=True, text=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[0].startswith("."):
        sections[parts[0]] = int(parts[1])
print("sections: " + ", ".join("%s %.1f MB" % (k, mb(v)) for k, v in sorted(sections.items(), key=lambda kv: -kv[1])[:6]))
if os.path.exists(link_map):
    # Input section sizes per library or module, from the link map (gold's format: section, address, size, file).
    sizes = collections.Counter()
    section = ""
    for line in open(link_map, errors="replace"):
        named = re.match(r"^ (\.\S+)", line)
        if named:
            section = named.group(1)  # gold writes a long section name on a line of its own
        m = re.match(r"^\s*(\.\S+)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+\.(?:o|a\(.*\)))\s*$", line)
        if m and not section.startswith((".debug", ".comment", ".note")):
            path = m.group(3)
            lib = re.sub(r"\(.*\)$", "", path)
            if lib.endswith(".a"):
                lib = os.path.basename(lib)
            else:  # an object of the build: its module's directory (BoringSSL's C files sit deeper)
                parts = lib.split("/")
                lib = next((p for p in parts if p.endswith(".build") and p != ".build"), parts[-2]).replace(".build", "")
            sizes[lib] += int(m.group(2), 16)
    print("largest contributors (allocated input sections the link kept):")
    for lib, size in sizes.most_common(12):
        print("  %-40s %6.1f MB" % (lib, mb(size)))
PY
RUNNERDECK_BIN="$bin" Scripts/bench-cli.sh 20 10
python3 - "$bin" <<'PY'
import subprocess, sys, time
runs = 50
argv = [sys.argv[1], "--version"]
for _ in range(5): subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
start = time.perf_counter()
for _ in range(runs): subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
mean = (time.perf_counter() - start) / runs
rss = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, capture_output=True, text=True).stderr.strip().splitlines()[-1]
print("runnerdeck --version               : %8.1f ms   peak RSS %.1f MB" % (mean * 1000, int(rss) / 1024))
PY
echo "check-package: all checks passed"
