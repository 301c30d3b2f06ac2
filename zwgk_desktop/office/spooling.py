"""Handing the very PDF to the system's print spooler, and what a clerk is told about it.

Qt has no vector print path for a PDF (QtPdf only renders pages to pictures), so the app does not
draw on a QPrinter: on Linux (and macOS, also CUPS) the PDF goes to the queue chosen in the print
dialog with CUPS's `lp`, which prints PDF natively; on Windows PDFium draws it on the printer's
device context (`office/gdi_printing.py`). This module holds the CUPS path and what every path
shares: the paper a page needs, how much a smaller paper would shrink it, and the messages.

`lp` rather than pycups: it is part of every CUPS client install (cups-client / cups-bsd), needs no
compiler or libcups headers (pycups is source only on PyPI), and says what went wrong on stderr,
which is read here and told in words. No Qt here: the app and any script share it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from zwgk_desktop.errors import BadInput, Blocked
from zwgk_desktop.render.layout import PAPER_MM
from zwgk_desktop.render.sheet_papers import POINT_MM, paper_named

LP_TIMEOUT_S = 60  # lp only hands the file to the scheduler; a minute means CUPS is stuck
# A page this much larger than the paper is not "shrunk": printers differ by a fraction of a mm.
SHRINK_TOLERANCE = 0.995


class PrintRefused(Blocked):
    """The spooler would not take the job (queue gone, stopped, refused, no CUPS): nothing printed."""


@dataclass(frozen=True)
class Paper:
    """A sheet of paper as the printer takes it: its name and portrait size in mm."""

    name: str
    width_mm: float
    height_mm: float

    @classmethod
    def named(cls, name: str) -> Paper:
        width, height = PAPER_MM[name]
        return cls(name, width, height)

    @classmethod
    def of_size(cls, width_mm: float, height_mm: float) -> Paper:
        """The paper of this size in either orientation: a layout's paper by name, or its size."""
        name = paper_named(width_mm, height_mm)  # the one rule for which paper a size is
        if name in PAPER_MM:
            return cls.named(name)
        short, long = sorted((width_mm, height_mm))
        return cls(name, short, long)

    def holds(self, other: Paper) -> bool:
        return scale_onto(other, self) >= SHRINK_TOLERANCE


def scale_onto(page: Paper, paper: Paper) -> float:
    """How much a page must shrink to fit on the paper, turned whichever way fits it best (1 if it fits)."""
    short_p, long_p = sorted((page.width_mm, page.height_mm))
    short_s, long_s = sorted((paper.width_mm, paper.height_mm))
    return min(1.0, short_s / short_p, long_s / long_p)


def page_papers(pdf: Path) -> list[Paper]:
    """Each page's paper, as its media box says (the sheets' own size), read with pypdf."""
    import pypdf  # only when printing

    reader = pypdf.PdfReader(pdf)
    return [Paper.of_size(float(page.mediabox.width) * POINT_MM, float(page.mediabox.height) * POINT_MM)
            for page in reader.pages]


@dataclass(frozen=True)
class Shrinking:
    """A sheet that would print smaller than it was set: which paper, onto which, at what scale."""

    sheet: Paper
    paper: Paper
    scale: float
    body_pt: float | None = None  # the layout's body type, when the caller knows it

    def __str__(self) -> str:
        """The warning a clerk reads before anything prints, with the way out."""
        body = (f"正文 {self.body_pt:g} pt 的字只剩约 {self.body_pt * self.scale:.1f} pt" if self.body_pt
                else "字也随之缩小")
        return (f"{self.sheet.name} 海报将缩小到 {self.scale:.1%} 打印在 {self.paper.name} 纸上"
                f"（{body}），贴到公开栏上不易看清。\n\n"
                f"要按原大小张贴，请取消，在打印前的纸张选择中改用“{self.paper.name} 两张拼一张”"
                f"（每张海报印在两张 {self.paper.name} 上，拼贴成原大小）"
                f"或“{self.paper.name} 版式”（按 {self.paper.name} 重新排版，张数增加）；"
                f"或在打印对话框中换一台能印 {self.sheet.name} 的打印机。")


def shrinking(pages: Sequence[Paper], paper: Paper, body_pt: float | None = None) -> Shrinking | None:
    """The worst shrink of any page onto this paper, None if every page fits at 100 %."""
    worst: Shrinking | None = None
    for page in pages:
        scale = scale_onto(page, paper)
        if scale < SHRINK_TOLERANCE and (worst is None or scale < worst.scale):
            worst = Shrinking(page, paper, scale, body_pt)
    return worst


@dataclass(frozen=True)
class Roomier:
    """Sheets smaller than the printer's paper (A4 halves or an A4 edition on A3): each prints
    centred, at 100 %, with blank paper round it. Not wrong, but not what the clerk chose A4
    for: a note before printing, with the way to the paper the sheets are set for."""

    sheet: Paper
    paper: Paper

    def __str__(self) -> str:
        return (f"这些海报是 {self.sheet.name} 纸的，而打印机用的是 {self.paper.name} 纸：每张会按原大小居中印在一张 "
                f"{self.paper.name} 上，四周留白，张贴前要剪下。\n\n"
                f"要印在 {self.sheet.name} 纸上，请取消，在打印对话框中把纸张改为 {self.sheet.name}"
                f"（或换一台放着 {self.sheet.name} 纸的打印机）。")


def roomier(pages: Sequence[Paper], paper: Paper) -> Roomier | None:
    """A note when every page fits the paper at 100 % and some page is smaller than it (either way
    up); None when the paper is the pages' own (or a page would shrink: `shrinking` says that)."""
    if not pages or any(scale_onto(page, paper) < SHRINK_TOLERANCE for page in pages):
        return None
    smaller = [page for page in pages if scale_onto(paper, page) < SHRINK_TOLERANCE]
    return Roomier(smaller[0], paper) if smaller else None


@dataclass(frozen=True)
class PrintRequest:
    """One print job as the print dialog set it: queue, copies, pages, paper, orientation."""

    queue: str
    paper: Paper
    copies: int = 1
    # 1-based, inclusive, as a clerk types them in the dialog ("1-3,5"); empty means every page.
    pages: tuple[tuple[int, int], ...] = ()
    landscape: bool = False
    collate: bool = True
    fit: bool = False  # shrink onto the paper: only once the clerk agreed to the warning
    title: str = "村务公开栏"

    def chosen_pages(self, page_count: int) -> list[int]:
        """The pages that print (1-based, in order), those of the ranges that exist."""
        if not self.pages:
            return list(range(1, page_count + 1))
        chosen: list[int] = []
        for first, last in self.pages:
            chosen += [n for n in range(max(1, first), min(page_count, last) + 1) if n not in chosen]
        return chosen

    def sheets(self, page_count: int) -> int:
        """Sheets of paper the job takes (one side each)."""
        return len(self.chosen_pages(page_count)) * max(1, self.copies)

    def checked(self, page_count: int) -> PrintRequest:
        """The request, refused in words if it would print nothing."""
        if not self.queue.strip():
            raise BadInput("没有选打印机：请在打印对话框中选一台打印机。")
        if self.copies < 1:
            raise BadInput(f"份数应至少为 1（填的是 {self.copies}）。")
        if not self.chosen_pages(page_count):
            ranges = ",".join(f"{a}-{b}" if a != b else str(a) for a, b in self.pages)
            raise BadInput(f"页码范围 {ranges} 中没有一张海报：这份海报共 {page_count} 张。")
        return self


def page_ranges(pages: Sequence[int]) -> str:
    """1-based pages as CUPS's page-ranges ("1-3,5")."""
    ranges: list[str] = []
    run: list[int] = []
    for page in pages:
        if run and page == run[-1] + 1:
            run.append(page)
            continue
        if run:
            ranges.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [page]
    if run:
        ranges.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(ranges)


def lp_command(pdf: Path, request: PrintRequest, page_count: int) -> list[str]:
    """The `lp` command that hands the very PDF to the queue, with the dialog's settings.

    fit-to-page=false unless the clerk agreed to shrink: CUPS would otherwise scale a sheet a few
    percent to the printer's printable area, and the 1:1 of the layout (and tiled halves) is lost.
    """
    paper = request.paper
    # A named paper by its name (A3, A4: every PPD and IPP printer knows them), any other size as
    # CUPS's custom size, which lp takes in mm.
    media = paper.name if paper.name in PAPER_MM else f"Custom.{paper.width_mm:g}x{paper.height_mm:g}mm"
    command = ["lp", "-d", request.queue, "-n", str(max(1, request.copies)), "-t", request.title,
               "-o", f"media={media}",
               "-o", f"fit-to-page={'true' if request.fit else 'false'}",
               "-o", f"orientation-requested={4 if request.landscape else 3}"]
    if request.copies > 1:
        command += ["-o", f"collate={'true' if request.collate else 'false'}"]
    chosen = request.chosen_pages(page_count)
    if chosen != list(range(1, page_count + 1)):
        command += ["-P", page_ranges(chosen)]
    return [*command, "--", str(pdf)]


@dataclass(frozen=True)
class Spooled:
    """A job the spooler took: where it went and what it takes."""

    queue: str
    job: str  # the spooler's id ("zwgk-pdf-12"), for cancel / lpstat
    sheets: int
    paper: Paper
    pdf_bytes: int  # what was handed over: the PDF itself
    scale: float = 1.0  # below 1 only if the clerk agreed to shrink
    waiting: str = ""  # why the job waits in the queue (the printer is paused), if it does

    def __str__(self) -> str:
        shrunk = f"，缩小到 {self.scale:.1%}" if self.scale < SHRINK_TOLERANCE else ""
        said = f"已送出 {self.sheets} 张 {self.paper.name} 到打印机 {self.queue}（任务 {self.job}{shrunk}）"
        return f"{said}；{self.waiting}" if self.waiting else said


def _lp_environment() -> dict[str, str]:
    """lp's own words in English (they are read below, then told in Chinese); the rest as it is."""
    return {**os.environ, "LC_ALL": "C", "LANG": "C"}


def refusal(queue: str, said: str) -> str:
    """What lp's complaint means for the clerk, and what to do: words, never 出错了."""
    text = said.strip()
    low = text.lower()
    not_sent = "海报没有送出。"
    if any(s in low for s in ("does not exist", "unknown destination", "no such destination", "not found")):
        return (f"打印机“{queue}”已不在这台电脑的打印队列里（被删除、改名或断开）。"
                f"请重新打开打印对话框，另选一台打印机。{not_sent}")
    if "not accepting jobs" in low or "rejecting" in low:
        return (f"打印机“{queue}”现在不接受打印任务（它的队列被停用了）。请另选一台，"
                f"或请管理员在打印机设置里恢复它（命令：cupsaccept {queue}）。{not_sent}")
    if any(s in low for s in ("unable to connect", "scheduler not responding", "scheduler is not running",
                              "connection refused", "no such file or directory", "bad file descriptor")):
        return ("打印服务（CUPS）没有运行，或连不上。请重启电脑，或请管理员启动打印服务"
                f"（命令：sudo systemctl start cups）。{not_sent}")
    if any(s in low for s in ("forbidden", "not authorized", "not allowed", "unauthorized")):
        return f"这台电脑的用户无权向打印机“{queue}”送出任务。请管理员在打印机设置里允许。{not_sent}"
    if "document-format" in low or "unsupported format" in low or "unsupported document" in low:
        return (f"打印机“{queue}”不接受 PDF 文件（它的驱动不全）。请管理员为它装上 CUPS 的驱动，"
                f"或另选一台打印机。{not_sent}")
    detail = f"打印服务的原话：{text}" if text else "打印服务没有说明原因"
    return f"打印机“{queue}”拒收了这次打印（{detail}）。{not_sent}"


def lp_program() -> str:
    """Where `lp` is, or a refusal in words if this computer has none."""
    found = shutil.which("lp")
    if found is None:
        raise PrintRefused("找不到打印命令 lp：这台电脑没有装 CUPS 的打印程序（Debian、统信、麒麟："
                           "sudo apt install cups cups-client），或它不在 PATH 中。海报没有送出。")
    return found


def scheduler_running() -> bool | None:
    """Whether the CUPS scheduler answers (`lpstat -r`); None if that cannot be told."""
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return None
    try:
        answer = subprocess.run([lpstat, "-r"], capture_output=True, text=True, timeout=10, env=_lp_environment(),
                                stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    said = (answer.stdout + answer.stderr).lower()
    return False if "not running" in said else True if "is running" in said else None


# What CUPS's backends put in the printer's state message while they cannot reach the printer.
UNREACHABLE = ("may not exist or is unavailable", "unable to connect", "will retry", "not responding",
               "offline", "waiting for printer", "connection refused", "no route to host", "unable to locate")


def _lpstat(*args: str) -> str:
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return ""
    try:
        answer = subprocess.run([lpstat, *args], capture_output=True, text=True, timeout=10,
                                env=_lp_environment(), stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return answer.stdout


def still_waiting(queue: str, job: str) -> str | None:
    """A few seconds after the job went to the queue: words if it has not printed and will not
    soon (the queue is paused, or the printer cannot be reached: off, unplugged, no network);
    "" if it is still in the queue with nothing known against it; None once it is done."""
    if not any(line.split()[0] == job for line in _lpstat("-o", queue).splitlines() if line.strip()):
        return None  # done (or cancelled by someone who knows)
    stopped = paused(queue)
    if stopped:
        return stopped
    state = _lpstat("-p", queue).splitlines()
    message = state[1].strip() if len(state) > 1 else ""
    if not any(s in message.lower() for s in UNREACHABLE):
        return ""
    return (f"打印机“{queue}”连不上（关机、断网或没接好？），任务 {job} 还在队列里，连上后才会印出。"
            f"请检查打印机的电源和线；不打印了，可在打印队列里取消它（命令：cancel {job}）。"
            f"打印服务的原话：{message}")


JOB_ID = re.compile(r"request id is (\S+)")
PAUSED = re.compile(r"^printer \S+ disabled since [^\n]*-\n?\s*(.*)", re.MULTILINE)


def paused(queue: str) -> str:
    """Words for a queue that takes jobs but does not print them (paused: cupsdisable, or paused by
    CUPS itself after the printer failed), "" if it prints or that cannot be told."""
    found = PAUSED.search(_lpstat("-p", queue))
    if found is None:
        return ""
    reason = found.group(1).strip()
    because = f"（原因：{reason}）" if reason and reason.lower() != "paused" else ""
    return (f"但打印机“{queue}”已暂停{because}，任务在队列里等着，恢复后才会印出。"
            f"请检查打印机（纸、墨粉、卡纸、电源），或请管理员恢复它（命令：cupsenable {queue}）。")


def spool_with_lp(pdf: Path, request: PrintRequest) -> Spooled:
    """Hand the PDF to the CUPS queue; the spooler's job, or PrintRefused saying why in words."""
    papers = page_papers(pdf)
    request = request.checked(len(papers))
    command = lp_command(pdf, request, len(papers))
    command[0] = lp_program()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=LP_TIMEOUT_S,
                              env=_lp_environment(), stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PrintRefused(f"打印服务在 {LP_TIMEOUT_S} 秒内没有回应（CUPS 卡住了？）。请稍后再试，"
                           "或重启电脑后再打印。海报可能没有送出：先看打印机的队列再重印。") from exc
    except OSError as exc:  # lp vanished between which() and here, or cannot run
        raise PrintRefused(f"无法运行打印命令 {command[0]}：{exc.strerror or exc}。海报没有送出。") from exc
    found = JOB_ID.search(done.stdout)
    if done.returncode != 0 or found is None:
        said = done.stderr or done.stdout
        if scheduler_running() is False:  # lp then says the printer does not exist: not the case
            said = "scheduler is not running"
        raise PrintRefused(refusal(request.queue, said))
    worst = shrinking([papers[n - 1] for n in request.chosen_pages(len(papers))], request.paper)
    return Spooled(request.queue, found.group(1), request.sheets(len(papers)), request.paper,
                   pdf.stat().st_size, worst.scale if worst and request.fit else 1.0, paused(request.queue))


def copy_pages(pdf: Path, target: Path, request: PrintRequest) -> Spooled:
    """"Print to file" (a PDF the dialog names): the chosen pages of the very PDF, copies included."""
    import pypdf  # only when printing

    reader = pypdf.PdfReader(pdf)
    request = replace(request, queue=request.queue or str(target)).checked(len(reader.pages))
    writer = pypdf.PdfWriter()
    pages = request.chosen_pages(len(reader.pages))
    rounds = [pages] * request.copies if request.collate else [[p] * request.copies for p in pages]
    for group in rounds:
        for number in group:
            writer.add_page(reader.pages[number - 1])
    try:
        with target.open("wb") as out:
            writer.write(out)
    except OSError as exc:
        raise PrintRefused(f"无法写入 {target}：{exc.strerror or exc}。海报没有送出。") from exc
    return Spooled(str(target), target.name, len(pages) * request.copies, request.paper, pdf.stat().st_size)


def spool(pdf: Path, request: PrintRequest) -> Spooled:
    """Print the PDF on this platform's path: PDFium to the printer on Windows, CUPS elsewhere."""
    if sys.platform == "win32":
        from zwgk_desktop.office import gdi_printing

        return gdi_printing.print_pdf(pdf, request)
    return spool_with_lp(pdf, request)
