#!/usr/bin/env python3
"""Asks whether a plate's look (issue 11: a light plate, dark characters of one height, a
plate's size) separates the plate regions of `--detect plates` on the plate set from those on
the crowd photos, which have almost no cars. It replays two report files and never writes
pixels or text.

    obscura anonymize ../shared/eval/plates/images -o /tmp/pl --detect plates --jobs 2 --quiet --report /tmp/pl.jsonl
    obscura anonymize ../shared/eval/faces/images  -o /tmp/pf --detect plates --jobs 2 --quiet --report /tmp/pf.jsonl
    python3 scripts/tuning/plate-look.py /tmp/pl.jsonl /tmp/pf.jsonl ../shared/eval/plates/labels.json [LOSS]

Needs numpy, scipy and Pillow. A plate region that covers at least half of a labelled plate is a
plate; a region on a crowd photo is a false plate. Features, from the upright original under the
region's box:
  - contrast: the two Otsu classes of grey, background (the larger) against characters;
  - sat: the background's mean saturation ((max - min) / max of RGB);
  - chars: blobs of the character class 35-95% of the box high and at most 35% of it wide;
  - h: the box height in pixels;
  - border: how much darker a band just outside the box is than the plate's background.
A rule keeps a region when chars >= C, sat < S, contrast >= K, h >= H and border >= B. The grid is searched
on the tuning halves (even entries of labels.json; crowd photos whose SHA-256 starts with an even byte,
half A, as for `verify`), keeping rules that lose at most LOSS labelled plates (default 1), and
the one with fewest false plates is then scored once on the held-out halves (odd entries, half B).
"""
import hashlib
import itertools
import json
import sys

import numpy as np
from PIL import Image, ImageOps
from scipy import ndimage

LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def otsu(grey):
    counts, _ = np.histogram(grey, 256, (0, 256))
    p = counts / counts.sum()
    w = np.cumsum(p)
    m = np.cumsum(p * np.arange(256))
    between = (m[-1] * w - m) ** 2 / (w * (1 - w) + 1e-9)
    return int(np.argmax(between))


def features(image, box):
    x, y, w, h = (int(round(v)) for v in box)
    height, width, _ = image.shape
    crop = image[max(0, y):min(height, y + h), max(0, x):min(width, x + w)]
    if crop.shape[0] < 4 or crop.shape[1] < 4:
        return None
    grey = crop @ LUMA
    bright = grey > otsu(grey)
    background = bright if bright.mean() >= 0.5 else ~bright
    characters = ~background
    top, bottom = crop.max(2), crop.min(2)
    blobs = 0
    labelled, _ = ndimage.label(characters)
    for found in ndimage.find_objects(labelled):
        if found is None:
            continue
        bh, bw = found[0].stop - found[0].start, found[1].stop - found[1].start
        if 0.35 * crop.shape[0] <= bh <= 0.95 * crop.shape[0] and bw <= 0.35 * crop.shape[1]:
            blobs += 1
    # A dark border: how much darker a band just outside the box (a fifth of its height, at
    # least 2 px) is than the plate's background.
    band = max(2, int(round(0.2 * h)))
    X0, Y0, X1, Y1 = max(0, x - band), max(0, y - band), min(width, x + w + band), min(height, y + h + band)
    around = image[Y0:Y1, X0:X1] @ LUMA
    inside = np.zeros(around.shape, bool)
    inside[max(0, y) - Y0:min(height, y + h) - Y0, max(0, x) - X0:min(width, x + w) - X0] = True
    border = float(grey[background].mean() - around[~inside].mean()) if (~inside).any() else 0.0
    return {
        "border": border,
        "contrast": float(abs(grey[background].mean() - (grey[characters].mean() if characters.any() else grey[background].mean()))),
        "sat": float(((top - bottom) / (top + 1e-3))[background].mean()),
        "chars": blobs,
        "h": h,
    }


def covers(region, label):
    ax, ay, aw, ah = region
    bx, by, bw, bh = label
    iw = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0, min(ay + ah, by + bh) - max(ay, by))
    return iw * ih / (bw * bh) >= 0.5


def regions(report):
    for line in open(report):
        record = json.loads(line)
        boxes = [r["box"] for r in record.get("regions", []) if r["kind"] == "plate"]
        if boxes:
            yield record["input"], boxes


def main():
    plates_report, faces_report, labels_path = sys.argv[1:4]
    loss = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    root = labels_path.rsplit("/", 1)[0]
    labels = {f"{root}/{e['file']}": (e["boxes"], "tune" if i % 2 == 0 else "held") for i, e in
              enumerate(json.load(open(labels_path)))}
    rows = []  # (kind, half, file, features)
    for path, boxes in regions(plates_report):
        image = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"), np.float32)
        plate_boxes, half = labels[path]
        for box in boxes:
            found = features(image, box)
            if found and any(covers(box, label) for label in plate_boxes):
                rows.append(("plate", half, path, found))
    for path, boxes in regions(faces_report):
        half = "tune" if hashlib.sha256(open(path, "rb").read()).digest()[0] % 2 == 0 else "held"
        image = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"), np.float32)
        for box in boxes:
            found = features(image, box)
            if found:
                rows.append(("false", half, path, found))

    def score(rule, half):
        kept = {}
        for kind, h, path, f in rows:
            if kind == "plate" and h == half:
                kept[path] = kept.get(path, False) or rule(f)
        false = sum(1 for kind, h, _, f in rows if kind == "false" and h == half and rule(f))
        return sum(not v for v in kept.values()), len(kept), false

    every = lambda f: True
    for half in ("tune", "held"):
        lost, plates, false = score(every, half)
        print(f"{half}: {plates} labelled plates found, {false} false plates before any rule")
    grid = itertools.product([0, 2, 3, 4, 5], [0.3, 0.4, 0.5, 0.6, 1.1], [0, 20, 30, 40, 50], [0, 10, 14, 18, 22],
                             [-255, 0, 10, 20, 40])
    results = []
    for c, s, k, h, b in grid:
        rule = lambda f, c=c, s=s, k=k, h=h, b=b: (f["chars"] >= c and f["sat"] < s and f["contrast"] >= k and f["h"] >= h
                                                   and f["border"] >= b)
        lost, plates, false = score(rule, "tune")
        if lost <= loss:
            results.append((false, lost, (c, s, k, h, b), rule))
    results.sort(key=lambda r: (r[0], r[1]))
    for false, lost, (c, s, k, h, b), _ in results[:5]:
        print(f"tuning: chars >= {c}, sat < {s}, contrast >= {k}, h >= {h}, border >= {b}: {lost} plates lost, {false} false plates")
    false, lost, settings, rule = results[0]
    lost, plates, false = score(rule, "held")
    print(f"held out, the best tuning rule {settings}: {lost} of {plates} plates lost, {false} false plates")


if __name__ == "__main__":
    main()
