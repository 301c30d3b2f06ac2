"""Text that wraps at the width it is given: the problems pane, and boxes for a sentence or two
such as the 更正原因.

A problem or a reason runs to a sentence (“第12行“身份证号”：校验码错误，应为 X …”), wider than
the editor; shown on one line it ran off to the right, behind a horizontal scroll bar nobody
scrolls. Wrapping is at word boundaries where there are any, and anywhere else: Chinese has no
spaces, and a long number or web address must not stick out either.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPalette, QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListView,
    QListWidget,
    QPlainTextEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

WRAP = QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere


class ProblemList(QListWidget):
    """A list whose entries wrap to the list's width, each as tall as its lines need."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setItemDelegate(WrappingDelegate(self))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # Entries are laid out again when the list gets narrower or wider, so they wrap anew.
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)


class WrappingDelegate(QStyledItemDelegate):
    """Draws an entry's text wrapped at word boundaries or anywhere, never shortened with “…”.

    Qt's own item painting wraps at word boundaries only (a web address or a long number wider
    than the list is cut off), and shortens the last line when the lines' fractional heights add
    up to a hair over the height it measured for them; this delegate measures and draws the text
    with one and the same layout, so what was measured is what is drawn.
    """

    PADDING = 2  # above and below each entry, so entries of several lines stand apart

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        shown = QStyleOptionViewItem(option)
        self.initStyleOption(shown, index)
        width = shown.rect.width() if shown.rect.isValid() else _view_width(shown.widget)
        _layout, height = _wrapped(shown.text, shown.font, width - 2 * _text_margin(shown.widget))
        return QSize(width, math.ceil(height) + 2 * self.PADDING)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        shown = QStyleOptionViewItem(option)
        self.initStyleOption(shown, index)
        text, shown.text = shown.text, ""
        widget = shown.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, shown, painter, widget)  # background, selection
        margin = _text_margin(widget)
        layout, _height = _wrapped(text, shown.font, shown.rect.width() - 2 * margin)
        selected = bool(shown.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setPen(shown.palette.color(role))
        layout.draw(painter, QPointF(shown.rect.left() + margin, shown.rect.top() + self.PADDING))
        painter.restore()


def _wrapped(text: str, font: QFont, width: int) -> tuple[QTextLayout, float]:
    """`text` laid out in lines of `width`, and the lines' height."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(WRAP)
    layout.setTextOption(option)
    height = 0.0
    layout.beginLayout()
    while (line := layout.createLine()).isValid():
        line.setLineWidth(max(width, 1))
        line.setPosition(QPointF(0, height))
        height += line.height()
    layout.endLayout()
    return layout, height


def _text_margin(widget: QWidget | None) -> int:
    style = widget.style() if widget is not None else QApplication.style()
    return style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1


def _view_width(widget: QWidget | None) -> int:
    return widget.viewport().width() if isinstance(widget, QAbstractItemView) else 200


class WrappingLineEdit(QPlainTextEdit):
    """A few lines' box for a sentence or two, used where a QLineEdit was: `text()`, `setText()`
    and `textEdited` (only for what the user typed, as QLineEdit's) work the same."""

    textEdited = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, placeholderText: str = "", lines: int = 3) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholderText)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(WRAP)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTabChangesFocus(True)  # Tab goes on to the next field, as in a line edit
        self._setting = False
        self.textChanged.connect(self._on_text_changed)
        # As tall as `lines` lines; a longer text scrolls down, never sideways.
        self.setFixedHeight(int(self.fontMetrics().lineSpacing() * lines + 2 * self.document().documentMargin()
                                + 2 * self.frameWidth()))

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        self._setting = True
        try:
            self.setPlainText(text)
        finally:
            self._setting = False

    def _on_text_changed(self) -> None:
        if not self._setting:
            self.textEdited.emit(self.toPlainText())
