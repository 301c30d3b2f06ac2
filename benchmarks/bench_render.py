"""How fast `zwgk render` prints a 低保 list as A3 posters, and how small the PDF is.

Design goals this benchmark checks (it prints figures; it asserts nothing):

* a 1,000-household list renders at least 3x faster than LibreOffice headless converting the
  same rows (as an A3 .xlsx) to PDF;
* a 10,000-household list renders in under 5 seconds;
* one A3 sheet's PDF is under 200 KB.

Both sides are timed as whole processes, start to exit, as a clerk would run them:

* ours: a fresh SQLite archive (`zwgk init`) holding one reviewed assistance item with N
  generated households, then `zwgk render --db … --village donggang --period 2026Q3 -o out.pdf`;
* LibreOffice: an .xlsx written with openpyxl holding the same public columns the poster shows
  (序号, 村民小组, masked 户主姓名 and 身份证号, 保障人口, 救助类别, 月保障金额) with a title row,
  a 合计 row, the poster's row height and type sizes, A3 portrait, fit to one page wide and the
  header row repeated on every page, then `soffice --headless --convert-to pdf`. One untimed warm-up conversion runs first so that the
  profile directory exists and its first-start cost is not counted against LibreOffice.

Each measurement is the best and the median of 3 runs. Households come from a seeded
random.Random, so every run prints the same content. Everything is written under a temporary
directory that is removed at the end.

Run from the repository root:  .venv/bin/python benchmarks/bench_render.py
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
GOAL_10K_SECONDS = 5.0
GOAL_KB_PER_SHEET = 200.0

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
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
    raise SystemExit("找不到 zwgk 命令：请用装有本包的虚拟环境运行（.venv/bin/python benchmarks/bench_render.py）")


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
    timing.notes += [f"zwgk 警告：{w}" for w in result.get("warnings", [])]
    if proc.stderr.strip():
        timing.notes.append(f"zwgk stderr：{proc.stderr.strip()}")
    counted = pdf_pages(out)
    if counted is not None and counted != timing.sheets:
        timing.notes.append(f"zwgk 报告 {timing.sheets} 张，PDF 实有 {counted} 页")
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


def soffice_command(xlsx: Path, outdir: Path) -> list[str]:
    return ["soffice", "--headless", "--norestore", f"-env:UserInstallation={LO_PROFILE.as_uri()}",
            "--convert-to", "pdf", "--outdir", str(outdir), str(xlsx)]


def time_soffice(xlsx: Path, outdir: Path, label: str, runs: int = RUNS) -> Timing:
    out = outdir / (xlsx.stem + ".pdf")
    timing = Timing(label)
    for _ in range(runs):
        out.unlink(missing_ok=True)
        seconds, proc = timed(soffice_command(xlsx, outdir))
        if proc.returncode != 0 or not out.exists():
            report_failure("soffice", proc)
            timing.notes.append("LibreOffice 转换失败")
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
    print(f"\n!! {what} 失败（退出码 {proc.returncode}）", file=sys.stderr)
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


def show(t: Timing) -> None:
    if not t.seconds:
        print(f"{t.label}: 没有测得时间", flush=True)
    else:
        runs = ", ".join(f"{s:.2f}" for s in t.seconds)
        size = f"{t.kb:,.0f} KB" if t.kb is not None else "?"
        per = f"{t.kb_per_sheet:,.1f} KB/张" if t.kb_per_sheet is not None else "? KB/张"
        print(f"{t.label}: 最快 {t.best:.2f} s，中位 {t.median:.2f} s（各次 {runs}）；"
              f"{t.sheets if t.sheets is not None else '?'} 张；{size}；{per}", flush=True)
    for note in t.notes:
        print(f"  注意：{note}", flush=True)


def verdict(ok: bool) -> str:
    return "达到" if ok else "未达到"


def fmt(value: float | int | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


# ---------------------------------------------------------------------------------------------


def main() -> int:
    print(__doc__.strip().splitlines()[0])
    print(f"Python {sys.version.split()[0]}；zwgk：{zwgk_command()}；CPU {os.cpu_count()} 核；"
          f"每项 {RUNS} 次，取最快与中位；种子 {SEED}")
    soffice = shutil.which("soffice")
    ours: dict[int, Timing] = {}
    theirs: dict[int, Timing] = {}
    profile_existed = LO_PROFILE.exists()

    with tempfile.TemporaryDirectory(prefix="zwgk_bench_") as tmp:
        root = Path(tmp)

        heading("1. zwgk render（整个进程：启动、读库、排版、写 PDF）")
        for count in (*SIZES, SINGLE_SHEET):
            work = root / f"ours_{count}"
            work.mkdir()
            households = make_households(count)
            start = time.perf_counter()
            db_path = make_archive(work, households)
            print(f"{count:,} 户：建库并写入 {time.perf_counter() - start:.1f} s（不计时）", flush=True)
            ours[count] = show_and_keep(time_render(work, db_path, f"  zwgk render {count:,} 户"))

        heading("2. LibreOffice headless（soffice --convert-to pdf，整个进程）")
        if soffice is None:
            print("没有找到 soffice：LibreOffice 未安装，跳过这一部分。")
        else:
            version = subprocess.run(["soffice", "--version"], capture_output=True, text=True, check=False)
            print(f"{soffice}：{version.stdout.strip() or '版本未知'}；配置目录 {LO_PROFILE}")
            lo_dir = root / "libreoffice"
            lo_dir.mkdir()
            xlsx_files = {}
            for count in SIZES:
                xlsx_files[count] = lo_dir / f"households_{count}.xlsx"
                write_xlsx(make_households(count), xlsx_files[count])
            warm_dir = lo_dir / "warmup"
            warm_dir.mkdir()
            seconds, proc = timed(soffice_command(xlsx_files[SIZES[0]], warm_dir))
            print(f"预热：先不计时转换一次 {SIZES[0]:,} 户的表格（{seconds:.1f} s，"
                  f"{'新建' if not profile_existed else '已有'}配置目录），以下计时不含首次启动开销", flush=True)
            if proc.returncode != 0:
                report_failure("soffice（预热）", proc)
            for count in SIZES:
                theirs[count] = show_and_keep(
                    time_soffice(xlsx_files[count], lo_dir, f"  LibreOffice {count:,} 户"))

    if soffice is not None and not profile_existed:
        shutil.rmtree(LO_PROFILE, ignore_errors=True)

    print_summary(ours, theirs, soffice is not None)
    return 0


def show_and_keep(t: Timing) -> Timing:
    show(t)
    return t


def print_summary(ours: dict[int, Timing], theirs: dict[int, Timing], have_lo: bool) -> None:
    heading("汇总")
    print(f"{'测量':<28}{'最快 s':>9}{'中位 s':>9}{'张数':>7}{'PDF KB':>10}{'KB/张':>9}")
    rows = [(f"zwgk render {n:,} 户", t) for n, t in ours.items()]
    rows += [(f"LibreOffice {n:,} 户", t) for n, t in theirs.items()]
    for label, t in rows:
        best = t.best if t.seconds else None
        median = t.median if t.seconds else None
        print(f"{label:<28}{fmt(best, '.2f'):>9}{fmt(median, '.2f'):>9}{fmt(t.sheets, 'd'):>7}"
              f"{fmt(t.kb, ',.0f'):>10}{fmt(t.kb_per_sheet, ',.1f'):>9}")

    print("\n设计目标（按中位数判断）：")
    n = SIZES[0]
    if have_lo and theirs.get(n) and theirs[n].seconds and ours[n].seconds:
        ratio_best = theirs[n].best / ours[n].best
        ratio_median = theirs[n].median / ours[n].median
        print(f"  LibreOffice / zwgk，{n:,} 户：最快之比 {ratio_best:.1f}×，中位之比 {ratio_median:.1f}×"
              f"（目标 ≥ {GOAL_RATIO:.0f}×）：{verdict(ratio_median >= GOAL_RATIO)}")
    elif not have_lo:
        print(f"  LibreOffice / zwgk，{n:,} 户：未测（LibreOffice 未安装）")
    else:
        print(f"  LibreOffice / zwgk，{n:,} 户：未测（LibreOffice 转换失败）")
    big = ours[SIZES[-1]]
    print(f"  zwgk render {SIZES[-1]:,} 户：最快 {big.best:.2f} s，中位 {big.median:.2f} s"
          f"（目标 < {GOAL_10K_SECONDS:.0f} s）：{verdict(big.median < GOAL_10K_SECONDS)}")
    single = ours[SINGLE_SHEET]
    per_sheet = [t.kb_per_sheet for t in ours.values() if t.kb_per_sheet is not None]
    print(f"  单张 PDF（{SINGLE_SHEET} 户，{fmt(single.sheets, 'd')} 张）：{fmt(single.kb, ',.0f')} KB"
          f"（目标 < {GOAL_KB_PER_SHEET:.0f} KB/张）：{verdict((single.kb_per_sheet or 1e9) < GOAL_KB_PER_SHEET)}；"
          f"多张时每张最多 {max(per_sheet):,.1f} KB")


if __name__ == "__main__":
    sys.exit(main())
