"""The app's own print path (MainWindow.print_to, without the modal dialog) to a real CUPS queue
(`.ci/cups`: cupsd and cups-pdf): an A4 format and an A3 format print at their size, as vectors,
the job the size of the PDF; an A4-only printer is asked about shrinking an A3 sheet before
anything prints; a queue that is gone is told in words."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat
from printers import PRINTER, PRINTER_A4, add_queue, needs_spooler, printed, remove_queue, spooled_file
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import QMessageBox
from test_gui import open_item

from zwgk_desktop.office.spooling import Paper, Spooled
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render import fonts
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.printing import PrintJob, page_size_for, printer_for

pytestmark = needs_spooler


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the app told the clerk in message boxes (which would otherwise wait for a click)."""
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: said.append(args[2]))
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: said.append(args[2]))
    return said


def formats_on(paper: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for source in standard_layouts_dir().glob("*.toml"):
        text = re.sub(r'(?m)^size = "A3"$', f'size = "{paper}"', source.read_text(encoding="utf-8"))
        (folder / source.name).write_text(text, encoding="utf-8")
    return folder


def open_window(qtbot, demo_copy: Path, layouts: Path | None) -> MainWindow:  # type: ignore[no-untyped-def]
    desktop.register_qt_font()
    fonts.register()
    main = MainWindow(desktop.open_archive(str(demo_copy), layouts))
    qtbot.addWidget(main)
    main.show()
    return main


def close_window(main: MainWindow) -> None:
    from zwgk_desktop.ui.workers import wait_for_all

    main._autosave.stop()
    wait_for_all()
    main.preview.stop()


def queue_printer(window: MainWindow, queue: str) -> QPrinter:
    """The printer the dialog would hand back for this CUPS queue, set up for the preview's sheets."""
    assert not QPrinterInfo.printerInfo(queue).isNull(), f"Qt does not see the CUPS queue {queue}"
    printer = QPrinter(QPrinterInfo.printerInfo(queue), QPrinter.PrinterMode.HighResolution)
    assert window.preview.pdf_path is not None
    return printer_for(window.preview.pdf_path, printer)


def ink(document: pypdfium2.PdfDocument, number: int) -> Image.Image:
    """The page's ink at 100 dpi, smoothed to ~1 mm (glyph edges anti-alias differently per renderer)."""
    image = ImageOps.grayscale(document[number].render(scale=100 / 72).to_pil())
    return image.filter(ImageFilter.GaussianBlur(2)).resize((image.width // 4, image.height // 4))


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_a_format_prints_through_the_app_at_its_size_as_vectors(qtbot, demo_copy: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                 paper: str, told: list[str]) -> None:
    window = open_window(qtbot, demo_copy, formats_on(paper, tmp_path / "layouts") if paper == "A4" else None)
    try:
        open_item(qtbot, window, "finance")
        preview = window.preview.pdf_path
        assert preview is not None
        printer = queue_printer(window, PRINTER)
        job = window.print_to(printer)
        assert job is not None and job.shrinking is None
        with qtbot.waitSignal(job.finished, timeout=60000) as done:
            pass
        spooled: Spooled = done.args[0]
        sheets = len(pypdf.PdfReader(preview).pages)
        assert not told and spooled.sheets == sheets and spooled.paper.name == paper
        assert window.statusBar().currentMessage().startswith(f"已送出 {sheets} 张 {paper} 到打印机 {PRINTER}")
        job_file = spooled_file(spooled.job)
        out = printed(spooled.job)
        # The job is the PDF itself, byte for byte (what lp hands the scheduler: 1.0×, within the
        # 3× asked). What cups-pdf writes after CUPS's filters (pdftopdf, pdftops, then Ghostscript
        # again, which repeats font subsets per page) is larger, but nothing like a raster
        # (300 dpi pictures were 140× the PDF): bounded at 10×.
        assert job_file.read_bytes() == preview.read_bytes()
        assert job_file.stat().st_size <= 3 * preview.stat().st_size
        assert out.stat().st_size < 10 * preview.stat().st_size, (out.stat().st_size, preview.stat().st_size)
        print(f"{paper}: PDF {preview.stat().st_size} B, job {job_file.stat().st_size} B, "
              f"cups-pdf's output {out.stat().st_size} B")
        reader = pypdf.PdfReader(out)
        assert len(reader.pages) == sheets
        expected = (595, 842) if paper == "A4" else (842, 1191)
        for page in reader.pages:
            assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == expected
            assert not page.images  # vectors: text and rules, no picture of the page
            # ... and the text is set as text: embedded fonts the page's content shows glyphs of
            fonts = page["/Resources"].get_object().get("/Font")
            assert fonts and any(font.get_object().get("/FontDescriptor") for font in fonts.get_object().values())
            assert b"Tj" in page.get_contents().get_data() or b"TJ" in page.get_contents().get_data()
        # The sheet's text reached the printer: the job holds it (PostScript, as cups-pdf is fed,
        # re-encodes fonts, so its own output keeps the glyphs but not their Unicode names).
        text = "".join(page.extract_text() for page in pypdf.PdfReader(job_file).pages)
        assert "东岗村2026年第三季度财务收支公开" in text and "验证码" in text
        # Each printed page is its own preview page, drawn at the same size (Ghostscript's
        # re-encoded glyphs anti-alias a little differently, hence no tighter bound).
        ours, theirs = pypdfium2.PdfDocument(str(out)), pypdfium2.PdfDocument(str(preview))
        try:
            for number in range(sheets):
                distances = [ImageStat.Stat(ImageChops.difference(ink(ours, number), ink(theirs, other))).mean[0]
                             for other in range(sheets)]
                assert min(distances) == distances[number] < 4, (number, distances)
        finally:
            ours.close()
            theirs.close()
    finally:
        close_window(window)


def test_an_a4_printer_is_asked_before_an_a3_sheet_shrinks(qtbot, demo_copy: Path) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, demo_copy, None)
    try:
        open_item(qtbot, window, "notice")
        printer = queue_printer(window, PRINTER_A4)
        job = window.print_to(printer)
        assert job is not None and job.shrinking is not None
        question = window._shrink_question
        assert question.isVisible()
        words = question.text()
        assert "A3 海报将缩小到 70.7% 打印在 A4 纸上" in words
        assert "正文 13 pt 的字只剩约 9.2 pt" in words  # the notice's body type
        assert "A4 两张拼一张" in words and "A4 版式" in words
        # Nothing went out while the question is open; declining prints nothing.
        with qtbot.waitSignal(job.cancelled, timeout=5000):
            next(b for b in question.buttons() if b.text().startswith("取消")).click()
        assert window.statusBar().currentMessage().startswith("没有打印")
        # Agreeing prints it shrunk onto A4, and says so.
        job = window.print_to(printer)
        assert job is not None
        with qtbot.waitSignal(job.finished, timeout=60000) as done:
            next(b for b in window._shrink_question.buttons() if b.text().startswith("缩小打印")).click()
        spooled: Spooled = done.args[0]
        assert spooled.paper.name == "A4" and spooled.scale == pytest.approx(0.707, abs=0.001)
        assert re.match(rf"已送出 \d+ 张 A4 到打印机 {PRINTER_A4}（任务 \S+，缩小到 70.7%）$",
                        window.statusBar().currentMessage())
        page = pypdf.PdfReader(printed(spooled.job)).pages[0]
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    finally:
        close_window(window)


def test_a_queue_gone_after_the_dialog_is_told_in_words(qtbot, demo_copy: Path,  # type: ignore[no-untyped-def]
                                                        told: list[str]) -> None:
    name = add_queue("zwgk-gone")
    window = open_window(qtbot, demo_copy, None)
    try:
        open_item(qtbot, window, "notice")
        printer = queue_printer(window, name)
        subprocess.run(["lpadmin", "-x", name], capture_output=True, check=True)  # unplugged meanwhile
        job = window.print_to(printer)
        assert job is not None
        with qtbot.waitSignal(job.failed, timeout=30000):
            pass
        assert told and f"打印机“{name}”已不在" in told[0] and "出错" not in told[0]
    finally:
        remove_queue(name)
        close_window(window)


def test_no_lp_on_this_computer_is_told_in_words(qtbot, demo_copy: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                 monkeypatch: pytest.MonkeyPatch, told: list[str]) -> None:
    window = open_window(qtbot, demo_copy, None)
    try:
        open_item(qtbot, window, "notice")
        printer = queue_printer(window, PRINTER)
        monkeypatch.setenv("PATH", str(tmp_path))  # a computer without CUPS's commands
        job = window.print_to(printer)
        assert job is not None
        with qtbot.waitSignal(job.failed, timeout=30000):
            pass
        assert told and "找不到打印命令 lp" in told[0] and "没有送出" in told[0]
        assert window.statusBar().currentMessage().startswith("没有打印")
    finally:
        close_window(window)


def test_the_warning_looks_at_the_paper_chosen_and_the_pdf_handed_in(qtbot, demo_copy: Path,  # type: ignore[no-untyped-def]
                                                                     tmp_path: Path) -> None:
    from test_print_paths import sheet_pdf

    window = open_window(qtbot, demo_copy, None)
    try:
        open_item(qtbot, window, "notice")
        # An A3 printer, but A4 chosen in the dialog: the A3 sheet would shrink, so it asks.
        printer = queue_printer(window, PRINTER)
        printer.setPageSize(page_size_for(Paper.named("A4")))
        job = window.print_to(printer)
        assert job is not None and job.shrinking is not None and job.shrinking.paper.name == "A4"
        window._shrink_question.reject()
        # The A4 printer given A4 sheets (tiled halves, an A4 edition): nothing to ask, it prints.
        halves = sheet_pdf(tmp_path / "halves.pdf", "A4", True, pages=2)
        job = window.print_to(queue_printer(window, PRINTER_A4), pdf=halves)
        assert job is not None and job.shrinking is None
        with qtbot.waitSignal(job.finished, timeout=60000) as done:
            pass
        assert done.args[0].paper.name == "A4" and done.args[0].sheets == 2
    finally:
        close_window(window)


def test_a_printer_that_is_off_is_told_a_while_after_the_job_went_to_it(qtbot, demo_copy: Path,  # type: ignore[no-untyped-def]
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       told: list[str]) -> None:
    monkeypatch.setattr(PrintJob, "watch_ms", 4000)
    # A network printer that is switched off: nothing listens at its address (this machine's
    # discard port), so CUPS's socket backend keeps the job and retries.
    name = add_queue("zwgk-off", "socket://127.0.0.1:9")
    window = open_window(qtbot, demo_copy, None)
    try:
        open_item(qtbot, window, "notice")
        job = window.print_to(queue_printer(window, name))
        assert job is not None
        with qtbot.waitSignal(job.waiting, timeout=30000) as waiting:
            pass
        words = waiting.args[0]
        assert f"打印机“{name}”连不上" in words and "还在队列里" in words and "cancel " in words
        assert told == [words]
    finally:
        remove_queue(name)
        close_window(window)
