"""The live A3 preview: the very PDF that will print, re-rendered off the GUI thread a short moment
after an edit, with sheet navigation and zoom."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QTimer, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from zwgk_desktop.domain.items import Item
from zwgk_desktop.domain.place import Place
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.render.correction import Previous
from zwgk_desktop.render.layout import LayoutSet
from zwgk_desktop.render.posters import warm_up
from zwgk_desktop.render.sheet_papers import Papers, papers_of_sizes, sheet_paper_words, sheets_said
from zwgk_desktop.ui.preview_job import PreviewFailed, PreviewResult, RowChanges, RowsUnknown, render_preview
from zwgk_desktop.ui.workers import ProcessRunner

log = logging.getLogger("zwgk")


# A long list just opened shows its first sheet while the others are drawn.
FIRST_SHEETS = 1


class PreviewPane(QWidget):
    """Shows the PDF of the item being edited; `rendered` fires when a new one is on screen, whole
    (`shown` fires as well, and also when only the first sheet of a list just opened is)."""

    rendered = Signal(object)  # PreviewResult
    shown = Signal(object)  # PreviewResult: whole, or its first sheets (`partial`)
    failed = Signal(str)
    _asked = Signal(object)  # a request made in another thread (see `request_soon`)

    def __init__(self, layouts: LayoutSet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layouts = layouts
        self._folder = tempfile.TemporaryDirectory(prefix="zwgk-preview-")
        self._generation = 0
        self._pending: tuple[Item, Place, object, Previous | None] | None = None
        self.rendered_tag: object = None
        self.pdf_path: Path | None = None
        self.result: PreviewResult | None = None
        self.document = QPdfDocument(self)
        # Renders run in their own process, one at a time; a request that has not started yet
        # is replaced by a newer one.
        self.renderer = ProcessRunner(self)
        # Start the process once the window is on screen, not before: start-up stays quick.
        QTimer.singleShot(250, lambda: self.renderer.warm_up(warm_up))
        self._futures: list[Future[PreviewResult]] = []
        # What the process was sent lately and not dropped: (job, the number of its rows, the rows),
        # so that an edit sends only the rows it changed.
        self._sent: list[tuple[Future[PreviewResult], int, list[dict[str, Any]]]] = []
        self._rows_number = 0
        self._submitted: tuple[Item, Place, object, Previous | None] | None = None
        self._first_only = self._pending_first_only = False  # only the first sheet was asked for
        # The editor has waited for the clerk to pause already; a newer request still replaces one
        # not yet started, so a render starts on the event loop's next pass.
        self._delay = QTimer(self, singleShot=True, interval=0)
        self._build()
        self._connect_signals()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.previous = _button("上一张")
        self.next = _button("下一张")
        self.page_label = QLabel("—")
        self.zoom_out = _button("缩小")
        self.zoom_in = _button("放大")
        self.fit = _button("适合宽度")
        self.state = QLabel("")
        self.state.setWordWrap(True)  # a long note wraps rather than widening the pane over the editor
        for widget in (self.previous, self.page_label, self.next, self.zoom_out, self.zoom_in, self.fit):
            bar.addWidget(widget)
        bar.addStretch(1)
        layout.addLayout(bar)
        # Under the buttons, the pane's whole width: "共 17 张 A3" never breaks into a column of
        # characters beside them in a narrow window (1024 px).
        layout.addWidget(self.state)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        layout.addWidget(self.view, 1)

    def _connect_signals(self) -> None:
        self._delay.timeout.connect(self._on_delay)
        self._asked.connect(self._on_asked)
        navigator = self.view.pageNavigator()
        navigator.currentPageChanged.connect(self._on_page_changed)
        self.previous.clicked.connect(lambda: self.go_to(navigator.currentPage() - 1))
        self.next.clicked.connect(lambda: self.go_to(navigator.currentPage() + 1))
        self.zoom_in.clicked.connect(lambda: self._zoom(1.25))
        self.zoom_out.clicked.connect(lambda: self._zoom(0.8))
        self.fit.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))

    # -- asking for a render -------------------------------------------------------------------
    def request(self, item: Item, place: Place, *, at_once: bool = False, tag: object = None,
                previous: Previous | None = None, first_only: bool = False) -> None:
        """Render this item soon; a newer request replaces an older one that has not started.

        `tag` names what is being rendered (the app passes the item and its edit revision);
        `rendered_tag` says which tag the PDF on screen belongs to. A correction renders as its
        更正公告, for which `previous` is the version it replaces. `first_only`: only its first
        sheet, for now (`shown` fires, `rendered` waits for a request of the whole).
        """
        asked = (item.snapshot(), place, tag, previous)
        last = self._submitted
        # The tag first: comparing two lists of 10,000 rows is for when it is the same.
        if last is not None and last[2] == tag and asked == last and self._pending is None:
            if self._first_only and not first_only:  # the whole of what its first sheet was asked for
                self._first_only = False
                self._submit(self._generation, [None])
            return  # asked for already
        self._pending, self._pending_first_only = asked, first_only
        if at_once:
            self._delay.stop()
            self._on_delay()
        else:
            self._delay.start()

    def request_soon(self, item: Item, place: Place, *, tag: object = None, previous: Previous | None = None,
                     wanted: Callable[[], bool] = lambda: True) -> None:
        """`request(..., at_once=True, first_only=True)` from any thread (the worker reading an
        item, so that its first sheet is on the way while the editor is made; the editor, once
        shown, asks for the whole); dropped if `wanted()` no longer holds once the window gets to it."""
        self._asked.emit((item, place, tag, previous, wanted))

    def _on_asked(self, asked: tuple[Item, Place, object, Previous | None, Callable[[], bool]]) -> None:
        item, place, tag, previous, wanted = asked
        if wanted():
            self.request(item, place, at_once=True, tag=tag, previous=previous, first_only=True)

    def stop(self) -> None:
        """Drop pending renders and stop the render process (before the window goes away)."""
        self._delay.stop()
        self._pending = None
        self._generation += 1
        self.renderer.shutdown()
        self.document.close()
        self.pdf_path = None
        self._folder.cleanup()  # the rendered previews are of no use once the window closes

    def clear(self) -> None:
        self._generation += 1
        self._pending = self._submitted = None
        self._first_only = self._pending_first_only = False
        self.document.close()
        self.pdf_path = None
        self.rendered_tag = None
        self.page_label.setText("—")
        self.state.setText("")

    def _on_delay(self) -> None:
        if self._pending is None:
            return
        for future in self._futures:
            future.cancel()  # only succeeds if it has not started; a started one is ignored
        self._sent = [sent for sent in self._sent if not sent[0].cancelled()][-3:]
        self._submitted, self._first_only = self._pending, self._pending_first_only
        self._pending, self._pending_first_only = None, False
        self._generation += 1
        self.state.setText("正在生成预览…")
        self._futures = []
        # Nothing on screen (an item just opened): its first sheet first, then the whole.
        self._submit(self._generation, [FIRST_SHEETS] if self._first_only
                     else [FIRST_SHEETS, None] if self.pdf_path is None else [None])

    def _submit(self, generation: int, parts: list[int | None]) -> None:
        """Send the last request to the process: its first sheets (`FIRST_SHEETS`) or whole (None)."""
        assert self._submitted is not None
        item, place, tag, previous = self._submitted
        for first in parts:
            out = Path(self._folder.name) / f"preview-{generation}{'-first' if first else ''}.pdf"
            sent, rows = self._rows_to_send(item)
            future = self.renderer.submit(
                partial(render_preview, previous=previous, first=first, rows=rows), sent, self.layouts, place, out,
                on_done=partial(self._on_rendered, generation, out, tag=tag, whole=first is None),
                on_error=lambda exc: self._on_failed(generation, exc),
            )
            self._futures.append(future)
            self._sent.append((future, rows[0], item.rows))

    def _rows_to_send(self, item: Item) -> tuple[Item, tuple[int, RowChanges | None]]:
        """The item as the process is sent it: with its rows, or without them and with the rows
        that differ from those of the last job the process got (an edit changes a few)."""
        self._rows_number += 1
        if self._sent:
            _, base, before = self._sent[-1]
            if len(before) == len(item.rows):
                changed = {i: row for i, (row, old) in enumerate(zip(item.rows, before, strict=True))
                           if row is not old and row != old}
                if len(changed) <= len(item.rows) // 2:
                    return replace(item, rows=[]), (self._rows_number, RowChanges(base, len(before), changed))
        return item, (self._rows_number, None)

    def _on_rendered(self, generation: int, out: Path, result: PreviewResult, *, tag: object, whole: bool) -> None:
        """A PDF made: shown. Only the one asked for whole is what prints (`rendered`), even when
        the first sheets asked for first are all the item has."""
        if generation != self._generation or (not whole and self.rendered_tag == tag):
            out.unlink(missing_ok=True)
            return
        page = self.view.pageNavigator().currentPage()
        old = self.pdf_path
        self.document.load(str(out))
        self.pdf_path = out
        if old is not None and old != out:
            old.unlink(missing_ok=True)
        self.go_to(min(page, self.document.pageCount() - 1))
        warnings = "；".join(str(w) for w in result.warnings)
        paper = self.papers
        if not whole:
            # Not yet what prints: the tag stays the older one, so printing waits for the whole.
            rest = f"，其余 {result.sheets - result.drawn} 张正在生成…" if result.partial else "（正在准备打印…）"
            # (the document holds only the sheets drawn so far: their paper, the whole's count)
            self.state.setText(f"共 {result.sheets} 张 {sheet_paper_words(paper)}{rest}")
        else:
            self.rendered_tag, self.result = tag, result
            self.state.setText(sheets_said(paper) + (f"（{warnings}）" if warnings else ""))
        self._on_page_changed(self.view.pageNavigator().currentPage())
        self.shown.emit(result)
        if whole:
            self.rendered.emit(result)

    @property
    def papers(self) -> Papers:
        """The sheets shown, per paper they are set for (A3, A4 for a format on A4), from the PDF itself."""
        sizes = (self.document.pagePointSize(page) for page in range(self.document.pageCount()))
        return papers_of_sizes((size.width(), size.height()) for size in sizes)

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if isinstance(exc, RowsUnknown | BrokenProcessPool):
            self._sent = []  # the process does not hold what it was sent: send the rows whole
        if isinstance(exc, RowsUnknown):
            if generation == self._generation and self._submitted is not None and self._pending is None:
                self._pending = self._submitted
                self._on_delay()
            return
        if generation != self._generation:
            return
        self._generation += 1  # the whole would fail as its first sheet did: told once
        for future in self._futures:
            future.cancel()
        self._submitted = None  # asked again, it is tried again (the process may have died)
        if isinstance(exc, PreviewFailed):
            log.error("preview failed: %s\n%s", exc.message, exc.trace)
            message = exc.message
        elif isinstance(exc, ZwgkError):
            message = exc.message  # PreviewPaused: the values to correct, named
        elif isinstance(exc, BrokenProcessPool):
            message = "生成预览的进程意外退出了（可能是内存不足），下次修改时会重新启动；内容没有受影响"
        else:
            log.error("preview failed", exc_info=exc)
            message = f"预览没能生成：{type(exc).__name__}: {exc}（详情已记入日志）"
        self.state.setText(f"预览未更新：{message}")
        self.failed.emit(message)

    # -- navigation ------------------------------------------------------------------------------
    def go_to(self, page: int) -> None:
        count = self.document.pageCount()
        if count:
            self.view.pageNavigator().jump(max(0, min(page, count - 1)), QPointF(), self.view.zoomFactor())

    def _on_page_changed(self, page: int) -> None:
        count = self.document.pageCount()
        self.page_label.setText(f"第 {page + 1} / {count} 张" if count else "—")

    def _zoom(self, factor: float) -> None:
        current = self.view.zoomFactor()
        if self.view.zoomMode() != QPdfView.ZoomMode.Custom and self.document.pageCount():
            # Fitting to width keeps its own scale; start from what is on screen, not from 100 %.
            page_width = self.document.pagePointSize(0).width() / 72 * self.view.logicalDpiX()
            margins = self.view.documentMargins()
            current = (self.view.viewport().width() - margins.left() - margins.right()) / page_width
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.1, min(4.0, current * factor)))

    @property
    def sheet_count(self) -> int:
        return int(self.document.pageCount())




def _button(text: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    return button
