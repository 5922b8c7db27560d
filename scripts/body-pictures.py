#!/usr/bin/env python3
"""Makes the README's pictures of `--detect bodies` and `--feather` from the public-domain
astronaut portrait (samples/photos/astronaut.png, fetched by scripts/setup.sh):

    python3 scripts/body-pictures.py OBSCURA_BINARY OUTPUT_FOLDER

- bodies.jpg: a group made of copies of the portrait at several sizes (no redistributable photo
  of a real crowd is available to this project), before and after `--detect bodies`;
- feather.jpg: the portrait with `--detect faces --style pixelate`, without and with `--feather 24`.
Needs Pillow.
"""
import os
import subprocess
import sys
import tempfile

from PIL import Image

binary, output = sys.argv[1], sys.argv[2]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
portrait = Image.open(os.path.join(root, "samples/photos/astronaut.png")).convert("RGB")


def run(source, target, *arguments):
    subprocess.run([binary, "anonymize", source, "-o", target, "--overwrite", "--quiet", *arguments], check=True)
    return Image.open(target).convert("RGB")


def side_by_side(left, right, width):
    height = round(left.height * width / left.width)
    canvas = Image.new("RGB", (2 * width + 8, height), "white")
    canvas.paste(left.resize((width, height), Image.LANCZOS), (0, 0))
    canvas.paste(right.resize((width, height), Image.LANCZOS), (width + 8, 0))
    return canvas


with tempfile.TemporaryDirectory() as scratch:
    # A group: the portrait's upper body at three sizes, in two rows, over a plain backdrop.
    group = Image.new("RGB", (1200, 640), (196, 201, 206))
    for x, y, side in [(0, 140, 500), (330, 40, 380), (620, 60, 360), (860, 150, 440), (210, 330, 310), (700, 340, 300)]:
        group.paste(portrait.resize((side, side), Image.LANCZOS), (x, y))
    source = os.path.join(scratch, "group.png")
    group.save(source)
    after = run(source, os.path.join(scratch, "group-out.png"), "--detect", "bodies")
    side_by_side(group, after, 600).save(os.path.join(output, "bodies.jpg"), quality=85)

    source = os.path.join(scratch, "portrait.png")
    portrait.save(source)
    plain = run(source, os.path.join(scratch, "plain.png"), "--detect", "faces")
    soft = run(source, os.path.join(scratch, "soft.png"), "--detect", "faces", "--feather", "24")
    side_by_side(plain, soft, 360).save(os.path.join(output, "feather.jpg"), quality=85)
