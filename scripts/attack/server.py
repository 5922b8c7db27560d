#!/usr/bin/env python3
"""Replays the server reproductions of issue 17 against `obscura serve` on loopback.

Prints one line per defect, `item N <name>: fixed` or `NOT FIXED (<why>)`, and exits non-zero
if any is not fixed. Each item gets its own server with a temporary --data folder; nothing
leaves this machine (the webhook listeners are on 127.0.0.1). About a minute in all.

Usage: scripts/attack/server.py [BINARY]   (default .build/release/obscura, else .build/debug/obscura)
"""
import http.client, http.server, json, os, re, resource, shutil, socket, subprocess, sys, tempfile, threading, time, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
binary = sys.argv[1] if len(sys.argv) > 1 else next(
    (p for p in (os.path.join(ROOT, ".build/release/obscura"), os.path.join(ROOT, ".build/debug/obscura")) if os.path.exists(p)), None)
if not binary or not os.path.exists(binary):
    sys.exit("no obscura binary: build first or pass its path")
PHOTO = open(os.path.join(ROOT, "Tests/ObscuraTests/Fixtures/astronaut.jpg"), "rb").read()
SECRET = "attack-webhook-secret-0123456789"
HELP = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True).stdout
results = []


def report(item, name, problem):
    line = f"item {item} {name}: " + ("fixed" if problem is None else f"NOT FIXED ({problem})")
    results.append(problem is None)
    print(line, flush=True)


class Server:
    """`obscura serve` on a free loopback port, with an optional file limit."""
    def __init__(self, *extra, nofile=None):
        self.data = tempfile.mkdtemp(prefix="obscura-attack-")
        limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))) if nofile else None
        self.process = subprocess.Popen([binary, "serve", "--port", "0", "--data", self.data, *extra],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, preexec_fn=limit)
        self.port = int(re.search(r":(\d+)/", self.process.stdout.readline()).group(1))

    def peak_rss_mb(self):
        for line in open(f"/proc/{self.process.pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0

    def request(self, method, path, body=None, headers=None, timeout=60):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        payload = response.read()
        connection.close()
        return response.status, dict(response.getheaders()), payload

    def create_job(self, files, fields=()):
        boundary = uuid.uuid4().hex
        body = b""
        for name, value in fields:
            body += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode()
        for name, data in files:
            body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"images\"; filename=\"{name}\"\r\n"
                     f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        status, _, payload = self.request("POST", "/v1/jobs", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return status, json.loads(payload or b"{}")

    def wait_job(self, job, states, seconds=120):
        deadline = time.time() + seconds
        while time.time() < deadline:
            status = json.loads(self.request("GET", f"/v1/jobs/{job}")[2])
            if status.get("state") in states:
                return status
            time.sleep(0.2)
        return status

    def stop(self):
        self.process.terminate()
        try: self.process.wait(timeout=10)
        except subprocess.TimeoutExpired: self.process.kill()
        shutil.rmtree(self.data, ignore_errors=True)


def item4():
    """Concurrent large uploads: the peak must stay under max-inflight + 300 MB."""
    inflight_mib = 512  # the default of --max-inflight
    server = Server()
    clients, size = 24, 128 << 20
    boundary = "attack4"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"images\"; filename=\"big.jpg\"\r\n\r\n").encode() \
        + bytes(size) + f"\r\n--{boundary}--\r\n".encode()
    statuses, retry_after = [], []
    def upload():
        try:
            status, headers, _ = server.request("POST", "/v1/jobs", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}, timeout=300)
            statuses.append(status)
            if "Retry-After" in headers: retry_after.append(headers["Retry-After"])
        except Exception as error:
            statuses.append(type(error).__name__)
    threads = [threading.Thread(target=upload) for _ in range(clients)]
    start = time.time()
    for thread in threads: thread.start()
    for thread in threads: thread.join()
    peak = server.peak_rss_mb()
    server.stop()
    limit = inflight_mib * 1.048576 + 300
    print(f"  item 4: {clients} x {size >> 20} MiB uploads in {time.time() - start:.1f} s, answers {sorted(map(str, statuses))}, "
          f"peak RSS {peak:.0f} MB (target < {limit:.0f} MB)", flush=True)
    if peak >= limit:
        return report(4, "upload memory", f"peak RSS {peak:.0f} MB >= {limit:.0f} MB")
    if "--max-inflight" not in HELP:
        return report(4, "upload memory", "no --max-inflight option")
    if 503 not in statuses or not retry_after:
        return report(4, "upload memory", f"no 503 with Retry-After past the cap: {statuses}")
    report(4, "upload memory", None)


def item11():
    """Connections that never finish their request line; /healthz must answer within 1 s.
    1,000 of them as in the reproduction, then 1,000 more (past the server's file limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    server = Server(nofile=1024)
    sockets, shown, ok = [], [], True
    for phase in (1000, 2000):
        failures = 0
        while len(sockets) < phase and failures < 20:
            try:
                s = socket.create_connection(("127.0.0.1", server.port), timeout=0.2)
                s.sendall(b"GET /healthz HTT")
                sockets.append(s)
            except OSError:
                # A server that stopped accepting leaves connects hanging: give up after 20.
                failures += 1
        times = []
        for _ in range(3):
            start = time.time()
            try:
                status = server.request("GET", "/healthz", timeout=1)[0]
                times.append(time.time() - start if status == 200 else None)
            except Exception:
                times.append(None)
            time.sleep(0.5)
        ok = ok and all(t is not None and t < 1 for t in times)
        shown.append(f"{phase} tried ({len(sockets)} connected): "
                     + ", ".join("timeout" if t is None else f"{t * 1000:.0f} ms" for t in times))
    for s in sockets: s.close()
    # Then 1,000 uploads whose heads are complete and whose bodies never come.
    time.sleep(0.5)
    sockets, failures = [], 0
    head = (f"POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            f"Content-Length: 1000000\r\n\r\n--b\r\n").encode()
    while len(sockets) < 1000 and failures < 20:
        try:
            s = socket.create_connection(("127.0.0.1", server.port), timeout=0.2)
            s.sendall(head)
            sockets.append(s)
        except OSError:
            failures += 1
    times = []
    for _ in range(3):
        start = time.time()
        try:
            status = server.request("GET", "/healthz", timeout=1)[0]
            times.append(time.time() - start if status == 200 else None)
        except Exception:
            times.append(None)
        time.sleep(0.5)
    ok = ok and all(t is not None and t < 1 for t in times)
    shown.append(f"1000 slow upload bodies tried ({len(sockets)} connected): "
                 + ", ".join("timeout" if t is None else f"{t * 1000:.0f} ms" for t in times))
    for s in sockets: s.close()
    server.stop()
    print(f"  item 11 (server file limit 1024): /healthz with " + "; ".join(shown), flush=True)
    report(11, "slow connections", None if ok else "/healthz did not answer within 1 s")


class Hook(http.server.BaseHTTPRequestHandler):
    """A loopback webhook listener; `redirect` makes it answer 307 to another URL."""
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.calls.append(self.path)
        if self.server.redirect:
            self.send_response(307)
            self.send_header("Location", self.server.redirect)
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args): pass


def listener(redirect=None):
    hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    hook.calls, hook.redirect = [], redirect
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    return hook


def item10(server):
    problems = []
    # The redirect first: calls to hostile hosts an unfixed server accepted would delay it.
    target = listener()
    hook = listener(redirect=f"http://127.0.0.1:{target.server_port}/stolen")
    status, job = server.create_job([("x.txt", b"x")], [("webhook", f"http://127.0.0.1:{hook.server_port}/hook")])
    deadline = time.time() + 15
    while not hook.calls and time.time() < deadline: time.sleep(0.1)
    time.sleep(2)
    if not hook.calls: problems.append("the loopback hook was never called")
    if target.calls: problems.append("a 307 from the hook sent the signed POST on")
    hook.shutdown(); target.shutdown()
    for url in ("http://127.0.0.1.nip.io/x", "http://127.evil.example/", "http://0x7f.evil.example/"):
        status, job = server.create_job([("x.txt", b"x")], [("webhook", url)])
        if status == 202:
            try: resolved = {a[4][0] for a in socket.getaddrinfo(url.split("/")[2], 80)}
            except OSError: resolved = set()
            if not resolved or any(not a.startswith("127.") and a != "::1" for a in resolved):
                problems.append(f"{url} accepted")
    report(10, "webhook targets", "; ".join(problems) or None)


def item12(server):
    problems = []
    for path in ("/v1/jobs", "/"):
        status = server.request("GET", path, headers={"Host": "evil.example"})[0]
        if status not in (421, 403): problems.append(f"Host: evil.example got {status} for {path}")
    status, _, _ = server.request("POST", "/v1/jobs", b"x", {"Origin": "http://evil.example", "Content-Type": "multipart/form-data; boundary=b"})
    if status != 403: problems.append(f"a POST from Origin http://evil.example got {status}")
    if server.request("GET", "/v1/jobs")[0] != 200: problems.append("a plain loopback request was refused")
    report(12, "host and origin", "; ".join(problems) or None)


def item9(server):
    status, job = server.create_job([("a.jpg", PHOTO), ("3-a.jpg", PHOTO), ("a.jpg", PHOTO)])
    if status != 202: return report(9, "zip names", f"could not check: upload answered {status}")
    done = sum(i["state"] == "done" for i in server.wait_job(job["id"], {"finished"}).get("images", []))
    if done != 3: return report(9, "zip names", f"could not check: {done} of 3 images done (models installed?)")
    import io, zipfile
    names = zipfile.ZipFile(io.BytesIO(server.request("GET", f"/v1/jobs/{job['id']}/results.zip")[2])).namelist()
    report(9, "zip names", None if len(set(names)) == 3 else f"zip entries {names}")


def item5(server):
    status, job = server.create_job([("a.jpg", PHOTO)], [("review", "true")])
    if status != 202: return report(5, "region count", f"could not check: upload answered {status}")
    state = server.wait_job(job["id"], {"review", "finished"}).get("state")
    if state != "review": return report(5, "region count", f"could not check: the image is {state} (models installed?)")
    regions = json.dumps({"regions": [{"kind": "manual", "box": [0, 0, 512, 512]}] * 10000})
    start = time.time()
    status, _, payload = server.request("PUT", f"/v1/jobs/{job['id']}/images/0/regions", regions.encode(), {"Content-Type": "application/json"})
    code = (json.loads(payload or b"{}").get("error") or {}).get("code")
    print(f"  item 5: PUT of 10,000 regions answered {status} {code} in {time.time() - start:.2f} s", flush=True)
    report(5, "region count", None if status == 400 and code == "regions.too-many" else f"answered {status} {code}")
    # The 1,000 regions allowed, each nearly the whole image: painting them one by one would cost
    # 1,000 passes over the image; merged, it costs about one.
    regions = json.dumps({"regions": [{"kind": "manual", "box": [i % 50, i % 40, 512 - i % 50 - (i % 7), 512 - i % 40 - (i % 5)]}
                                      for i in range(1000)]})
    start = time.time()
    status, _, _ = server.request("PUT", f"/v1/jobs/{job['id']}/images/0/regions", regions.encode(), {"Content-Type": "application/json"})
    rendered = server.request("POST", f"/v1/jobs/{job['id']}/render")[0]
    state = server.wait_job(job["id"], {"finished"}, seconds=300)
    seconds = time.time() - start
    done = [image["state"] for image in state.get("images", [])] == ["done"]
    print(f"  item 5: 1,000 overlapping near-whole-image regions: PUT {status}, render {rendered}, done in {seconds:.2f} s", flush=True)
    report(5, "painting time", None if status in (200, 202) and done and seconds < 10 else f"PUT {status}, render {rendered}, {seconds:.1f} s, done {done}")


print(f"attacking {binary}", flush=True)
item4()
item11()
server = Server("--webhook-secret", SECRET)
try:
    item12(server)
    item10(server)
    item9(server)
    item5(server)
finally:
    server.stop()
sys.exit(0 if all(results) else 1)
