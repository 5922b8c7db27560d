#!/usr/bin/env python3
"""Drives the `obscura serve` web page in a real headless Chromium (Selenium).

Uploads two photos (carrying GPS and author metadata), waits for their regions, removes one
detected region on the first, draws one region on the second, renders, downloads the zip from
the page and checks it: exiftool finds nothing but the PNG's own structure, the drawn region is
painted (solid magenta), the removed face is not. Saves a screenshot of the review step.

Needs Debian's chromium and chromium-driver, exiftool, ImageMagick's convert, and Selenium
(pip install selenium). Usage: scripts/serve/browser-check.py [SCREENSHOT.png]
"""
import json, os, re, subprocess, sys, tempfile, time, urllib.request, zipfile

from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
screenshot = sys.argv[1] if len(sys.argv) > 1 else None
work = tempfile.mkdtemp(prefix="obscura-browser-")
downloads = os.path.join(work, "downloads"); os.makedirs(downloads)
binary = os.path.join(subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip(), "obscura")

# Two photos with metadata: the fixture, and a mirrored PNG copy.
a = os.path.join(work, "first.jpg"); b = os.path.join(work, "second.png")
subprocess.check_call(["cp", os.path.join(ROOT, "Tests/ObscuraTests/Fixtures/astronaut.jpg"), a])
subprocess.check_call(["convert", a, "-flop", b])
for path in (a, b):
    subprocess.check_call(["exiftool", "-q", "-overwrite_original", "-GPSLatitude=48.8583", "-GPSLatitudeRef=N",
                           "-Artist=Someone Private", "-XMP-dc:Creator=Someone Private", path])

server = subprocess.Popen([binary, "serve", "--port", "0", "--data", os.path.join(work, "data")],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
failures = []
def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition: failures.append(what)

try:
    line = server.stdout.readline()
    url = re.search(r"http://[^/ ]+/", line).group(0)
    print("server:", url)
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,1000"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"), options=options)
    wait = WebDriverWait(driver, 120)
    try:
        driver.get(url)
        driver.find_element(By.ID, "style").send_keys("solid")
        driver.execute_script("document.getElementById('fill').value = '#ff00ff'")
        driver.find_element(By.ID, "format").send_keys("png")
        driver.find_element(By.ID, "files").send_keys(a + "\n" + b)
        driver.find_element(By.ID, "upload").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".card[data-state=review] canvas")) == 2)
        job = driver.execute_script("return document.body.dataset.job")
        regions = [json.load(urllib.request.urlopen(f"{url}v1/jobs/{job}/images/{i}/regions"))["regions"] for i in (0, 1)]
        cards = driver.find_elements(By.CSS_SELECTOR, ".card")
        counts = [int(c.get_attribute("data-regions")) for c in cards]
        check(counts[0] >= 1 and counts[1] >= 1, f"regions found and drawn: {counts}")

        def point(card, x, y):
            """Image pixel (x, y) as an offset from the canvas centre, for ActionChains."""
            canvas = card.find_element(By.TAG_NAME, "canvas")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
            scale = canvas.size["width"] / regions_size[0]
            return canvas, x * scale - canvas.size["width"] / 2, y * scale - canvas.size["height"] / 2

        status = json.load(urllib.request.urlopen(f"{url}v1/jobs/{job}"))
        regions_size = (status["images"][0]["width"], status["images"][0]["height"])
        # Remove the first detected region of the first photo by clicking it.
        face = regions[0][0]["box"]
        face_centre = (face[0] + face[2] / 2, face[1] + face[3] / 2)
        canvas, dx, dy = point(cards[0], *face_centre)
        ActionChains(driver).move_to_element_with_offset(canvas, dx, dy).click().perform()
        # Draw a region on the second photo, over the lower left corner (no face there).
        drawn = (20, 400, 100, 80)
        canvas, dx, dy = point(cards[1], drawn[0], drawn[1])
        scale = canvas.size["width"] / regions_size[0]
        ActionChains(driver).move_to_element_with_offset(canvas, dx, dy).click_and_hold() \
            .move_by_offset(drawn[2] * scale / 2, drawn[3] * scale / 2).move_by_offset(drawn[2] * scale / 2, drawn[3] * scale / 2) \
            .release().perform()
        after = [int(c.get_attribute("data-regions")) for c in cards]
        check(after == [counts[0] - 1, counts[1] + 1], f"one region removed, one added: {counts} -> {after}")
        if screenshot:
            driver.save_screenshot(screenshot)
            print("screenshot:", screenshot)

        driver.find_element(By.ID, "render").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".card[data-state=done] img.result")) == 2)
        driver.find_element(By.ID, "zip").click()
        deadline = time.time() + 30
        while time.time() < deadline and not [f for f in os.listdir(downloads) if f.endswith(".zip")]:
            time.sleep(0.2)
        zips = [f for f in os.listdir(downloads) if f.endswith(".zip")]
        check(len(zips) == 1, "the page downloaded the zip")
        out = os.path.join(work, "out")
        zipfile.ZipFile(os.path.join(downloads, zips[0])).extractall(out)
        names = sorted(os.listdir(out))
        check(names == ["first.png", "second.png"], f"zip entries {names}")
        for name in names:
            tags = subprocess.check_output(["exiftool", "-a", "-G1", "-u", "-s", os.path.join(out, name)], text=True)
            groups = sorted({l.split("]")[0].strip("[ ") for l in tags.splitlines() if l.startswith("[")})
            check(groups == ["ExifTool", "File", "PNG", "System"] or groups == ["Composite", "ExifTool", "File", "PNG", "System"],
                  f"{name}: exiftool groups {groups}")
            check("Private" not in tags and "GPS" not in tags, f"{name}: no GPS or author left")

        def pixel(path, x, y):
            return subprocess.check_output(["convert", path, "-format", f"%[pixel:p{{{x},{y}}}]", "info:"], text=True)
        magenta = ("srgb(255,0,255)", "fuchsia", "magenta")
        inside = pixel(os.path.join(out, "second.png"), drawn[0] + drawn[2] // 2, drawn[1] + drawn[3] // 2)
        check(inside in magenta, f"the drawn region is painted ({inside})")
        kept = pixel(os.path.join(out, "first.png"), int(face_centre[0]), int(face_centre[1]))
        check(kept not in magenta, f"the removed face is left as it was ({kept})")
    finally:
        driver.quit()
finally:
    server.terminate()
    server.wait(timeout=10)

print("browser check:", "passed" if not failures else f"{len(failures)} failed")
sys.exit(1 if failures else 0)
