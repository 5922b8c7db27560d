#!/usr/bin/env python3
"""Scores `--detect bodies` without body labels (issue 12's rule), from output images only.

    python3 scripts/bodies-eval.py LABELS.json OUTPUT_FOLDER [tune|report|all]

For every labelled face of at least 20 px, a person counts as covered when two boxes are each
at least half painted: the face box, and a torso box 1.5 face widths wide and 1.5 face heights
tall starting 1.2 face heights below the top of the face (torso boxes mostly outside the photo
are skipped). Painted means the solid magenta fill (run with `--style solid --fill ff00ff
--format png`). The faces set is split by position in labels.json: even entries are the part
tuned on, odd entries the part reported. Needs Pillow.
"""
import json
import os
import sys

from PIL import Image


def painted_fraction(mask, width, box):
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    total = hit = 0
    for y in range(y0, y1):
        row = y * width
        for x in range(x0, x1):
            total += 1
            hit += mask[row + x]
    return hit / total if total else 0.0


def main():
    labels, outputs = sys.argv[1], sys.argv[2]
    part = sys.argv[3] if len(sys.argv) > 3 else "all"
    entries = json.load(open(labels))
    people = covered = faces_ok = 0
    painted_pixels = all_pixels = 0
    for index, entry in enumerate(entries):
        if part == "tune" and index % 2 == 1 or part == "report" and index % 2 == 0:
            continue
        name = os.path.splitext(os.path.basename(entry["file"]))[0] + ".png"
        path = next((os.path.join(root, name) for root, _, files in os.walk(outputs) if name in files), None)
        if path is None:
            print(f"missing output for {entry['file']}", file=sys.stderr)
            continue
        image = Image.open(path).convert("RGB")
        width, height = image.size
        mask = [1 if r > 235 and g < 20 and b > 235 else 0 for r, g, b in image.getdata()]
        painted_pixels += sum(mask)
        all_pixels += len(mask)
        for x, y, w, h in entry["boxes"]:
            if min(w, h) < 20:
                continue
            torso = (x + w / 2 - 0.75 * w, y + 1.2 * h, x + w / 2 + 0.75 * w, y + 2.7 * h)
            clipped = (max(torso[0], 0), max(torso[1], 0), min(torso[2], width), min(torso[3], height))
            inside = max(0, clipped[2] - clipped[0]) * max(0, clipped[3] - clipped[1])
            if inside < 0.5 * (torso[2] - torso[0]) * (torso[3] - torso[1]):
                continue
            people += 1
            face = painted_fraction(mask, width, (max(x, 0), max(y, 0), min(x + w, width), min(y + h, height))) >= 0.5
            faces_ok += face
            if face and painted_fraction(mask, width, clipped) >= 0.5:
                covered += 1
    print(f"part {part}: {people} people (faces >= 20 px with a torso box in the photo)")
    print(f"covered (face and torso each at least half painted): {covered} = {100 * covered / max(people, 1):.1f}%")
    print(f"faces at least half painted: {faces_ok} = {100 * faces_ok / max(people, 1):.1f}%")
    print(f"painted share of all pixels: {100 * painted_pixels / max(all_pixels, 1):.1f}%")


main()
