#!/usr/bin/env python3
"""Replays issue 17's reproductions against the command line (items 1-3, 6-8) and the server's
upload check (item 3), printing one line per defect: fixed, or NOT FIXED and why.

    scripts/attack/cli.py [--obscura PATH] [--keep DIR]

Each hostile file is made here, byte for byte. Peak memory is the child's maximum resident set
(/usr/bin/time's %M); every run is confined to 12 GB of address space so that an unfixed build
fails instead of taking the machine. The target: no input of at most 1 MB takes the CLI or the
server past 500 MB. Exit status 1 when any item is not fixed.
"""
import argparse
import hashlib
import http.client
import json
import os
import resource
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

LIMIT_MB = 500
ADDRESS_SPACE = 12 << 30


def be16(value):
    return struct.pack(">H", value)


def le16(value):
    return struct.pack("<H", value)


def progressive_jpeg(width, height, junk_after_app0=False):
    """SOI, (APP0 + one junk byte), DQT, SOF2 declaring the size, DHT, one DC scan, EOI."""
    data = b"\xff\xd8"
    if junk_after_app0:
        data += b"\xff\xe0" + be16(16) + b"JFIF\x00\x01\x01\x00" + be16(1) + be16(1) + b"\x00\x00" + b"\x00"
    data += b"\xff\xdb" + be16(67) + b"\x00" + b"\x01" * 64
    data += b"\xff\xc2" + be16(17) + b"\x08" + be16(height) + be16(width) + b"\x03"
    data += b"".join(bytes([i, 0x11, 0]) for i in (1, 2, 3))
    data += b"\xff\xc4" + be16(20) + b"\x00\x01" + b"\x00" * 15 + b"\x00"
    data += b"\xff\xda" + be16(12) + bytes([3, 1, 0, 2, 0, 3, 0, 0, 0, 0])
    # Entropy-coded data: a run of zero bits, padded to the 232 bytes of the original report.
    data += b"\x00" * max(4, 230 - len(data)) + b"\xff\xd9"
    return data


def gif_screen_bomb(side):
    """35 bytes: a 2-colour global table and a 1 x 1 frame on a side x side logical screen."""
    return (b"GIF89a" + le16(side) + le16(side) + b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff"
            + b"\x2c" + le16(0) + le16(0) + le16(1) + le16(1) + b"\x00" + bytes([2, 2, 0x4C, 0x01, 0]) + b"\x3b")


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def zero_png(side):
    """A valid side x side 8-bit grey PNG of zeros (16384: about 260 KB)."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b"")


def zero_tiff(side):
    """A little-endian RGB TIFF of zeros in one deflate strip (18000: about 950 KB)."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (side * 3)
    strip = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    entries = [(256, 4, 1, side), (257, 4, 1, side), (258, 3, 1, 8), (259, 3, 1, 8), (262, 3, 1, 2),
               (273, 4, 1, 8), (277, 3, 1, 3), (278, 4, 1, side), (279, 4, 1, len(strip))]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack("<HHI", tag, kind, count) + (struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value))
    ifd += struct.pack("<I", 0)
    return b"II" + struct.pack("<HI", 42, 8 + len(strip)) + strip + ifd


def rgb_png(width, height, alpha=False):
    """A valid width x height 8-bit RGB (or RGBA) PNG of one grey-blue (100 MP: about 300 KB)."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + bytes([120, 140, 160] + ([200] if alpha else [])) * width
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b"")


def pillow_photos(photo):
    """100 MP files with a face, made with Pillow and jpegtran when both are installed (else none):
    a PNG, and a 40 KB arithmetic-coded JPEG whose EXIF orientation turns it (so it is turned,
    painted and written again as a 100 MP image)."""
    try:
        from PIL import Image
    except ImportError:
        print("note: Pillow is not installed; the 100 MP photos with a face are skipped", flush=True)
        return []
    if shutil.which("jpegtran") is None:
        print("note: jpegtran (libjpeg-turbo-progs) is not installed; the 100 MP photos with a face are skipped", flush=True)
        return []
    import io
    Image.MAX_IMAGE_PIXELS = None
    canvas = Image.new("RGB", (11547, 8660), (120, 140, 160))
    canvas.paste(Image.open(photo).convert("RGB"), (3000, 2000))
    png, jpeg = io.BytesIO(), io.BytesIO()
    canvas.save(png, "PNG", optimize=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    canvas.save(jpeg, "JPEG", quality=75, exif=exif.tobytes())
    arithmetic = subprocess.run(["jpegtran", "-copy", "all", "-arithmetic"], input=jpeg.getvalue(),
                                capture_output=True, check=True).stdout
    return [("face-100mp.png", png.getvalue()), ("face-100mp-turned.jpg", arithmetic)]


def anonymize_one(obscura, folder, name, data):
    """Writes `data` as `name` and anonymizes it into its own folder: (status, peak MB, stderr, that folder)."""
    path = os.path.join(folder, name)
    with open(path, "wb") as handle:
        handle.write(data)
    output = os.path.join(folder, "out-" + name)
    status, peak, stderr = run_measured([obscura, "anonymize", path, "-o", output + "/", "--quiet"])
    return status, peak, stderr, output


def check_written(obscura, folder, name, data):
    """anonymize one large but allowed file: it must be written, staying under the limit."""
    status, peak, stderr, output = anonymize_one(obscura, folder, name, data)
    problems = []
    if status != 0:
        problems.append(f"exit {status}: {(stderr or '').strip()[-160:]}")
    if peak is not None and peak > LIMIT_MB:
        problems.append(f"peak {peak:.0f} MB")
    if len(data) > 1 << 20:
        problems.append(f"the input is {len(data)} bytes, over 1 MB")
    figure = f"{len(data)} bytes, peak {peak:.0f} MB" if peak is not None else f"{len(data)} bytes"
    return problems, figure


def confine():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_measured(arguments, timeout=300):
    """Runs a command, returning (exit status, peak MB, stderr)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        try:
            process = subprocess.run(["/usr/bin/time", "-o", timing.name, "-f", "%M"] + arguments, preexec_fn=confine,
                                     capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, None, "timed out"
        lines = [line for line in open(timing.name).read().splitlines() if line.strip().isdigit()]
        peak = int(lines[-1]) / 1024 if lines else None
        return process.returncode, peak, process.stderr


def report(number, name, problems):
    status = "fixed" if not problems else "NOT FIXED (" + "; ".join(problems) + ")"
    print(f"item {number} {name}: {status}", flush=True)
    return not problems


def check_refused(obscura, folder, name, data, code="input.too-large"):
    """anonymize one hostile file: it must fail with `code`, write nothing, and stay under the limit."""
    status, peak, stderr, output = anonymize_one(obscura, folder, name, data)
    problems = []
    if status is None:
        problems.append("timed out")
    elif status == 0:
        problems.append("an output was written")
    elif code not in stderr:
        problems.append(f"exit {status} without {code}: {stderr.strip()[-160:]}")
    if peak is not None and peak > LIMIT_MB:
        problems.append(f"peak {peak:.0f} MB")
    if os.path.exists(output) and os.listdir(output):
        problems.append("files were written")
    figure = f"{len(data)} bytes, peak {peak:.0f} MB" if peak is not None else f"{len(data)} bytes"
    return problems, figure


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def vm_hwm_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def server_upload(obscura, folder, data):
    """Starts a server, uploads one file as a job, waits for the job, returns (problems, figure)."""
    port = free_port()
    server = subprocess.Popen([obscura, "serve", "--port", str(port), "--data", os.path.join(folder, "serve-data"), "--jobs", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=confine)
    problems = []
    try:
        for _ in range(300):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            return ["the server did not start"], ""
        before = vm_hwm_mb(server.pid)
        boundary = "attackboundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"junk.jpg\"\r\n"
                f"Content-Type: image/jpeg\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", "/v1/jobs", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        response = connection.getresponse()
        answer = json.loads(response.read() or b"{}")
        job = answer.get("id")
        state = None
        for _ in range(100):
            if job is None:
                break
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", f"/v1/jobs/{job}")
            state = json.loads(connection.getresponse().read())
            if state.get("state") in ("done", "failed", "finished", "review"):
                break
            time.sleep(0.2)
        peak = vm_hwm_mb(server.pid)
        images = (state or answer).get("images", [])
        codes = [str((image.get("error") or {}).get("code")) for image in images]
        if not any(code == "input.too-large" for code in codes):
            problems.append(f"upload answered {response.status}, image codes {codes}")
        if peak is not None and peak > LIMIT_MB:
            problems.append(f"server peak {peak:.0f} MB")
        return problems, f"server peak {before:.0f} -> {peak:.0f} MB"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def sha(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    default = next((p for p in (os.path.join(root, ".build/release/obscura"), os.path.join(root, ".build/debug/obscura"))
                    if os.path.exists(p)), None)
    parser.add_argument("--obscura", default=default, help="the obscura binary (default: .build/release, then .build/debug)")
    parser.add_argument("--keep", help="write the hostile files into this folder and keep them")
    arguments = parser.parse_args()
    if arguments.obscura is None:
        sys.exit("no obscura binary: run 'swift build -c release' or pass --obscura")
    obscura = os.path.abspath(arguments.obscura)
    folder = arguments.keep or tempfile.mkdtemp(prefix="obscura-attack-")
    os.makedirs(folder, exist_ok=True)
    photo = os.path.join(root, "Tests/ObscuraTests/Fixtures/astronaut.jpg")
    results = []
    try:
        problems, figure = check_refused(obscura, folder, "bomb.jpg", progressive_jpeg(65500, 65500))
        results.append(report(1, f"progressive JPEG declaring 65500x65500 ({figure})", problems))

        problems, figure = check_refused(obscura, folder, "bomb.gif", gif_screen_bomb(23170))
        results.append(report(2, f"GIF screen 23170^2 ({figure})", problems))
        problems, figure = check_refused(obscura, folder, "bomb.png", zero_png(16384))
        results.append(report(2, f"PNG 16384^2 ({figure})", problems))

        junk = progressive_jpeg(20000, 20000, junk_after_app0=True)
        problems, figure = check_refused(obscura, folder, "junk.jpg", junk)
        results.append(report(3, f"junk byte after APP0, CLI ({figure})", problems))
        problems, figure = server_upload(obscura, folder, junk)
        results.append(report(3, f"junk byte after APP0, server upload ({figure})", problems))
        problems, figure = check_refused(obscura, folder, "bomb.tif", zero_tiff(18000))
        results.append(report(3, f"deflate TIFF 18000^2 ({figure})", problems))

        # The memory target at the default --max-pixels 100: the largest images it lets in.
        problems, figure = check_written(obscura, folder, "flat-100mp.png", rgb_png(11547, 8660))
        results.append(report("1-2", f"100 MP RGB PNG, written ({figure})", problems))
        problems, figure = check_refused(obscura, folder, "flat-100mp-rgba.png", rgb_png(11547, 8660, alpha=True))
        results.append(report("1-2", f"100 MP RGBA PNG, refused: its pixels alone are 400 MB ({figure})", problems))
        problems, figure = check_written(obscura, folder, "flat-75mp-rgba.png", rgb_png(10000, 7500, alpha=True))
        results.append(report("1-2", f"75 MP RGBA PNG, written ({figure})", problems))
        problems, figure = check_refused(obscura, folder, "progressive-100mp.jpg", progressive_jpeg(11547, 8660))
        results.append(report("1-2", f"100 MP progressive JPEG, refused from its header ({figure})", problems))
        for name, data in pillow_photos(photo):
            problems, figure = check_written(obscura, folder, name, data)
            results.append(report("1-2", f"{name}, written ({figure})", problems))

        # Item 6: x/a.jpg y/a.jpg -o y --overwrite --jobs 1 must leave y/a.jpg alone.
        for sub in ("x", "y"):
            os.makedirs(os.path.join(folder, sub), exist_ok=True)
            shutil.copy(photo, os.path.join(folder, sub, "a.jpg"))
        before = sha(os.path.join(folder, "y/a.jpg"))
        status, _, stderr = run_measured([obscura, "anonymize", os.path.join(folder, "x/a.jpg"), os.path.join(folder, "y/a.jpg"),
                                          "-o", os.path.join(folder, "y"), "--overwrite", "--jobs", "1", "--quiet"])
        problems = [] if sha(os.path.join(folder, "y/a.jpg")) == before else ["the input y/a.jpg was replaced"]
        results.append(report(6, "an output replacing another input", problems))

        # Item 7: --report in.jpg --overwrite must not replace the input.
        target = os.path.join(folder, "x/a.jpg")
        before = sha(target)
        status, _, stderr = run_measured([obscura, "anonymize", target, "-o", os.path.join(folder, "out7"), "--report", target,
                                          "--overwrite", "--quiet"])
        problems = [] if sha(target) == before else ["the input was replaced by the report"]
        if status == 0:
            problems.append("the run succeeded")
        results.append(report(7, "--report naming an input", problems))

        # Item 8: a 209-byte input name.
        long_folder = os.path.join(folder, "long")
        os.makedirs(long_folder, exist_ok=True)
        name = "n" * 205 + ".jpg"
        shutil.copy(photo, os.path.join(long_folder, name))
        status, _, stderr = run_measured([obscura, "anonymize", long_folder, "-o", os.path.join(folder, "out8"), "--quiet"])
        written = os.path.exists(os.path.join(folder, "out8", name))
        problems = [] if status == 0 and written else [f"exit {status}: {stderr.strip()[-160:]}"]
        results.append(report(8, "a 209-byte file name", problems))
    finally:
        if not arguments.keep:
            shutil.rmtree(folder, ignore_errors=True)
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
