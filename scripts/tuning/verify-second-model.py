#!/usr/bin/env python3
"""A second, independent look for verify (issue 16), measured and not kept: BlazeFace short range
(MediaPipe's face detector, Apache-2.0, in the `mediapipe` 0.10.14 wheel; 1.2.2 ships no models)
scores a crop around every face `obscura verify` reports, and rules that combine both scores are
counted on half A of `../shared/eval/faces`.

    pip download --no-deps --only-binary=:all: --python-version 3.11 \
        --platform manylinux2014_x86_64 mediapipe==0.10.14 -d /tmp/mp
    unzip -o /tmp/mp/mediapipe-0.10.14-*.whl 'mediapipe/modules/face_detection/*.tflite' -d /tmp/mp/x
    # ORIG: a folder of the half's photos (same paths below it as in labels.json); OUT: their
    # default outputs (`obscura anonymize ORIG -o OUT`)
    obscura verify OUT --threshold 0.2 --json > out.jsonl
    obscura verify ORIG --threshold 0.2 --json > orig.jsonl
    python3 scripts/tuning/verify-second-model.py out.jsonl orig.jsonl /tmp/mp/x  # needs openvino, numpy, Pillow

False alarms: reported faces on the outputs that overlap no labelled face. Hits: labelled faces
of 20 px or more (longer side) on the originals with a reported box of IoU >= 0.3.
"""
import itertools, json, os, sys
import numpy as np
import openvino as ov
from PIL import Image

outputs, originals, mediapipe = sys.argv[1], sys.argv[2], sys.argv[3]
faces = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/eval/faces")
labels = {entry["file"]: entry["boxes"] for entry in json.load(open(os.path.join(faces, "labels.json")))}

core = ov.Core()
model = core.compile_model(core.read_model(os.path.join(mediapipe, "mediapipe/modules/face_detection/face_detection_short_range.tflite")),
                           "CPU", {"INFERENCE_NUM_THREADS": 2})
classes = [o for o in model.outputs if o.get_partial_shape()[-1].get_length() == 1][0]
regressors = [o for o in model.outputs if o.get_partial_shape()[-1].get_length() == 16][0]
# The short-range model's anchors: 16 × 16 cells with 2 anchors, then 8 × 8 with 6.
anchor_x, anchor_y = [], []
for grid, count in [(16, 2), (8, 6)]:
    for iy, ix, _ in itertools.product(range(grid), range(grid), range(count)):
        anchor_x.append((ix + 0.5) / grid)
        anchor_y.append((iy + 0.5) / grid)
anchor_x, anchor_y = np.array(anchor_x), np.array(anchor_y)

def second_score(image, box, grow=0.25):
    """BlazeFace's best score for a face centred in the crop (box grown by `grow` each side, 128 px)."""
    x, y, w, h = box
    side = max(w, h) * (1 + 2 * grow)
    cx, cy = x + w / 2, y + h / 2
    crop = image.crop((int(cx - side / 2), int(cy - side / 2), int(cx + side / 2), int(cy + side / 2))).resize((128, 128), Image.BILINEAR)
    result = model((np.asarray(crop, dtype=np.float32) / 127.5 - 1)[None])
    logits, boxes = result[classes][0, :, 0], result[regressors][0]
    centred = (abs(boxes[:, 0] / 128 + anchor_x - 0.5) < 0.2) & (abs(boxes[:, 1] / 128 + anchor_y - 0.5) < 0.2) \
        & (boxes[:, 2] / 128 > 0.3) & (boxes[:, 2] / 128 < 1.1)
    return float(1 / (1 + np.exp(-np.clip(logits[centred].max(), -50, 50)))) if centred.any() else 0.0

def read(path):
    rows = []
    for line in open(path):
        record = json.loads(line)
        image = Image.open(record["path"]).convert("RGB")
        relative = record["path"].split("/", 1)[1]
        rows.append((labels[relative], [(f["box"], f["score"], second_score(image, f["box"])) for f in record["faces"]]))
    return rows

def iou(a, b):
    w = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    h = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    union = a[2] * a[3] + b[2] * b[3] - w * h
    return w * h / union if union > 0 else 0

def overlaps(a, b):
    return min(a[0] + a[2], b[0] + b[2]) > max(a[0], b[0]) and min(a[1] + a[3], b[1] + b[3]) > max(a[1], b[1])

out_rows, orig_rows = read(outputs), read(originals)

def count(rule):
    alarms = sum(1 for boxes, found in out_rows for box, s, b in found if rule(s, b) and not any(overlaps(box, l) for l in boxes))
    wanted = [(l, found) for boxes, found in orig_rows for l in boxes if max(l[2], l[3]) >= 20]
    hits = sum(1 for l, found in wanted if any(rule(s, b) and iou(box, l) >= 0.3 for box, s, b in found))
    return alarms, hits, len(wanted)

print("CenterFace alone, then with BlazeFace >= b as a veto:")
for t, b in itertools.product([0.2, 0.3, 0.4], [0, 0.3, 0.5]):
    alarms, hits, total = count(lambda s, second: s >= t and second >= b)
    print(f"  t={t} b={b}: false alarms {alarms} ({100 * alarms / len(out_rows):.1f}/100), hits {hits}/{total} ({100 * hits / total:.1f}%)")
print("Best combined rule for each false-alarm count: s >= high, or s >= 0.2 and b >= bt, or s >= mid and b >= bm")
best = {}
for high, bt, (mid, bm) in itertools.product([0.4, 0.5, 0.6, 0.7, 0.8], [0.5, 0.7, 0.9],
                                             [(1.1, 0), (0.3, 0.3), (0.35, 0.3), (0.4, 0.1), (0.4, 0.3)]):
    alarms, hits, total = count(lambda s, b: s >= high or (s >= 0.2 and b >= bt) or (s >= mid and b >= bm))
    if alarms not in best or hits > best[alarms][0]:
        best[alarms] = (hits, total, high, bt, mid, bm)
for alarms in sorted(best)[:6]:
    hits, total, high, bt, mid, bm = best[alarms]
    print(f"  false alarms {alarms} ({100 * alarms / len(out_rows):.1f}/100): hits {hits}/{total} ({100 * hits / total:.1f}%)"
          f"  high={high} bt={bt} mid={mid} bm={bm}")
