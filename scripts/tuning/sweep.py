#!/usr/bin/env python3
"""Replays one low-threshold run's report against the labels for other thresholds and margins.

    obscura anonymize ../shared/eval/faces -o OUT --threshold 0.1 --report run.jsonl
    python3 scripts/tuning/sweep.py run.jsonl ../shared/eval/faces/labels.json

Paints ellipses exactly as Obscura's RegionPlanner and ShapeMask do (margin per side as a
fraction of the box, rounded outwards, inscribed ellipse tested at pixel centres) and scores
them the way obscura-eval does. Used to choose the default threshold and margin.
"""
import json, math, sys
import numpy as np

report, labels_path = sys.argv[1], sys.argv[2]
labels = {l["file"]: l for l in json.load(open(labels_path))}
runs = {}
for line in open(report):
    r = json.loads(line)
    if r["outcome"] != "written":
        continue
    key = r["input"].split("/faces/", 1)[1]
    runs[key] = r

def paint(w, h, regions, t, m):
    mask = np.zeros((h, w), bool)
    ys, xs = np.mgrid[0:h, 0:w]
    for reg in regions:
        if reg["score"] < t:
            continue
        x, y, bw, bh = reg["box"]
        x0, y0 = math.floor(x - bw * m), math.floor(y - bh * m)
        x1, y1 = math.ceil(x + bw + bw * m), math.ceil(y + bh + bh * m)
        cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
        sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if sx1 <= sx0 or sy1 <= sy0:
            continue
        sub_x, sub_y = xs[sy0:sy1, sx0:sx1], ys[sy0:sy1, sx0:sx1]
        inside = ((sub_x + 0.5 - cx) / rx) ** 2 + ((sub_y + 0.5 - cy) / ry) ** 2 <= 1
        mask[sy0:sy1, sx0:sx1] |= inside
    return mask

print("thr  margin  recall_all  recall>=20  recall>=40  outside  full>=20")
for t in [float(v) for v in (sys.argv[3] if len(sys.argv) > 3 else '0.1,0.2,0.3,0.4,0.5').split(',')]:
    for m in [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]:
        faces = covered = f20 = c20 = f40 = c40 = full20 = 0
        painted = outside = 0
        for key, r in runs.items():
            lab = labels[key]
            w, h = r["width"], r["height"]
            mask = paint(w, h, r["regions"], t, m)
            near = np.zeros((h, w), bool)
            for (bx, by, bw, bh) in lab["boxes"]:
                if bw <= 0 or bh <= 0:
                    continue
                x0, y0 = max(0, int(bx)), max(0, int(by))
                x1, y1 = min(w, math.ceil(bx + bw)), min(h, math.ceil(by + bh))
                if x1 <= x0 or y1 <= y0:
                    continue
                hit = mask[y0:y1, x0:x1].sum() * 2 >= (x1 - x0) * (y1 - y0)
                size = max(bw, bh)
                faces += 1; covered += hit
                if size >= 20:
                    f20 += 1; c20 += hit
                    full20 += mask[y0:y1, x0:x1].sum() >= 0.9 * (x1 - x0) * (y1 - y0)
                if size >= 40: f40 += 1; c40 += hit
                dx, dy = bw / 2, bh / 2
                near[max(0, int(by - dy)):min(h, math.ceil(by + bh + dy)), max(0, int(bx - dx)):min(w, math.ceil(bx + bw + dx))] = True
            painted += mask.sum(); outside += (mask & ~near).sum()
        print(f"{t:.1f}  {m:.2f}    {covered/faces:.3f}       {c20/f20:.3f}       {c40/f40:.3f}     {outside/max(painted,1):.3f}    {full20/f20:.3f}")
