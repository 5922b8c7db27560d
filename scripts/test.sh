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
swift test --skip-build
# A short, bounded fuzzing run of every inspector and decoder from the committed corpus
# (scripts/fuzz.sh; a fixed count of inputs per target, about two minutes in all).
scripts/fuzz.sh
