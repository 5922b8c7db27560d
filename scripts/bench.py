#!/usr/bin/env python3
"""Obscura against deface 1.5.0 (ONNX Runtime) on the same machine and the same images.

Run through scripts/bench.sh (make bench), which builds Obscura and prepares the virtual
environment with deface, onnxruntime and onnx from PyPI. This script:

  1. normal use, as a new user of either tool would run it: the dataset's own JPEGs in, JPEG
     out, each tool with its defaults over all files in one process (`obscura anonymize IN -o OUT`
     and `deface FILES...`), alternating which goes first, `--rounds` times, keeping each tool's
     faster round;
  2. for recall: PNG copies into two identical flat input folders (deface reads flat folders and
     writes `NAME_anonymized.png` beside each input), each tool painting solid magenta so the
     scorer can read the outputs exactly (deface with `--replacewith img`, which is slower than
     its default);
  3. times one 1280 px photo end to end (process start included), alternating, median of 5;
  4. times a 12-megapixel photo (4000 x 3000) for each; both are JPEGs (quality 92), as photos
     from cameras and phones are;
  5. measures Obscura's peak memory on 10 and on 1,000 small images (memory must not grow), the
     12 MP photo with every kind (`--detect faces,plates,text,pii`), and the resident memory of
     an idle `obscura serve` after jobs with faces and with every kind;
  6. scores both tools' batch outputs with obscura-eval (same rule for both);
  7. prints a Markdown table and writes everything to WORK/bench.json.

Obscura also runs once more with `--min-face 20` (the search stops at half resolution), to show
what the small-face search costs.
"""
import argparse
import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import socket
import time
import urllib.request
import uuid

import cv2
import numpy as np

FILL = "ff00ff"


def run(command, cwd=None):
    """Runs a command to completion; returns (seconds, stdout)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        sys.stderr.write(stderr.decode(errors="replace")[-2000:])
        raise SystemExit(f"bench: {' '.join(command[:3])} failed with {process.returncode}")
    return seconds, stdout


def run_measured(command, cwd=None):
    """Like run(), with the child's peak resident memory from wait4 (kB on Linux → MB)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    stderr = process.stderr.read()
    process.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stderr.write(stderr.decode(errors="replace")[-2000:])
        raise SystemExit(f"bench: {' '.join(command[:3])} failed with {code}")
    return seconds, usage.ru_maxrss / 1024


def prepare_jpeg_inputs(dataset, work):
    """Flat copies of the dataset's own JPEG files, byte for byte, one folder per tool."""
    labels = json.load(open(os.path.join(dataset, "labels.json")))
    for folder in ("jpeg-obscura", "jpeg-deface"):
        shutil.rmtree(os.path.join(work, folder), ignore_errors=True)
        os.makedirs(os.path.join(work, folder))
        for label in labels:
            shutil.copyfile(os.path.join(dataset, label["file"]), os.path.join(work, folder, label["file"].replace("/", "__")))
    return len(labels)


def idle_server_memory(obscura, photo, work):
    """Resident memory (MB) of `obscura serve` left idle after a faces job, then after a job with
    every kind: what a server holds between jobs."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = os.path.join(work, "serve-data")
    shutil.rmtree(data, ignore_errors=True)
    server = subprocess.Popen([obscura, "serve", "--port", str(port), "--data", data],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        body = open(photo, "rb").read()
        measured = {}
        for label, options in (("faces", "{}"), ("all kinds", '{"detect": ["faces", "plates", "text", "pii"]}')):
            boundary = uuid.uuid4().hex
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="options"\r\n\r\n{options}\r\n'.encode()]
            for index in range(3):
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="images"; filename="p{index}.jpg"\r\n'
                             f'Content-Type: image/jpeg\r\n\r\n'.encode() + body + b"\r\n")
            parts.append(f"--{boundary}--\r\n".encode())
            request = urllib.request.Request(base + "/v1/jobs", data=b"".join(parts), method="POST",
                                             headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
            job = json.load(urllib.request.urlopen(request, timeout=30))
            while True:
                status = json.load(urllib.request.urlopen(f"{base}/v1/jobs/{job['id']}", timeout=10))
                if status["progress"]["done"] + status["progress"]["failed"] == status["progress"]["total"]:
                    break
                time.sleep(0.2)
            time.sleep(2)
            with open(f"/proc/{server.pid}/status") as proc:
                rss = next(int(line.split()[1]) for line in proc if line.startswith("VmRSS:"))
            measured[label] = rss / 1024
        return measured
    finally:
        server.terminate()
        server.wait()


def prepare_inputs(dataset, work):
    """Flat PNG copies of every labelled image; returns {flat name: label path}."""
    labels = json.load(open(os.path.join(dataset, "labels.json")))
    names = {}
    for folder in ("input-obscura", "input-deface"):
        shutil.rmtree(os.path.join(work, folder), ignore_errors=True)
        os.makedirs(os.path.join(work, folder))
    for label in labels:
        image = cv2.imread(os.path.join(dataset, label["file"]), cv2.IMREAD_COLOR)
        name = os.path.splitext(label["file"].replace("/", "__"))[0] + ".png"
        for folder in ("input-obscura", "input-deface"):
            cv2.imwrite(os.path.join(work, folder, name), image)
        names[name] = label["file"]
    return names


def collect_outputs(source, names, target, suffix=""):
    """Moves flat outputs into the dataset's layout so obscura-eval can match them to labels."""
    shutil.rmtree(target, ignore_errors=True)
    for name, label_file in names.items():
        produced = os.path.join(source, os.path.splitext(name)[0] + suffix + ".png")
        if not os.path.exists(produced):
            continue
        destination = os.path.join(target, os.path.splitext(label_file)[0] + ".png")
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        shutil.move(produced, destination)


def score(obscura_eval, dataset, outputs, work, tool):
    path = os.path.join(work, f"score-{tool}.json")
    run([obscura_eval, "--labels", os.path.join(dataset, "labels.json"), "--outputs", outputs, "--fill", FILL, "--json", path])
    return json.load(open(path))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--obscura", required=True)
    parser.add_argument("--obscura-eval", required=True)
    parser.add_argument("--deface", required=True)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    cores = os.cpu_count()
    magenta = os.path.join(work, "magenta.png")
    cv2.imwrite(magenta, np.full((8, 8, 3), (255, 0, 255), np.uint8))

    # 1. Normal use: JPEG in, JPEG out, defaults, one process over all files.
    print(f"bench: copying the JPEGs of {args.dataset}", file=sys.stderr)
    jpeg_count = prepare_jpeg_inputs(args.dataset, work)
    normal = {"obscura": [], "deface": []}
    for round_number in range(args.rounds):
        order = ["obscura", "deface"] if round_number % 2 == 0 else ["deface", "obscura"]
        for tool in order:
            print(f"bench: round {round_number + 1}, {tool} with its defaults on {jpeg_count} JPEGs", file=sys.stderr)
            if tool == "obscura":
                normal[tool].append(run_measured([args.obscura, "anonymize", os.path.join(work, "jpeg-obscura"), "-o",
                                                  os.path.join(work, "jpeg-out-obscura"), "--overwrite", "--quiet"]))
            else:
                for stale in glob.glob(os.path.join(work, "jpeg-deface", "*_anonymized.jpg")):
                    os.remove(stale)
                inputs = sorted(glob.glob(os.path.join(work, "jpeg-deface", "*.jpg")))
                normal[tool].append(run_measured([args.deface] + inputs))

    print(f"bench: preparing PNG copies of {args.dataset}", file=sys.stderr)
    names = prepare_inputs(args.dataset, work)
    count = len(names)
    obscura_batch = [args.obscura, "anonymize", os.path.join(work, "input-obscura"), "-o", os.path.join(work, "out-obscura"),
                     "--style", "solid", "--fill", FILL, "--format", "png", "--overwrite", "--quiet"]
    deface_batch = [args.deface, os.path.join(work, "input-deface"), "--replacewith", "img", "--replaceimg", magenta,
                    "--boxes", "--execution-provider", "CPUExecutionProvider"]

    batch = {"obscura": [], "deface": [], "obscura-min-face-20": []}
    for round_number in range(args.rounds):
        order = ["obscura", "deface"] if round_number % 2 == 0 else ["deface", "obscura"]
        for tool in order + ["obscura-min-face-20"]:
            print(f"bench: round {round_number + 1}, {tool} batch of {count} images", file=sys.stderr)
            if tool == "obscura-min-face-20":
                fast = [part if part != os.path.join(work, "out-obscura") else os.path.join(work, "out-obscura-fast")
                        for part in obscura_batch]
                batch[tool].append(run_measured(fast + ["--min-face", "20"]))
            elif tool == "obscura":
                report = os.path.join(work, "report.jsonl")
                if os.path.exists(report):
                    os.remove(report)
                batch[tool].append(run_measured(obscura_batch + ["--report", report]))
            else:
                batch[tool].append(run_measured(deface_batch))
                collect_outputs(os.path.join(work, "input-deface"), names, os.path.join(work, "out-deface"), "_anonymized")

    # Obscura's time split, from its own report of the last batch.
    records = [json.loads(line) for line in open(os.path.join(work, "report.jsonl"))]
    split = {stage: statistics.mean(r["timingsMs"][stage] for r in records if r["outcome"] == "written")
             for stage in ("decode", "detect", "redact", "encode", "total")}

    collect_outputs(os.path.join(work, "out-obscura"), names, os.path.join(work, "scored-obscura"))
    collect_outputs(os.path.join(work, "out-obscura-fast"), names, os.path.join(work, "scored-obscura-fast"))
    scores = {"obscura": score(args.obscura_eval, args.dataset, os.path.join(work, "scored-obscura"), work, "obscura"),
              "deface": score(args.obscura_eval, args.dataset, os.path.join(work, "out-deface"), work, "deface"),
              "obscura-min-face-20": score(args.obscura_eval, args.dataset, os.path.join(work, "scored-obscura-fast"), work, "fast")}

    # One photo end to end, process start included, and a 12 MP photo.
    first = cv2.imread(os.path.join(work, "input-obscura", sorted(names)[0]))
    photos = {"1280": cv2.resize(first, (1280, 1280 * first.shape[0] // first.shape[1]), interpolation=cv2.INTER_CUBIC),
              "12mp": cv2.resize(first, (4000, 3000), interpolation=cv2.INTER_CUBIC)}
    single = {}
    for label, image in photos.items():
        path = os.path.join(work, f"photo-{label}.jpg")
        cv2.imwrite(path, image, [cv2.IMWRITE_JPEG_QUALITY, 92])
        times = {"obscura": [], "deface": [], "obscura-min-face-20": []}
        repeats = 5 if label == "1280" else 3
        for attempt in range(repeats):
            order = ["obscura", "deface"] if attempt % 2 == 0 else ["deface", "obscura"]
            for tool in order + ["obscura-min-face-20"]:
                out = os.path.join(work, f"single-{tool}-{label}.jpg")
                command = ([args.deface, path, "-o", out, "--execution-provider", "CPUExecutionProvider"] if tool == "deface"
                           else [args.obscura, "anonymize", path, "-o", out, "--overwrite", "--quiet"]
                           + (["--min-face", "20"] if tool == "obscura-min-face-20" else []))
                times[tool].append(run_measured(command))
        single[label] = {tool: {"seconds": statistics.median(t for t, _ in values), "peakMB": max(m for _, m in values)}
                         for tool, values in times.items()}

    # Every kind on the 12 MP photo, and an idle server after jobs.
    every_kind = [run_measured([args.obscura, "anonymize", os.path.join(work, "photo-12mp.jpg"), "-o",
                                os.path.join(work, "single-all-kinds.jpg"), "--overwrite", "--quiet",
                                "--detect", "faces,plates,text,pii"]) for _ in range(2)]
    all_kinds = {"seconds": min(t for t, _ in every_kind), "peakMB": max(m for _, m in every_kind)}
    print("bench: obscura serve, idle after jobs", file=sys.stderr)
    server_idle = idle_server_memory(args.obscura, os.path.join(work, "photo-1280.jpg"), work)

    # Memory against batch length: 10 and 1,000 small images.
    small = cv2.resize(first, (320, 240), interpolation=cv2.INTER_AREA)
    memory = {}
    for length in (10, 1000):
        folder = os.path.join(work, f"many-{length}")
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        for index in range(length):
            cv2.imwrite(os.path.join(folder, f"{index:04d}.png"), small)
        print(f"bench: obscura on {length} small images", file=sys.stderr)
        seconds, peak = run_measured([args.obscura, "anonymize", folder, "-o", folder + "-out", "--overwrite", "--quiet"])
        memory[str(length)] = {"seconds": seconds, "peakMB": peak}

    best = {tool: min(runs, key=lambda r: r[0]) for tool, runs in batch.items()}
    best_normal = {tool: min(runs, key=lambda r: r[0]) for tool, runs in normal.items()}
    result = {
        "machine": {"cores": cores, "processor": platform.processor() or platform.machine(), "system": platform.platform()},
        "dataset": args.dataset, "images": count,
        "batch": {tool: {"seconds": s, "imagesPerSecond": count / s, "peakMB": m, "runs": [r[0] for r in batch[tool]]}
                  for tool, (s, m) in best.items()},
        "normalUse": {tool: {"seconds": s, "imagesPerSecond": jpeg_count / s, "peakMB": m, "runs": [r[0] for r in normal[tool]]}
                      for tool, (s, m) in best_normal.items()},
        "single": single, "memoryByBatchLength": memory, "obscuraStageMs": split,
        "allKinds12mp": all_kinds, "serverIdleMB": server_idle,
        "recall": {tool: {"all": s["all"]["recall"], "valid": s["valid"]["recall"], "atLeast20": s["atLeast20"]["recall"],
                          "bins": {b["label"]: b["recall"] for b in s["bins"]}, "paintedOutside": s["paintedOutsideShare"]}
                   for tool, s in scores.items()},
    }
    json.dump(result, open(os.path.join(work, "bench.json"), "w"), indent=2)

    tools = ["obscura", "deface", "obscura-min-face-20"]
    b, r = result["batch"], result["recall"]
    pct = lambda v: f"{v * 100:.1f}%"
    row = lambda title, cells: print(f"| {title} | " + " | ".join(cells) + " |")
    print(f"\nMachine: {cores} cores, {result['machine']['system']}; {count} images from {args.dataset}\n")
    print("Ratios are speed relative to deface (above 1: faster).\n")
    n = result["normalUse"]
    print("Normal use (JPEG in and out, each tool's defaults, one process over all files):\n")
    print("| | Obscura | deface 1.5.0 |")
    print("|---|---|---|")
    row(f"batch of {jpeg_count} JPEGs, seconds", [f"{n[t]['seconds']:.1f} s" for t in ("obscura", "deface")])
    row("images/s (ratio to deface)", [f"{n[t]['imagesPerSecond']:.2f} ({n[t]['imagesPerSecond'] / n['deface']['imagesPerSecond']:.2f}x)"
                                       for t in ("obscura", "deface")])
    row("peak memory", [f"{n[t]['peakMB']:.0f} MB" for t in ("obscura", "deface")])
    print("\nBoth painting solid magenta, PNG in and out (deface with --replacewith img), for recall:\n")
    print("| | Obscura (defaults) | deface 1.5.0 (ONNX Runtime) | Obscura `--min-face 20` |")
    print("|---|---|---|---|")
    row("batch, images/s (ratio to deface)", [f"{b[t]['imagesPerSecond']:.2f} ({b[t]['imagesPerSecond'] / b['deface']['imagesPerSecond']:.2f}x)" for t in tools])
    row("batch, peak memory", [f"{b[t]['peakMB']:.0f} MB" for t in tools])
    for label, title in (("1280", "one 1280 px photo, end to end"), ("12mp", "one 12 MP photo, end to end")):
        deface_seconds = single[label]["deface"]["seconds"]
        row(title, [f"{single[label][t]['seconds']:.2f} s ({deface_seconds / single[label][t]['seconds']:.2f}x)" for t in tools])
    row("recall, all faces", [pct(r[t]['all']) for t in tools])
    row("recall, all but `invalid`", [pct(r[t]['valid']) for t in tools])
    row("recall, faces >= 20 px", [pct(r[t]['atLeast20']) for t in tools])
    for label in ("<10", "10-20", "20-40", ">=40"):
        row(f"recall, {label} px", [pct(r[t]['bins'][label]) for t in tools])
    row("paint outside labels", [pct(r[t]['paintedOutside']) for t in tools])
    print(f"\nObscura per image (ms, mean over the batch, one worker each): decode {split['decode']:.0f}, "
          f"detect {split['detect']:.0f}, redact {split['redact']:.0f}, encode {split['encode']:.0f}")
    print(f"Obscura peak memory: {memory['10']['peakMB']:.0f} MB for 10 images, {memory['1000']['peakMB']:.0f} MB for 1,000 "
          f"({memory['1000']['seconds']:.0f} s)")
    print(f"Obscura on the 12 MP photo with --detect faces,plates,text,pii: {all_kinds['seconds']:.2f} s, "
          f"peak memory {all_kinds['peakMB']:.0f} MB")
    print("Idle `obscura serve` after three 1280 px photos: " +
          ", ".join(f"{label} {mb:.0f} MB" for label, mb in server_idle.items()))
    print(f"\nWritten to {os.path.join(work, 'bench.json')}")


if __name__ == "__main__":
    main()
