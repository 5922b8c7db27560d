#!/usr/bin/env python3
"""Scores verify's face check on the labelled face set, from `obscura-eval verify` dumps.

    swift build -c release --product obscura-eval
    .build/release/obscura-eval verify --labels ../shared/eval/faces/labels.json --out dump.jsonl
    python3 scripts/tuning/verify-eval.py dump.jsonl [--half A|B] [--rule NAME] [--sweep]

The set is split in two halves by the first byte of each file's SHA-256 (even: A, odd: B).
Rules were tuned on half A only; half B is the held-out report.

Definitions (per half):
- false alarms: on the default outputs of `anonymize`, reported faces that overlap no labelled
  box at all (any size), per 100 outputs. Also given: reports on any labelled face that the
  output painted (a painted face reported again is a false alarm too, whatever the labels say).
- hit rate on originals: labelled faces of 20 px or more (longer side) with a reported box of
  IoU >= 0.3.
- hit rate on left-out outputs: the same for the one labelled face whose detection was left out
  of the render (up to 3 per photo: smallest, largest, median of the faces of 20 px or more).

`--mode standalone` scores `obscura verify` (no painted boxes known); `--mode painted` scores
`anonymize --verify`, which passes the painted boxes.
"""
import argparse, hashlib, json, os, sys

ap = argparse.ArgumentParser()
ap.add_argument("dump")
ap.add_argument("--half", default="A")
ap.add_argument("--faces", default=os.path.join(os.path.dirname(__file__), "../../../shared/eval/faces"))
ap.add_argument("--rule", default="current")
ap.add_argument("--mode", default="both")
ap.add_argument("--sweep", action="store_true")
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

def looks_redacted(e, mg=0.6, conc=0.7, fill=0.5):
    return e["meanGradient"] < mg or e.get("fillShare", 0) >= fill or (
        e["columnConcentration"] >= conc and e["rowConcentration"] >= conc)

# A rule: (detection, painted-mode?) -> reported?
def make_rule(t=0.2, painted_share=None, centre=True, evidence=True, whole=False):
    def rule(d, use_painted):
        if d["score"] < t:
            return False
        if use_painted:
            if centre and d["centreInPainted"]:
                return False
            if painted_share is not None and d["paintedShare"] >= painted_share:
                return False
        if evidence and looks_redacted(d["evidence"]):
            return False
        if whole and looks_redacted(d["wholeBox"]):
            return False
        return True
    return rule

RULES = {"current": make_rule()}

def score(rule, use_painted):
    outputs = fa = fa_painted = flagged = 0
    orig_f = orig_c = lo_f = lo_c = lo_failed = 0
    alarms = []
    for l in lines:
        big = [i for i, b in enumerate(l["boxes"]) if max(b[2], b[3]) >= 20]
        for v in l["variants"]:
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
                lo_f += 1
                target = l["boxes"][v["leftOutLabel"]]
                lo_c += any(iou(d["box"], target) >= 0.3 for d in reported)
                lo_failed += bool(reported)
    return dict(outputs=outputs, fa=fa, fa100=100 * fa / max(outputs, 1), fa_painted=fa_painted,
                flagged=flagged, orig=f"{orig_c}/{orig_f}", orig_rate=100 * orig_c / max(orig_f, 1),
                leftout=f"{lo_c}/{lo_f}", lo_rate=100 * lo_c / max(lo_f, 1), lo_failed=lo_failed), alarms

def show(name, rule):
    for mode in (["standalone", "painted"] if args.mode == "both" else [args.mode]):
        s, alarms = score(rule, mode == "painted")
        print(f"{name:34s} {mode:10s} outputs {s['outputs']:3d}  false alarms {s['fa']:3d} ({s['fa100']:5.1f}/100)"
              f"  on painted faces {s['fa_painted']:3d}  outputs flagged {s['flagged']:3d}"
              f"  originals {s['orig']} ({s['orig_rate']:.1f}%)  left-out {s['leftout']} ({s['lo_rate']:.1f}%)")
        if args.list:
            for a in alarms:
                print("   ", a)

print(f"half {args.half}: {len(lines)} photos")
if args.sweep:
    for t in [0.2, 0.25, 0.3, 0.35, 0.4, 0.5]:
        for ps in [None, 0.5, 0.3]:
            show(f"t={t} share={ps}", make_rule(t=t, painted_share=ps))
else:
    show(args.rule, RULES[args.rule])
