#!/usr/bin/env bash
# Replays every reproduction of issue 17 (hostile inputs, files, the server) and prints one line
# per defect: fixed, or NOT FIXED and why. Exit status 1 when any is not fixed.
#
#   scripts/attack/run.sh [BINARY]     (default .build/release/obscura, else .build/debug/obscura)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
status=0
if [[ $# -ge 1 ]]; then
    python3 "$here/cli.py" --obscura "$1" || status=1
    python3 "$here/server.py" "$1" || status=1
else
    python3 "$here/cli.py" || status=1
    python3 "$here/server.py" || status=1
fi
exit $status
