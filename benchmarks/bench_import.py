"""Times `zwgk import` of a 10,000-household 低保 list from xlsx, whole process (goal < 3 s), and
the reading and checking alone. Prints figures; asserts nothing.
Run:  .venv/bin/python benchmarks/bench_import.py [ROWS]
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zwgk_desktop.demo import _households
from zwgk_desktop.domain.categories import new_item
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.io.importer import plan_import
from zwgk_desktop.io.workbook import write_workbook

ZWGK = str(Path(sys.executable).with_name("zwgk"))


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory(prefix="zwgk_import_") as folder:
        root = Path(folder)
        env = {**os.environ, "ZWGK_DATA_DIR": folder}
        item = new_item("assistance", Quarter(2026, 3))
        rng = random.Random(7)
        item.rows = []
        for region in ("410122", "410102", "410105", "410181", "410183"):
            item.rows += _households(rng, region, count // 5)
        sheet = root / "households.xlsx"
        write_workbook("assistance", sheet, item)
        print(f"A 低保 list of {len(item.rows):,} households: {sheet.stat().st_size / 1024:.0f} KB of xlsx")
        reads = []
        for _ in range(3):
            start = time.perf_counter()
            plan = plan_import(sheet, "assistance", Quarter(2026, 3))
            reads.append(time.perf_counter() - start)
        print(f"Reading and checking only: median {statistics.median(reads):.2f} s "
              f"({len(plan.errors)} errors, {len(plan.warnings)} warnings)")
        wholes = []
        for attempt in range(3):
            db = root / f"a{attempt}.sqlite3"
            subprocess.run([ZWGK, "demo", "--db", str(db)], check=True, capture_output=True, env=env)
            start = time.perf_counter()
            done = subprocess.run([ZWGK, "import", str(sheet), "--db", str(db), "--village", "donggang", "--period",
                                   "2026Q3", "--category", "assistance", "--accept-warnings"],
                                  capture_output=True, text=True, env=env)
            wholes.append(time.perf_counter() - start)
            if done.returncode:
                print(done.stderr[:500])
                return 1
        print(f"zwgk import, whole process (backup, read, check, store, index for search): "
              f"median {statistics.median(wholes):.2f} s, best {min(wholes):.2f} s (goal < 3 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
