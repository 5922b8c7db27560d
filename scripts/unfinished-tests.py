#!/usr/bin/env python3
"""Names the tests that started and never ended, from a `swift test` log (Swift Testing's lines)."""
import re
import sys

started, ended = {}, set()
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if "◇ Test case " in line or "◇ Test run " in line:
        continue  # argument cases end with their test; the run is not a test
    if m := re.search(r"◇ Test (.+) started\.$", line):
        started.setdefault(m.group(1), len(started))
    elif m := re.search(r"[✔✘] Test (.+?) (?:with \d+ test cases? )?(?:passed|failed) after ", line):
        ended.add(m.group(1))
for name in sorted(set(started) - ended, key=started.get):
    print(f"  {name}")
