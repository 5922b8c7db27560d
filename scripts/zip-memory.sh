#!/usr/bin/env bash
# Prints how far the server's peak resident memory rises while it builds and sends the results
# zip of a job of 40 results of 8 MiB (320 MiB): a figure, not a check (issue 15, item 4).
# Needs the test build (swift build --build-tests).
set -euo pipefail
cd "$(dirname "$0")/.."
OBSCURA_ZIP_MEMORY=1 swift test --skip-build --filter 'ServeResultsZipTests/zipMemoryFigure' 2>&1 | grep -E "results zip:|passed|failed"
