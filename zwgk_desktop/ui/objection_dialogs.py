"""The two small dialogs of the objection register (the quarter view's 登记异议… and 答复…): they
call the same office functions as `zwgk objection add/reply`; a refusal is said in the dialog,
which stays open with what was typed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.domain import objections as rules
from zwgk_desktop.errors import BadInput, ZwgkError
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.objections import Entry, add_objection, reply_objection


def _date_edit(day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def _day(edit: QDateEdit) -> date:
    chosen = edit.date()
    return date(chosen.year(), chosen.month(), chosen.day())


class _RegisterDialog(QDialog):
    """What both dialogs share: a form, a line saying why it was refused, OK and Cancel."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b3261e")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.entry: Entry | None = None  # what was stored, once OK succeeded

    def _on_ok(self) -> None:
        try:
            self.entry = self._store()
        except ZwgkError as exc:
            self.problem.setText(str(exc))
            return
        self.accept()

    def _store(self) -> Entry:
        raise NotImplementedError


class AddObjectionDialog(_RegisterDialog):
    """登记异议: which item (and row), received on, channel, the text, who raised it (kept private)."""

    def __init__(self, archive: Archive, village: str, items: Sequence[tuple[int, str]], today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__("登记异议", parent)
        self.archive, self.village, self.today = archive, village, today
        self.item = QComboBox()
        for number, title in items:
            self.item.addItem(f"事项 {number}　{title}", number)
        self.row = QSpinBox()
        self.row.setRange(0, 1_000_000)
        self.row.setSpecialValueText("整个事项")
        self.received = _date_edit(today)
        self.channel = QComboBox()
        self.channel.addItems(rules.CHANNELS)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("异议内容（会公开：不要写身份证号、电话或账号）")
        self.by = QLineEdit()
        self.by.setPlaceholderText("只在档案中保存，公开时写“村民”")
        for label, widget in (("针对事项", self.item), ("第几行", self.row), ("收到日期", self.received),
                              ("渠道", self.channel), ("异议内容", self.text), ("提出人", self.by)):
            self.form.addRow(label, widget)

    def _store(self) -> Entry:
        return add_objection(self.archive, village=self.village, item=int(self.item.currentData()),
                             row=self.row.value() or None, received=_day(self.received),
                             channel=self.channel.currentText(), text=self.text.toPlainText(),
                             by=self.by.text() or None, today=self.today)


class ReplyDialog(_RegisterDialog):
    """答复: the reply, who gave it, when, and the outcome (with the 更正公告 it led to)."""

    def __init__(self, archive: Archive, entry: Entry, today: date, parent: QWidget | None = None) -> None:
        super().__init__(f"答复异议 {entry.id}", parent)
        self.archive, self.objection_id, self.today = archive, entry.id, today
        shown = entry.objection
        about = QLabel(f"事项 {shown.item_number}“{shown.item_title}”：{shown.text}\n"
                       f"{shown.received_on.isoformat()} 收到，应于 {shown.due.isoformat()} 前答复")
        about.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.by = QLineEdit()
        self.on = _date_edit(today)
        self.outcome = QComboBox()
        self.outcome.addItem("（未定）", None)
        for outcome in rules.OUTCOMES:
            self.outcome.addItem(outcome, outcome)
        self.correction = QLineEdit()
        self.correction.setPlaceholderText("已发更正公告的，填其事项编号")
        for label, widget in (("异议", about), ("答复内容", self.text), ("答复人", self.by), ("答复日期", self.on),
                              ("处理结果", self.outcome), ("更正公告", self.correction)):
            self.form.addRow(label, widget)

    def _store(self) -> Entry:
        typed = self.correction.text().strip()
        if typed and not typed.isdigit():
            raise BadInput(f"更正公告的事项编号“{typed}”应是数字")
        return reply_objection(self.archive, self.objection_id, text=self.text.toPlainText(), by=self.by.text(),
                               on=_day(self.on), outcome=self.outcome.currentData(),
                               correction=int(typed) if typed else None, today=self.today)
