"""Times `zwgk site` on the demo township, whole process: a first export into an empty folder, an
export again with nothing changed, and one after a single item changed (goal: the first under
2 s). Prints figures; asserts nothing. Run:  .venv/bin/python benchmarks/bench_site.py
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ZWGK = str(Path(sys.executable).with_name("zwgk"))


def run(*args: str, env: dict[str, str]) -> tuple[float, dict[str, int]]:
    start = time.perf_counter()
    done = subprocess.run([ZWGK, *args, "--json"], check=True, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, json.loads(done.stdout)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="zwgk_site_") as folder:
        root = Path(folder)
        env = {**os.environ, "ZWGK_DATA_DIR": folder, "ZWGK_DB": str(root / "demo.sqlite3")}
        subprocess.run([ZWGK, "demo"], check=True, capture_output=True, env=env)
        first, again, changed = [], [], []
        for attempt in range(3):
            out = root / f"www{attempt}"
            seconds, result = run("site", "-o", str(out), env=env)
            first.append(seconds)
            seconds, repeat = run("site", "-o", str(out), env=env)
            again.append(seconds)
            connection = sqlite3.connect(root / "demo.sqlite3")
            connection.execute("UPDATE item_row SET data = json_set(data, '$.summary', json_extract(data, '$.summary')"
                               " || '。') WHERE item_id = (SELECT id FROM disclosure_item WHERE category = 'finance' "
                               "AND status = 'reviewed' ORDER BY id DESC LIMIT 1) AND seq = 1")
            connection.commit()
            connection.close()
            seconds, one = run("site", "-o", str(out), env=env)
            changed.append(seconds)
        print(f"Demo township: {result['items']} items online ({result['withdrawn']} lists withdrawn after their "
              f"publicity period), {result['files']} files.")
        print(f"First export:          median {statistics.median(first):.2f} s (best {min(first):.2f} s), "
              f"{result['written']} files written")
        print(f"Again, nothing changed: median {statistics.median(again):.2f} s, {repeat['written']} files written")
        print(f"Again, one item changed: median {statistics.median(changed):.2f} s, {one['written']} files written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
