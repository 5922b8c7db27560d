#!/usr/bin/env python3
"""Drives the review page of `obscura serve` in headless Chromium (Selenium), at 1280 and 390 px.

At each width: chooses three photos (two carry GPS and author metadata), removes one thumbnail,
sends the other two, waits until they are ready to check, removes the detected face of the first
with the keyboard (Tab to the box, Delete), adds a box with the A key, draws one on the second
(with the mouse at 1280 px, with a finger, as touch events, at 390 px), zooms with + and 0, hides and saves, downloads the zip (exiftool finds only the PNG structure, no
GPS or author), compares before and after, reads the metadata removed, puts
the face back and saves again (the original is kept until Finish), finishes (no original left on
the server), deletes one photo only, and "Delete all my photos" deletes this page's job but not
another client's. At 1280 px it saves screenshots to docs/images/page-*.png.

Skips (exit 0, "SKIP: …") when Chromium, chromedriver, Selenium or the built binary is absent.
Usage: scripts/serve/page-check.py [--no-screenshots]
"""
import glob, json, os, re, shutil, subprocess, sys, tempfile, time, urllib.error, urllib.request, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def skip(why):
    print("SKIP:", why)
    sys.exit(0)


chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
driver_path = shutil.which("chromedriver")
if not chromium or not driver_path:
    skip("Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
try:
    from selenium import webdriver
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    skip("Selenium is not installed (pip install selenium)")
try:
    from PIL import Image
except ImportError:
    Image = None

bin_dir = subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip()
binary = os.path.join(bin_dir, "obscura")
if not os.path.exists(binary):
    skip(f"{binary} is not built (swift build)")
screenshots = "--no-screenshots" not in sys.argv

work = tempfile.mkdtemp(prefix="obscura-page-")
fixture = os.path.join(ROOT, "Tests/ObscuraTests/Fixtures/astronaut.jpg")
first, second, third = (os.path.join(work, n) for n in ("first.jpg", "second.png", "third.jpg"))
shutil.copy(fixture, first)
shutil.copy(fixture, third)
if Image:
    Image.open(fixture).transpose(Image.FLIP_LEFT_RIGHT).save(second)
else:
    subprocess.check_call(["convert", fixture, "-flop", second])
has_exiftool = shutil.which("exiftool") is not None
if has_exiftool:
    for path in (first, second):
        subprocess.check_call(["exiftool", "-q", "-overwrite_original", "-GPSLatitude=48.8583", "-GPSLatitudeRef=N",
                               "-Artist=Someone Private", path])

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)
    return condition


def http(url, method="GET", data=None, headers=None):
    request = urllib.request.Request(url, method=method, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def other_client_job(url):
    """A job made by another client (curl-like, no Origin): the page must never delete it."""
    boundary = "page-check-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"review\"\r\n\r\ntrue\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"images\"; filename=\"x.jpg\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode() + open(fixture, "rb").read() + f"\r\n--{boundary}--\r\n".encode()
    status, reply = http(url + "v1/jobs", "POST", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    return json.loads(reply)["id"] if status == 202 else None


def small_png(source, target, width):
    if Image is None:
        shutil.copy(source, target)
        return
    image = Image.open(source).convert("RGB")
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(target, optimize=True)


def run(width, height, shots):
    data = os.path.join(work, f"data-{width}")
    server = subprocess.Popen([binary, "serve", "--port", "0", "--data", data],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={width},{height}", "--hide-scrollbars"):
        options.add_argument(flag)
    downloads = os.path.join(work, f"downloads-{width}")
    os.makedirs(downloads)
    options.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
    driver = None
    try:
        url = re.search(r"http://[^/ ]+/", server.stdout.readline()).group(0)
        print(f"--- {width} px, server {url}")
        driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver_path), options=options)
        wait = WebDriverWait(driver, 120)
        js = driver.execute_script
        if width <= 600:
            # The phone run also checks dark mode (prefers-color-scheme).
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        driver.get(url)
        background = js("return getComputedStyle(document.body).backgroundColor")
        if width <= 600:
            check(background == "rgb(21, 23, 27)", f"dark mode follows the system: body {background}")
        else:
            check(background == "rgb(255, 255, 255)", f"light mode by default: body {background}")

        # Nested duplicate boxes of one kind form one group (one box on screen, one toggle).
        groups = js("""const r = [{kind: 'face', box: [100, 100, 200, 200]}, {kind: 'face', box: [140, 150, 80, 90]},
                                   {kind: 'text', box: [150, 160, 20, 10]}, {kind: 'face', box: [400, 400, 50, 50]}];
                       groupRegions(r); return r.map(x => x.group);""")
        check(groups[0] == groups[1] and len({groups[0], groups[2], groups[3]}) == 3,
              f"nested duplicates are merged, other kinds and other places are not: {groups}")

        def fits():
            return js("return document.documentElement.scrollWidth <= window.innerWidth + 1")

        def shot(name):
            if shots:
                raw = os.path.join(work, name)
                driver.save_screenshot(raw)
                target = os.path.join(ROOT, "docs/images", name)
                small_png(raw, target, 960 if width > 600 else width)
                print("screenshot:", os.path.relpath(target, ROOT), os.path.getsize(target), "bytes")

        # Plain words, settings folded, no token field on a server without one.
        check(driver.find_element(By.ID, "upload").text == "Find faces…", "the button says “Find faces…”")
        check(not driver.find_element(By.ID, "format").is_displayed(), "file format is behind “Advanced”")
        time.sleep(0.3)
        check(not driver.find_element(By.ID, "tokenBox").is_displayed(), "no token field (the server needs none)")
        driver.find_element(By.ID, "style").send_keys("solid")
        js("document.getElementById('fill').value = '#ff00ff'")
        driver.find_element(By.CSS_SELECTOR, "#advanced summary").click()
        driver.find_element(By.ID, "format").send_keys("PNG")
        check(js("return document.getElementById('format').value") == "png", "advanced: PNG chosen")
        driver.find_element(By.CSS_SELECTOR, "#advanced summary").click()

        # Thumbnails before sending, one removed.
        driver.find_element(By.ID, "files").send_keys(first + "\n" + second + "\n" + third)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#picked .thumb")) == 3)
        wait.until(lambda d: js("return Array.from(document.querySelectorAll('#picked img')).every(i => i.complete && i.naturalWidth > 0)"))
        check(True, "three thumbnails shown before sending")
        check(fits(), f"nothing wider than the window ({width} px) when choosing")
        driver.find_elements(By.CSS_SELECTOR, "#picked .remove")[2].click()
        names = [e.get_attribute("title") for e in driver.find_elements(By.CSS_SELECTOR, "#picked .name")]
        check(names == ["first.jpg", "second.png"], f"one thumbnail removed: {names}")
        if width > 600:
            shot("page-choose.png")

        driver.find_element(By.ID, "upload").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".card[data-state=review]")) == 2)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#stage .region"))
        job = js("return document.body.dataset.jobs").strip()
        check(re.fullmatch(r"[0-9a-f-]{36}", job) is not None, "the page keeps its job id in sessionStorage")
        stored = json.loads(http(f"{url}v1/jobs/{job}/images/0/regions")[1])
        box = stored["regions"][0]["box"]
        face = (box[0] + box[2] / 2, box[1] + box[3] / 2)
        region = driver.find_element(By.CSS_SELECTOR, "#stage .region")
        label = region.get_attribute("data-label")
        check(re.fullmatch(r"face 0\.\d\d", label) is not None, f"the box is labelled by kind with its score: {label!r}")
        check("ellipse" in region.get_attribute("class") and "k-face" in region.get_attribute("class"), "the face box is the planned oval, in the face colour")
        planned = stored["planned"][0]["painted"]
        shown = [float(region.value_of_css_property(p)[:-2]) for p in ("left", "top", "width", "height")]
        check(all(abs(a - b) < 0.6 for a, b in zip(shown, planned)) and planned[2] > box[2],
              f"the box shows what will be painted (margin added): {shown} vs detector {box}")
        check(fits(), f"nothing wider than the window ({width} px) when checking")

        # Keyboard: Tab from the photo reaches the box; Delete leaves the face visible; A adds a box.
        stage = driver.find_element(By.ID, "stage")
        js("arguments[0].focus()", stage)
        ActionChains(driver).send_keys(Keys.TAB).perform()
        focused = driver.switch_to.active_element
        check("region" in (focused.get_attribute("class") or ""), "Tab from the photo reaches its box")
        shot("page-review.png" if width > 600 else "page-review-390.png")
        before = int(stage.get_attribute("data-regions"))
        focused.send_keys(Keys.DELETE)
        check(int(stage.get_attribute("data-regions")) == before - 1 and driver.find_elements(By.CSS_SELECTOR, ".region.removed"),
              "Delete leaves the focused face visible")
        js("arguments[0].focus()", stage)
        ActionChains(driver).send_keys("a").perform()
        check(int(stage.get_attribute("data-regions")) == before and driver.find_elements(By.CSS_SELECTOR, ".region.k-manual"),
              "the A key adds a box")
        driver.switch_to.active_element.send_keys(Keys.DELETE)
        check(int(stage.get_attribute("data-regions")) == before - 1, "Delete removes an added box")

        # Pointer: draw a box on the second photo (lower left, no face there).
        driver.find_elements(By.CSS_SELECTOR, ".card .open")[1].click()
        wait.until(lambda d: d.find_element(By.ID, "review").get_attribute("data-key").endswith("/1"))
        stage = driver.find_element(By.ID, "stage")
        js("arguments[0].scrollIntoView({block: 'center'})", stage)
        k = float(js("return parseFloat(getComputedStyle(arguments[0]).getPropertyValue('--k'))", stage))
        count = int(stage.get_attribute("data-regions"))
        if width > 600:
            # With the mouse.
            start = js("""const r = arguments[0].getBoundingClientRect(), m = new DOMMatrix(getComputedStyle(document.getElementById('layer')).transform);
                          return [m.e + 20 * m.a - r.width / 2, m.f + 400 * m.a - r.height / 2];""", stage)
            ActionChains(driver).move_to_element_with_offset(stage, start[0], start[1]).click_and_hold() \
                .move_by_offset(50 * k, 40 * k).move_by_offset(50 * k, 40 * k).release().perform()
            check(int(stage.get_attribute("data-regions")) == count + 1, "dragging with the mouse adds a box")
        else:
            # With a finger (touch events, which the page reads as pointer events).
            x, y = js("""const r = arguments[0].getBoundingClientRect(), m = new DOMMatrix(getComputedStyle(document.getElementById('layer')).transform);
                         return [r.left + m.e + 20 * m.a, r.top + m.f + 400 * m.a];""", stage)
            touch = lambda kind, points: driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})
            touch("touchStart", [{"x": x, "y": y}])
            for step in range(1, 6):
                touch("touchMove", [{"x": x + 100 * k * step / 5, "y": y + 80 * k * step / 5}])
            touch("touchEnd", [])
            check(int(stage.get_attribute("data-regions")) == count + 1, "dragging a finger adds a box")
        drawn = json.loads(js("return JSON.stringify(entries.get(selected).regions.filter(r => r.kind === 'manual').map(r => r.box))"))
        check(len(drawn) == 1 and abs(drawn[0][0] - 20) < 3 and abs(drawn[0][1] - 400) < 3 and abs(drawn[0][2] - 100) < 4,
              f"the drawn box is where it was drawn: {drawn}")
        # Zoom with the keyboard, and back.
        js("arguments[0].focus()", stage)
        ActionChains(driver).send_keys("+").perform()
        zoomed = float(js("return parseFloat(getComputedStyle(arguments[0]).getPropertyValue('--k'))", stage))
        ActionChains(driver).send_keys("0").perform()
        fitted = float(js("return parseFloat(getComputedStyle(arguments[0]).getPropertyValue('--k'))", stage))
        check(zoomed > k * 1.2 and abs(fitted - k) < 1e-6, f"+ zooms in ({k:.3f} -> {zoomed:.3f}) and 0 fits again")

        # Hide and save; before/after; metadata.
        driver.find_element(By.ID, "render").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".card[data-state=done]")) == 2)
        driver.find_elements(By.CSS_SELECTOR, ".card .open")[0].click()
        wait.until(lambda d: d.find_element(By.ID, "stage").get_attribute("data-view") == "after")
        driver.find_element(By.ID, "showBefore").click()
        check(driver.find_element(By.ID, "stage").get_attribute("data-view") == "before", "Before shows the original")
        driver.find_element(By.ID, "showAfter").click()
        check(driver.find_element(By.ID, "stage").get_attribute("data-view") == "after", "After shows the result")
        metadata = driver.find_element(By.ID, "metadata").text
        if has_exiftool:
            check("GPS location" in metadata, f"the metadata removed is listed: {metadata!r}")

        def pixel(index, x, y):
            status, body = http(f"{url}v1/jobs/{job}/images/{index}/result")
            if status != 200:  # being rendered again
                return None
            path = os.path.join(work, f"r{width}-{index}.png")
            open(path, "wb").write(body)
            if Image:
                return Image.open(path).convert("RGB").getpixel((int(x), int(y)))
            out = subprocess.check_output(["convert", path, "-format", f"%[fx:int(255*r)],%[fx:int(255*g)],%[fx:int(255*b)]",
                                           "-crop", f"1x1+{int(x)}+{int(y)}", "info:"], text=True)
            return tuple(int(v) for v in out.split(","))
        magenta = (255, 0, 255)
        check(pixel(0, *face) != magenta, "the face left visible is not painted")
        check(pixel(1, 70, 440) == magenta, "the drawn box is painted")

        # Download all: the zip holds both photos, with nothing but the PNG's own structure.
        driver.find_element(By.ID, "zip").click()
        deadline = time.time() + 30
        while time.time() < deadline and not glob.glob(os.path.join(downloads, "*.zip")):
            time.sleep(0.2)
        zips = glob.glob(os.path.join(downloads, "*.zip"))
        if check(len(zips) == 1, "the page downloaded the zip"):
            out = os.path.join(work, f"zip-{width}")
            zipfile.ZipFile(zips[0]).extractall(out)
            names = sorted(os.listdir(out))
            check(names == ["first.png", "second.png"], f"zip entries {names}")
            for name in names if has_exiftool else []:
                tags = subprocess.check_output(["exiftool", "-a", "-G1", "-u", "-s", os.path.join(out, name)], text=True)
                groups = sorted({l.split("]")[0].strip("[ ") for l in tags.splitlines() if l.startswith("[")} - {"Composite"})
                check(groups == ["ExifTool", "File", "PNG", "System"], f"{name}: exiftool groups {groups}")
                check("Private" not in tags and "GPS" not in tags, f"{name}: no GPS or author left")

        # Change of mind after saving: put the face back and save again.
        driver.find_element(By.ID, "edit").click()
        restore = driver.find_element(By.CSS_SELECTOR, "#stage .region.removed")
        restore.send_keys(Keys.ENTER)
        check(not driver.find_elements(By.CSS_SELECTOR, "#stage .region.removed"), "Enter hides the face again")
        driver.find_element(By.ID, "saveOne").click()
        wait.until(lambda d: json.loads(http(f"{url}v1/jobs/{job}")[1])["images"][0]["state"] == "done"
                   and d.find_elements(By.CSS_SELECTOR, ".card[data-state=done]") and pixel(0, *face) == magenta)
        check(True, "after saving again the face is painted (the original was kept)")
        wait.until(lambda d: d.find_element(By.ID, "stage").get_attribute("data-view") == "after"
                   and "done" in d.find_element(By.ID, "reviewTitle").text)
        if width > 600:
            time.sleep(0.5)
            shot("page-after.png")

        # Finish: the originals go.
        driver.find_element(By.ID, "finish").click()
        driver.switch_to.alert.accept()
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-finished") == "true")
        check(not glob.glob(os.path.join(data, "jobs", job, "*.original")), "after Finish no original is left on the server")
        check(not driver.find_element(By.ID, "showBefore").is_enabled(), "Before is off once finished")

        # Delete one photo only.
        driver.find_elements(By.CSS_SELECTOR, ".card .del")[1].click()
        driver.switch_to.alert.accept()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".card")) == 1)
        images = json.loads(http(f"{url}v1/jobs/{job}")[1])["images"]
        check([i["name"] for i in images] == ["first.jpg"], f"Delete removed that photo only: {[i['name'] for i in images]}")

        # Delete all: asks, and touches this page's jobs only.
        other = other_client_job(url)
        driver.find_element(By.ID, "deleteAll").click()
        alert = driver.switch_to.alert
        check("1 photo" in alert.text, f"Delete all asks first: {alert.text!r}")
        alert.dismiss()
        check(http(f"{url}v1/jobs/{job}")[0] == 200, "answering Cancel deletes nothing")
        driver.find_element(By.ID, "deleteAll").click()
        driver.switch_to.alert.accept()
        wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".card"))
        check(http(f"{url}v1/jobs/{job}")[0] == 404, "this page's job is deleted")
        check(other is not None and http(f"{url}v1/jobs/{other}")[0] == 200, "another client's job is untouched")
    except Exception as error:  # a timeout or missing element fails the check, with the page state
        check(False, f"{width} px: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
        if driver:
            print("page status:", driver.execute_script("return document.getElementById('status').textContent"))
    finally:
        if driver:
            driver.quit()
        server.terminate()
        server.wait(timeout=10)


def run_with_token():
    """On a server with a token the field shows, and what is typed there is sent."""
    token = "page-check-token-0123456789"
    server = subprocess.Popen([binary, "serve", "--port", "0", "--data", os.path.join(work, "data-token")],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              env=dict(os.environ, OBSCURA_TOKEN=token))
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = None
    try:
        url = re.search(r"http://[^/ ]+/", server.stdout.readline()).group(0)
        print(f"--- token, server {url}")
        driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver_path), options=options)
        wait = WebDriverWait(driver, 120)
        driver.get(url)
        wait.until(lambda d: d.find_element(By.ID, "tokenBox").is_displayed())
        check(True, "the token field shows on a server that needs one")
        driver.find_element(By.ID, "token").send_keys(token)
        driver.find_element(By.ID, "files").send_keys(first)
        driver.find_element(By.ID, "upload").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".card[data-state=review]"))
        check(True, "with the token typed in, the page sends and reads the job")
    except Exception as error:
        check(False, f"token: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
    finally:
        if driver:
            driver.quit()
        server.terminate()
        server.wait(timeout=10)


run(1280, 900, screenshots)
run_with_token()
run(390, 844, screenshots)
shutil.rmtree(work, ignore_errors=True)
print("page check:", "passed" if not failures else f"{len(failures)} failed")
sys.exit(1 if failures else 0)
