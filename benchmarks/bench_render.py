"""How fast `zwgk render` prints a 低保 list as A3 posters, and how small the PDF is.

Design goals this benchmark checks (it prints figures; it asserts nothing):

* a 1,000-household list renders at least 3x faster than LibreOffice headless converting the
  same rows (as an A3 .xlsx) to PDF;
* a 10,000-household list renders in under 3 seconds;
* one A3 sheet's PDF is under 200 KB.

Both sides are timed as whole processes, start to exit, as a clerk would run them:

* ours: a fresh SQLite archive (`zwgk init`) holding one reviewed assistance item with N
  generated households, then `zwgk render --db … --village donggang --period 2026Q3 -o out.pdf`;
* LibreOffice: an .xlsx written with openpyxl holding the same public columns the poster shows
  (序号, 村民小组, masked 户主姓名 and 身份证号, 保障人口, 救助类别, 月保障金额) with a title row,
  a 合计 row, the poster's row height and type sizes, A3 portrait, fit to one page wide and the
  header row repeated on every page, then `soffice --headless --convert-to pdf`. One untimed
  warm-up conversion runs first so that the profile directory exists and its first-start cost
  is not counted against LibreOffice.

To tell what of our time is ours, the same runs time two processes that print nothing: Python
importing only the libraries a print needs (SQLAlchemy's ORM and SQLite dialect, reportlab,
qrcode), and the same plus reportlab parsing the bundled font. Both start as `zwgk` does
(zwgk_desktop/launch.py). LibreOffice's time over the first is the most any program on this
stack could reach, before it reads a row.

Our modules are byte-compiled first, as an installed package is.

Each measurement is the best and the median of 3 runs. Households come from a seeded
random.Random, so every run prints the same content. Everything is written under a temporary
directory that is removed at the end.

`--compare DIR` instead times only `zwgk render` of the 10,000-household list, whole process,
for this checkout and for another one (say the commit before a change: `git archive COMMIT |
tar -x -C DIR`), each with an archive made by its own program, the runs of the two alternating,
so that they are measured side by side on the same (shared, loaded) machine: compare the ratio.
It prints wall time and the CPU time the process used (user + system), which the machine's load
changes less.

Run from the repository root:  .venv/bin/python benchmarks/bench_render.py [--compare DIR]
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from zwgk_desktop.db import store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.domain.identity import id_check_char, mask_id, mask_name
from zwgk_desktop.domain.items import REVIEWED, Item
from zwgk_desktop.domain.periods import Quarter

SEED = 20261010
SIZES = (1_000, 10_000)
SINGLE_SHEET = 20  # households: one A3 sheet
RUNS = 3
TIMEOUT = 900  # seconds, per subprocess

VILLAGE_CODE = "donggang"
PERIOD = "2026Q3"
LO_PROFILE = Path("/tmp/lo_profile_bench")
LO_FONT = "WenQuanYi Micro Hei"  # the same face the posters embed (wqy-microhei.ttc)

GOAL_RATIO = 3.0
GOAL_10K_SECONDS = 3.0
GOAL_KB_PER_SHEET = 200.0

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余"
            "潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
GIVEN = "建国华强英兰明生花菊丽娟梅燕福发凤珍东民才保文芬萍山荣喜仓妮红振丰贵军爱成春秀玉德志海永长桂"

HEADERS = ("序号", "村民小组", "户主姓名", "身份证号", "保障人口", "救助类别", "月保障金额（元）")
COLUMN_WIDTHS = (7, 12, 13, 27, 10, 15, 20)  # characters: about the full A3 width, in the poster's proportions
# The assistance layout's sizes (layouts/assistance.toml): 7.5 mm rows, 28/12/11 pt type, so that
# LibreOffice lays out pages about as full as the posters rather than twice as dense.
ROW_HEIGHT_PT = 7.5 / 25.4 * 72
TITLE_PT, HEADER_PT, BODY_PT = 28, 12, 11


# ---------------------------------------------------------------------------------------------
# The households


def make_households(count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """`count` households with valid, unique 身份证号; the same list for the same seed."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    used: set[str] = set()
    first_day, last_day = date(1940, 1, 1).toordinal(), date(2000, 12, 31).toordinal()
    while len(rows) < count:
        born = date.fromordinal(rng.randint(first_day, last_day))
        first17 = f"410122{born:%Y%m%d}{rng.randrange(1000):03d}"
        id_number = first17 + id_check_char(first17)
        if id_number in used:
            continue
        used.add(id_number)
        size = rng.randint(1, 5)
        row: dict[str, Any] = {
            "group": f"{rng.randint(1, 9)}组",
            "head_name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
            "id_number": id_number,
            "household_size": size,
            "kind": "特困供养" if rng.random() < 0.1 else "农村低保",
            "monthly_amount": size * rng.randint(280, 560) * 100,  # 分
        }
        if rng.random() < 0.8:
            row["phone"] = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        if rng.random() < 0.8:
            row["account"] = "62" + "".join(str(rng.randrange(10)) for _ in range(rng.randint(10, 17)))
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------
# Our path: zwgk init, insert through the Python API, time `zwgk render`


def zwgk_command() -> str:
    beside = Path(sys.executable).with_name("zwgk")
    if beside.exists():
        return str(beside)
    found = shutil.which("zwgk")
    if found:
        return found
    raise SystemExit("zwgk command not found: run with the virtualenv that has the package installed "
                     "(.venv/bin/python benchmarks/bench_render.py)")


def zwgk_env(work: Path) -> dict[str, str]:
    """The user's environment, minus overrides that would change what is measured; logs go to `work`."""
    env = dict(os.environ)
    for name in ("ZWGK_DB", "ZWGK_LAYOUTS"):
        env.pop(name, None)
    env["ZWGK_DATA_DIR"] = str(work / "zwgk-data")
    return env


def make_archive(work: Path, households: list[dict[str, Any]]) -> Path:
    """A fresh SQLite archive holding one reviewed assistance item with these households."""
    db_path = work / "archive.sqlite3"
    run_checked([zwgk_command(), "init", "--township", "青山镇", "--village", f"东岗村={VILLAGE_CODE}",
                 "--base-url", "https://qingshan.example/zwgk", "--db", str(db_path)], env=zwgk_env(work))
    engine = open_engine(str(db_path))
    try:
        with session_factory(engine)() as session, session.begin():
            village = store.find_village(session, VILLAGE_CODE)
            store.add_item(session, village, Item(
                category="assistance", period=Quarter(2026, 3), title="2026年第三季度低保对象公示",
                publicity_start=date(2026, 10, 10), publicity_end=date(2026, 10, 16),
                reviewer="王德明", reviewed_on=date(2026, 10, 9), status=REVIEWED,
                fields={"standard": "农村低保标准每人每月560元"},
                rows=[dict(h) for h in households]))  # validate() rewrites rows in place
    finally:
        engine.dispose()
    return db_path


@dataclass
class Timing:
    label: str
    seconds: list[float] = field(default_factory=list)
    sheets: int | None = None
    size_bytes: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def kb(self) -> float | None:
        return None if self.size_bytes is None else self.size_bytes / 1024

    @property
    def kb_per_sheet(self) -> float | None:
        return None if self.kb is None or not self.sheets else self.kb / self.sheets


def time_render(work: Path, db_path: Path, label: str, runs: int = RUNS) -> Timing:
    out = work / "out.pdf"
    command = [zwgk_command(), "render", "--db", str(db_path), "--village", VILLAGE_CODE,
               "--period", PERIOD, "-o", str(out), "--json"]
    timing = Timing(label)
    env = zwgk_env(work)
    for _ in range(runs):
        out.unlink(missing_ok=True)
        seconds, proc = timed(command, env)
        if proc.returncode != 0 or not out.exists():
            report_failure("zwgk render", proc, work / "zwgk-data" / "zwgk.log")
            raise SystemExit(1)
        timing.seconds.append(seconds)
    result = json.loads(proc.stdout)
    timing.sheets = result["sheets"]
    timing.size_bytes = out.stat().st_size
    timing.notes += [f"zwgk warning: {w}" for w in result.get("warnings", [])]
    if proc.stderr.strip():
        timing.notes.append(f"zwgk stderr: {proc.stderr.strip()}")
    counted = pdf_pages(out)
    if counted is not None and counted != timing.sheets:
        timing.notes.append(f"zwgk reported {timing.sheets} sheets, the PDF has {counted} pages")
    return timing


# ---------------------------------------------------------------------------------------------
# LibreOffice: the same rows as an A3 spreadsheet, converted headless


def write_xlsx(households: list[dict[str, Any]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "公示"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body_font, bold = Font(name=LO_FONT, size=BODY_PT), Font(name=LO_FONT, size=HEADER_PT, bold=True)
    center, right = Alignment(horizontal="center", vertical="center"), Alignment(horizontal="right")

    ws.append(["东岗村2026年第三季度低保及社会救助对象公示"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].font = Font(name=LO_FONT, size=TITLE_PT, bold=True)
    ws["A1"].alignment = center
    ws.row_dimensions[1].height = TITLE_PT * 1.8
    ws.append(list(HEADERS))
    for cell in ws[2]:
        cell.font, cell.alignment, cell.border = bold, center, border

    people = amount = 0
    for number, h in enumerate(households, start=1):
        ws.append([number, h["group"], mask_name(h["head_name"]), mask_id(h["id_number"]),
                   h["household_size"], h["kind"], h["monthly_amount"] / 100])
        people += h["household_size"]
        amount += h["monthly_amount"]
    ws.append(["合计", "", "", "", people, "", amount / 100])
    for row in ws.iter_rows(min_row=2, max_row=ws.max_row):
        ws.row_dimensions[row[0].row].height = ROW_HEIGHT_PT
        if row[0].row == 2:
            continue  # the header row, styled above
        for cell in row:
            cell.font, cell.border = body_font, border
            cell.alignment = right if cell.column == len(HEADERS) else center
        row[-1].number_format = "#,##0.00"

    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"  # the column headers on every page
    ws.print_options.horizontalCentered = True
    wb.save(path)


def soffice_command(soffice: str, xlsx: Path, outdir: Path, profile: Path = LO_PROFILE) -> list[str]:
    return [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to", "pdf", "--outdir", str(outdir), str(xlsx)]


def time_soffice(soffice: str, xlsx: Path, outdir: Path, label: str, runs: int = RUNS,
                 fresh_profile: bool = False) -> Timing:
    """Warm runs share LO_PROFILE; with fresh_profile each run starts LibreOffice on a new profile,
    as on a machine (or a script) that has never run it: its first-start cost included."""
    out = outdir / (xlsx.stem + ".pdf")
    timing = Timing(label)
    for run in range(runs):
        out.unlink(missing_ok=True)
        profile = LO_PROFILE.with_name(f"{LO_PROFILE.name}_fresh{run}") if fresh_profile else LO_PROFILE
        if fresh_profile:
            shutil.rmtree(profile, ignore_errors=True)
        seconds, proc = timed(soffice_command(soffice, xlsx, outdir, profile))
        if fresh_profile:
            shutil.rmtree(profile, ignore_errors=True)
        if proc.returncode != 0 or not out.exists():
            report_failure("soffice", proc)
            timing.notes.append("LibreOffice conversion failed")
            return timing
        timing.seconds.append(seconds)
    timing.size_bytes = out.stat().st_size
    timing.sheets = pdf_pages(out)
    return timing


# ---------------------------------------------------------------------------------------------
# Helpers


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=TIMEOUT, check=False)
    return time.perf_counter() - start, proc


def run_checked(command: list[str], env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=TIMEOUT, check=False)
    if proc.returncode != 0:
        report_failure(Path(command[0]).name + " " + command[1], proc)
        raise SystemExit(1)


def report_failure(what: str, proc: subprocess.CompletedProcess[str], log: Path | None = None) -> None:
    print(f"\n!! {what} failed (exit code {proc.returncode})", file=sys.stderr)
    for name, text in (("stdout", proc.stdout), ("stderr", proc.stderr)):
        if text.strip():
            print(f"--- {name} ---\n{text.rstrip()}", file=sys.stderr)
    if log is not None and log.exists():
        print(f"--- {log} ---\n{log.read_text(encoding='utf-8').rstrip()}", file=sys.stderr)


def pdf_pages(path: Path) -> int | None:
    """Page count by poppler's pdfinfo, else pypdf; None when neither is at hand."""
    if shutil.which("pdfinfo"):
        proc = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=False)
        for line in proc.stdout.splitlines():
            if line.startswith("Pages:"):
                return int(line.split()[1])
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(path).pages)


def heading(text: str) -> None:
    print(f"\n=== {text} ===", flush=True)


def show(t: Timing) -> Timing:
    if t.seconds:
        runs = ", ".join(f"{s:.2f}" for s in t.seconds)
        print(f"{t.label}: best {t.best:.2f} s, median {t.median:.2f} s (runs: {runs}); "
              f"{fmt(t.sheets, 'd')} sheets, {fmt(t.kb, ',.0f')} KB, {fmt(t.kb_per_sheet, ',.1f')} KB/sheet",
              flush=True)
    else:
        print(f"{t.label}: no timing", flush=True)
    for note in t.notes:
        print(f"    note: {note}", flush=True)
    return t


def fmt(value: float | int | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


# ---------------------------------------------------------------------------------------------


def byte_compile_package() -> str:
    """Compile our modules ahead, as `pip install` does for an installed package: from a source
    checkout (an editable install, or PYTHONDONTWRITEBYTECODE=1 as on this machine) every run would
    otherwise compile them again, a cost no installed copy pays."""
    import compileall

    import zwgk_desktop

    folder = Path(zwgk_desktop.__file__).parent
    done = compileall.compile_dir(str(folder), quiet=1)
    return f"our modules byte-compiled ahead in {folder}" if done else "byte-compiling our modules failed"


def compare(other: Path, count: int = SIZES[-1], runs: int = 5) -> int:
    """`zwgk render` of `count` households by this program and by the one in `other`, alternately."""
    here = Path(__file__).resolve().parents[1]
    trees = {"this": here, "compared": other.resolve()}
    print(f"zwgk render, {count:,} households, whole process; {runs} runs each, alternating; "
          f"load {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} CPUs")
    for tree in trees.values():  # as an installed package is: compiled ahead
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "zwgk_desktop")], check=False,
                       capture_output=True)
    walls: dict[str, list[float]] = {name: [] for name in trees}
    cpus: dict[str, list[float]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory(prefix="zwgk_bench_") as tmp:
        commands = {}
        for name, tree in trees.items():
            work = Path(tmp) / name
            work.mkdir()
            env = {**zwgk_env(work), "PYTHONPATH": str(tree)}
            made = subprocess.run([sys.executable, __file__, "--make-archive", str(work), str(count)], env=env,
                                  capture_output=True, text=True, check=False)
            if made.returncode != 0:
                print(made.stdout, made.stderr, file=sys.stderr)
                raise SystemExit(f"could not make the archive for {tree}")
            commands[name] = ([zwgk_command(), "render", "--db", made.stdout.strip().splitlines()[-1], "--village",
                               VILLAGE_CODE, "--period", PERIOD, "-o", str(work / "out.pdf")], env)
        for _ in range(runs):
            for name, (command, env) in commands.items():
                before = os.times()
                seconds, proc = timed(command, env)
                after = os.times()
                if proc.returncode != 0:
                    report_failure("zwgk render", proc)
                    raise SystemExit(1)
                walls[name].append(seconds)
                cpus[name].append(after.children_user - before.children_user
                                  + after.children_system - before.children_system)
    print(f"\n{'':10}{'wall median s':>15}{'wall best s':>13}{'CPU median s':>14}")
    for name in trees:
        print(f"{name:10}{statistics.median(walls[name]):>15.2f}{min(walls[name]):>13.2f}"
              f"{statistics.median(cpus[name]):>14.2f}")
    print(f"ratio this / compared: wall {statistics.median(walls['this']) / statistics.median(walls['compared']):.2f}, "
          f"CPU {statistics.median(cpus['this']) / statistics.median(cpus['compared']):.2f}; "
          f"goal < {GOAL_10K_SECONDS:.0f} s: {verdict(statistics.median(walls['this']) < GOAL_10K_SECONDS)}; "
          f"load after {os.getloadavg()[0]:.2f}")
    return 0


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--make-archive":  # a child of `compare`, in its tree
        print(make_archive(Path(sys.argv[2]), make_households(int(sys.argv[3]))))
        return 0
    if len(sys.argv) > 2 and sys.argv[1] == "--compare":
        return compare(Path(sys.argv[2]))
    print(__doc__.strip().splitlines()[0])
    print(byte_compile_package())
    print(f"Python {sys.version.split()[0]}, zwgk at {zwgk_command()}, {os.cpu_count()} CPUs; "
          f"{RUNS} runs each, best and median; seed {SEED}")
    soffice = shutil.which("soffice")
    profile_existed = LO_PROFILE.exists()
    theirs: dict[int, Timing] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="zwgk_bench_") as tmp:
            ours = run_ours(Path(tmp))
            if soffice is None:
                heading("2. LibreOffice headless")
                print("soffice is not on PATH: LibreOffice is absent, this part is skipped.")
            else:
                theirs = run_libreoffice(Path(tmp), soffice, profile_existed)
    finally:
        if soffice is not None and not profile_existed:
            shutil.rmtree(LO_PROFILE, ignore_errors=True)  # the profile this run created
    print_summary(ours, theirs, soffice is not None)
    return 0


# Start-up alone: as zwgk_desktop/launch.py starts, importing what a print needs and nothing more.
FLOOR_IMPORTS = """
import gc
gc.disable()
import sqlalchemy.orm, sqlalchemy.dialects.sqlite, reportlab.pdfgen.canvas, qrcode
gc.freeze()
gc.enable()
"""
FLOOR_FONT = FLOOR_IMPORTS + """
from reportlab.pdfbase.ttfonts import TTFont
from zwgk_desktop.paths import font_file
TTFont("F", str(font_file()), subfontIndex=0)
gc.freeze()
"""
FLOOR = -1  # keys of the start-up timings among ours
FLOOR_WITH_FONT = -2


def time_floor(code: str, label: str, runs: int = RUNS) -> Timing:
    timing = Timing(label)
    for _ in range(runs):
        seconds, proc = timed([sys.executable, "-c", code])
        if proc.returncode != 0:
            report_failure("python -c (start-up floor)", proc)
            raise SystemExit(1)
        timing.seconds.append(seconds)
    return timing


def run_ours(root: Path) -> dict[int, Timing]:
    heading("1. zwgk render (whole process: start-up, read archive, lay out, write PDF)")
    ours = {FLOOR: show(time_floor(FLOOR_IMPORTS, "  start-up floor: Python importing SQLAlchemy, reportlab, qrcode")),
            FLOOR_WITH_FONT: show(time_floor(FLOOR_FONT, "  start-up floor and reportlab parsing the font"))}
    for count in (*SIZES, SINGLE_SHEET):
        work = root / f"ours_{count}"
        work.mkdir()
        start = time.perf_counter()
        db_path = make_archive(work, make_households(count))
        print(f"{count:,} households: archive created and filled in "
              f"{time.perf_counter() - start:.1f} s (not timed)", flush=True)
        ours[count] = show(time_render(work, db_path, f"  zwgk render, {count:,} households"))
    return ours


def run_libreoffice(root: Path, soffice: str, profile_existed: bool) -> dict[int, Timing]:
    heading("2. LibreOffice headless (soffice --convert-to pdf, whole process)")
    version = subprocess.run([soffice, "--version"], capture_output=True, text=True, check=False)
    print(f"{soffice}: {version.stdout.strip() or 'version unknown'}; profile {LO_PROFILE}")
    lo_dir = root / "libreoffice"
    lo_dir.mkdir()
    xlsx_files = {}
    for count in SIZES:
        xlsx_files[count] = lo_dir / f"households_{count}.xlsx"
        write_xlsx(make_households(count), xlsx_files[count])
    warm_dir = lo_dir / "warmup"
    warm_dir.mkdir()
    seconds, proc = timed(soffice_command(soffice, xlsx_files[SIZES[0]], warm_dir))
    print(f"Warm-up: one untimed conversion of the {SIZES[0]:,}-household sheet first "
          f"({seconds:.1f} s, profile {'already there' if profile_existed else 'created'}); "
          "the timings below exclude LibreOffice's first-start cost.", flush=True)
    if proc.returncode != 0:
        report_failure("soffice (warm-up)", proc)
    timings = {count: show(time_soffice(soffice, xlsx_files[count], lo_dir, f"  LibreOffice, {count:,} households"))
               for count in SIZES}
    timings[-SIZES[0]] = show(time_soffice(soffice, xlsx_files[SIZES[0]], lo_dir,
                                           f"  LibreOffice, {SIZES[0]:,} households, new profile each run",
                                           fresh_profile=True))
    return timings


def print_summary(ours: dict[int, Timing], theirs: dict[int, Timing], have_lo: bool) -> None:
    heading("Summary")
    print(f"{'measurement':<34}{'best s':>8}{'median s':>10}{'sheets':>8}{'PDF KB':>9}{'KB/sheet':>10}")
    names = {FLOOR: "start-up floor (imports)", FLOOR_WITH_FONT: "start-up floor + font"}
    rows = [(names.get(n) or f"zwgk render, {n:,} households", t) for n, t in ours.items()]
    rows += [(f"LibreOffice, {n:,} households" if n > 0 else f"LibreOffice, {-n:,}, new profile", t)
             for n, t in theirs.items()]
    for label, t in rows:
        best, median = (t.best, t.median) if t.seconds else (None, None)
        print(f"{label:<34}{fmt(best, '.2f'):>8}{fmt(median, '.2f'):>10}{fmt(t.sheets, 'd'):>8}"
              f"{fmt(t.kb, ',.0f'):>9}{fmt(t.kb_per_sheet, ',.1f'):>10}")

    print("\nDesign goals (judged on the median):")
    n = SIZES[0]
    if not have_lo:
        print(f"  LibreOffice time / zwgk time, {n:,} households: not measured (LibreOffice absent)")
    elif theirs.get(n) and theirs[n].seconds:
        ratio_best, ratio_median = theirs[n].best / ours[n].best, theirs[n].median / ours[n].median
        print(f"  LibreOffice time / zwgk time, {n:,} households: {ratio_median:.2f}x median, "
              f"{ratio_best:.2f}x best (goal >= {GOAL_RATIO:.0f}x): {verdict(ratio_median >= GOAL_RATIO)}")
        cold = theirs.get(-n)
        if cold and cold.seconds:
            print(f"  same, LibreOffice starting on a new profile each run: {cold.median / ours[n].median:.2f}x median")
        floor, font = ours[FLOOR].median, ours[FLOOR_WITH_FONT].median
        print(f"    what limits it: LibreOffice / start-up floor = {theirs[n].median / floor:.2f}x, "
              f"/ floor with the font parsed = {theirs[n].median / font:.2f}x; of our "
              f"{ours[n].median:.2f} s, {floor:.2f} s is importing the libraries, {font - floor:.2f} s reportlab "
              f"reading the font, {ours[n].median - font:.2f} s the rest (our modules, reading the archive, "
              "checking, laying out, drawing, writing)")
    else:
        print(f"  LibreOffice time / zwgk time, {n:,} households: not measured (LibreOffice failed)")
    big = ours[SIZES[-1]]
    print(f"  zwgk render, {SIZES[-1]:,} households: {big.median:.2f} s median, {big.best:.2f} s best "
          f"(goal < {GOAL_10K_SECONDS:.0f} s): {verdict(big.median < GOAL_10K_SECONDS)}")
    single = ours[SINGLE_SHEET]
    largest = max(t.kb_per_sheet for t in ours.values() if t.kb_per_sheet is not None)
    print(f"  PDF of one sheet ({SINGLE_SHEET} households, {fmt(single.sheets, 'd')} sheet): "
          f"{fmt(single.kb, ',.0f')} KB (goal < {GOAL_KB_PER_SHEET:.0f} KB/sheet): "
          f"{verdict((single.kb_per_sheet or float('inf')) < GOAL_KB_PER_SHEET)}; "
          f"largest KB/sheet in any of our renders: {largest:,.1f}")


if __name__ == "__main__":
    sys.exit(main())
