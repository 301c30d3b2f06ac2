"""Printing the preview's PDF: A3 in the sheets' orientation, the same pages as the preview.

Pages are rasterised in a worker thread (each A3 page at 300 dpi takes a moment) and drawn on the
printer by the GUI thread one at a time, so the window stays responsive and the job can be
cancelled between pages.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from zwgk_desktop.ui.workers import run_in_background

PRINT_DPI = 300  # enough for the QR code and small type; a PDF printer would make 1200 by default


def printer_for(document: QPdfDocument, printer: QPrinter | None = None) -> QPrinter:
    """A printer set to A3 (or the sheets' size) in the sheets' orientation, with no margins added."""
    printer = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
    size = document.pagePointSize(0)
    landscape = size.width() > size.height()
    page_size = QPageSize(QPageSize.PageSizeId.A3)
    a3 = page_size.sizePoints()
    if abs(min(size.width(), size.height()) - a3.width()) > 2:
        page_size = QPageSize(QSize(round(min(size.width(), size.height())), round(max(size.width(), size.height()))),
                              QPageSize.Unit.Point, "sheet")
    printer.setPageSize(page_size)
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    printer.setResolution(PRINT_DPI)
    return printer


def _render_page(pdf: Path, page: int, size: QSize) -> QImage:
    """Rasterise one page with a document of this thread's own (QPdfDocument is not shared)."""
    document = QPdfDocument()
    try:
        document.load(str(pdf))
        return document.render(page, size)
    finally:
        document.close()


class PrintJob(QObject):
    """Prints a PDF's pages (or the printer's page range) to a printer already set up."""

    progressed = Signal(int, int)  # pages done, pages in all
    finished = Signal(int)  # pages printed (fewer if cancelled)
    failed = Signal(str)

    def __init__(self, pdf: Path, page_count: int, printer: QPrinter, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pdf, self.printer = pdf, printer
        first, last = 0, page_count - 1
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first, last = printer.fromPage() - 1, min(page_count, printer.toPage()) - 1
        self.pages = list(range(first, last + 1))
        self.printed = 0
        self.cancelled = False
        self.painter = QPainter()

    def start(self) -> None:
        if not self.painter.begin(self.printer):
            self.failed.emit("无法开始打印：打印机不可用，或输出文件无法写入")
            return
        self._next()

    def cancel(self) -> None:
        self.cancelled = True

    def _next(self) -> None:
        if self.cancelled or self.printed == len(self.pages):
            self.painter.end()
            self.finished.emit(self.printed)
            return
        page = self.pages[self.printed]
        target = self.printer.pageLayout().fullRectPixels(self.printer.resolution())
        pdf, size = self.pdf, target.size()

        def render() -> QImage:
            return _render_page(pdf, page, size)

        run_in_background(render, on_done=self._on_page, on_error=self._on_error)

    def _on_page(self, image: QImage) -> None:
        if self.printed:
            self.printer.newPage()
        self.painter.drawImage(self.printer.pageLayout().fullRectPixels(self.printer.resolution()), image)
        self.printed += 1
        self.progressed.emit(self.printed, len(self.pages))
        self._next()

    def _on_error(self, error: BaseException) -> None:
        self.painter.end()
        self.failed.emit(f"打印第 {self.printed + 1} 张时出错：{error}")
