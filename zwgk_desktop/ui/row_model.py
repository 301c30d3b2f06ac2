"""The rows of an item as an editable table: cells kept as typed, checked as they change, every
change an undoable command (edit, paste, add, remove, move)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QUndoCommand, QUndoStack

from zwgk_desktop.domain import identity, money
from zwgk_desktop.domain.fields import Field, FieldError, Kind
from zwgk_desktop.domain.items import Category
from zwgk_desktop.errors import Problem

ERROR_BRUSH = QBrush(QColor(255, 214, 214))
WARNING_BRUSH = QBrush(QColor(255, 243, 205))
_Index: TypeAlias = QModelIndex | QPersistentModelIndex


class RowTableModel(QAbstractTableModel):
    """Rows of one item. Texts are what the clerk typed; values are parsed on demand."""

    contentChanged = Signal()

    def __init__(self, category: Category, undo: QUndoStack) -> None:
        super().__init__()
        self.category = category
        self.fields: tuple[Field, ...] = category.row_fields
        self.undo = undo
        self._texts: list[list[str]] = []
        self._values: list[dict[str, Any]] = []  # parsed as the texts change, so reading is cheap
        self._cell_errors: dict[tuple[int, int], str] = {}
        self._rule_notes: dict[tuple[int, int], tuple[str, bool]] = {}  # (message, is_error)
        self._told: tuple[list[Problem], list[Problem]] = ([], [])  # what the notes were made from
        self.reveal_private = False
        self.read_only = False  # a sealed item: shown, never changed

    # -- loading and reading -------------------------------------------------------------------
    def load(self, rows: Sequence[dict[str, Any]] | PreparedRows) -> None:
        """Show these rows; pass `prepare_rows(...)` made in a worker to keep the GUI thread free."""
        prepared = rows if isinstance(rows, PreparedRows) else prepare_rows(self.fields, rows)
        self.beginResetModel()
        self._texts, self._values, self._cell_errors = prepared.texts, prepared.values, prepared.errors
        self._rule_notes.clear()
        self._told = ([], [])
        self.endResetModel()

    def values(self) -> list[dict[str, Any]]:
        """Rows as typed values (fresh dicts); a cell that does not parse keeps its text, so a
        draft can be saved as typed."""
        return [dict(row) for row in self._values]

    def checked_rows(self) -> list[dict[str, Any]]:
        """The rows themselves (not copies), for the editor's checker: it reads them, and writes a
        value back only in the canonical form it would be saved in. A row changed by an edit is a
        new dict (see `_check_row`), so the checker can tell the rows it has seen."""
        return list(self._values)

    def cell_problems(self) -> list[Problem]:
        return [Problem(message, row=r + 1, field=self.fields[c].label)
                for (r, c), message in sorted(self._cell_errors.items())]

    def set_rule_notes(self, errors: Sequence[Problem], warnings: Sequence[Problem]) -> None:
        """Show the item's cross-row findings (重复, 收支不平 …) on the cells they name."""
        told = (list(errors), list(warnings))
        if told == self._told:
            return  # the same findings (the checker hands back the very same ones: compared at once)
        self._told = told
        by_label = {spec.label: c for c, spec in enumerate(self.fields)}
        notes: dict[tuple[int, int], tuple[str, bool]] = {}
        for problems, is_error in ((warnings, False), (errors, True)):
            for p in problems:
                if p.row is not None and p.field in by_label:
                    notes[(p.row - 1, by_label[p.field])] = (p.message, is_error)
        if notes != self._rule_notes:
            self._rule_notes = notes
            if self._texts:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self._texts) - 1, len(self.fields) - 1))

    def text(self, row: int, column: int) -> str:
        return self._texts[row][column]

    # -- Qt model interface --------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._texts)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.fields)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                spec = self.fields[section]
                return spec.label + ("" if spec.required else "（选填）")
            return str(section + 1)
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            spec = self.fields[section]
            hint = {Kind.MONEY: "金额，单位元，如 1234.50", Kind.DATE: "日期，如 2026-07-01 或 2026年7月1日",
                    Kind.ID_NUMBER: "18 位身份证号（公开时只显示前 6 位和后 4 位）",
                    Kind.CHOICE: "可选：" + "、".join(spec.choices)}.get(spec.kind, "")
            private = "" if spec.public else "；不公开，只存在本机档案中"
            return hint + private
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.read_only:
            return super().flags(index)
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        spec = self.fields[c]
        text = self._texts[r][c]
        if role == Qt.ItemDataRole.DisplayRole:
            private = spec.kind in (Kind.ID_NUMBER, Kind.MOBILE, Kind.ACCOUNT)
            # A wrong number is masked too: it is one digit from a real one. To compare it with the
            # paper form the clerk opens the cell (F2) or ticks 显示完整证件号.
            if private and text and not self.reveal_private:
                return _masked(spec.kind, text)
            if spec.kind is Kind.MONEY and text:
                # "1,200元" or "48.6万" is shown as the amount it is read as; F2 shows it as typed.
                value = self._values[r].get(spec.key) if r < len(self._values) else None
                if isinstance(value, int) and not isinstance(value, bool):
                    return money.format_fen(value)
            return text
        if role == Qt.ItemDataRole.EditRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            if (r, c) in self._cell_errors:
                return self._cell_errors[(r, c)]
            if (r, c) in self._rule_notes:
                return self._rule_notes[(r, c)][0]
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if (r, c) in self._cell_errors or self._rule_notes.get((r, c), ("", False))[1]:
                return ERROR_BRUSH
            if (r, c) in self._rule_notes:
                return WARNING_BRUSH
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and spec.kind in (Kind.MONEY, Kind.COUNT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.read_only:
            return False
        new = "" if value is None else str(value)
        old = self._texts[index.row()][index.column()]
        if new == old:
            return False
        label = self.fields[index.column()].label
        self.undo.push(SetCells(self, [(index.row(), index.column(), old, new)], f"修改第{index.row() + 1}行{label}"))
        return True

    # -- operations that go through the undo stack ---------------------------------------------
    def add_rows(self, at: int, count: int = 1) -> None:
        if self.read_only:
            return
        self.undo.push(InsertRows(self, at, [[""] * len(self.fields) for _ in range(count)], "添加行"))

    def remove_rows(self, rows: Sequence[int]) -> None:
        if rows and not self.read_only:
            self.undo.push(RemoveRows(self, sorted(set(rows)), "删除行"))

    def move_row(self, row: int, delta: int) -> bool:
        target = row + delta
        if self.read_only or not (0 <= row < len(self._texts) and 0 <= target < len(self._texts)):
            return False
        self.undo.push(MoveRow(self, row, target))
        return True

    def paste(self, top: int, left: int, grid: list[list[str]]) -> None:
        """Paste a block copied from a spreadsheet (tab-separated); rows are added as needed."""
        if self.read_only:
            return
        grid = [row[: len(self.fields) - left] for row in grid]
        while grid and not any(cell.strip() for cell in grid[-1]):
            grid.pop()  # a spreadsheet's copy ends with an empty line; blank rows inside are kept
        if not grid:
            return
        self.undo.beginMacro(f"粘贴 {len(grid)} 行")
        missing = top + len(grid) - len(self._texts)
        if missing > 0:
            self.undo.push(InsertRows(self, len(self._texts), [[""] * len(self.fields) for _ in range(missing)], ""))
        changes = [(top + i, left + j, self._texts[top + i][left + j], cell.strip())
                   for i, row in enumerate(grid) for j, cell in enumerate(row)
                   if self._texts[top + i][left + j] != cell.strip()]
        if changes:
            self.undo.push(SetCells(self, changes, ""))
        self.undo.endMacro()

    def clear_cells(self, cells: Sequence[tuple[int, int]]) -> None:
        changes = [(r, c, self._texts[r][c], "") for r, c in cells if self._texts[r][c]]
        if changes and not self.read_only:
            self.undo.push(SetCells(self, changes, "清除"))

    # -- the raw changes the commands make -----------------------------------------------------
    def _apply_cells(self, changes: Sequence[tuple[int, int, str]]) -> None:
        touched = set()
        for r, c, text in changes:
            self._texts[r][c] = text
            touched.add(r)
        for r in touched:
            self._check_row(r)
        top, bottom = min(touched), max(touched)
        self.dataChanged.emit(self.index(top, 0), self.index(bottom, len(self.fields) - 1))
        self.contentChanged.emit()

    def _insert(self, at: int, rows: list[list[str]]) -> None:
        self.beginInsertRows(QModelIndex(), at, at + len(rows) - 1)
        self._texts[at:at] = [list(r) for r in rows]
        self._values[at:at] = [{} for _ in rows]
        self._shift_errors(at, len(rows))
        for r in range(at, at + len(rows)):
            self._check_row(r)
        self.endInsertRows()
        self.contentChanged.emit()

    def _remove(self, rows: Sequence[int]) -> list[list[str]]:
        removed = []
        for r in sorted(rows, reverse=True):
            self.beginRemoveRows(QModelIndex(), r, r)
            removed.append(self._texts.pop(r))
            self._values.pop(r)
            self._drop_row_errors(r)
            self.endRemoveRows()
        self.contentChanged.emit()
        return list(reversed(removed))

    def _move(self, source: int, target: int) -> None:
        self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), target + (1 if target > source else 0))
        self._texts.insert(target, self._texts.pop(source))
        self._values.insert(target, self._values.pop(source))
        self.endMoveRows()
        for r in (source, target):
            self._check_row(r)
        self.contentChanged.emit()

    def _check_row(self, r: int) -> None:
        values: dict[str, Any] = {}
        self._values[r] = values  # a new dict: the rows handed out before keep what they held
        for c, spec in enumerate(self.fields):
            text = self._texts[r][c]
            try:
                values[spec.key] = spec.parse(text)
            except FieldError as exc:
                values[spec.key] = text
                self._cell_errors[(r, c)] = str(exc)
            else:
                self._cell_errors.pop((r, c), None)

    def _shift_errors(self, at: int, count: int) -> None:
        self._cell_errors = {((r + count if r >= at else r), c): m for (r, c), m in self._cell_errors.items()}

    def _drop_row_errors(self, row: int) -> None:
        self._cell_errors = {((r - 1 if r > row else r), c): m for (r, c), m in self._cell_errors.items() if r != row}


@dataclass
class PreparedRows:
    """Rows turned into cell texts, parsed values and cell errors: pure work a thread can do."""

    texts: list[list[str]]
    values: list[dict[str, Any]]
    errors: dict[tuple[int, int], str]


def prepare_rows(fields: Sequence[Field], rows: Sequence[dict[str, Any]]) -> PreparedRows:
    texts, values, errors = [], [], {}
    for r, row in enumerate(rows):
        cells, parsed = [], {}
        for c, spec in enumerate(fields):
            text = spec.to_text(row.get(spec.key))
            cells.append(text)
            try:
                parsed[spec.key] = spec.parse(text)
            except FieldError as exc:
                parsed[spec.key] = text
                errors[(r, c)] = str(exc)
        texts.append(cells)
        values.append(parsed)
    return PreparedRows(texts, values, errors)


def _masked(kind: Kind, text: str) -> str:
    if kind is Kind.ID_NUMBER:
        return identity.mask_id(text)
    if kind is Kind.MOBILE:
        return identity.mask_phone(text)
    return identity.mask_account(text)


class SetCells(QUndoCommand):
    def __init__(self, model: RowTableModel, changes: list[tuple[int, int, str, str]], text: str) -> None:
        super().__init__(text)
        self.model, self.changes = model, changes

    def redo(self) -> None:
        self.model._apply_cells([(r, c, new) for r, c, _, new in self.changes])

    def undo(self) -> None:
        self.model._apply_cells([(r, c, old) for r, c, old, _ in self.changes])


class InsertRows(QUndoCommand):
    def __init__(self, model: RowTableModel, at: int, rows: list[list[str]], text: str) -> None:
        super().__init__(text)
        self.model, self.at, self.rows = model, at, rows

    def redo(self) -> None:
        self.model._insert(self.at, self.rows)

    def undo(self) -> None:
        self.model._remove(range(self.at, self.at + len(self.rows)))


class RemoveRows(QUndoCommand):
    def __init__(self, model: RowTableModel, rows: list[int], text: str) -> None:
        super().__init__(text)
        self.model, self.rows = model, rows
        self.removed: list[list[str]] = []

    def redo(self) -> None:
        self.removed = self.model._remove(self.rows)

    def undo(self) -> None:
        for r, texts in zip(self.rows, self.removed, strict=True):
            self.model._insert(r, [texts])


class MoveRow(QUndoCommand):
    def __init__(self, model: RowTableModel, source: int, target: int) -> None:
        super().__init__("移动行")
        self.model, self.source, self.target = model, source, target

    def redo(self) -> None:
        self.model._move(self.source, self.target)

    def undo(self) -> None:
        self.model._move(self.target, self.source)
