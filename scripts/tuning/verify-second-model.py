#!/usr/bin/env python3
"""A second, independent look for verify (issue 16), measured and not kept: a second face model
scores a crop around every face `obscura verify` reports, and rules that combine both scores are
counted on half A of `../shared/eval/faces`. Two models, both from PyPI wheels:
- `blazeface`: BlazeFace short range (MediaPipe's face detector, Apache-2.0, in the `mediapipe`
  0.10.14 wheel; 1.2.2 ships no models), on a 128 px crop of the box grown by a quarter;
- `onet`: MTCNN's O-Net (the `facenet-pytorch` 2.6.0 wheel, MIT), a face / not-face classifier
  of 48 px crops, on the box made square. Its weights are a legacy PyTorch pickle, read here
  without PyTorch and built as an OpenVINO model.

    pip download --no-deps --only-binary=:all: --python-version 3.11 \
        --platform manylinux2014_x86_64 mediapipe==0.10.14 -d /tmp/mp
    unzip -o /tmp/mp/mediapipe-0.10.14-*.whl 'mediapipe/modules/face_detection/*.tflite' -d /tmp/mp/x
    pip download --no-deps facenet-pytorch==2.6.0 -d /tmp/mt
    unzip -o /tmp/mt/facenet_pytorch-2.6.0-*.whl 'facenet_pytorch/data/onet.pt' -d /tmp/mt
    # ORIG: a folder of the half's photos (same paths below it as in labels.json); OUT: their
    # default outputs (`obscura anonymize ORIG -o OUT`)
    obscura verify OUT --threshold 0.2 --json > out.jsonl
    obscura verify ORIG --threshold 0.2 --json > orig.jsonl
    # needs openvino, numpy, Pillow
    python3 scripts/tuning/verify-second-model.py out.jsonl orig.jsonl blazeface /tmp/mp/x/mediapipe/modules/face_detection/face_detection_short_range.tflite
    python3 scripts/tuning/verify-second-model.py out.jsonl orig.jsonl onet /tmp/mt/facenet_pytorch/data/onet.pt

False alarms: reported faces on the outputs that overlap no labelled face. Hits: labelled faces
of 20 px or more (longer side) on the originals with a reported box of IoU >= 0.3.
"""
import collections, itertools, json, os, pickle, struct, sys
import numpy as np
import openvino as ov
from PIL import Image

outputs, originals, which, model_path = sys.argv[1:5]
faces = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/eval/faces")
labels = {entry["file"]: entry["boxes"] for entry in json.load(open(os.path.join(faces, "labels.json")))}

core = ov.Core()

def legacy_torch_weights(path):
    """A state dict saved by PyTorch before 1.6 (pickles, then each storage's raw bytes) as numpy arrays."""
    storages = {}

    class Reader(pickle.Unpickler):
        def find_class(self, module, name):
            if name in ("_rebuild_tensor", "_rebuild_tensor_v2"):
                return lambda storage, offset, size, stride, *rest: (storage, offset, tuple(size), tuple(stride))
            if module == "torch" and name == "FloatStorage":
                return np.float32
            if module == "collections" and name == "OrderedDict":
                return collections.OrderedDict
            raise pickle.UnpicklingError(f"unexpected {module}.{name}")

        def persistent_load(self, saved):
            return storages.setdefault(saved[2], {"dtype": saved[1]})

    with open(path, "rb") as f:
        for _ in range(3):  # magic number, protocol version, system info
            pickle.load(f)
        tensors = Reader(f).load()
        for key in pickle.load(f):
            count = struct.unpack("<q", f.read(8))[0]
            storages[key]["data"] = np.frombuffer(f.read(count * 4), dtype=np.float32)
    return {name: np.lib.stride_tricks.as_strided(storage["data"][offset:], shape=size, strides=[4 * s for s in stride]).copy()
            for name, (storage, offset, size, stride) in tensors.items()}

def onet(path):
    """facenet-pytorch's `ONet` (conv 3-3-3-2 with PReLU and ceil-mode pooling, dense 256), face probability out."""
    import openvino.opset8 as ops8
    import openvino.opset13 as ops
    w = legacy_torch_weights(path)
    crops = ops.parameter([-1, 3, 48, 48], np.float32)

    def conv(x, n):
        y = ops.convolution(x, ops.constant(w[n + ".weight"]), [1, 1], [0, 0], [0, 0], [1, 1])
        return ops.prelu(ops.add(y, ops.constant(w[n + ".bias"].reshape(1, -1, 1, 1))), ops.constant(w["prelu" + n[-1] + ".weight"].reshape(1, -1, 1, 1)))

    def pool(x, k, s):
        return ops8.max_pool(x, [s, s], [1, 1], [0, 0], [0, 0], [k, k], rounding_type="ceil").output(0)

    def dense(x, n):
        return ops.add(ops.matmul(x, ops.constant(w[n + ".weight"]), False, True), ops.constant(w[n + ".bias"]))

    y = conv(pool(conv(pool(conv(pool(conv(crops, "conv1"), 3, 2), "conv2"), 3, 2), "conv3"), 2, 2), "conv4")
    y = ops.reshape(ops.transpose(y, ops.constant(np.array([0, 3, 2, 1]))), ops.constant(np.array([-1, 1152])), False)
    y = ops.prelu(dense(y, "dense5"), ops.constant(w["prelu5.weight"].reshape(1, -1)))
    return core.compile_model(ov.Model([ops.softmax(dense(y, "dense6_1"), 1)], [crops]), "CPU", {"INFERENCE_NUM_THREADS": 2})

model = core.compile_model(core.read_model(model_path), "CPU", {"INFERENCE_NUM_THREADS": 2}) if which == "blazeface" else onet(model_path)
if which == "blazeface":
    classes = [o for o in model.outputs if o.get_partial_shape()[-1].get_length() == 1][0]
    regressors = [o for o in model.outputs if o.get_partial_shape()[-1].get_length() == 16][0]
# The short-range model's anchors: 16 × 16 cells with 2 anchors, then 8 × 8 with 6.
anchor_x, anchor_y = [], []
for grid, count in [(16, 2), (8, 6)]:
    for iy, ix, _ in itertools.product(range(grid), range(grid), range(count)):
        anchor_x.append((ix + 0.5) / grid)
        anchor_y.append((iy + 0.5) / grid)
anchor_x, anchor_y = np.array(anchor_x), np.array(anchor_y)

def second_score(image, box):
    return blazeface_score(image, box) if which == "blazeface" else onet_score(image, box)

def onet_score(image, box):
    """O-Net's face probability for the box made square (48 px, `(v - 127.5) / 128` as MTCNN feeds it)."""
    x, y, w, h = box
    side, cx, cy = max(w, h), x + w / 2, y + h / 2
    crop = image.crop((round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2))).resize((48, 48), Image.BILINEAR)
    return float(model(((np.asarray(crop, dtype=np.float32).transpose(2, 0, 1) - 127.5) / 128)[None])[0][0, 1])

def blazeface_score(image, box, grow=0.25):
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

print(f"CenterFace alone, then with {which} >= b as a veto:")
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
