#!/usr/bin/env python3
"""Measures how much of a JPEG->JPEG run's output is the input, with Pillow as an independent
decoder (it has its own libjpeg; Obscura's decoder is not involved).

    python3 scripts/lossless-check.py INPUT_FOLDER OUTPUT_FOLDER REPORT.jsonl

For every written JPEG output in the report it prints, and then sums up:
  - identical blocks: of the 16 x 16 blocks (on the 16-pixel grid of the upright image) that lie
    at least 16 px away from every painted rectangle, the share whose pixels decode
    bit-identical in input and output;
  - size: output bytes / bytes of the input with its metadata removed (`exiftool -all=`);
  - encode: the report's per-image encode time (ms) and the `lossless` flag.
Needs Pillow (`pip install pillow`) and exiftool.
"""
import json
import os
import statistics
import subprocess
import sys

from PIL import Image, ImageOps


def stripped_size(path):
    data = subprocess.run(["exiftool", "-all=", "-o", "-", path], capture_output=True, check=True).stdout
    return len(data)


def far_from_all(bx, by, rects, margin=16, side=16):
    # The block [bx, bx+side) x [by, by+side) grown by `margin` must not meet any rectangle.
    for x, y, w, h in rects:
        if bx - margin < x + w and x < bx + side + margin and by - margin < y + h and y < by + side + margin:
            return False
    return True


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    inputs, outputs, report = sys.argv[1:]
    total_blocks = same_blocks = 0
    ratios, encode_ms, lossless = [], [], []
    for line in open(report):
        record = json.loads(line)
        if record.get("outcome") != "written" or record.get("outputFormat") != "jpeg":
            continue
        source = os.path.join(inputs, record["input"]) if not os.path.isabs(record["input"]) else record["input"]
        target = os.path.join(outputs, record["output"]) if not os.path.isabs(record["output"]) else record["output"]
        before = ImageOps.exif_transpose(Image.open(source)).convert("RGB")
        after = Image.open(target).convert("RGB")
        assert before.size == after.size, (source, before.size, after.size)
        rects = [r["painted"] for r in record.get("regions", [])]
        a, b = before.tobytes(), after.tobytes()
        width, height = before.size
        blocks = same = 0
        for by in range(0, height - 15, 16):
            for bx in range(0, width - 15, 16):
                if not far_from_all(bx, by, rects):
                    continue
                blocks += 1
                if all(a[((by + row) * width + bx) * 3:((by + row) * width + bx + 16) * 3]
                       == b[((by + row) * width + bx) * 3:((by + row) * width + bx + 16) * 3] for row in range(16)):
                    same += 1
        total_blocks += blocks
        same_blocks += same
        ratio = os.path.getsize(target) / stripped_size(source)
        ratios.append(ratio)
        encode_ms.append(record["timingsMs"]["encode"])
        lossless.append(record.get("lossless"))
        print(f"{record['input']}: blocks {same}/{blocks}, size {ratio:.4f}, encode {record['timingsMs']['encode']} ms, "
              f"lossless {record.get('lossless')} {record.get('losslessFallback') or ''}")
    if not ratios:
        sys.exit("no JPEG outputs in the report")
    print(f"images: {len(ratios)} (lossless: {sum(1 for v in lossless if v)})")
    print(f"identical blocks >= 16 px from painted regions: {same_blocks}/{total_blocks} = "
          f"{100 * same_blocks / max(total_blocks, 1):.3f}%")
    print(f"output size / stripped input size: median {statistics.median(ratios):.4f}, "
          f"min {min(ratios):.4f}, max {max(ratios):.4f}")
    print(f"encode ms per photo: median {statistics.median(encode_ms):.1f}, mean {statistics.mean(encode_ms):.1f}")


if __name__ == "__main__":
    main()
