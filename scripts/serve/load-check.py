#!/usr/bin/env python3
"""Load check for `obscura serve`, on loopback only and bounded in time.

Phase 1: 50 uploads at the same moment (one photo each). Phase 2: 50 clients upload in a loop
for --seconds. Then every accepted job must finish with its image done, the server's job list
must hold exactly the accepted jobs (none lost, none duplicated), and no answer may be 5xx.
The server's resident memory is sampled throughout (peak reported).

Usage: scripts/serve/load-check.py [--clients 50] [--seconds 20] [--max-jobs 64] [--binary PATH]
"""
import argparse, collections, http.client, json, os, re, subprocess, sys, tempfile, threading, time, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
parser = argparse.ArgumentParser()
parser.add_argument("--clients", type=int, default=50)
parser.add_argument("--seconds", type=float, default=20)
parser.add_argument("--max-jobs", type=int, default=64)
parser.add_argument("--binary")
args = parser.parse_args()
binary = args.binary or os.path.join(subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip(), "obscura")
photo = open(os.path.join(ROOT, "Tests/ObscuraTests/Fixtures/astronaut.jpg"), "rb").read()
data = tempfile.mkdtemp(prefix="obscura-load-")
server = subprocess.Popen([binary, "serve", "--port", "0", "--data", data, "--max-jobs", str(args.max_jobs)],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
port = int(re.search(r":(\d+)/", server.stdout.readline()).group(1))

peak_rss = [0]
sampling = True
def sample():
    while sampling:
        try:
            for line in open(f"/proc/{server.pid}/status"):
                if line.startswith("VmRSS:"): peak_rss[0] = max(peak_rss[0], int(line.split()[1]))
        except OSError: pass
        time.sleep(0.1)
threading.Thread(target=sample, daemon=True).start()

lock = threading.Lock()
codes = collections.Counter()
accepted = []
latencies = []

def request(method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, payload

def upload():
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"images\"; filename=\"a.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + photo + f"\r\n--{boundary}--\r\n".encode()
    start = time.time()
    try:
        status, payload = request("POST", "/v1/jobs", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    except Exception as error:  # a refused or dropped connection counts as a failure
        status, payload = f"error {type(error).__name__}", b""
    with lock:
        codes[status] += 1
        latencies.append(time.time() - start)
        if status == 202: accepted.append(json.loads(payload)["id"])

# Phase 1: a burst of simultaneous uploads.
barrier = threading.Barrier(args.clients)
def burst():
    barrier.wait(); upload()
threads = [threading.Thread(target=burst) for _ in range(args.clients)]
t0 = time.time()
for t in threads: t.start()
for t in threads: t.join()
burst_time = time.time() - t0
burst_codes = dict(codes)
burst_latency = sorted(latencies)

# Phase 2: sustained uploads.
stop = time.time() + args.seconds
def loop():
    while time.time() < stop: upload()
threads = [threading.Thread(target=loop) for _ in range(args.clients)]
for t in threads: t.start()
for t in threads: t.join()

# Every accepted job finishes.
deadline = time.time() + 900
pending = set(accepted)
states = collections.Counter()
while pending and time.time() < deadline:
    for job in list(pending):
        status, payload = request("GET", f"/v1/jobs/{job}")
        codes[f"GET {status}"] += 1
        if status != 200: states[f"http {status}"] += 1; pending.discard(job); continue
        info = json.loads(payload)
        if info["state"] == "finished":
            states["/".join(i["state"] for i in info["images"])] += 1
            pending.discard(job)
    time.sleep(0.5)
drain_time = time.time() - t0
status, payload = request("GET", "/v1/jobs")
listed = [j["id"] for j in json.loads(payload)["jobs"]]
sampling = False
server.terminate(); server.wait(timeout=20)

five = sum(n for code, n in codes.items() if str(code).split()[-1].startswith("5") or str(code).startswith("error"))
report = {
    "clients": args.clients, "sustained_seconds": args.seconds, "max_jobs": args.max_jobs,
    "burst": {"answers": burst_codes, "seconds": round(burst_time, 2),
              "latency_p50_s": round(burst_latency[len(burst_latency) // 2], 3), "latency_max_s": round(burst_latency[-1], 3)},
    "answers_all": {str(k): v for k, v in codes.items()},
    "accepted_jobs": len(accepted), "unfinished_after_wait": len(pending), "finished_states": dict(states),
    "listed_jobs": len(listed), "listed_equals_accepted": sorted(listed) == sorted(accepted),
    "duplicates": len(listed) - len(set(listed)),
    "seconds_until_all_finished": round(drain_time, 1), "server_peak_rss_mb": round(peak_rss[0] / 1024, 1),
    "five_xx_or_errors": five,
}
print(json.dumps(report, indent=2))
ok = five == 0 and not pending and report["listed_equals_accepted"] and set(states) == {"done"}
print("load check:", "passed" if ok else "FAILED")
sys.exit(0 if ok else 1)
