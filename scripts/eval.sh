#!/usr/bin/env bash
# Scores Obscura on a labelled folder (default ../shared/eval/faces): anonymizes every image with
# a magenta solid fill into a scratch folder, times the run, then scores coverage by box size.
#   scripts/eval.sh [DATASET] [extra obscura options...]
# Environment: JOBS (default 2), OUT (scratch folder, default a new temp folder).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dataset=${1:-$root/../shared/eval/faces}
shift || true
if [ ! -f "$dataset/labels.json" ]; then
    echo "eval: no labels.json in $dataset (the evaluation data is not on this machine)" >&2
    exit 0
fi
"$root/scripts/setup.sh"
(cd "$root" && swift build -c release --product obscura >/dev/null && swift build -c release --product obscura-eval >/dev/null)
bin=$(cd "$root" && swift build -c release --show-bin-path)
out=${OUT:-$(mktemp -d)}
jobs=${JOBS:-2}
images=$(find "$dataset/images" -type f | wc -l)
start=$(date +%s.%N)
"$bin/obscura" anonymize "$dataset" -o "$out" --style solid --fill ff00ff --format png --jobs "$jobs" --quiet --overwrite "$@" || true
end=$(date +%s.%N)
"$bin/obscura-eval" --labels "$dataset/labels.json" --outputs "$out" --fill ff00ff --json "$out/score.json"
awk -v s="$start" -v e="$end" -v n="$images" -v j="$jobs" \
    'BEGIN { printf "time: %.1f s for %d images with %d workers = %.3f s per image\n", e - s, n, j, (e - s) / n }'
echo "outputs and score.json in $out"
