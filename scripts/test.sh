#!/usr/bin/env bash
# Runs every test, after installing what they need (Debian packages, the model).
# The tests that use ../shared/eval skip with a message where it is absent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
cd "$root"
# The model was just installed: a test that cannot find it must fail, not skip.
export OBSCURA_REQUIRE_MODELS=1
swift build --build-tests
# A test that hangs must not use up CI's time: past 45 minutes (the tests take about 5) the run
# is stopped, and the tests that started and never ended are named.
log=$(mktemp)
set +e
timeout --kill-after=30 45m swift test --skip-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
    echo "swift test did not end within 45 minutes. Started and never ended:" >&2
    python3 "$root/scripts/unfinished-tests.py" "$log" >&2
    exit 1
fi
rm -f "$log"
[ "$status" = 0 ] || exit "$status"
# A short, bounded fuzzing run of every inspector and decoder from the committed corpus
# (scripts/fuzz.sh; a fixed count of inputs per target, about two minutes in all).
scripts/fuzz.sh
