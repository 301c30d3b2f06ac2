"""Printing from the app: the print dialog's choices become a print request, and the very PDF goes
to the printer through `office/spooling.py` (CUPS's lp on Linux, PDFium on Windows), never a picture.

The dialog is set up for the sheets (their paper by its standard id, their orientation); what the
printer really takes is checked before anything prints: a printer without the sheets' paper, or a
smaller paper chosen in the dialog, would shrink them, and the clerk is told by how much first.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QSizeF, QTimer, Signal
from PySide6.QtGui import QPageLayout, QPageSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from zwgk_desktop.office.spooling import (
    POINT_MM,
    Paper,
    PrintRequest,
    Roomier,
    Shrinking,
    Spooled,
    copy_pages,
    page_papers,
    roomier,
    shrinking,
    spool,
    still_waiting,
)
from zwgk_desktop.render.layout import PAPER_MM
from zwgk_desktop.ui.workers import run_in_background

# Every paper a layout may name, by Qt's own standard id: QPageSize(QSize, Unit, name) is no
# constructor (it takes points, or a QSizeF with a unit), which is how A4 once failed.
# A paper Qt has no id for (a 16K, say) is given by its size instead (page_size_for).
PAGE_SIZE_IDS = {name: getattr(QPageSize.PageSizeId, name) for name in PAPER_MM
                 if hasattr(QPageSize.PageSizeId, name)}


def page_size_for(paper: Paper) -> QPageSize:
    """Qt's page size for a paper: the standard one by id, or a custom size in mm."""
    ident = PAGE_SIZE_IDS.get(paper.name)
    if ident is not None:
        return QPageSize(ident)
    return QPageSize(QSizeF(paper.width_mm, paper.height_mm), QPageSize.Unit.Millimeter, paper.name,
                     QPageSize.SizeMatchPolicy.ExactMatch)


def paper_of(size: QPageSize) -> Paper:
    """Our paper for one of Qt's page sizes (A4 by name, anything else by its size)."""
    for name, ident in PAGE_SIZE_IDS.items():
        if size.id() == ident:
            return Paper.named(name)
    mm = size.size(QPageSize.Unit.Millimeter)
    return Paper.of_size(mm.width(), mm.height())


def _first_page(source: QPdfDocument | Path) -> tuple[Paper, bool]:
    """The first sheet's paper and whether it lies landscape."""
    if isinstance(source, QPdfDocument):
        points = source.pagePointSize(0)
        width, height = points.width() * POINT_MM, points.height() * POINT_MM
        return Paper.of_size(width, height), width > height
    import pypdf  # only when printing

    box = pypdf.PdfReader(source).pages[0].mediabox
    width, height = float(box.width) * POINT_MM, float(box.height) * POINT_MM
    return Paper.of_size(width, height), width > height


def printer_for(source: QPdfDocument | Path, printer: QPrinter | None = None) -> QPrinter:
    """A printer set to the sheets' paper in their orientation, with no margins added."""
    printer = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
    paper, landscape = _first_page(source)
    printer.setPageSize(page_size_for(paper))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    return printer


def paper_really_used(printer: QPrinter) -> Paper:
    """The paper the printer will print on: the dialog's, if the printer has it; if it has not (an
    A4-only office printer asked for A3), the printer's own default paper."""
    asked = paper_of(printer.pageLayout().pageSize())
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat or not printer.printerName():
        return asked
    info = QPrinterInfo.printerInfo(printer.printerName())
    supported = [paper_of(size) for size in info.supportedPageSizes()] if not info.isNull() else []
    if not supported or any(p.name == asked.name or (p.holds(asked) and asked.holds(p)) for p in supported):
        return asked
    default = paper_of(info.defaultPageSize()) if info.defaultPageSize().isValid() else None
    return default or max(supported, key=lambda p: p.width_mm * p.height_mm)


def request_from(printer: QPrinter, title: str = "村务公开栏") -> PrintRequest:
    """The dialog's choices as a print request: queue, copies, pages, paper, orientation."""
    pages: tuple[tuple[int, int], ...] = ()
    if printer.printRange() == QPrinter.PrintRange.PageRange:
        ranges = printer.pageRanges().toRangeList()
        if ranges:
            pages = tuple((r.from_, r.to) for r in ranges)
        elif printer.fromPage() > 0:
            pages = ((printer.fromPage(), printer.toPage() or printer.fromPage()),)
    landscape = printer.pageLayout().orientation() == QPageLayout.Orientation.Landscape
    return PrintRequest(queue=printer.printerName(), paper=paper_really_used(printer),
                        copies=max(1, printer.copyCount()), pages=pages, landscape=landscape,
                        collate=printer.collateCopies(), title=title)


class PrintJob(QObject):
    """One PDF to one printer, handed over in the background; `shrinking` says what would shrink."""

    finished = Signal(object)  # Spooled
    failed = Signal(object)  # the exception: a PrintRefused in words, or a bug
    cancelled = Signal()
    # A while after a CUPS queue took the job, words if it still has not printed and will not soon
    # (the printer is off or unplugged, the queue paused): CUPS took it, so lp said nothing.
    waiting = Signal(str)
    watch_ms = 8000
    looks = 4  # at most, watch_ms apart: a backend takes a while to find the printer is not there

    def __init__(self, pdf: Path, printer: QPrinter, title: str = "村务公开栏", body_pt: float | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pdf = pdf
        self.request = request_from(printer, title)
        self.to_file = Path(printer.outputFileName()) if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat \
            else None
        papers = page_papers(pdf)
        chosen = self.request.chosen_pages(len(papers))
        self.shrinking: Shrinking | None = shrinking([papers[n - 1] for n in chosen], self.request.paper, body_pt)
        # Sheets smaller than the paper (A4 halves on A3) print centred on it: a note, not a block.
        self.roomier: Roomier | None = roomier([papers[n - 1] for n in chosen], self.request.paper)
        if self.to_file is not None and papers:
            # A file gets the pages as they are, whatever paper the dialog shows: nothing shrinks.
            self.request, self.shrinking, self.roomier = replace(self.request, paper=papers[0]), None, None

    def start(self, shrink: bool = False) -> None:
        """Hand the PDF over (shrunk onto the paper only when the clerk agreed to it)."""
        if shrink:
            self.request = replace(self.request, fit=True)
        pdf, request, to_file = self.pdf, self.request, self.to_file

        def hand_over() -> Spooled:
            return copy_pages(pdf, to_file, request) if to_file is not None else spool(pdf, request)

        run_in_background(hand_over, on_done=self._on_done, on_error=self.failed.emit)

    def _on_done(self, spooled: Spooled) -> None:
        self.finished.emit(spooled)
        if self.to_file is None and sys.platform != "win32" and not spooled.waiting:
            QTimer.singleShot(self.watch_ms, lambda: self._watch(spooled, self.looks))

    def _watch(self, spooled: Spooled, looks_left: int) -> None:
        def look() -> str | None:
            return still_waiting(spooled.queue, spooled.job)

        def seen(words: str | None) -> None:
            if words:
                self.waiting.emit(words)
            elif words is not None and looks_left > 1:  # still queued, nothing known yet: again
                QTimer.singleShot(self.watch_ms, lambda: self._watch(spooled, looks_left - 1))

        run_in_background(look, on_done=seen)

    def cancel(self) -> None:
        """Not printed after all (the clerk declined to shrink)."""
        self.cancelled.emit()
