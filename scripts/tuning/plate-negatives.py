#!/usr/bin/env python3
"""Pictures without vehicles whose short text lines have a plate's shape: crowd photos of
../shared/eval/faces with a white band of name captions below (and sometimes a name on the photo),
and app screenshots with field labels and values. `--detect plates` should find no plate in them.

    python3 scripts/tuning/plate-negatives.py FIRST_SEED END_SEED OUT_FOLDER

Seeds 0-39 were looked at while choosing the plate-reading rules (PlateReading); 100-139 were
scored once, after. Needs Pillow and the DejaVu fonts (fonts-dejavu-core).
"""
import glob
import os
import random
import sys
from PIL import Image, ImageDraw, ImageFont
FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"]
GIVEN = ["Maria", "Jonas", "Lea", "Tom", "Anna", "Pedro", "Sofia", "Lukas", "Emma", "Noah", "Julia", "Marco", "Ines", "Ben", "Clara", "Omar"]
FAMILY = ["Gonzalez", "Becker", "Rossi", "Dubois", "Jansen", "Smith", "Novak", "Weber", "Costa", "Meyer", "Moreau", "Kowalski"]
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
faces = sorted(glob.glob(os.path.join(ROOT, "..", "shared", "eval", "faces", "images", "*", "*.jpg")))
if not faces:
    sys.exit("plate-negatives: ../shared/eval/faces is absent; it supplies the photos")
SEEDS = range(int(sys.argv[1]), int(sys.argv[2]))
out = sys.argv[3]
os.makedirs(out, exist_ok=True)
def name(r): return r.choice(GIVEN) + " " + r.choice(FAMILY)
for seed in SEEDS:
    r = random.Random(seed)
    # captioned portrait: a crowd photo with a white band of names below
    photo = Image.open(faces[(seed * 7) % len(faces)]).convert("RGB")
    w, h = photo.size
    band = r.randint(60, 140)
    canvas = Image.new("RGB", (w, h + band), "white"); canvas.paste(photo, (0, 0))
    d = ImageDraw.Draw(canvas)
    size = r.randint(14, 30); font = ImageFont.truetype(r.choice(FONTS), size)
    n = r.randint(2, 5); x = 10
    for i in range(n):
        t = name(r) if r.random() < 0.8 else r.choice(["Grandma", "Uncle Tom", "Summer 1998", "Family 2019", "MOM & DAD", "Tante Ines"])
        d.text((int(w * i / n) + 8, h + r.randint(5, band - size - 5)), t, fill=(20, 20, 20), font=font)
    if r.random() < 0.5:  # a caption on the photo itself
        d.text((r.randint(0, w // 2), r.randint(0, h - 40)), name(r), fill=(255, 255, 255), font=ImageFont.truetype(r.choice(FONTS), r.randint(16, 34)))
    canvas.save(f"{out}/portrait{seed:02d}.jpg", quality=r.randint(75, 92))
    # app screenshot
    W, H = r.choice([(390, 844), (414, 896), (1080, 2340), (750, 1334), (1280, 800)])
    s = W / 390 if W < 1000 else 2.5
    dark = r.random() < 0.3
    bg, fg, muted = ((18, 18, 20), (240, 240, 240), (150, 150, 155)) if dark else ((250, 250, 252), (20, 20, 25), (110, 110, 120))
    img = Image.new("RGB", (W, H), bg); d = ImageDraw.Draw(img)
    F = lambda pt: ImageFont.truetype(r.choice(FONTS[:4]), max(10, int(pt * s)))
    y = int(40 * s)
    d.text((int(16 * s), y), r.choice(["Transfer", "Payment details", "Überweisung", "Virement", "Send money"]), fill=fg, font=F(24)); y += int(50 * s)
    fields = [("Recipient", name(r)), ("IBAN", "DE89 3704 0044 0532 0130 00"), ("BIC", "COBADEFFXXX"), ("Amount", f"€{r.randint(5, 999)}.{r.randint(0, 99):02d}"),
              ("Reference", f"Invoice {r.randint(2019, 2025)}-{r.randint(1, 999)}"), ("Date", f"{r.randint(1, 28):02d}.{r.randint(1, 12):02d}.2024"),
              ("Account", f"{r.randint(1000, 9999)} {r.randint(1000, 9999)}"), ("Status", r.choice(["Completed", "Pending", "Booked"])),
              ("Card", f"•••• {r.randint(1000, 9999)}"), ("Balance", f"EUR {r.randint(10, 9999)},{r.randint(0, 99):02d}"), ("Time", f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}"),
              ("Order", f"#{r.randint(100000, 999999)}"), ("Code", f"AB{r.randint(100, 999)}")]
    r.shuffle(fields)
    for label, value in fields[:r.randint(5, 10)]:
        d.text((int(16 * s), y), label, fill=muted, font=F(13)); y += int(20 * s)
        d.text((int(16 * s), y), value, fill=fg, font=F(r.choice([15, 17, 20]))); y += int(38 * s)
        if y > H - 120 * s: break
    bw = int(120 * s)
    d.rounded_rectangle((int(16 * s), H - int(90 * s), int(16 * s) + bw, H - int(50 * s)), radius=int(8 * s), fill=(30, 100, 220))
    d.text((int(30 * s), H - int(82 * s)), r.choice(["Send", "Confirm", "OK", "Next"]), fill="white", font=F(17))
    img.save(f"{out}/screen{seed:02d}." + r.choice(["png", "jpg"]), quality=90)
print(f"{2 * len(SEEDS)} pictures in {out}")
