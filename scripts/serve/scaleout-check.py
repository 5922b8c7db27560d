#!/usr/bin/env python3
"""Scale-out check for `obscura serve --database` and `obscura worker`, on this machine only.

Starts a PostgreSQL 15 server of its own (a temporary cluster on a Unix socket, run as the
`postgres` user when root), an API node without workers (`serve --database URL --jobs 0`) and
worker processes (`obscura worker --jobs 1` each), then measures:

  throughput  one job of --job-images photos with 1, 2 and 4 workers (after a warm-up job, so
              model loading is not counted);
  submit      a folder of --images photos through `obscura submit`, with one worker SIGKILLed
              and restarted halfway and the client interrupted (SIGINT) and resumed: counts
              inputs without output (lost) and images stored twice or uploaded twice (doubled);
  cleanup     the database's size with a finished job of 100 photos and after it expired;
  load        API latency while 50 clients upload at once and two workers run.

Photos come from ../shared/eval/faces/images when present, else the test fixture.
Usage: scripts/serve/scaleout-check.py [--phases throughput,submit,cleanup,load] [--images 1000]
       [--job-images 48] [--binary PATH]
"""
import argparse, collections, glob, http.client, json, os, re, shutil, signal, subprocess, sys, tempfile, threading, time, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
parser = argparse.ArgumentParser()
parser.add_argument("--phases", default="throughput,submit,cleanup,load")
parser.add_argument("--images", type=int, default=1000)
parser.add_argument("--job-images", type=int, default=48)
parser.add_argument("--binary")
args = parser.parse_args()
binary = args.binary or os.path.join(subprocess.check_output(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, text=True).strip(), "obscura")
phases = args.phases.split(",")

photos = sorted(glob.glob(os.path.join(ROOT, "..", "shared", "eval", "faces", "images", "*", "*.jpg")))
if not photos:
    photos = [os.path.join(ROOT, "Tests/ObscuraTests/Fixtures/astronaut.jpg")]
print(f"photos: {len(photos)} distinct ({'eval set' if len(photos) > 1 else 'fixture'}); binary: {binary}", flush=True)

scratch = tempfile.mkdtemp(prefix="obscura-scaleout-")
os.chmod(scratch, 0o755)
processes = []

def stop_all():
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in processes:
        try: p.wait(timeout=20)
        except subprocess.TimeoutExpired: p.kill()

# --- PostgreSQL --------------------------------------------------------------------------
bindir = "/usr/lib/postgresql/15/bin"
as_root = os.getuid() == 0
user = "postgres" if as_root else os.environ.get("USER", "postgres")
def as_postgres(command):
    return (["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"] + command) if as_root else command
pgdir = os.path.join(scratch, "pg")
os.mkdir(pgdir)
if as_root: shutil.chown(pgdir, "postgres", "postgres")
subprocess.run(as_postgres([f"{bindir}/initdb", "-D", f"{pgdir}/cluster", "-U", user, "--auth=trust", "-E", "UTF8"]),
               check=True, stdout=subprocess.DEVNULL, cwd="/")
postgres = subprocess.Popen(as_postgres([f"{bindir}/postgres", "-D", f"{pgdir}/cluster", "-k", pgdir, "-c", "listen_addresses="]),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/")
for _ in range(300):
    if subprocess.run([f"{bindir}/pg_isready", "-h", pgdir, "-U", user], stdout=subprocess.DEVNULL).returncode == 0: break
    time.sleep(0.1)

def psql(database, statement):
    return subprocess.check_output(["psql", "-h", pgdir, "-U", user, "-d", database, "-At", "-c", statement], text=True).strip()

def new_database():
    name = "obscura_" + uuid.uuid4().hex[:8]
    subprocess.run(["createdb", "-h", pgdir, "-U", user, name], check=True)
    return name, f"postgresql://{user}@/{name}?host={pgdir}"

# --- Nodes -------------------------------------------------------------------------------
def start_node(url, extra=()):
    data = tempfile.mkdtemp(dir=scratch)
    log = open(os.path.join(data, "serve.log"), "w+")
    node = subprocess.Popen([binary, "serve", "--port", "0", "--data", data, "--database", url, "--jobs", "0", *extra],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    processes.append(node)
    port = int(re.search(r":(\d+)/", node.stdout.readline()).group(1))
    return node, port, log

def start_worker(url, name):
    log = open(os.path.join(scratch, f"{name}.log"), "a")
    worker = subprocess.Popen([binary, "worker", "--database", url, "--jobs", "1", "--lease", "10"], stdout=log, stderr=log)
    processes.append(worker)
    return worker

def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data

def upload(port, files):
    boundary = uuid.uuid4().hex
    parts = []
    for index, path in enumerate(files):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="images"; filename="{index}.jpg"\r\n'
                     f'Content-Type: image/jpeg\r\n\r\n'.encode() + open(path, "rb").read() + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    status, data = request(port, "POST", "/v1/jobs", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status == 202, (status, data[:200])
    return json.loads(data)["id"]

def wait_finished(port, job, limit=1800):
    deadline = time.time() + limit
    while time.time() < deadline:
        status = json.loads(request(port, "GET", f"/v1/jobs/{job}")[1])
        if status["state"] == "finished": return status
        time.sleep(0.1)
    raise RuntimeError(f"job {job} did not finish")

def cycle(count):
    return [photos[i % len(photos)] for i in range(count)]

results = {}
try:
    if "throughput" in phases:
        name, url = new_database()
        node, port, _ = start_node(url)
        for count in (1, 2, 4):
            workers = [start_worker(url, f"throughput-{count}-{i}") for i in range(count)]
            wait_finished(port, upload(port, cycle(count * 2)))  # warm-up: every worker loads its models
            start = time.time()
            status = wait_finished(port, upload(port, cycle(args.job_images)))
            elapsed = time.time() - start
            done = sum(1 for image in status["images"] if image["state"] == "done")
            results[f"throughput.workers{count}"] = {"images": args.job_images, "done": done, "seconds": round(elapsed, 1),
                                                     "imagesPerSecond": round(args.job_images / elapsed, 2)}
            print(f"throughput: {count} worker(s): {args.job_images} images in {elapsed:.1f} s = {args.job_images / elapsed:.2f}/s ({done} done)", flush=True)
            for w in workers: w.send_signal(signal.SIGINT); w.wait()

    if "submit" in phases:
        name, url = new_database()
        node, port, node_log = start_node(url)
        source = os.path.join(scratch, "in")
        for index, path in enumerate(cycle(args.images)):
            folder = os.path.join(source, f"part{index // 250}")
            os.makedirs(folder, exist_ok=True)
            shutil.copyfile(path, os.path.join(folder, f"{index:04d}.jpg"))
        output = os.path.join(scratch, "out")
        workers = {"a": start_worker(url, "submit-a"), "b": start_worker(url, "submit-b")}
        def outputs():
            return sum(len([f for f in files if f.endswith(".jpg")]) for _, _, files in os.walk(output)) if os.path.isdir(output) else 0
        submit_command = [binary, "submit", source, "-o", output, "--server", f"http://127.0.0.1:{port}"]
        start = time.time()
        client = subprocess.Popen(submit_command, stdout=subprocess.DEVNULL, stderr=open(os.path.join(scratch, "submit-1.log"), "w"))
        killed = interrupted = False
        while client.poll() is None:
            written = outputs()
            if not killed and written >= args.images // 2:
                workers["a"].kill(); workers["a"].wait()
                print(f"submit: worker a SIGKILLed at {written} outputs; restarting it in 2 s", flush=True)
                time.sleep(2)
                workers["a"] = start_worker(url, "submit-a")
                killed = True
            if killed and not interrupted and written >= args.images * 3 // 4:
                client.send_signal(signal.SIGINT); client.wait()
                print(f"submit: client interrupted (SIGINT) at {written} outputs, exit {client.returncode}; resuming", flush=True)
                interrupted = True
                client = subprocess.Popen(submit_command, stdout=subprocess.DEVNULL, stderr=open(os.path.join(scratch, "submit-2.log"), "w"))
            time.sleep(0.2)
        elapsed = time.time() - start
        inputs = {os.path.relpath(os.path.join(d, f), source) for d, _, fs in os.walk(source) for f in fs}
        written = {os.path.relpath(os.path.join(d, f), output) for d, _, fs in os.walk(output) for f in fs if f.endswith(".jpg")}
        stored = collections.Counter()
        for worker_name in ("submit-a", "submit-b"):
            for line in open(os.path.join(scratch, f"{worker_name}.log")):
                if line.rstrip().endswith("image done"):
                    job = re.search(r"job=(\S+)", line).group(1); image = re.search(r"image=(\d+)", line).group(1)
                    stored[(job, image)] += 1
        node_log.flush(); node_log.seek(0)
        uploaded = sum(int(m.group(1)) for m in re.finditer(r"images=(\d+).*job created", node_log.read()))
        results["submit"] = {"images": args.images, "seconds": round(elapsed, 1), "exit": client.returncode,
                             "lost": len(inputs - written), "storedTwice": sum(1 for n in stored.values() if n > 1),
                             "stored": sum(stored.values()), "uploaded": uploaded, "uploadedTwice": uploaded - len(inputs)}
        print(f"submit: {len(inputs)} inputs, {len(written)} outputs in {elapsed:.0f} s (exit {client.returncode}); lost {len(inputs - written)}, "
              f"stored {sum(stored.values())} times ({results['submit']['storedTwice']} twice), uploaded {uploaded} ({uploaded - len(inputs)} again)", flush=True)
        for w in workers.values(): w.send_signal(signal.SIGINT); w.wait()

    if "cleanup" in phases:
        name, url = new_database()
        node, port, _ = start_node(url, ["--keep", "0.01"])  # 36 s
        worker = start_worker(url, "cleanup")
        empty = int(psql(name, f"SELECT pg_database_size('{name}')"))
        job = upload(port, cycle(100))
        wait_finished(port, job)
        size = lambda: (int(psql(name, f"SELECT pg_database_size('{name}')")), int(psql(name, "SELECT pg_total_relation_size('image_file')")),
                        int(psql(name, "SELECT count(*) FROM image_file")))
        full = size()
        deadline = time.time() + 240
        while psql(name, "SELECT count(*) FROM job") != "0" and time.time() < deadline: time.sleep(1)
        expired = size()
        psql(name, "VACUUM image_file")
        vacuumed = size()
        results["cleanup"] = {"emptyDatabase": empty, "finished": full, "expired": expired, "afterVacuum": vacuumed}
        mib = lambda b: f"{b / 2**20:.1f} MiB"
        print(f"cleanup: empty database {mib(empty)}; 100 photos done: database {mib(full[0])}, image_file {mib(full[1])} ({full[2]} files); "
              f"expired: {mib(expired[0])}, image_file {mib(expired[1])} ({expired[2]} files); after VACUUM image_file {mib(vacuumed[1])}", flush=True)
        worker.send_signal(signal.SIGINT); worker.wait()

    if "load" in phases:
        name, url = new_database()
        node, port, _ = start_node(url, ["--max-jobs", "1000"])
        workers = [start_worker(url, f"load-{i}") for i in range(2)]
        probe_id = upload(port, cycle(1))
        latencies = {"upload": [], "status": []}
        errors = collections.Counter()
        lock = threading.Lock()
        running = True
        accepted = []
        def client(index):
            start = time.time()
            try:
                job = upload(port, [photos[index % len(photos)]])
                with lock: latencies["upload"].append(time.time() - start); accepted.append(job)
            except Exception as error:
                with lock: errors[type(error).__name__] += 1
        def probe():
            while running:
                start = time.time()
                status, _ = request(port, "GET", f"/v1/jobs/{probe_id}")
                with lock: latencies["status"].append(time.time() - start)
                if status != 200: errors[f"status {status}"] += 1
                time.sleep(0.05)
        prober = threading.Thread(target=probe); prober.start()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(50)]
        for t in threads: t.start()
        for t in threads: t.join()
        time.sleep(5)  # the status probe goes on while the workers run
        running = False; prober.join()
        for job in accepted: wait_finished(port, job)
        def summary(values):
            values = sorted(values)
            pick = lambda q: values[min(len(values) - 1, int(q * len(values)))] * 1000
            return {"n": len(values), "p50ms": round(pick(0.5)), "p95ms": round(pick(0.95)), "maxms": round(values[-1] * 1000)}
        results["load"] = {"uploads": summary(latencies["upload"]), "status": summary(latencies["status"]), "errors": dict(errors),
                           "accepted": len(accepted)}
        print(f"load: 50 concurrent uploads: {results['load']['uploads']}; job status while they ran: {results['load']['status']}; "
              f"errors {dict(errors)}; {len(accepted)} jobs finished", flush=True)
        for w in workers: w.send_signal(signal.SIGINT); w.wait()
finally:
    stop_all()
    postgres.send_signal(signal.SIGINT); postgres.wait()
    print(json.dumps(results, indent=1))
    shutil.rmtree(scratch, ignore_errors=True)
