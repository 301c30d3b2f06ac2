"""Times `zwgk import` of a 低保 list of 10,000 and 100,000 households from xlsx, whole process
(goals: 10,000 rows < 1.0 s and within 3× of the floor; 100,000 rows < 8 s), side by side with the
floor: a bare Python that imports python-calamine and reads the same file, nothing else. Prints
each figure (median of the runs), the ratio, and each process's peak memory (its own rusage, from
os.wait4 of a small spawner, see SPAWNER). Also reading and checking only, in this process. Asserts nothing.
Prints the time of writing the rows back out (the export's workbook) as well, so it stays linear.
Prints the split of the whole process too: the interpreter and the import path's modules (a
process that only imports them), reading the file (`read_grids`), the rows and checks (the rest
of `plan_import`), and what is left of the whole (backup, the archive's checks, storing, the
search index), each the median of its runs; and, of the rows and checks, the rows read alone
(`importer._read_rows`, timed in this process), with reading and that together.

Both processes run with the package's bytecode compiled beforehand (into a temporary
PYTHONPYCACHEPREFIX), as an installed app has it: a development shell that sets
PYTHONDONTWRITEBYTECODE would otherwise compile every module from source at every start.
Run:  .venv/bin/python benchmarks/bench_import.py [ROWS ...]   (default: 10000 100000)
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from zwgk_desktop.domain.categories import category
from zwgk_desktop.domain.fields import Kind
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.io import importer
from zwgk_desktop.io.importer import plan_import
from zwgk_desktop.io.workbook import write_workbook
from zwgk_desktop.office.demo import _households

ZWGK = str(Path(sys.executable).with_name("zwgk"))
IMPORTS = "import zwgk_desktop.cli, zwgk_desktop.office.importing, zwgk_desktop.io.importer, python_calamine"
FLOOR = ("import sys; from python_calamine import CalamineWorkbook; "
         "book = CalamineWorkbook.from_path(sys.argv[1]); "
         "rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False); print(len(rows))")


# Linux counts in a child's peak memory (ru_maxrss) the resident size of the process it was forked
# from (exec records the old address space's peak), so a child of this benchmark, which holds the
# 100,000-row plan, would show this process's peak, not its own. Each measured command is therefore
# started by a small Python (no site, nothing imported) that spawns it, times it and reports its
# peak; the small one's own few MB are all it can add.
SPAWNER = ("import os, sys, time; start = time.perf_counter(); "
           "pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ); "
           "_, status, usage = os.wait4(pid, 0); took = time.perf_counter() - start; "
           "open(sys.argv[1], 'w').write(f'{took} {usage.ru_maxrss}'); "
           "sys.exit(os.waitstatus_to_exitcode(status))")


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall time, peak resident memory (MB) and stderr of one process, as its spawner saw them."""
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as result:
        process = subprocess.run([sys.executable, "-S", "-I", "-c", SPAWNER, result.name, *command],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        err = process.stderr.decode("utf-8", "replace")
        if process.returncode:
            raise SystemExit(f"{command[:2]} failed ({process.returncode}): {err[:500]}")
        took, peak = result.read().split()
    return float(took), int(peak) // 1024, err


def sheet_of(count: int, root: Path) -> Path:
    """The households in the import template's form (its title and header rows, written by
    write_workbook), the rows streamed by openpyxl's write-only mode, as a plain exporter writes
    them (no styles, no drop-down lists)."""
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    rng = random.Random(7)
    rows = []
    for region in ("410122", "410102", "410105", "410181", "410183"):
        rows += _households(rng, region, count // 5)
    template = root / "template.xlsx"
    write_workbook("assistance", template)
    with CalamineWorkbook.from_path(str(template)) as book:
        title, header = book.get_sheet_by_name("明细").to_python()[:2]
    fields = category("assistance").row_fields
    book = Workbook(write_only=True)
    sheet = book.create_sheet("明细")
    sheet.append([title[0]])
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(f.key) / 100 if f.kind is Kind.MONEY and row.get(f.key) is not None else row.get(f.key)
                      for f in fields])
    path = root / f"households_{count}.xlsx"
    book.save(path)
    return path


@contextmanager
def rows_timed(took: list[float]) -> Iterator[None]:
    """Each `importer._read_rows` (the rows of the sheet into the item's rows) timed into `took`."""
    read_rows = importer._read_rows

    def timed(*args: Any, **kwargs: Any) -> None:
        start = time.perf_counter()
        read_rows(*args, **kwargs)
        took.append(time.perf_counter() - start)
    importer._read_rows = timed
    try:
        yield
    finally:
        importer._read_rows = read_rows


def main() -> int:
    counts = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="zwgk_import_") as folder:
        root = Path(folder)
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env |= {"ZWGK_DATA_DIR": folder, "PYTHONPYCACHEPREFIX": str(root / "pycache")}
        subprocess.run([sys.executable, "-c", "import compileall, os, zwgk_desktop; "
                        "compileall.compile_dir(os.path.dirname(zwgk_desktop.__file__), quiet=1)"],
                       check=True, env=env)
        demo = root / "demo.sqlite3"
        subprocess.run([ZWGK, "demo", "--db", str(demo)], check=True, capture_output=True, env=env)
        for count in counts:
            sheet = sheet_of(count, root)
            runs = 3 if count <= 20_000 else 2
            print(f"\nA 低保 list of {count:,} households: {sheet.stat().st_size / 1024:,.0f} KB of xlsx")
            reads, plans, imports, rows_read = [], [], [], []
            with rows_timed(rows_read):
                for _ in range(runs):
                    start = time.perf_counter()
                    importer.read_grids(sheet)
                    reads.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    plan = plan_import(sheet, "assistance", Quarter(2026, 3))
                    plans.append(time.perf_counter() - start)
            print(f"  reading and checking only, in this process: median {statistics.median(plans):.2f} s "
                  f"({len(plan.item.rows):,} rows, {len(plan.errors)} errors, {len(plan.warnings)} warnings)")
            start = time.perf_counter()
            write_workbook("assistance", root / "exported.xlsx", plan.item)
            print(f"  writing the same rows back out (`zwgk export`'s workbook, in this process): "
                  f"{time.perf_counter() - start:.2f} s")
            floors, wholes = [], []
            for attempt in range(runs):  # interleaved, so both see the same load
                floors.append(timed([sys.executable, "-c", FLOOR, str(sheet)], env))
                imports.append(timed([sys.executable, "-c", IMPORTS], env))
                db = root / f"{count}_{attempt}.sqlite3"
                shutil.copy(demo, db)
                wholes.append(timed([ZWGK, "import", str(sheet), "--db", str(db), "--village", "donggang",
                                     "--period", "2026Q3", "--category", "assistance", "--accept-warnings"], env))
            floor = statistics.median(t for t, _, _ in floors)
            whole = statistics.median(t for t, _, _ in wholes)
            goal = "< 1.0 s and within 3× of the floor" if count <= 10_000 else "< 8 s"
            print(f"  floor, bare Python reading it with python-calamine: median {floor:.2f} s, "
                  f"peak {max(m for _, m, _ in floors)} MB")
            print(f"  zwgk import, whole process (backup, read, check, store, index): median {whole:.2f} s, "
                  f"best {min(t for t, _, _ in wholes):.2f} s, peak {max(m for _, m, _ in wholes)} MB (goal {goal})")
            print(f"  ratio whole / floor: {whole / floor:.1f}×")
            started = statistics.median(t for t, _, _ in imports)
            read, rows = statistics.median(reads), statistics.median(plans) - statistics.median(reads)
            print(f"  split of the whole: interpreter and imports {started:.2f} s, reading {read:.2f} s, "
                  f"rows and checks {rows:.2f} s, the rest (backup, archive checks, store, index) "
                  f"{whole - started - read - rows:.2f} s")
            print(f"  of the rows and checks, the rows read (`_read_rows`): {statistics.median(rows_read):.2f} s; "
                  f"reading and the rows read together: {read + statistics.median(rows_read):.2f} s")
    print(f"\nload after: {os.getloadavg()[0]:.2f} (1 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
