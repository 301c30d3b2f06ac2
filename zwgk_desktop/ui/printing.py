"""Printing the preview's PDF: A3 in the sheets' orientation, the same pages as the preview."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

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


def print_document(document: QPdfDocument, printer: QPrinter,
                   progress: Callable[[int, int], bool] | None = None) -> int:
    """Print every page (or the printer's range); `progress(done, total)` returns False to stop.

    Returns the number of pages printed.
    """
    count = document.pageCount()
    first, last = 0, count - 1
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage() - 1, min(count, printer.toPage()) - 1
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("无法开始打印：打印机不可用或输出文件无法写入")
    printed = 0
    try:
        for page in range(first, last + 1):
            if printed:
                printer.newPage()
            target: QRect = printer.pageLayout().fullRectPixels(printer.resolution())
            image = document.render(page, target.size())
            painter.drawImage(target, image)
            printed += 1
            if progress is not None and not progress(printed, last - first + 1):
                break
    finally:
        painter.end()
    return printed
