#!/usr/bin/env bash
# Anonymizes the sample photo, installing what is needed first, and shows what came out:
#   samples/photos/astronaut.png → samples/clean/astronaut.png (+ samples/clean/report.jsonl)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
cd "$root"
swift build -c release --product obscura
obscura=$(swift build -c release --show-bin-path)/obscura
rm -rf samples/clean
"$obscura" anonymize samples/photos -o samples/clean --report samples/clean/report.jsonl
echo
echo "Faces found (from the report):"
python3 - samples/clean/report.jsonl <<'PY'
import json, sys
for line in open(sys.argv[1]):
    record = json.loads(line)
    for region in record["regions"]:
        print(f"  {record['input']}: {region['kind']} score {region['score']}, box {region['box']}, "
              f"painted {region['painted']} with {region['style']} (cell {region.get('cell')} px)")
PY
echo
echo "Metadata exiftool still finds in the output (pixels and container only):"
exiftool -a -G1 -u -e samples/clean/astronaut.png | grep -vE '^\[(ExifTool|System)\]'
echo
echo "Done: open samples/clean/astronaut.png. The obscura binary is $obscura"
