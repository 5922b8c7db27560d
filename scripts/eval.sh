#!/usr/bin/env bash
# make eval: scores Obscura on labelled folders. Each image is anonymized with a magenta solid
# fill into a scratch folder (timed), then obscura-eval scores coverage by box size from the
# output pixels alone.
#   scripts/eval.sh [DATASET] [extra obscura options...]
# Without DATASET: ../shared/eval/faces and ../shared/eval/plates, whichever exist. Any folder
# with a labels.json of {"file", "boxes": [[x, y, w, h], ...]} works; a folder named plates is
# run with --detect plates (faces otherwise, the default), and labels with a "country" are also
# scored per country.
# Environment: JOBS (default 2), OUT (scratch folder, default a new temp folder).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -gt 0 ]; then
    datasets=("$1")
    shift
else
    datasets=("$root/../shared/eval/faces" "$root/../shared/eval/plates")
fi
"$root/scripts/setup.sh"
(cd "$root" && swift build -c release --product obscura >/dev/null && swift build -c release --product obscura-eval >/dev/null)
bin=$(cd "$root" && swift build -c release --show-bin-path)
jobs=${JOBS:-2}
scratch=${OUT:-$(mktemp -d)}
for dataset in "${datasets[@]}"; do
    if [ ! -f "$dataset/labels.json" ]; then
        echo "eval: no labels.json in $dataset (the evaluation data is not on this machine); skipped" >&2
        continue
    fi
    name=$(basename "$dataset")
    out=$scratch/$name
    images=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$dataset/labels.json")
    kinds=()
    [ "$name" = plates ] && kinds=(--detect plates)
    echo "== $name ($images labelled images) ${kinds[*]:-}"
    start=$(date +%s.%N)
    "$bin/obscura" anonymize "$dataset" -o "$out" --style solid --fill ff00ff --format png --jobs "$jobs" --quiet --overwrite ${kinds[@]+"${kinds[@]}"} "$@" || true
    end=$(date +%s.%N)
    "$bin/obscura-eval" --labels "$dataset/labels.json" --outputs "$out" --fill ff00ff --json "$scratch/$name-score.json"
    awk -v s="$start" -v e="$end" -v n="$images" -v j="$jobs" \
        'BEGIN { printf "time: %.1f s for %d images with %d workers = %.3f s per image\n", e - s, n, j, (e - s) / n }'
    echo "scores in $scratch/$name-score.json, outputs in $out"
done
