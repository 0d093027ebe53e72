#!/usr/bin/env bash
# Runs a libFuzzer target of Fuzz/ (a separate package, not built by `swift build` at the root).
#
#   Scripts/fuzz.sh [target] [seconds]       target: FuzzDispatch | FuzzSigV4 | FuzzResponses | all (default)
#   Scripts/fuzz.sh merge [target]           minimizes Fuzz/Corpus/<target> (libFuzzer -merge=1)
#   Scripts/fuzz.sh seed                     (re)writes the seed inputs from Tests/AppRunnerTests/samples.json
#
# Builds with -sanitize=fuzzer,address into Fuzz/.build, runs with -max_total_time, new inputs go to
# Fuzz/Corpus/<target>/, crashes to Fuzz/Artifacts/<target>/ (not committed). Prints the executions count.
# FUZZ_SKIP_BUILD=1 skips the build (to run several targets at once after one build).
# Leak detection is off: the Swift runtime and lazily initialised statics keep allocations that
# LeakSanitizer reports after the first input.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fuzz="$root/Fuzz"
targets=(FuzzDispatch FuzzSigV4 FuzzResponses)
export RUNNERDECK_SAMPLES="$root/Tests/AppRunnerTests/samples.json"
# LeakSanitizer at exit reports the Swift runtime's caches; Swift's own backtracer would race ASan's report.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

build() {
    if [ -n "${FUZZ_SKIP_BUILD:-}" ]; then return; fi
    (cd "$fuzz" && swift build -c debug -Xswiftc -sanitize=fuzzer,address "$@")
}

binary() { echo "$fuzz/.build/debug/$1"; }

run_one() {
    local target="$1" seconds="$2"
    local corpus="$fuzz/Corpus/$target" artifacts="$fuzz/Artifacts/$target" log
    mkdir -p "$corpus" "$artifacts"
    log="$(mktemp)"
    echo "== $target for ${seconds}s"
    # -rss_limit_mb / -malloc_limit_mb: a huge allocation is a finding. -timeout: a hang is a finding.
    set +e
    "$(binary "$target")" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -malloc_limit_mb=512 -detect_leaks=0 -artifact_prefix="$artifacts/" -print_final_stats=1 2>&1 | tee "$log" | grep -E "^(#[0-9]+.*(pulse|DONE)|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written|stat::)" 
    local status=${PIPESTATUS[0]}
    set -e
    local execs
    execs="$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)"
    echo "== $target: ${execs:-?} executions, exit status $status, corpus $(ls "$corpus" | wc -l) files"
    rm -f "$log"
    return "$status"
}

merge_one() {
    local target="$1" corpus="$fuzz/Corpus/$1" tmp
    tmp="$(mktemp -d)"
    "$(binary "$target")" -merge=1 "$tmp" "$corpus" >/dev/null 2>&1
    rm -rf "$corpus" && mv "$tmp" "$corpus"
    echo "== $target: corpus minimized to $(ls "$corpus" | wc -l) files"
}

case "${1:-all}" in
    seed) python3 "$root/Scripts/fuzz-seeds.py" "$RUNNERDECK_SAMPLES" "$fuzz/Corpus" ;;
    merge)
        build
        for target in ${2:-${targets[@]}}; do merge_one "$target"; done ;;
    all)
        build
        for target in "${targets[@]}"; do run_one "$target" "${2:-600}"; done ;;
    *)
        build --product "$1"
        run_one "$1" "${2:-600}" ;;
esac
