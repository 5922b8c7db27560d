#!/usr/bin/env python3
"""Scores verify's face check on the labelled face set, from `obscura-eval verify` dumps.

    swift build -c release --product obscura-eval
    .build/release/obscura-eval verify --labels ../shared/eval/faces/labels.json --out dump.jsonl
    python3 scripts/tuning/verify-eval.py dump.jsonl [--half A|B|all] [--rule current|tuned]

The set is split in two halves by the first byte of each file's SHA-256 (even: A, odd: B).
Rules were tuned on half A only; half B is the held-out report.

Definitions (per half):
- false alarms: on the default outputs of `anonymize`, reported faces that overlap no labelled
  box at all (any size), per 100 outputs. Also given: reports on any labelled face that the
  output painted (a painted face reported again is a false alarm too, whatever the labels say).
- hit rate on originals: labelled faces of 20 px or more (longer side) with a reported box of
  IoU >= 0.3.
- hit rate on left-out outputs: the same for the one labelled face whose detection was left out
  of the render (with --left-out 2: the smallest and largest face of 20 px or more per photo).
  Faces still at least half covered by other painted ellipses are not counted.

A dump made with `obscura-eval verify --live` holds the faces the shipping Verifier reported
(standalone and with the painted pixels); it is scored as is, whatever `--rule` says.

`--mode standalone` scores `obscura verify` (no painted boxes known); `--mode painted` scores
`anonymize --verify`, which passes the painted boxes.
"""
import argparse, hashlib, json, math, os, sys

ap = argparse.ArgumentParser()
ap.add_argument("dump")
ap.add_argument("--half", default="A")
ap.add_argument("--faces", default=os.path.join(os.path.dirname(__file__), "../../../shared/eval/faces"))
ap.add_argument("--rule", default="tuned", help="current (before issue 16) or tuned")
ap.add_argument("--mode", default="both")
ap.add_argument("--list", action="store_true", help="print the false alarms (boxes and scores only)")
args = ap.parse_args()

def half_of(path):
    with open(os.path.join(args.faces, path), "rb") as f:
        return "A" if hashlib.sha256(f.read()).digest()[0] % 2 == 0 else "B"

lines = [json.loads(l) for l in open(args.dump)]
if args.half != "all":
    lines = [l for l in lines if half_of(l["file"]) == args.half]

def iou(a, b):
    w = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    h = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    i = w * h
    u = a[2] * a[3] + b[2] * b[3] - i
    return i / u if u > 0 else 0

def overlaps(a, b):
    return min(a[0] + a[2], b[0] + b[2]) > max(a[0], b[0]) and min(a[1] + a[3], b[1] + b[3]) > max(a[1], b[1])

def looks_redacted(e, mg=0.6, conc=0.7, fill=0.5, grid=None, flat=None, use_conc=True):
    if e["meanGradient"] < mg or e.get("fillShare", 0) >= fill:
        return True
    if use_conc and e["columnConcentration"] >= conc and e["rowConcentration"] >= conc:
        return True
    if grid is not None and min(e.get("columnGrid", 0), e.get("rowGrid", 0)) >= grid and e.get("flatShare", 0) >= flat:
        return True
    return False

# A rule: (detection, painted-mode?) -> reported?
def make_rule(t=0.2, mask=None, centre=True, mg=0.6, conc=0.7, fill=0.5, grid=None, flat=None, use_conc=True):
    def rule(d, use_painted):
        if d["score"] < t:
            return False
        if use_painted:
            if mask is None:
                if centre and d["centreInPainted"]:
                    return False
            elif d.get("maskCentral", 0) >= mask:
                return False
        return not looks_redacted(d["evidence"], mg, conc, fill, grid, flat, use_conc)
    return rule

# "current": the rule before issue 16 (score 0.2, centre in a painted box, fill/flat/concentration).
RULES = {"current": make_rule(),
         # What Verifier does since issue 16 (tuned on half A).
         "tuned": make_rule(t=0.4, mask=0.5, mg=0.15, fill=0.5, grid=0.7, flat=0.5, use_conc=False)}

def ellipse_share(box, painted):
    """Share of `box` inside the ellipses inscribed in the painted rectangles (the default
    shape), counted at pixel centres."""
    x0, y0 = int(box[0]), int(box[1])
    x1, y1 = int(math.ceil(box[0] + box[2])), int(math.ceil(box[1] + box[3]))
    if x1 <= x0 or y1 <= y0:
        return 0.0
    inside = total = 0
    near = [p for p in painted if overlaps(p, box)]
    for y in range(y0, y1):
        for x in range(x0, x1):
            total += 1
            for p in near:
                rx, ry = p[2] / 2, p[3] / 2
                if rx > 0 and ry > 0 and ((x + 0.5 - p[0] - rx) / rx) ** 2 + ((y + 0.5 - p[1] - ry) / ry) ** 2 <= 1:
                    inside += 1
                    break
    return inside / total

def score(rule, use_painted):
    outputs = fa = fa_painted = flagged = 0
    orig_f = orig_c = lo_f = lo_c = lo_failed = lo_covered = 0
    alarms = []
    for l in lines:
        big = [i for i, b in enumerate(l["boxes"]) if max(b[2], b[3]) >= 20]
        for v in l["variants"]:
            if "mode" in v:
                # A --live dump holds what the Verifier itself reported, once per mode.
                if v["kind"] != "original" and v["mode"] != ("painted" if use_painted else "alone"):
                    continue
                reported = v["detections"]
            else:
                reported = [d for d in v["detections"] if rule(d, use_painted and v["kind"] != "original")]
            if v["kind"] == "original":
                for i in big:
                    orig_f += 1
                    orig_c += any(iou(d["box"], l["boxes"][i]) >= 0.3 for d in reported)
            elif v["kind"] == "output":
                outputs += 1
                flagged += bool(reported)
                for d in reported:
                    if not any(overlaps(d["box"], b) for b in l["boxes"] if b[2] > 0 and b[3] > 0):
                        fa += 1
                        alarms.append((l["file"], d["box"], d["score"]))
                    elif any(overlaps(d["box"], p) for p in v["painted"]):
                        fa_painted += 1
            else:
                target = l["boxes"][v["leftOutLabel"]]
                # A face still half covered by other regions (a second detection of the same
                # face, a neighbour's ellipse) was not left unpainted: not counted.
                if v.setdefault("stillPainted", ellipse_share(target, v["painted"])) >= 0.5:
                    lo_covered += 1
                    continue
                lo_f += 1
                lo_c += any(iou(d["box"], target) >= 0.3 for d in reported)
                lo_failed += bool(reported)
    return dict(outputs=outputs, fa=fa, fa100=100 * fa / max(outputs, 1), fa_painted=fa_painted,
                flagged=flagged, orig=f"{orig_c}/{orig_f}", orig_rate=100 * orig_c / max(orig_f, 1),
                leftout=f"{lo_c}/{lo_f}", lo_rate=100 * lo_c / max(lo_f, 1), lo_failed=lo_failed, lo_covered=lo_covered), alarms

def show(name, rule):
    for mode in (["standalone", "painted"] if args.mode == "both" else [args.mode]):
        s, alarms = score(rule, mode == "painted")
        print(f"{name:34s} {mode:10s} outputs {s['outputs']:3d}  false alarms {s['fa']:3d} ({s['fa100']:5.1f}/100)"
              f"  on painted faces {s['fa_painted']:3d}  outputs flagged {s['flagged']:3d}"
              f"  originals {s['orig']} ({s['orig_rate']:.1f}%)  left-out {s['leftout']} ({s['lo_rate']:.1f}%; {s['lo_covered']} left out but still half painted, not counted)")
        if args.list:
            for a in alarms:
                print("   ", a)

print(f"half {args.half}: {len(lines)} photos")
show(args.rule, RULES[args.rule])
