"""Regenerate the printing pictures in docs/ from what a real CUPS queue printed: the demo's 财务收支
sheet as set on A3, the same sheet printed shrunk on an A4-only printer (after the clerk agreed),
and an A4 format printed at 1:1 (all three at the same scale, from cups-pdf's output); the QR code
of the PDF beside the QR code as printed; and the question the app asks before a sheet shrinks.

Needs the private spooler: `eval "$(.ci/cups)"`, then `.venv/bin/python docs/make_print_pictures.py`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pypdfium2
from PIL import Image
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QFont
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import QApplication

from zwgk_desktop.office.spooling import Paper, PrintRequest, spool_with_lp
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render import fonts
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.printing import printer_for

DOCS = Path(__file__).resolve().parent
PRINTED = Path(os.environ.get("ZWGK_TEST_PRINTED", "/tmp/zwgk-cups/printed"))


def printed(job: str) -> Path:
    while job not in subprocess.run(["lpstat", "-W", "completed", "-o"], capture_output=True, text=True).stdout:
        time.sleep(0.1)
    return next(PRINTED.glob(f"*job_{job.rsplit('-', 1)[-1]}.pdf"))


def page_image(pdf: Path, dpi: int) -> Image.Image:
    """The first page at `dpi`, rendered at 4× and scaled down: at 40 dpi PDFium's one-pixel
    minimum stroke would smear the bold type, which paper does not."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        big = document[0].render(scale=4 * dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()
    return big.resize((big.width // 4, big.height // 4), Image.Resampling.LANCZOS)


def side_by_side(images: list[Image.Image], name: str) -> None:
    gap = 10
    out = Image.new("RGB", (sum(i.width for i in images) + gap * (len(images) + 1),
                            max(i.height for i in images) + 2 * gap), (150, 150, 150))
    x = gap
    for image in images:
        out.paste(image, (x, gap))
        x += image.width + gap
    out.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(DOCS / name, optimize=True)
    print(DOCS / name)


def zwgk(*args: str) -> None:
    subprocess.run([str(Path(sys.executable).with_name("zwgk")), *args], check=True, capture_output=True)


def main() -> None:
    qapp = QApplication([])
    qapp.setFont(QFont(desktop.register_qt_font(), 10))
    fonts.register()
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        db = here / "demo.sqlite3"
        zwgk("demo", "--db", str(db))
        a4 = here / "a4"
        a4.mkdir()
        for source in standard_layouts_dir().glob("*.toml"):
            (a4 / source.name).write_text(re.sub(r'(?m)^size = "A3"$', 'size = "A4"', source.read_text("utf-8")),
                                          "utf-8")
        on_a3, on_a4 = here / "finance-a3.pdf", here / "finance-a4.pdf"
        common = ["--db", str(db), "--village", "donggang", "--period", "2026Q3", "--category", "finance"]
        zwgk("render", *common, "-o", str(on_a3))
        zwgk("render", *common, "--layouts", str(a4), "-o", str(on_a4))
        as_set = spool_with_lp(on_a3, PrintRequest("zwgk-pdf", Paper.named("A3"), title="a3"))
        shrunk = spool_with_lp(on_a3, PrintRequest("zwgk-pdf-a4", Paper.named("A4"), fit=True, title="shrunk"))
        a4_format = spool_with_lp(on_a4, PrintRequest("zwgk-pdf", Paper.named("A4"), title="a4"))
        side_by_side([page_image(printed(job.job), 40) for job in (as_set, shrunk, a4_format)],
                     "print-a3-shrunk-a4-as-printed.png")
        qr = [page_image(pdf, 200) for pdf in (on_a3, printed(as_set.job))]
        side_by_side([i.crop((int(i.width * 0.80), int(i.height * 0.86), int(i.width * 0.97), int(i.height * 0.975)))
                      for i in qr], "print-qr-pdf-and-printed.png")

        window = MainWindow(desktop.open_archive(str(db)))
        window.resize(1366, 768)
        window.show()
        loop = QEventLoop()
        window.preview.rendered.connect(loop.quit)
        QTimer.singleShot(30000, loop.quit)
        item = window.navigator.find_item(14)  # 东岗村 2026Q3 财务收支
        window.navigator.setCurrentItem(item)
        loop.exec()
        assert window.preview.pdf_path is not None
        printer = printer_for(window.preview.pdf_path,
                              QPrinter(QPrinterInfo.printerInfo("zwgk-pdf-a4"), QPrinter.PrinterMode.HighResolution))
        job = window.print_to(printer)
        assert job is not None and job.shrinking is not None
        for _ in range(20):
            qapp.processEvents()
            time.sleep(0.02)
        window._shrink_question.grab().save(str(DOCS / "print-shrink-question.png"))
        print(DOCS / "print-shrink-question.png")
        window._shrink_question.reject()
        window._autosave.stop()
        window.preview.stop()


if __name__ == "__main__":
    main()
