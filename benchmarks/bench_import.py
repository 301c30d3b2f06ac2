"""Times `zwgk import` of a 10,000-household 低保 list from xlsx, whole process (goal < 3 s), and
the reading and checking alone; then reading the sheet side by side: python-calamine alone (the
floor), our reader, and openpyxl's fast mode as we read with it before, for the file as written
and with its stored dimension claiming the whole sheet (A1:XFD1048576, as some exporters write
it). Prints figures; asserts nothing.
Run:  .venv/bin/python benchmarks/bench_import.py [ROWS]
"""

from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zwgk_desktop.domain.categories import new_item
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.io.importer import plan_import
from zwgk_desktop.io.sheets import read_grids
from zwgk_desktop.io.workbook import write_workbook
from zwgk_desktop.office.demo import _households

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
        whole = root / "whole.xlsx"
        _claim_whole_sheet(sheet, whole)
        for label, path in (("as written", sheet), ("claiming A1:XFD1048576", whole)):
            for reader, read in (("python-calamine alone", _calamine), ("our reader (read_grids)", read_grids),
                                 ("openpyxl fast mode, as before", _openpyxl_fast)):
                times = []
                for _ in range(3):
                    start = time.perf_counter()
                    rows = read(path)
                    times.append(time.perf_counter() - start)
                print(f"Reading the sheet {label}, {reader}: median {statistics.median(times):.2f} s "
                      f"({rows:,} rows)" if isinstance(rows, int) else
                      f"Reading the sheet {label}, {reader}: median {statistics.median(times):.2f} s "
                      f"({len(rows[0].rows):,} rows)")
    return 0


def _calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:
        return len(book.get_sheet_by_index(0).to_python(skip_empty_area=False))


def _openpyxl_fast(path: Path) -> int:
    """The reading import did up to now: openpyxl's read-only mode, which trusts the dimension."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    count = 0
    for cells in book.worksheets[0].iter_rows():
        row = [cell.value for cell in cells[:200]]
        count += any(v is not None for v in row)
    book.close()
    return count


def _claim_whole_sheet(source: Path, target: Path) -> None:
    import zipfile

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for entry in old.infolist():
            data = old.read(entry)
            if entry.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', data)
            new.writestr(entry, data)


if __name__ == "__main__":
    sys.exit(main())
