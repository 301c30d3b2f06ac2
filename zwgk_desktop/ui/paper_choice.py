"""Before 打印 and 另存为 PDF: the paper the office's printer takes, and the sheets as they will be.

The clerk chooses A3 (the sheets as the preview shows them), A4 两张拼一张 (each A3 sheet at full
size on two A4 sheets, trimmed and posted together) or A4 版式 (the format's A4 edition: the same
content and 验证码, more sheets). The copy for the choice is made off the GUI thread by
`office.printing.paper_copy`; the dialog then shows it, a tiled sheet as its two halves side by side
as they are posted, and hands the copy on (`chosen`) for the print dialog or the file.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.office.printing import A3, A4_EDITION, A4_TILED, PAPERS, Paper, PaperCopy
from zwgk_desktop.ui.workers import run_in_background

EXPLAINED = {
    A3: "{paper}：原样打印（需要 {paper} 打印机）",  # the paper the format sets, from the preview's pages
    A4_TILED: "A4 两张拼一张：每张 A3 按原大印在两张 A4 上，沿对齐线剪齐后拼贴成一张 A3",
    A4_EDITION: "A4 版式：按 A4 纸重新排版，字不小于 10 磅，张数多一些；内容和验证码不变",
}
GAP = 8  # pixels between the halves shown side by side, where the seam is
SHOWN_HEIGHT = 520  # the preview's height on screen


class PaperDialog(QDialog):
    """The paper choice with a preview of the sheets on it. Window-modal, shown with `open()`."""

    chosen = Signal(object)  # the PaperCopy to print or save

    def __init__(self, make: Callable[[Paper], PaperCopy], *, purpose: str, no_a4_edition: str | None = None,
                 sheets_paper: str = "A3", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._make = make
        self._purpose = purpose
        self.copy: PaperCopy | None = None
        self._asked: Paper | None = None
        self._document = QPdfDocument(self)
        self._sheet = 0  # the A3 sheet (or A4 page) shown
        self._sheets_paper = sheets_paper  # what the format sets: "A3", "A4", "A3 和 A4"
        self.setWindowTitle(f"{purpose}：选择纸张")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._build(no_a4_edition)
        self._connect_signals()

    def _build(self, no_a4_edition: str | None) -> None:
        layout = QVBoxLayout(self)
        self.group = QButtonGroup(self)
        self.buttons: dict[Paper, QRadioButton] = {}
        for index, paper in enumerate(PAPERS):
            button = QRadioButton(EXPLAINED[paper].format(paper=self._sheets_paper), self)
            self.group.addButton(button, index)
            self.buttons[paper] = button
            layout.addWidget(button)
        if no_a4_edition:
            edition = self.buttons[A4_EDITION]
            edition.setEnabled(False)
            edition.setText(EXPLAINED[A4_EDITION] + "（本版式没有 A4 版式）")
            edition.setToolTip(no_a4_edition)
        if "A3" not in self._sheets_paper:  # a format set on A4: nothing to tile
            tiled = self.buttons[A4_TILED]
            tiled.setEnabled(False)
            tiled.setText(EXPLAINED[A4_TILED] + f"（海报已是 {self._sheets_paper} 纸，不用拼贴）")
        self.picture = QLabel("正在准备…", self)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(QSize(480, SHOWN_HEIGHT))
        layout.addWidget(self.picture, 1)
        row = QHBoxLayout()
        self.previous = QToolButton(self)
        self.previous.setText("上一张")
        self.next = QToolButton(self)
        self.next.setText("下一张")
        self.state = QLabel("", self)
        self.state.setWordWrap(True)
        row.addWidget(self.previous)
        row.addWidget(self.next)
        row.addWidget(self.state, 1)
        layout.addLayout(row)
        self.box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(f"{self._purpose}…")
        self.ok.setEnabled(False)
        self.box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        layout.addWidget(self.box)

    def _connect_signals(self) -> None:
        self.group.idToggled.connect(self._on_toggled)
        self.previous.clicked.connect(lambda: self.show_sheet(self._sheet - 1))
        self.next.clicked.connect(lambda: self.show_sheet(self._sheet + 1))
        self.box.accepted.connect(self._on_ok)
        self.box.rejected.connect(self.reject)

    def choose(self, paper: Paper) -> None:
        """Choose `paper` as the clerk's click does; its copy is then made in the background."""
        self.buttons[paper].setChecked(True)

    def _on_toggled(self, index: int, checked: bool) -> None:
        if checked:
            self._ask(PAPERS[index])

    def _ask(self, paper: Paper) -> None:
        self._asked, self.copy = paper, None
        self.ok.setEnabled(False)
        self.state.setText("正在准备…")
        run_in_background(lambda: self._make(paper), lambda copy: self._on_made(paper, copy),
                          lambda error: self._on_failed(paper, error))

    def _on_made(self, paper: Paper, copy: PaperCopy) -> None:
        if paper != self._asked:  # the clerk has chosen another paper meanwhile
            return
        self.copy = copy
        self._document.close()
        self._document.load(str(copy.pdf))
        self.ok.setEnabled(True)
        self.show_sheet(0)

    def _on_failed(self, paper: Paper, error: BaseException) -> None:
        if paper != self._asked:
            return
        self.picture.setPixmap(QPixmap())
        self.picture.setText("不能按此纸张准备")
        self.state.setText(getattr(error, "message", None) or str(error))

    @property
    def sheets(self) -> int:
        """What the preview steps through: A3 sheets when tiled (two pages each), pages otherwise."""
        if self.copy is None:
            return 0
        return self.copy.split if self.copy.paper.tiled and self.copy.split else self.copy.sheets

    def show_sheet(self, sheet: int) -> None:
        if self.copy is None or not self.sheets:
            return
        self._sheet = max(0, min(sheet, self.sheets - 1))
        self.picture.setPixmap(QPixmap.fromImage(self.sheet_image(self._sheet)))
        self.previous.setEnabled(self._sheet > 0)
        self.next.setEnabled(self._sheet < self.sheets - 1)
        copy = self.copy
        if copy.paper.tiled and copy.halves:
            first = copy.halves[2 * self._sheet]
            second = copy.halves[2 * self._sheet + 1]
            where = f"第 {self._sheet + 1} 张 A3 的{first.which}和{second.which}，剪齐后拼成一张"
            if first.crossed:  # no gap in this sheet's overlap: the clerk is told before printing
                where += f"；接缝穿过 {len(first.crossed)} 个字（“{first.crossed[:12]}”），剪齐时请对准对齐线"
        else:
            where = f"第 {self._sheet + 1} 张"
        self.state.setText(f"{where}　·　{copy.said}")

    def sheet_image(self, sheet: int) -> QImage:
        """A sheet as the clerk will post it: a tiled one as its halves, side by side or one above
        the other as they are put up, with a gap at the seam; otherwise the page."""
        copy = self.copy
        assert copy is not None
        if not (copy.paper.tiled and copy.halves):
            return self._page(sheet, SHOWN_HEIGHT)
        if copy.halves[2 * sheet].split == "horizontal":  # top and bottom halves, one above the other
            one, two = self._page(2 * sheet, SHOWN_HEIGHT // 2), self._page(2 * sheet + 1, SHOWN_HEIGHT // 2)
            image = QImage(max(one.width(), two.width()), one.height() + two.height() + GAP, QImage.Format.Format_RGB32)
            spots = ((0, 0), (0, one.height() + GAP))
        else:
            one, two = self._page(2 * sheet, SHOWN_HEIGHT), self._page(2 * sheet + 1, SHOWN_HEIGHT)
            image = QImage(one.width() + two.width() + GAP, max(one.height(), two.height()), QImage.Format.Format_RGB32)
            spots = ((0, 0), (one.width() + GAP, 0))
        image.fill(QColor("#8a8f98"))
        painter = QPainter(image)
        try:
            for picture, (x, y) in zip((one, two), spots, strict=True):
                painter.drawImage(x, y, picture)
        finally:
            painter.end()
        return image

    def _page(self, page: int, height: int) -> QImage:
        size = self._document.pagePointSize(page)
        width = round(height * size.width() / size.height()) if size.height() else height
        drawn = self._document.render(page, QSize(width, height))
        # PDFium leaves the paper transparent: white paper under it, as printed.
        image = QImage(drawn.size(), QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        try:
            painter.drawImage(0, 0, drawn)
        finally:
            painter.end()
        return image

    def _on_ok(self) -> None:
        if self.copy is None:
            return
        self.chosen.emit(self.copy)
        self.accept()

