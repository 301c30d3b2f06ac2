"""The print path's pure parts, on every platform: papers and how much a smaller one shrinks a
sheet, the dialog's choices as lp's options, lp's complaints in words, Qt's page size for every
paper × orientation, and the Windows path (DEVMODE, placement at 1:1, bands, the GDI calls in
order against a recording stand-in, the bands PDFium renders put back together)."""

from __future__ import annotations

import struct
from itertools import pairwise
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageStat
from PySide6.QtGui import QPageLayout
from PySide6.QtPrintSupport import QPrinter
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from zwgk_desktop.office import gdi_printing, spooling
from zwgk_desktop.office.gdi_printing import Device, Placement, bands, placement, print_order, set_devmode
from zwgk_desktop.office.spooling import (
    Paper,
    PrintRefused,
    PrintRequest,
    lp_command,
    page_ranges,
    refusal,
    scale_onto,
    shrinking,
)
from zwgk_desktop.render.layout import PAPER_MM
from zwgk_desktop.ui.printing import page_size_for, paper_of, printer_for, request_from

SHAPES = [(paper, landscape) for paper in PAPER_MM for landscape in (False, True)]


def sheet_pdf(path: Path, paper: str, landscape: bool, pages: int = 3) -> Path:
    """A small PDF of `pages` pages on this paper, each with its number and a frame 10 mm in."""
    width, height = PAPER_MM[paper]
    size = (height * mm, width * mm) if landscape else (width * mm, height * mm)
    drawing = canvas.Canvas(str(path), pagesize=size)
    for number in range(1, pages + 1):
        drawing.rect(10 * mm, 10 * mm, size[0] - 20 * mm, size[1] - 20 * mm)
        drawing.setFont("Helvetica", 40)
        drawing.drawString(20 * mm, size[1] - 30 * mm, f"page {number}")
        drawing.showPage()
    drawing.save()
    return path


def test_papers_by_name_and_size() -> None:
    assert Paper.of_size(841.89 * 25.4 / 72, 1190.55 * 25.4 / 72).name == "A3"
    assert Paper.of_size(297, 210).name == "A4"  # either way round
    assert Paper.of_size(216, 279).name == "216×279 mm"  # Letter: by its size
    assert scale_onto(Paper.named("A3"), Paper.named("A4")) == pytest.approx(0.7071, abs=1e-4)
    assert scale_onto(Paper.named("A4"), Paper.named("A3")) == 1.0
    assert Paper.named("A3").holds(Paper.named("A4")) and not Paper.named("A4").holds(Paper.named("A3"))


def test_the_shrink_warning_names_the_scale_the_papers_and_the_way_out() -> None:
    worst = shrinking([Paper.named("A3")], Paper.named("A4"), body_pt=11)
    assert worst is not None
    words = str(worst)
    assert words.startswith("A3 海报将缩小到 70.7% 打印在 A4 纸上（正文 11 pt 的字只剩约 7.8 pt）")
    assert "A4 两张拼一张" in words and "A4 版式" in words and "能印 A3 的打印机" in words
    assert shrinking([Paper.named("A4")], Paper.named("A4")) is None
    assert shrinking([Paper.named("A4")], Paper.named("A3")) is None  # a smaller sheet is not shrunk


@given(st.lists(st.tuples(st.integers(-3, 30), st.integers(-3, 30)).map(sorted).map(tuple), max_size=5),
       st.integers(1, 25))
def test_chosen_pages_are_those_the_ranges_name_that_exist(ranges: list[tuple[int, int]], count: int) -> None:
    request = PrintRequest("q", Paper.named("A3"), pages=tuple(ranges))  # type: ignore[arg-type]
    chosen = request.chosen_pages(count)
    wanted = {n for a, b in ranges for n in range(a, b + 1) if 1 <= n <= count} if ranges else set(range(1, count + 1))
    assert set(chosen) == wanted and len(chosen) == len(wanted)
    if chosen:
        # page_ranges says the same pages back, as CUPS's -P reads them
        said = {n for part in page_ranges(sorted(chosen)).split(",")
                for a, _, b in [part.partition("-")] for n in range(int(a), int(b or a) + 1)}
        assert said == set(chosen)
    else:
        with pytest.raises(spooling.BadInput, match="页码范围"):
            request.checked(count)


@pytest.mark.parametrize(("paper", "landscape"), SHAPES)
def test_lp_gets_the_dialogs_copies_pages_paper_and_orientation(paper: str, landscape: bool) -> None:
    request = PrintRequest("office", Paper.named(paper), copies=3, pages=((2, 3),), landscape=landscape,
                           title="东岗村 财务收支")
    command = lp_command(Path("/tmp/board.pdf"), request, 5)
    assert command[:3] == ["lp", "-d", "office"] and command[-2:] == ["--", "/tmp/board.pdf"]
    options = [command[i + 1] for i, part in enumerate(command) if part == "-o"]
    assert f"media={paper}" in options and "fit-to-page=false" in options and "collate=true" in options
    assert f"orientation-requested={4 if landscape else 3}" in options
    assert command[command.index("-n") + 1] == "3" and command[command.index("-P") + 1] == "2-3"
    # All pages: no -P at all; a shrink the clerk agreed to: fit-to-page
    assert "-P" not in lp_command(Path("x.pdf"), PrintRequest("office", Paper.named(paper)), 5)
    assert "fit-to-page=true" in lp_command(Path("x.pdf"), PrintRequest("office", Paper.named(paper), fit=True), 5)


def test_a_paper_of_its_own_size_goes_to_lp_as_a_custom_size() -> None:
    command = lp_command(Path("x.pdf"), PrintRequest("office", Paper.of_size(250, 353)), 1)
    assert "media=Custom.250x353mm" in command


def test_the_dialogs_page_ranges_all_reach_the_request(qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QPageRanges

    printer = QPrinter()
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    ranges = QPageRanges()
    ranges.addRange(1, 3)
    ranges.addPage(5)
    printer.setPageRanges(ranges)
    request = request_from(printer)
    assert request.pages == ((1, 3), (5, 5)) and request.chosen_pages(6) == [1, 2, 3, 5]
    assert lp_command(Path("x.pdf"), request, 6)[-4:-2] == ["-P", "1-3,5"]


@pytest.mark.parametrize(("said", "words"), [
    ("lp: Error - The printer or class does not exist.", "已不在这台电脑的打印队列里"),
    ('lp: Error - Destination "office" is not accepting jobs.', "不接受打印任务"),
    ("scheduler is not running", "打印服务（CUPS）没有运行"),
    ("lp: Forbidden", "无权"),
    ("lp: Unsupported document-format \"application/pdf\".", "不接受 PDF 文件"),
    ("lp: something new", "打印服务的原话：lp: something new"),
    ("", "没有说明原因"),
])
def test_lps_complaints_are_told_in_words(said: str, words: str) -> None:
    told = refusal("office", said)
    assert words in told and "没有送出" in told and "出错了" not in told


def test_no_lp_is_told_in_words(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrintRefused, match="找不到打印命令 lp"):
        spooling.lp_program()


@pytest.mark.parametrize(("paper", "landscape"), SHAPES)
def test_qt_takes_every_paper_and_orientation_a_layout_allows(qapp, tmp_path: Path, paper: str,  # type: ignore[no-untyped-def]
                                                              landscape: bool) -> None:
    pdf = sheet_pdf(tmp_path / "sheet.pdf", paper, landscape)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    printer_for(pdf, printer)
    layout = printer.pageLayout()
    assert paper_of(layout.pageSize()).name == paper and page_size_for(Paper.named(paper)).isValid()
    assert (layout.orientation() == QPageLayout.Orientation.Landscape) == landscape
    request = request_from(printer)
    assert request.paper.name == paper and request.landscape == landscape and request.copies == 1
    # "Print to file" in the dialog: the chosen pages of the very PDF, copies collated
    printer.setCopyCount(2)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    request = request_from(printer)
    assert request.pages == ((2, 3),) and request.copies == 2
    done = spooling.copy_pages(pdf, tmp_path / "out.pdf", request)
    assert done.sheets == 4
    out = pypdfium2.PdfDocument(str(tmp_path / "out.pdf"))
    try:
        assert [out[n].get_textpage().get_text_range().strip() for n in range(4)] == \
            ["page 2", "page 3", "page 2", "page 3"]
    finally:
        out.close()


def test_print_to_file_never_asks_to_shrink(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from zwgk_desktop.ui.printing import PrintJob

    pdf = sheet_pdf(tmp_path / "a3.pdf", "A3", False)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    printer.setPageSize(page_size_for(Paper.named("A4")))  # the clerk picked A4 in the dialog
    job = PrintJob(pdf, printer)
    assert job.shrinking is None and job.request.paper.name == "A3"  # the file gets the pages as they are


def test_a_custom_paper_gets_a_custom_qt_page_size() -> None:
    size = page_size_for(Paper.of_size(250, 353))
    assert size.isValid() and paper_of(size).name == "250×353 mm"


# -- Windows: what can be checked without it -------------------------------------------------------

def test_devmode_gets_the_paper_orientation_and_one_copy() -> None:
    devmode = bytearray(220)
    struct.pack_into("<I", devmode, gdi_printing.DEVMODE_FIELDS, 0x10)
    set_devmode(devmode, PrintRequest("p", Paper.named("A3"), copies=4, landscape=True))
    fields = struct.unpack_from("<I", devmode, gdi_printing.DEVMODE_FIELDS)[0]
    assert fields & gdi_printing.DM_PAPERSIZE and fields & gdi_printing.DM_ORIENTATION and fields & 0x10
    assert struct.unpack_from("<h", devmode, gdi_printing.DEVMODE_PAPERSIZE)[0] == 8  # DMPAPER_A3
    assert struct.unpack_from("<h", devmode, gdi_printing.DEVMODE_ORIENTATION)[0] == 2  # landscape
    assert struct.unpack_from("<h", devmode, gdi_printing.DEVMODE_COPIES)[0] == 1  # we repeat the pages
    set_devmode(devmode, PrintRequest("p", Paper.of_size(250, 353)))
    assert struct.unpack_from("<hhh", devmode, gdi_printing.DEVMODE_PAPERSIZE) == (0, 3530, 2500)
    with pytest.raises(ValueError):
        set_devmode(bytearray(50), PrintRequest("p", Paper.named("A3")))


A3_600 = Device(600, 600, 7016, 9921, 100, 120)  # A3 portrait at 600 dpi, 4-5 mm unprintable


def test_a_page_sits_at_one_to_one_from_the_papers_corner() -> None:
    at = placement(841.89, 1190.55, A3_600)
    assert (at.x, at.y, at.rotate) == (-100, -120, 0)  # GDI's origin is the printable corner
    assert (at.width, at.height) == (7016, 9921)
    turned = placement(1190.55, 841.89, A3_600)  # a landscape sheet on paper fed portrait
    assert turned.rotate == 1 and (turned.width, turned.height) == (7016, 9921)
    a4 = Device(600, 600, 4961, 7016, 100, 120)
    shrunk = placement(841.89, 1190.55, a4, fit=True)
    assert shrunk.width / 7016 == pytest.approx(0.7071, abs=1e-3) and shrunk.width <= 4961
    assert A3_600.paper.name == "A3" and a4.paper.name == "A4"


@given(st.integers(1, 20000), st.integers(1, 12000), st.integers(1 << 16, 1 << 26))
def test_bands_cover_the_page_once_within_the_budget(height: int, width: int, budget: int) -> None:
    parts = bands(height, width, budget)
    assert parts[0][0] == 0 and parts[-1][1] == height
    assert all(a[1] == b[0] for a, b in pairwise(parts))
    assert all((bottom - top) * width * 4 <= max(budget, width * 4) for top, bottom in parts)


def test_copies_come_out_collated_or_not() -> None:
    assert print_order([1, 2, 3], 2, True) == [1, 2, 3, 1, 2, 3]
    assert print_order([1, 2, 3], 2, False) == [1, 1, 2, 2, 3, 3]


class RecordingGdi:
    """Stands in for the printer's DC: records the calls, and the bands' pixels."""

    def __init__(self, device: Device, vectors: bool) -> None:
        self.device, self.vectors = device, vectors
        self.calls: list[str] = []
        self.page: Image.Image | None = None
        self.pages: list[Image.Image] = []

    def open(self, printer: str, request: PrintRequest) -> Device:
        self.calls.append(f"open {printer}")
        return self.device

    def start_doc(self, title: str) -> int:
        self.calls.append(f"start_doc {title}")
        return 7

    def start_page(self) -> None:
        self.calls.append("start_page")
        self.page = Image.new("RGB", (self.device.paper_x, self.device.paper_y), "white")

    def draw_page(self, page: Any, at: Placement) -> bool:
        self.calls.append(f"draw_page {at.rotate}")
        return self.vectors

    def draw_band(self, pixels: bytes, x: int, y: int, width: int, height: int) -> None:
        self.calls.append("band")
        assert self.page is not None
        band = Image.frombuffer("RGBA", (width, height), pixels, "raw", "BGRA", 0, 1).convert("RGB")
        self.page.paste(band, (x + self.device.offset_x, y + self.device.offset_y))

    def end_page(self) -> None:
        self.calls.append("end_page")
        assert self.page is not None
        self.pages.append(self.page)

    def end_doc(self) -> None:
        self.calls.append("end_doc")

    def abort(self) -> None:
        self.calls.append("abort")


def test_the_windows_job_draws_each_chosen_page_as_vectors_where_pdfium_can(tmp_path: Path) -> None:
    pdf = sheet_pdf(tmp_path / "a3.pdf", "A3", False)
    gdi = RecordingGdi(A3_600, vectors=True)
    done = gdi_printing.print_pdf(pdf, PrintRequest("Office", Paper.named("A3"), copies=2, pages=((2, 3),),
                                                    title="板"), gdi)
    assert gdi.calls == ["open Office", "start_doc 板", *["start_page", "draw_page 0", "end_page"] * 4, "end_doc"]
    assert done.sheets == 4 and done.paper.name == "A3" and done.job == "7"
    assert str(done) == "已送出 4 张 A3 到打印机 Office（任务 7）"


def test_a_windows_job_that_fails_midway_is_aborted(tmp_path: Path) -> None:
    pdf = sheet_pdf(tmp_path / "a3.pdf", "A3", False)
    gdi = RecordingGdi(A3_600, vectors=True)

    def jammed(page: Any, at: Placement) -> bool:
        raise OSError("the driver gave up")

    gdi.draw_page = jammed  # type: ignore[method-assign]
    with pytest.raises(OSError):
        gdi_printing.print_pdf(pdf, PrintRequest("Office", Paper.named("A3")), gdi)
    assert gdi.calls[-1] == "abort" and "end_doc" not in gdi.calls


@pytest.mark.parametrize("landscape", [False, True])
def test_bands_rendered_at_the_printers_resolution_make_the_whole_page(tmp_path: Path, landscape: bool) -> None:
    pdf = sheet_pdf(tmp_path / "a4.pdf", "A4", landscape, pages=1)
    device = Device(100, 100, 827, 1169, 12, 9)  # A4 portrait at 100 dpi (small, for the test)
    gdi = RecordingGdi(device, vectors=False)
    gdi_printing.print_pdf(pdf, PrintRequest("Office", Paper.named("A4"), landscape=landscape), gdi,
                           band_bytes=827 * 4 * 150)  # bands of 150 rows
    assert gdi.calls.count("band") == 8  # 1169 rows in bands of 150
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        page = document[0]
        at = placement(*page.get_size(), device)
        # The bands join into the page rendered in one piece, pixel for pixel ...
        one = Image.frombuffer("RGBA", (at.width, at.height), gdi_printing._band_pixels(page, at, (0, at.height)),
                               "raw", "BGRA", 0, 1).convert("L")
        # ... which is the page as PDFium shows it, turned as the paper lies (its own render
        # rounds the size a pixel differently, hence resized and compared loosely)
        shown = page.render(scale=100 / 72, rotation=90 if landscape else 0).to_pil().convert("L").resize(one.size)
    finally:
        document.close()
    stitched = gdi.pages[0].convert("L").crop((0, 0, at.width, at.height))
    assert ImageChops.difference(stitched, one).getbbox() is None
    assert ImageStat.Stat(ImageChops.difference(one, shown)).mean[0] < 4


@settings(max_examples=30)
@given(st.sampled_from(SHAPES), st.sampled_from([300, 600, 1200]), st.integers(0, 200), st.integers(0, 200))
def test_every_sheet_sits_at_one_to_one_on_its_own_paper(shape: tuple[str, bool], dpi: int, off_x: int,
                                                         off_y: int) -> None:
    paper, landscape = shape
    width, height = PAPER_MM[paper]
    device = Device(dpi, dpi, round(width / 25.4 * dpi), round(height / 25.4 * dpi), off_x, off_y)
    page = (height / 25.4 * 72, width / 25.4 * 72) if landscape else (width / 25.4 * 72, height / 25.4 * 72)
    at = placement(*page, device)
    assert (at.x, at.y) == (-off_x, -off_y) and at.rotate == int(landscape)
    assert abs(at.width - device.paper_x) <= 1 and abs(at.height - device.paper_y) <= 1


@pytest.mark.parametrize(("platform", "path"), [("win32", "gdi"), ("linux", "lp"), ("darwin", "lp")])
def test_each_platform_takes_its_own_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, platform: str,
                                          path: str) -> None:
    taken: list[str] = []
    monkeypatch.setattr(spooling.sys, "platform", platform)
    monkeypatch.setattr(gdi_printing, "print_pdf", lambda pdf, request: taken.append("gdi"))
    monkeypatch.setattr(spooling, "spool_with_lp", lambda pdf, request: taken.append("lp"))
    spooling.spool(tmp_path / "x.pdf", PrintRequest("q", Paper.named("A3")))
    assert taken == [path]
