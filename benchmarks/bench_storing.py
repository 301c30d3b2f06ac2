"""Times, in this process, what `zwgk import` does after reading a 低保 list of ROWS households:
the checks (`importer._check`: validate), the archive's checks (`archive_warnings`, run in the plan
and again inside the village's hold), the backup, storing the rows, the search index and the
commit. Each phase's wall time and this thread's CPU time (less moved by other processes on a
shared machine: compare CPU figures of two runs side by side), the median of the runs.
Asserts nothing.

Run:  .venv/bin/python benchmarks/bench_storing.py [ROWS] [RUNS]   (default: 10000 3)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_import import ZWGK, sheet_of

from zwgk_desktop.db import store as db_store
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.io import importer
from zwgk_desktop.office import handle, importing, items

WALL: dict[str, float] = defaultdict(float)
CPU: dict[str, float] = defaultdict(float)


def timed(owner: Any, name: str, label: str) -> None:
    """Replace `owner.name` by itself, its time added to `label`'s."""
    function: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            WALL[label] += time.perf_counter() - wall
            CPU[label] += time.thread_time() - cpu
    setattr(owner, name, wrapper)


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    timed(importer, "_check", "checks (validate)")
    timed(importing, "check_against_archive", "archive checks, in the plan")
    timed(importer, "archive_warnings", "archive checks, both")
    timed(handle.Archive, "backup", "backup")
    timed(db_store, "_index_for_search", "search index")
    timed(importing, "store", "store, whole")
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="zwgk_storing_") as folder:
        root = Path(folder)
        os.environ["ZWGK_DATA_DIR"] = folder
        demo = root / "demo.sqlite3"
        subprocess.run([ZWGK, "demo", "--db", str(demo)], check=True, capture_output=True)
        sheet = sheet_of(count, root)
        found: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for attempt in range(runs):
            db = root / f"run_{attempt}.sqlite3"
            shutil.copy(demo, db)
            WALL.clear()
            CPU.clear()
            with handle.Archive.open(str(db)) as archive:
                village = items.find_village(archive, "donggang")
                plan = importing.plan(archive, sheet, "assistance", Quarter(2026, 3), village)
                importing.store(archive, plan, village, warnings_accepted=True)
            for times in (WALL, CPU):
                again = times.pop("archive checks, both") - times["archive checks, in the plan"]
                times["archive checks, again in the hold"] = again
                times["rows, commit and the rest of the store"] = (
                    times["store, whole"] - times["backup"] - times["search index"] - again)
                times["ALL: checks + archive checks + store"] = (
                    times["checks (validate)"] + times["archive checks, in the plan"] + times["store, whole"])
            for label in WALL:
                found[label].append((WALL[label], CPU[label]))
    print(f"\nA 低保 list of {count:,} households, {runs} runs, in this process ({len(plan.item.rows):,} rows stored)")
    for label, times in found.items():
        wall, cpu = statistics.median(t for t, _ in times), statistics.median(c for _, c in times)
        print(f"  {label:42s} wall {wall * 1000:7.1f} ms   cpu {cpu * 1000:7.1f} ms")
    print(f"\nload after: {os.getloadavg()[0]:.2f} (1 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
