#!/usr/bin/env python3
"""Kills `obscura serve` with SIGKILL while a job is being processed, starts it again on the same
data folder, and checks that the job finishes with every image done exactly once: one job, one
result per image, no original left. Loopback only.

Usage: scripts/serve/restart-check.py [--images 12]
"""
import argparse, json, os, re, signal, subprocess, sys, tempfile, time, urllib.request, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
parser = argparse.ArgumentParser()
parser.add_argument("--images", type=int, default=12)
args = parser.parse_args()
binary = os.path.join(subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip(), "obscura")
photo = open(os.path.join(ROOT, "Tests/ObscuraTests/Fixtures/astronaut.jpg"), "rb").read()
data = tempfile.mkdtemp(prefix="obscura-restart-")

def start():
    server = subprocess.Popen([binary, "serve", "--port", "0", "--data", data, "--jobs", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return server, re.search(r"http://[^/ ]+/", server.stdout.readline()).group(0)

def get(url):
    return json.load(urllib.request.urlopen(url))

server, url = start()
boundary = uuid.uuid4().hex
body = b"".join((f"--{boundary}\r\nContent-Disposition: form-data; name=\"images\"; filename=\"p{i}.jpg\"\r\n\r\n").encode()
                + photo + b"\r\n" for i in range(args.images)) + f"--{boundary}--\r\n".encode()
request = urllib.request.Request(url + "v1/jobs", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
job = json.load(urllib.request.urlopen(request))["id"]
while True:
    status = get(f"{url}v1/jobs/{job}")
    if status["progress"]["done"] >= 2: break
    time.sleep(0.05)
server.send_signal(signal.SIGKILL); server.wait()
before = {s: sum(1 for i in status["images"] if i["state"] == s) for s in ("done", "queued", "detecting")}
print("killed with", before)

server, url = start()
try:
    deadline = time.time() + 300
    while get(f"{url}v1/jobs/{job}")["state"] != "finished" and time.time() < deadline: time.sleep(0.2)
    status = get(f"{url}v1/jobs/{job}")
    states = [i["state"] for i in status["images"]]
    jobs = get(f"{url}v1/jobs")["jobs"]
finally:
    server.terminate(); server.wait(timeout=20)
files = sorted(os.listdir(os.path.join(data, "jobs", job)))
ok = states == ["done"] * args.images and len(jobs) == 1 and files == sorted(f"{i}.result" for i in range(args.images))
print(json.dumps({"states": states, "jobs": len(jobs), "files": files}))
print("restart check:", "passed" if ok else "FAILED")
sys.exit(0 if ok else 1)
