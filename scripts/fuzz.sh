#!/usr/bin/env bash
# Builds obscura-fuzz with libFuzzer (coverage on the Swift inspectors and decoders, AddressSanitizer)
# and fuzzes each target from the committed corpus in Tests/Fuzz/corpus.
#
#   scripts/fuzz.sh                 every target, a short bounded run each (the test command's check)
#   scripts/fuzz.sh TARGET SECONDS  one long campaign (e.g. decode-jpeg 3600)
#
# New inputs go to .build-fuzz/work/TARGET, crashes to .build-fuzz/crashes/TARGET. A run fails when
# libFuzzer finds a crash, a leak, an input slower than 10 s or one that takes over 1.5 GB.
# Replay a crash without sanitizers: swift run obscura-fuzz TARGET FILE.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

runtime=$(ls "$(dirname "$(dirname "$(readlink -f "$(command -v swiftc)")")")"/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a 2>/dev/null | head -1)
if [[ -z "$runtime" ]]; then
    echo "fuzz: libFuzzer's runtime (libclang_rt.fuzzer_no_main) is not in the Swift toolchain; skipped" >&2
    exit 0
fi

# Each run is bounded by its count of inputs from a fixed seed, so the short check does the same
# work everywhere; SECONDS bounds a long campaign instead.
targets=(inspect-jpeg inspect-png inspect-webp inspect-gif inspect-tiff inspect-heif
         decode-jpeg decode-png decode-webp decode-gif decode-tiff decode-heif)
limit=(-runs="${OBSCURA_FUZZ_RUNS:-3000}" -seed=1)
if [[ $# -ge 1 ]]; then
    targets=("$1")
    limit=(-max_total_time="${2:-600}")
fi

echo "fuzz: building obscura-fuzz with libFuzzer and AddressSanitizer (.build-fuzz)"
swift build --scratch-path .build-fuzz --product obscura-fuzz \
    -Xswiftc -DOBSCURA_FUZZING -Xswiftc -sanitize=address \
    -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
    -Xlinker "$runtime" -Xlinker -lstdc++ 2>&1 | grep -v "Cannot export local symbol" | tail -3
binary=.build-fuzz/debug/obscura-fuzz

status=0
for target in "${targets[@]}"; do
    format=${target#*-}
    work=.build-fuzz/work/$target crashes=.build-fuzz/crashes/$target
    mkdir -p "$work" "$crashes"
    start=$(date +%s)
    # ASan's leak check is off: the C++ codecs keep process-wide caches by design.
    if ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 OBSCURA_FUZZ_TARGET=$target \
        "$binary" "$work" "Tests/Fuzz/corpus/$format" "${limit[@]}" -timeout=10 -rss_limit_mb=1536 \
        -artifact_prefix="$crashes/" -print_final_stats=1 > "$crashes/log.txt" 2>&1; then
        runs=$(grep -m1 "stat::number_of_executed_units" "$crashes/log.txt" | awk '{print $2}')
        echo "fuzz: $target: ${runs:-?} inputs, no finding ($(( $(date +%s) - start )) s)"
    else
        echo "fuzz: $target: FINDING, see $crashes (log.txt and the crash-* input)" >&2
        grep -E "ERROR|SUMMARY|Fatal|==[0-9]+==" "$crashes/log.txt" | head -5 >&2 || true
        status=1
    fi
done
exit $status
