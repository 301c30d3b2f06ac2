"""The editor of one item: its own fields in a form, its rows in a table, and the problems found.

Every category uses the same editor, built from the category's fields: a new category needs no
new screen. Mistakes are marked where they are, with the reason in words.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QPlainTextEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.domain.fields import Field, FieldError, Kind, parse_date
from zwgk_desktop.domain.items import (
    CLERK,
    CORRECTION_REASON,
    DISCLOSURE_ATTRIBUTES,
    REVIEWER,
    STATUS_NAMES,
    TITLE,
    Category,
    Checker,
    Item,
    Report,
)
from zwgk_desktop.errors import Problem
from zwgk_desktop.ui.row_model import PreparedRows, RowTableModel
from zwgk_desktop.ui.wrapping import ProblemList, WrappingLineEdit

ERROR_STYLE = "background: #ffd6d6;"
# How long the editor waits after a keystroke in a text box before it checks and previews: long
# enough for the next keystroke of a word being typed, short enough not to be noticed. A cell of
# the table (or a paste) is committed whole, so it is checked on the event loop's next pass.
TYPING_PAUSE_MS = 200
# The problems pane lists this many; beyond them it says how many more there are (a list of
# 10,000 "同组同名" reminders would take longer to build than to check, and no one reads it all).
PROBLEMS_LISTED = 300
LONG_LIST = 1000  # rows


class RowTable(QTableView):
    """A table that pastes and copies cell ranges the way a spreadsheet does."""

    def __init__(self, model: RowTableModel) -> None:
        super().__init__()
        self.setModel(model)
        self.rows = model
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        # Size columns from the first rows only: measuring 10,000 rows would freeze the window.
        self.horizontalHeader().setResizeContentsPrecision(60)
        self.verticalHeader().setDefaultSectionSize(26)

    def fit_columns(self, rows: int = 60) -> None:
        """Each column as wide as its header and its first rows' texts (what `resizeColumnsToContents`
        does, measuring the texts here rather than asking the model for every role of every cell)."""
        metrics = self.fontMetrics()
        header = self.horizontalHeader()
        pad = 2 * self.style().pixelMetric(self.style().PixelMetric.PM_FocusFrameHMargin, None, self) + 6
        shown = min(rows, self.rows.rowCount())
        for column in range(self.rows.columnCount()):
            texts = [str(self.rows.data(self.rows.index(row, column)) or "") for row in range(shown)]
            widest = max((metrics.horizontalAdvance(t) + pad for t in texts), default=0)
            self.setColumnWidth(column, max(widest, header.sectionSizeHint(column)))

    def commit_open_editor(self) -> None:
        """A value still being typed in a cell (Enter not yet pressed) is part of the item:
        commit it before the item is saved, printed or the window closed, or it would be lost."""
        if self.state() != QAbstractItemView.State.EditingState:
            return
        for editor in self.viewport().findChildren(QWidget):
            if editor.parent() is self.viewport() and editor.isVisible():
                self.commitData(editor)
                self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
                return

    def keyPressEvent(self, event: Any) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_clipboard()
        elif event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.state() != self.State.EditingState:
            self.rows.clear_cells([(i.row(), i.column()) for i in self.selectedIndexes()])
        else:
            super().keyPressEvent(event)

    def paste_clipboard(self, text: str | None = None) -> None:
        text = QGuiApplication.clipboard().text() if text is None else text
        if not text:
            return
        grid = [line.split("\t") for line in text.replace("\r\n", "\n").rstrip("\n").split("\n")]
        current = self.currentIndex()
        top = current.row() if current.isValid() else self.rows.rowCount()
        left = current.column() if current.isValid() else 0
        self.rows.paste(max(top, 0), max(left, 0), grid)

    def copy_selection(self) -> None:
        indexes = sorted(self.selectedIndexes(), key=lambda i: (i.row(), i.column()))
        if not indexes:
            return
        rows: dict[int, dict[int, str]] = {}
        for index in indexes:
            rows.setdefault(index.row(), {})[index.column()] = self.rows.text(index.row(), index.column())
        columns = sorted({i.column() for i in indexes})
        QGuiApplication.clipboard().setText(
            "\n".join("\t".join(cells.get(c, "") for c in columns) for _, cells in sorted(rows.items())))


@dataclass
class EditState:
    """How far the editor's content has got, and how far of it is in the database.

    A plain object (not a widget), so a save running in a worker can record what it stored.
    """

    revision: int = 0
    saved: int = 0


class ItemEditor(QWidget):
    """Edits one item; `changed` fires (after a short pause) whenever what would print changes."""

    changed = Signal()
    problemsChanged = Signal(int, int)  # errors, warnings
    vouchersAsked = Signal(int)  # the current row (1-based): show its vouchers (凭证)

    def __init__(self, category: Category, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.category = category
        self.item: Item | None = None
        self.undo = QUndoStack(self)
        self.model = RowTableModel(category, self.undo)
        # The one checker, kept with the item so that an edit re-checks only what it changed.
        self.checker = Checker(category)
        self.report = Report()
        self._listed: list[tuple[bool, object]] | None = None  # what the problems pane shows
        self.state = EditState()
        self._loading = False
        self._inputs: dict[str, QWidget] = {}
        self._pause = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._recheck = QTimer(self, singleShot=True, interval=0)  # the status changed: check again
        self._build()
        self._connect_signals()

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)

        common = QGroupBox("事项")
        grid = QGridLayout(common)
        self.title = QLineEdit()
        self.disclosure = QComboBox()
        self.disclosure.addItems(DISCLOSURE_ATTRIBUTES)
        self.publicity_start = QLineEdit(placeholderText="如 2026-10-10")
        self.publicity_end = QLineEdit(placeholderText="留空表示长期公开")
        self.clerk = QLineEdit()
        self.reviewer = QLineEdit(placeholderText="村务监督委员会审核人")
        self.reviewed_on = QLineEdit(placeholderText="审核日期")
        self.status = QLabel()
        pairs = [("标题", self.title), ("公开属性", self.disclosure), ("公示开始", self.publicity_start),
                 ("公示结束", self.publicity_end), ("经办人", self.clerk), ("审核人", self.reviewer),
                 ("审核日期", self.reviewed_on), ("状态", self.status)]
        # The title spans the first line; the other fields go two to a line.
        grid.addWidget(QLabel(pairs[0][0]), 0, 0)
        grid.addWidget(pairs[0][1], 0, 1, 1, 3)
        for index, (label, widget) in enumerate(pairs[1:]):
            row, col = divmod(index, 2)
            grid.addWidget(QLabel(label), row + 1, col * 2)
            grid.addWidget(widget, row + 1, col * 2 + 1)
            if isinstance(widget, QLineEdit):
                # Never narrower than a date or its hint: at 1024 px the boxes showed "如..." and
                # "审..." (the window's splitter takes the room from the preview instead).
                width = widget.fontMetrics().horizontalAdvance
                widest = max(width(widget.placeholderText()), width("2026-10-10"), width("王德明王德明"))
                widget.setMinimumWidth(widest + 16)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        outer.addWidget(common)

        # Shown only for a correction (更正): which sealed version it replaces, and why.
        self.correction_box = QGroupBox("更正")
        correction = QFormLayout(self.correction_box)
        self.corrects = QLabel()
        self.correction_reason = WrappingLineEdit(placeholderText="如：第12户月保障金额录入有误")
        correction.addRow("更正对象", self.corrects)
        correction.addRow("更正原因", self.correction_reason)
        self.correction_box.setVisible(False)
        outer.addWidget(self.correction_box)

        if self.category.item_fields:
            own = QGroupBox(f"{self.category.name}信息")
            form = QFormLayout(own)
            linked = {key for key, _ in self.category.references}
            for spec in self.category.item_fields:
                widget = ItemChooser() if spec.key in linked else _input_for(spec)
                self._inputs[spec.key] = widget
                form.addRow(spec.label + ("" if spec.required else "（选填）"), widget)
            outer.addWidget(own)

        bar = QHBoxLayout()
        self.add_row = _tool("添加行", "在选中行之后添加一行")
        self.remove_row = _tool("删除行", "删除选中的行")
        self.move_up = _tool("上移", "把选中行上移一行")
        self.move_down = _tool("下移", "把选中行下移一行")
        self.reveal = QCheckBox("显示完整证件号")
        self.reveal.setToolTip("身份证号、电话和账号默认遮挡显示；公开输出中始终遮挡")
        self.vouchers = _tool("凭证…", "查看或添加选中行的凭证（发票、收据的照片或扫描件）")
        self.row_count = QLabel()
        for widget in (self.add_row, self.remove_row, self.move_up, self.move_down):
            bar.addWidget(widget)
        if self.category.vouchers:  # a finance ledger: its lines take vouchers
            bar.addSpacing(12)
            bar.addWidget(self.vouchers)
        bar.addStretch(1)
        bar.addWidget(self.row_count)
        if any(f.kind in (Kind.ID_NUMBER, Kind.MOBILE, Kind.ACCOUNT) for f in self.category.row_fields):
            bar.addWidget(self.reveal)
        outer.addLayout(bar)

        self.table = RowTable(self.model)
        outer.addWidget(self.table, 3)
        self.problems = ProblemList()
        self.problems.setFixedHeight(92)
        outer.addWidget(self.problems)


    def _connect_signals(self) -> None:
        for edit in (self.title, self.publicity_start, self.publicity_end, self.clerk, self.reviewer, self.reviewed_on,
                     self.correction_reason):
            edit.textEdited.connect(self._on_edited)
        self.disclosure.currentIndexChanged.connect(self._on_edited)
        for widget in self._inputs.values():
            if isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self._on_edited)
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(self._on_edited)
            elif isinstance(widget, QLineEdit):
                widget.textEdited.connect(self._on_edited)
        for spec in self.category.item_fields:
            entry = self._inputs.get(spec.key)
            if spec.kind is Kind.MONEY and isinstance(entry, QLineEdit):
                entry.editingFinished.connect(lambda spec=spec, entry=entry: self._on_amount_done(spec, entry))
        self.model.contentChanged.connect(self._on_cells_edited)
        self._pause.timeout.connect(self._on_pause)
        self._recheck.timeout.connect(self.refresh_problems)
        self.add_row.clicked.connect(self._on_add_row)
        self.remove_row.clicked.connect(self._on_remove_rows)
        self.move_up.clicked.connect(lambda: self._on_move(-1))
        self.move_down.clicked.connect(lambda: self._on_move(1))
        self.reveal.toggled.connect(self._on_reveal)
        self.vouchers.clicked.connect(self._on_vouchers)
        self.problems.itemActivated.connect(self._on_problem_activated)
        self.problems.itemClicked.connect(self._on_problem_activated)

    # -- loading and reading -------------------------------------------------------------------
    def load(self, item: Item, prepared: PreparedRows | None = None, checked: Checker | None = None) -> None:
        """Show the item. `checked` is a checker that has just checked exactly what will be on screen
        (made in a worker on opening a long list), which saves the GUI thread that first check."""
        self._loading = True
        try:
            self.item = item
            self.title.setText(item.title)
            self.disclosure.setCurrentText(item.disclosure)
            self.publicity_start.setText(item.publicity_start.isoformat() if item.publicity_start else "")
            self.publicity_end.setText(item.publicity_end.isoformat() if item.publicity_end else "")
            self.clerk.setText(item.clerk or "")
            self.reviewer.setText(item.reviewer or "")
            self.reviewed_on.setText(item.reviewed_on.isoformat() if item.reviewed_on else "")
            self.correction_box.setVisible(item.supersedes is not None)
            self.corrects.setText(f"事项 {item.supersedes}（已封存的原公告，保持不变）" if item.supersedes else "")
            self.correction_reason.setText(item.correction_reason or "")
            for spec in self.category.item_fields:
                _set_input(self._inputs[spec.key], spec.to_text(item.fields.get(spec.key)))
            self.model.load(prepared or item.rows)
            self.table.fit_columns()
            self.undo.clear()
        finally:
            self._loading = False
        if checked is not None:
            self.checker = checked
        self.refresh_problems(fresh=checked is not None)
        if len(item.rows) >= LONG_LIST:
            # A long list's hundreds of thousands of objects (cells, values, what the checker keeps)
            # live as long as it is open: out of the collector's full sweeps, which would otherwise
            # stop the window for 30–50 ms every few edits to find nothing (as the app does with
            # what it made at start). Freed as usual once the item is closed: nothing of it is in a
            # reference cycle.
            gc.freeze()

    def set_link_choices(self, choices: dict[str, list[tuple[int, str]]]) -> None:
        """The items each link field (关联事项) may name, as (number, description): the earlier
        items of the village of the categories it takes (`office.items.open_item`)."""
        for key, offered in choices.items():
            widget = self._inputs.get(key)
            if isinstance(widget, ItemChooser):
                widget.set_choices(offered)

    def current_item(self, rows: list[dict[str, Any]] | None = None) -> Item:
        """The item as it stands in the editor (values parsed where they can be).

        Each call gives a fresh copy (rows are new dicts), so a worker may keep it; `rows`, rows
        to use instead (the checker's, which need no copying).
        """
        assert self.item is not None
        problems: list[Problem] = []
        fields: dict[str, Any] = {}
        for spec in self.category.item_fields:
            text = _input_text(self._inputs[spec.key])
            try:
                fields[spec.key] = spec.parse(text)
            except FieldError as exc:
                fields[spec.key] = text
                problems.append(Problem(str(exc), field=spec.label))
        item = Item(
            id=self.item.id, category=self.category.code, period=self.item.period, title=self.title.text(),
            disclosure=self.disclosure.currentText(), status=self.item.status,
            publicity_start=self._date(self.publicity_start, "公示开始", problems),
            publicity_end=self._date(self.publicity_end, "公示结束", problems),
            clerk=self.clerk.text().strip() or None, reviewer=self.reviewer.text().strip() or None,
            reviewed_on=self._date(self.reviewed_on, "审核日期", problems),
            fields=fields, rows=self.model.values() if rows is None else rows, number=self.item.number,
            supersedes=self.item.supersedes, month=self.item.month,
            correction_reason=(self.correction_reason.text().strip() or None) if self.item.supersedes else None,
        )
        self._form_problems = problems
        return item

    def _on_amount_done(self, spec: Field, widget: QLineEdit) -> None:
        """An amount typed as "48.6万" or "1,200元" is shown, once typed, as the amount it is read as."""
        try:
            value = spec.parse(widget.text())
        except FieldError:
            return  # kept as typed, told in the problem list
        if value is not None and widget.text() != spec.to_text(value):
            widget.setText(spec.to_text(value))

    def _date(self, edit: QLineEdit, label: str, problems: list[Problem]) -> date | None:
        text = edit.text().strip()
        edit.setStyleSheet("")
        edit.setToolTip("")
        if not text:
            return None
        try:
            return parse_date(text)
        except FieldError as exc:
            problems.append(Problem(str(exc), field=label))
            edit.setStyleSheet(ERROR_STYLE)
            edit.setToolTip(str(exc))
            return None

    def set_sealed(self, reason: str = "已封存（只读；如有错误请发更正公告）") -> None:
        """A sealed item (or any item in the auditor's read-only view) is shown, copied and
        printed, never changed; corrections are new items."""
        self.sealed = True
        self.read_only_reason = reason
        self.model.read_only = True  # the model refuses edits, pastes and row changes itself
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for edit in (self.title, self.publicity_start, self.publicity_end, self.clerk, self.reviewer,
                     self.reviewed_on, self.correction_reason):
            edit.setReadOnly(True)
        self.disclosure.setEnabled(False)
        for widget in self._inputs.values():
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setReadOnly(True)
            else:
                widget.setEnabled(False)
        for button in (self.add_row, self.remove_row, self.move_up, self.move_down):
            button.setEnabled(False)
        self.refresh_problems()

    sealed = False
    read_only_reason = ""

    def set_status(self, status: str) -> None:
        assert self.item is not None
        if self.item.status != status:
            self.item.status = status
            self.state.revision += 1
        # Checked on the event loop's next pass (or at `flush`): after an edit of a reviewed list
        # this comes on top of the edit's own check, and a window that does both at once stalls.
        self._recheck.start(0)

    # -- checking --------------------------------------------------------------------------------
    def refresh_problems(self, *, fresh: bool = False) -> Report:
        """Check the item as it stands; mark the cells and list every problem in words.

        Only what changed since the last check is checked again (see `Checker`); `fresh`: the
        checker has just checked exactly what is on screen (in a worker, on opening a long list).
        """
        self._recheck.stop()
        item = self.current_item(rows=self.model.checked_rows())
        last = self.checker.report
        if fresh and last is not None:
            report = Report(list(last.errors), list(last.warnings), list(last.incomplete), list(last.whole))
        else:
            report = self.checker.check(item)
        # Parse problems first (a date that is not a date), then the item's own checks.
        known = {(p.row, p.field, p.message) for p in report.errors if p.row is None}
        report.errors[:0] = [p for p in self._form_problems if (p.row, p.field, p.message) not in known]
        self.report = report
        self.model.set_rule_notes(report.errors, report.warnings)
        self._mark_inputs(report)
        self._list_problems(report)
        assert self.item is not None
        self.status.setText((self.read_only_reason if self.sealed else "")
                            or STATUS_NAMES.get(self.item.status, self.item.status)
                            + ("" if report.ok else f"（{len(report.errors)} 处错误，不能审核或打印）"))
        self.row_count.setText(f"共 {self.model.rowCount()} 行")
        self.problemsChanged.emit(len(report.errors), len(report.warnings))
        return report

    def _list_problems(self, report: Report) -> None:
        """Errors first, then reminders; the first `PROBLEMS_LISTED` of them, and how many more."""
        shown = [(True, p) for p in report.errors[:PROBLEMS_LISTED]]
        shown += [(False, p) for p in report.warnings[:PROBLEMS_LISTED - len(shown)]]
        more = len(report.errors) + len(report.warnings) - len(shown)
        listed: list[tuple[bool, object]] = [*shown, (False, more)]
        if listed == self._listed:
            return  # most edits change nothing here: the pane is left as it is
        self._listed = listed
        self.problems.setUpdatesEnabled(False)
        self.problems.clear()
        for is_error, problem in shown:
            entry = QListWidgetItem(("错误：" if is_error else "提醒：") + str(problem))
            entry.setData(Qt.ItemDataRole.UserRole, (problem.row, problem.field))
            entry.setForeground(Qt.GlobalColor.darkRed if is_error else Qt.GlobalColor.darkYellow)
            self.problems.addItem(entry)
        if more:
            self.problems.addItem(f"……还有 {more} 处（共 {len(report.errors)} 处错误、{len(report.warnings)} 处提醒），"
                                  "改正上面的问题后依次列出")
        if not report.errors and not report.warnings:
            self.problems.addItem("没有发现问题。")
        self.problems.setUpdatesEnabled(True)

    def _mark_inputs(self, report: Report) -> None:
        wrong = {p.field: p.message for p in report.errors if p.row is None}
        for spec in (*self.category.item_fields,):
            widget = self._inputs[spec.key]
            _mark(widget, wrong.get(spec.label))
        for spec, widget in ((TITLE, self.title), (CLERK, self.clerk), (REVIEWER, self.reviewer),
                             (CORRECTION_REASON, self.correction_reason)):
            _mark(widget, wrong.get(spec.label))
        if "公示期" in wrong:
            _mark(self.publicity_start, wrong["公示期"])

    @property
    def revision(self) -> int:
        return self.state.revision

    @property
    def is_dirty(self) -> bool:
        return self.state.revision != self.state.saved

    def stop(self) -> None:
        """Forget a pending pause: this editor is being replaced."""
        self._pause.stop()
        self._recheck.stop()

    # -- slots -----------------------------------------------------------------------------------
    def _on_edited(self, *_: object) -> None:
        """A keystroke in one of the item's own boxes: check once the clerk pauses."""
        if self._loading:
            return
        self.state.revision += 1
        self._pause.start(TYPING_PAUSE_MS)

    def _on_cells_edited(self) -> None:
        """Cells committed (an edit, a paste, rows added, removed or moved): check at once, on the
        event loop's next pass, so the signals of one paste are checked together."""
        if self._loading:
            return
        self.state.revision += 1
        self._pause.start(0)

    def _on_pause(self) -> None:
        self.refresh_problems()
        self.changed.emit()

    def flush(self) -> None:
        """Apply what is still pending now (before saving or printing): a cell being typed in,
        and the pause after the last edit."""
        self.table.commit_open_editor()
        if self._pause.isActive():
            self._pause.stop()
            self._on_pause()
        if self._recheck.isActive():
            self.refresh_problems()

    def _on_add_row(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        at = rows[-1] + 1 if rows else self.model.rowCount()
        self.model.add_rows(at)
        index = self.model.index(at, 0)
        self.table.setCurrentIndex(index)
        self.table.edit(index)

    def _on_remove_rows(self) -> None:
        self.model.remove_rows([i.row() for i in self.table.selectedIndexes()])

    def _on_move(self, delta: int) -> None:
        current = self.table.currentIndex()
        if current.isValid() and self.model.move_row(current.row(), delta):
            self.table.setCurrentIndex(self.model.index(current.row() + delta, current.column()))

    def _on_vouchers(self) -> None:
        current = self.table.currentIndex()
        self.vouchersAsked.emit(current.row() + 1 if current.isValid() else 1)

    def _on_reveal(self, on: bool) -> None:
        self.model.beginResetModel()
        self.model.reveal_private = on
        self.model.endResetModel()

    def _on_problem_activated(self, entry: QListWidgetItem) -> None:
        where = entry.data(Qt.ItemDataRole.UserRole)
        if not where or where[0] is None:
            return
        row, label = where
        column = next((c for c, f in enumerate(self.category.row_fields) if f.label == label), 0)
        index = self.model.index(row - 1, column)
        self.table.setCurrentIndex(index)
        self.table.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.table.scrollTo(index)


def _tool(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    return button


class ItemChooser(QComboBox):
    """A link field (关联事项): none, or one of the items it may name, each shown by number,
    quarter, category and title; its text is the chosen item's number, as `--set` takes it."""

    NONE = "（无）"

    def __init__(self) -> None:
        super().__init__()
        self.addItem(self.NONE, None)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(24)

    def set_choices(self, choices: list[tuple[int, str]]) -> None:
        kept = self.number_text()
        blocked = self.blockSignals(True)  # the value stays what it was: no edit
        try:
            self.clear()
            self.addItem(self.NONE, None)
            for number, text in choices:
                self.addItem(text, number)
                self.setItemData(self.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
            self.set_number_text(kept)
        finally:
            self.blockSignals(blocked)

    def number_text(self) -> str:
        number = self.currentData()
        return "" if number is None else str(number)

    def set_number_text(self, text: str) -> None:
        text = text.strip()
        if not text:
            self.setCurrentIndex(0)
            return
        number: int | str = int(text) if text.isdigit() else text
        index = self.findData(number)
        if index < 0:  # not (or no longer) offered: kept as it is, so the checks say what is wrong
            self.addItem(f"第 {text} 号", number)
            index = self.count() - 1
        self.setCurrentIndex(index)


def _input_for(spec: Field) -> QWidget:
    if spec.kind is Kind.CHOICE:
        box = QComboBox()
        box.addItems(spec.choices)
        return box
    if spec.kind is Kind.LONGTEXT:
        edit = QPlainTextEdit()
        edit.setMinimumHeight(90)
        return edit
    hints = {Kind.MONEY: "金额（元），如 12345.60", Kind.DATE: "如 2026-07-01"}
    return QLineEdit(placeholderText=hints.get(spec.kind, ""))


def _set_input(widget: QWidget, text: str) -> None:
    if isinstance(widget, ItemChooser):
        widget.set_number_text(text)
    elif isinstance(widget, QComboBox):
        widget.setCurrentText(text)
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(text)
    elif isinstance(widget, QLineEdit):
        widget.setText(text)


def _input_text(widget: QWidget) -> str:
    if isinstance(widget, ItemChooser):
        return widget.number_text()
    if isinstance(widget, QComboBox):
        return str(widget.currentText())
    if isinstance(widget, QPlainTextEdit):
        return str(widget.toPlainText())
    return str(widget.text()) if isinstance(widget, QLineEdit) else ""


def _mark(widget: QWidget, message: str | None) -> None:
    widget.setStyleSheet(ERROR_STYLE if message else "")
    widget.setToolTip(message or "")

