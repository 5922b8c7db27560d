#!/usr/bin/env bash
# Rebuilds the README's before/after pictures from the sample photo, with the obscura binary.
# Needs ImageMagick and the DejaVu fonts (apt-get install imagemagick fonts-dejavu-core) for
# cropping and montage only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
cd "$root"
swift build -c release --product obscura >/dev/null
obscura=$(swift build -c release --show-bin-path)/obscura
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
photo=samples/photos/astronaut.png
im=/usr/bin/convert

run() { "$obscura" anonymize "$photo" -o "$work/$1.png" --quiet --overwrite "${@:2}"; }
run pixelate
run blur --style blur
run solid --style solid
run rect --style solid --fill ff00ff --shape rect
crop() { $im "$1" -crop 300x300+106+0 +repage -resize 220x220 "$2"; }
crop "$photo" "$work/0.png"
for style in pixelate blur solid rect; do crop "$work/$style.png" "$work/c-$style.png"; done
montage -label 'input' "$work/0.png" -label 'pixelate (default)' "$work/c-pixelate.png" \
    -label '--style blur' "$work/c-blur.png" -label '--style solid' "$work/c-solid.png" \
    -label '--shape rect --fill ff00ff' "$work/c-rect.png" \
    -tile 5x1 -geometry +4+4 -font DejaVu-Sans -pointsize 14 "$work/styles.png"
$im "$work/styles.png" -strip -quality 82 docs/images/styles.jpg

# Small and distant faces: the same portrait at 256, 96, 48, 28 and 18 px on one canvas.
$im -size 900x360 xc:'#8a9aa8' \
    \( "$photo" -resize 256x256 \) -geometry +20+52 -composite \
    \( "$photo" -resize 96x96 \) -geometry +320+132 -composite \
    \( "$photo" -resize 48x48 \) -geometry +470+156 -composite \
    \( "$photo" -resize 28x28 \) -geometry +570+166 -composite \
    \( "$photo" -resize 18x18 \) -geometry +650+171 -composite \
    \( "$photo" -resize 48x48 -flop \) -geometry +760+40 -composite \
    "$work/crowd.png"
"$obscura" anonymize "$work/crowd.png" -o "$work/crowd-clean.png" --quiet --overwrite --style solid --fill ff00ff
montage -label 'input' "$work/crowd.png" -label 'obscura anonymize --style solid --fill ff00ff' "$work/crowd-clean.png" \
    -tile 1x2 -geometry +4+4 -font DejaVu-Sans -pointsize 14 "$work/scales.png"
$im "$work/scales.png" -strip -resize 700x -quality 82 docs/images/scales.jpg
ls -l docs/images
