#!/usr/bin/env python3
"""Replays one `obscura anonymize --detect text,plates --report R` run on a plate set and shows
what each kind of evidence covers, without running the detectors again.

    python3 scripts/tuning/plates.py run.jsonl ../shared/eval/plates/labels.json

A labelled plate counts as covered when at least half of its box lies in painted rectangles
(the rule obscura-eval applies to output pixels). Text lines are the `text` regions; cascade hits
are the `plate` regions that are not also a text line. The plate-shape filter is replayed here
with the thresholds below, so they can be tried without a new run. Painted area outside the
labels is counted over the union of painted rectangles, each label grown by half its size.
"""
import json
import sys
from collections import defaultdict

MARGIN = 0.2
NEIGHBOURS = int(next((a.split("=")[1] for a in sys.argv if a.startswith("--neighbours=")), "8"))  # RegionPlanner.textMargin, a fraction of the box height on every side


def painted(box, width, height):
    x, y, w, h = box
    m = MARGIN * h
    import math
    x0, y0 = max(0, math.floor(x - m)), max(0, math.floor(y - m))
    x1, y1 = min(width, math.ceil(x + w + m)), min(height, math.ceil(y + h + m))
    return (x0, y0, x1, y1)


def covered(label, rects):
    x, y, w, h = label
    x0, y0, x1, y1 = int(x), int(y), int(x + w + 0.999), int(y + h + 0.999)
    inside = hit = 0
    for yy in range(y0, y1):
        spans = sorted((max(r[0], x0), min(r[2], x1)) for r in rects if r[1] <= yy < r[3] and r[0] < x1 and r[2] > x0)
        run, end = 0, x0
        for a, b in spans:
            a = max(a, end)
            if b > a:
                run += b - a
                end = b
        hit += run
        inside += x1 - x0
    return inside > 0 and 2 * hit >= inside


def shaped(box, width, height, lo=1.2, hi=8, min_h=8, max_hf=0.3, max_wf=0.6):
    x, y, w, h = box
    return h >= min_h and lo <= w / h <= hi and h <= max_hf * height and w <= max_wf * width


def area(rects, width, height, labels):
    """Painted pixels, and those outside the labels grown by half a box."""
    import numpy as np
    mask = np.zeros((height, width), bool)
    for x0, y0, x1, y1 in rects:
        mask[y0:y1, x0:x1] = True
    near = np.zeros((height, width), bool)
    for x, y, w, h in labels:
        near[max(0, int(y - h / 2)):int(y + 1.5 * h + 1), max(0, int(x - w / 2)):int(x + 1.5 * w + 1)] = True
    return int(mask.sum()), int((mask & ~near).sum())


def main():
    report, labels_path = sys.argv[1], sys.argv[2]
    labels = {l["file"].split("/")[-1]: l for l in json.load(open(labels_path))}
    records = [json.loads(line) for line in open(report)]
    sets = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))  # name → country → [n, hit, painted, outside]
    misses = defaultdict(list)
    for record in records:
        name = record["input"].split("/")[-1]
        label = labels.get(name)
        if label is None or record["outcome"] != "written":
            continue
        w, h = label["width"], label["height"]
        text = [r["box"] for r in record["regions"] if r["kind"] == "text"]
        plates = [r["box"] for r in record["regions"] if r["kind"] == "plate"]
        cascadeRegions = [r for r in record["regions"] if r["kind"] == "plate" and r["box"] not in text]
        cascade = [r["box"] for r in cascadeRegions]
        # PlateDetector scores a hit with n neighbours as min(1, 0.35 + 0.065 n).
        strong = [r["box"] for r in cascadeRegions if r["score"] >= 0.35 + 0.065 * NEIGHBOURS - 1e-6]
        shapedText = [b for b in text if shaped(b, w, h)]
        choices = {
            "all text lines": text,
            "plate-shaped text lines": shapedText,
            "cascade": cascade,
            "plates as run (shaped text + cascade)": plates,
            f"shaped text + cascade, >= {NEIGHBOURS} neighbours": shapedText + strong,
        }
        for key, boxes in choices.items():
            rects = [painted(b, w, h) for b in boxes]
            hit = all(covered(b, rects) for b in label["boxes"])
            total, outside = area(rects, w, h, label["boxes"])
            for country in (label["country"], "all"):
                entry = sets[key][country]
                entry[0] += 1
                entry[1] += hit
                entry[2] += total
                entry[3] += outside
            if not hit:
                misses[key].append(name)
    for key, countries in sets.items():
        parts = []
        for country in ("all", "br", "eu", "us"):
            n, hit, total, outside = countries[country]
            if n:
                parts.append(f"{country} {hit}/{n} = {hit / n:.3f}")
        n, hit, total, outside = countries["all"]
        print(f"{key:40s} " + "  ".join(parts) + f"  painted outside {outside / max(total, 1):.1%}")
    if "-v" in sys.argv:
        for key, names in misses.items():
            print(key, "misses:", " ".join(names))


if __name__ == "__main__":
    main()
