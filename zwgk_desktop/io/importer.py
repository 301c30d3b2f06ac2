"""Importing a spreadsheet as a new draft item: everything is read and checked first, and a file
with any bad row imports nothing and says, row by row and column by column, what to fix.

Files come from clerks (titles, merged cells and blank lines above the table, numbers typed as
text, full-width digits, 元 and 万元, dates written the Chinese way) and from other systems (a
county 三资 export, read through a saved column mapping). Warnings (a lumped "其他支出" line, a
name appearing twice, a person already listed in another village) are shown and must be
accepted; errors must be fixed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop import collector
from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem, ItemRow, Village, public_number
from zwgk_desktop.domain import glyphs, identity, money
from zwgk_desktop.domain.categories import category as category_of
from zwgk_desktop.domain.categories import new_item
from zwgk_desktop.domain.category_file import EXAMPLE_MARK, NOTE_KEY
from zwgk_desktop.domain.fields import Field, FieldError, Kind
from zwgk_desktop.domain.items import CLERK, TITLE, Category, ImportSpecials, Item, Report, renumbered, validate
from zwgk_desktop.domain.periods import Period
from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.io.columns import normalize_header, spellings
from zwgk_desktop.io.sheets import INFO_SHEET, NOTES_SHEET, CellError, Grid, cell_text, column_letter, read_grids

HEADER_SEARCH_ROWS = 30
# The sheet's own sums and carried totals, wherever their label stands (any column; "合  计" and
# full-width are squeezed first): recomputed by us, never rows.
_TOTAL_ROW = re.compile(r"^(本[页月期季年]|上[页月期季年]|[0-9一二三四五六七八九十]{1,3}月份?|第?[一二三四1-4]季度?"
                        r"|全年)?(合计|小计|总计|累计|共计|月计|季计)(数|金额)?$"
                        r"|^(承上页|过次页|承前页|转下页|接上页|转次页|期末余额|本期结余)$")
# A footer line under the table (制表人：… 审核人：…, 日期：…, 村委会（盖章）): a label and a colon,
# or a seal's place. A row whose every filled cell is one of these is never read as a row.
_FOOTER_LINE = re.compile(r"^[\u4e00-\u9fff（）()]{1,10}[:：]|[（(]?(盖章|签章|公章|签字|签名)[)）]?")
_BALANCE_HEADERS = frozenset({"余额", "结余", "结存", "账面余额", "余额数"})  # a ledger's running-balance column
_ROW_NUMBER_HEADERS = frozenset({"序号", "编号", "No.", "NO.", "no.", "行号", "序"})  # never "unknown columns"
INFO_WHERE = f"工作表“{INFO_SHEET}”"  # how a problem on the item's own sheet is placed


@dataclass
class Column:
    number: int  # 1-based, as the sheet counts
    header: str
    field: Field
    unit: str = ""

    @property
    def where(self) -> str:
        return f"{column_letter(self.number)}列“{self.header}”"


@dataclass
class ImportPlan:
    """What an import would store, and everything found wrong or odd on the way."""

    file: str
    sheet: str
    category: str
    period: Period  # a quarter, or a month of one for what a village discloses monthly
    header_row: int
    columns: list[Column]
    ignored: list[str]
    item: Item
    source_rows: list[int]  # the sheet's row number of each item row
    raw: list[dict[str, Any]] = field(default_factory=list)  # the cells as found, for a preview of bad ones
    errors: list[Problem] = field(default_factory=list)  # any of these: nothing is imported
    warnings: list[Problem] = field(default_factory=list)  # to be accepted
    to_complete: list[Problem] = field(default_factory=list)  # the draft's own fields still missing
    info_rows: dict[str, int] = field(default_factory=dict)  # the 事项信息 sheet's row of each label given
    fixed: dict[str, Any] = field(default_factory=dict)  # values given for the whole file (--set), by field key
    notes: list[str] = field(default_factory=list)  # the headers of the columns kept in the private 其他信息
    skipped: list[int] = field(default_factory=list)  # the sheet's rows read as sums, footers, 期初/期末余额
    note_columns: list[Column] = field(default_factory=list)  # the columns kept in 其他信息
    balance_column: Column | None = None  # a ledger's own 余额 column: where 期初/期末余额 lines put the amount
    # The 期末余额 lines: each one's sheet row, amount, column and the number of item rows above it.
    closings: list[tuple[int, int, Column, int]] = field(default_factory=list)
    # The copy of the item `validate` checked (its values rewritten in canonical form) and what it
    # found: `store_import` checks again only what differs from it.
    checked: tuple[Item, Report] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def rows_named(self, problems: list[Problem]) -> set[int]:
        """The data sheet's rows these problems name (the 事项信息 sheet counts its own rows)."""
        return {p.row for p in problems if p.row is not None and p.where != INFO_WHERE}


def plan_import(path: Path, category_code: str, period: Period, *, mapping: dict[str, str] | None = None,
                progress: Callable[[int, int], None] | None = None,
                fixed: dict[str, str] | None = None) -> ImportPlan:
    """Read and check the file; nothing is stored. `fixed`: a value for every row (or the item)
    given by field label or key (`zwgk import --set 救助类别=农村低保`, the wizard's 整表统一填写),
    read as a cell is."""
    with collector.paused():  # a long list: many objects, no cycles
        return _plan_import(path, category_code, period, mapping=mapping, progress=progress, fixed=fixed)


def _plan_import(path: Path, category_code: str, period: Period, *, mapping: dict[str, str] | None,
                 progress: Callable[[int, int], None] | None, fixed: dict[str, str] | None) -> ImportPlan:
    schema = category_of(category_code)
    given = whole_file_values(schema, fixed or {}, period)
    grids = read_grids(path)
    info = next((g for g in grids if g.sheet == INFO_SHEET), None)
    candidates = [g for g in grids if g.sheet not in (INFO_SHEET, NOTES_SHEET) and g.rows and not g.hidden]
    if not candidates:
        raise BadInput(f"{path.name} 中没有内容：工作表是空的")
    known = spellings(schema) | (mapping or {})
    exact = {normalize_header(f.label)[0] for f in schema.row_fields} | set(mapping or {})
    found = [(grid, *_find_header(grid, known, exact)) for grid in candidates]
    grid, header_row, spots, ignored = max(found, key=lambda f: len(f[2]))
    unit = _sheet_unit(grid, header_row)
    columns = [Column(number, header, schema.row_field(key), unit_ or unit) for number, header, key, unit_ in spots]
    mapped = {c.field.key for c in columns}
    both = [c for c in columns if c.field.key in given]
    if both:
        raise BadInput(f"{path.name} 工作表“{grid.sheet}”第{header_row}行已有"
                       f"{'、'.join(c.where for c in both)}：与“整表统一填写”（--set）给的"
                       f"{'、'.join(c.field.label for c in both)}重复，不知道以哪个为准。"
                       "请去掉 --set 的这一项，或删去表中的这一列")
    mapped |= set(given)
    missing = [f.label for f in schema.row_fields if f.required and f.key not in mapped]
    either = schema.importing.either
    if either and not mapped & set(either):
        missing.append("或".join(schema.row_field(key).label for key in either))
    if header_row == 0 or missing:
        where = f"{path.name} 工作表“{grid.sheet}”"
        if header_row == 0:
            raise BadInput(f"{where}：前 {HEADER_SEARCH_ROWS} 行中找不到{schema.name}的表头。应有这些列："
                           f"{'、'.join(f.label for f in schema.row_fields if f.required)}"
                           "（可先保存空白模板照着填：导入窗口的“空白模板…”，或 zwgk template；"
                           "其他系统导出的表，表头写法不同的，可在命令行用 --mapping 指定列的对应关系）")
        blank = _blank_headers(grid, header_row)
        hint = "".join(f"；第{header_row}行 {column_letter(n)}列没有自己的表头（空的，或与左边合并成了一格），"
                       "（合并单元格？），这一列的数据对应不上" for n in blank)
        raise BadInput(f"{where} 第{header_row}行的表头缺少这些列：{'、'.join(missing)}"
                       f"（找到的列：{'、'.join(c.header for c in columns) or '无'}）{hint}。"
                       "表头写法不同的（如其他系统导出的表），可改成模板的表头，"
                       "或在命令行用 --mapping 指定列的对应关系")
    item = new_item(category_code, period)
    plan = ImportPlan(path.name, grid.sheet, category_code, period, header_row, columns, ignored, item, [],
                      fixed=given)
    _unknown_columns(plan, grid, schema)
    others = [g.sheet for g, row, spots_, _ in found if g is not grid and row and len(spots_) >= len(columns) - 1]
    if others:
        plan.warnings.append(Problem(f"工作簿中的工作表“{'”“'.join(others)}”也像是明细，只导入了“{grid.sheet}”；"
                                     "如需导入，请分别导入或合并到一个工作表"))
    _read_rows(plan, grid, schema, progress)
    if info is not None:
        _read_info(plan, info)
    for key, value in given.items():
        if any(f.key == key for f in schema.item_fields):
            plan.item.fields[key] = value  # over the 事项信息 sheet's: the clerk said so for this import
    _check(plan)
    return plan


def whole_file_values(schema: Category, given: dict[str, str], period: Period) -> dict[str, Any]:
    """Values for the whole file by field label or key, each read as a cell is: a field the
    category lacks, a private one or a value that does not read is refused, naming them."""
    found: dict[str, Any] = {}
    by_name: dict[str, Field] = {}
    for spec in (*schema.row_fields, *schema.item_fields):
        by_name.setdefault(spec.key, spec)
        by_name.setdefault(spec.label, spec)
    for name, raw in given.items():
        named = by_name.get(normalize_header(name)[0]) or by_name.get(name.strip())
        if named is None:
            raise BadInput(f"整表统一填写（--set）：{schema.name}没有“{_clip(name)}”这一栏。可用："
                           f"{'、'.join(f.label for f in (*schema.row_fields, *schema.item_fields))}")
        spec = named
        if spec.key in found:
            raise BadInput(f"整表统一填写（--set）：“{spec.label}”给了两次")
        if spec in schema.row_fields and spec.kind in (Kind.ID_NUMBER, Kind.MOBILE, Kind.ACCOUNT, Kind.NAME):
            raise BadInput(f"整表统一填写（--set）：“{spec.label}”是每户各不相同的，不能整表填同一个值")
        try:
            found[spec.key] = _parse(Column(0, spec.label, spec), raw, period)
        except FieldError as exc:
            raise BadInput(f"整表统一填写（--set）：“{spec.label}”的值“{_clip(raw)}”不能用：{exc}") from None
        if found[spec.key] is None:
            raise BadInput(f"整表统一填写（--set）：“{spec.label}”的值是空的")
    return found


def _unknown_columns(plan: ImportPlan, grid: Grid, schema: Category) -> None:
    """The header row's columns the category does not know, as its file says: told as not
    imported, kept in the private 其他信息 (`note`) with their headers, or the file refused."""
    how = schema.importing.unknown_columns
    if how == "ignore":
        return
    known_numbers = {c.number for c in plan.columns}
    header = grid.rows[plan.header_row - 1]
    known = spellings(schema)
    above = grid.rows[plan.header_row - 2] if plan.header_row >= 2 else []
    if sum(normalize_header(cell_text(v))[0] in known for v in above) < 2:
        above = []  # a title line, not the upper half of a two-row header
    derived = {normalize_header(f.label)[0] for f in schema.derived_fields}
    unknown: list[Column] = []
    for number in range(1, max(len(header), len(above)) + 1):
        text = next((cell_text(row[number - 1]).strip() for row in (header, above)
                     if number - 1 < len(row) and not _blank(row[number - 1])), "")
        if number in known_numbers or not text:
            continue
        plain = normalize_header(text)[0]
        if plain in _ROW_NUMBER_HEADERS or plain in derived or plain in _BALANCE_HEADERS:
            continue
        unknown.append(Column(number, text, Field(NOTE_KEY, text, Kind.TEXT, required=False, public=False)))
    if not unknown:
        return
    if how == "refuse":
        raise BadInput(f"{plan.file} 工作表“{plan.sheet}”第{plan.header_row}行有{schema.name}没有的列："
                       f"{'、'.join(c.where for c in unknown)}。请删去这些列再导入"
                       f"（{schema.name}的栏目：{'、'.join(f.label for f in schema.row_fields)}）")
    plan.notes = [c.header for c in unknown]
    plan.ignored = [text for text in plan.ignored if text not in plan.notes]
    plan.note_columns = unknown


def _header_cells(row: list[Any], known: dict[str, str], exact: set[str]
                  ) -> tuple[list[tuple[int, str, str, str]], list[str]]:
    """The fields a row's cells name; when two cells name one field, its own label wins over an
    alias (家庭人口 and 保障人口 both mean 保障人口: the column headed 保障人口 is taken)."""
    chosen: dict[str, tuple[int, str, str, str]] = {}
    ignored = []
    for column, value in enumerate(row, start=1):
        text = cell_text(value).strip()
        if not text:
            continue
        plain, unit = normalize_header(text)
        key = known.get(plain)
        if key is None:
            ignored.append(text)
            continue
        earlier = chosen.get(key)
        if earlier is None or (plain in exact and normalize_header(earlier[1])[0] not in exact):
            if earlier is not None:
                ignored.append(earlier[1])
            chosen[key] = (column, text, key, unit)
        else:
            ignored.append(text)
    return sorted(chosen.values()), ignored


def _find_header(grid: Grid, known: dict[str, str], exact: set[str]
                 ) -> tuple[int, list[tuple[int, str, str, str]], list[str]]:
    """The row (within the first rows) whose cells name the most fields, and its columns; a
    second header row under it (金额 over 收入 | 支出) adds the fields it names."""
    best: tuple[int, list[tuple[int, str, str, str]], list[str]] = (0, [], [])
    for number, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS], start=1):
        columns, ignored = _header_cells(row, known, exact)
        if len(columns) >= 2 and len(columns) > len(best[1]):
            best = (number, columns, ignored)
    number, columns, ignored = best
    if number and number < len(grid.rows):
        below, _ = _header_cells(grid.rows[number], known, exact)
        taken = {c[2] for c in columns} | {c[0] for c in columns}
        extra = [c for c in below if c[2] not in taken and c[0] not in taken]
        if extra:
            return number + 1, sorted(columns + extra), ignored
    return best


def _sheet_unit(grid: Grid, header_row: int) -> str:
    """A unit written above the table for all its amounts (单位：万元)."""
    for row in grid.rows[: max(0, header_row - 1)]:
        for value in row:
            text = re.sub(r"\s", "", cell_text(value))
            if "单位" in text and "万元" in text:
                return "万元"
    return ""


def _blank_headers(grid: Grid, header_row: int) -> list[int]:
    """Columns with data below but no header (a merged header cell covers them)."""
    header = grid.rows[header_row - 1]
    below = grid.rows[header_row:header_row + 10]
    width = max((len(r) for r in below), default=0)
    def own(n: int) -> bool:
        if n > len(header) or _blank(header[n - 1]):
            return False
        return n == 1 or cell_text(header[n - 1]) != cell_text(header[n - 2])  # merged: the same text again

    return [n for n in range(1, width + 1)
            if not own(n) and any(n <= len(r) and not _blank(r[n - 1]) for r in below)]


def _read_rows(plan: ImportPlan, grid: Grid, schema: Category, progress: Callable[[int, int], None] | None
               ) -> None:
    rows = grid.rows[plan.header_row:]
    specials = schema.importing
    opening_words = {_squeezed(word) for word in specials.opening_words}
    closing_words = {_squeezed(word) for word in specials.closing_words}
    plan.balance_column = _balance_column(plan, grid)
    # The last character of every word a label line may be: a line without any of them has no label.
    ends = {word[-1] for word in (*opening_words, *closing_words) if word} | {"计", "页", "余", "额"}
    signals = re.compile(f"[{re.escape(''.join(sorted(ends)))}]")
    note = _NoteColumns(plan, schema) if plan.note_columns else None
    every_row = {key: value for key, value in plan.fixed.items() if any(f.key == key for f in schema.row_fields)}
    readers = [(column, column.field.key, cell_reader(column, plan.period)) for column in plan.columns]
    keys = [key for _, key, _ in readers]
    reads = [read for _, _, read in readers]
    numbers = [column.number for column in plan.columns]
    width = max(numbers)
    padding = [None] * width
    # The line's cells of the mapped columns, in their order (a short line padded with empty cells).
    pick = itemgetter(*(n - 1 for n in numbers)) if len(numbers) > 1 else (lambda cells: (cells[numbers[0] - 1],))
    formulas = grid.formulas
    errors = grid.errors
    for offset, cells in enumerate(rows):
        number = plan.header_row + offset + 1
        if progress and offset % 2000 == 0:
            progress(offset, len(rows))
        found = pick(cells) if len(cells) >= width else pick(cells + padding[len(cells):])
        if all(_blank(v) for v in found):
            continue  # a blank line between blocks, or the sheet's end
        # Labels are looked for in every cell of the line (a 本月合计 in the 日期 column, a 期初余额
        # in the 摘要 or 序号 column, a footer merged across the table), texts only: a number is no
        # label. Most lines are told apart without squeezing a cell: this runs for every line.
        strings = [v for v in cells if isinstance(v, str)]
        joined = "\x00".join(strings)
        if EXAMPLE_MARK in joined and any(isinstance(v, str) and v.startswith(EXAMPLE_MARK) for v in found):
            continue  # the template's example line (a number's or a date's text never starts with it)
        # A footer: every filled cell is a label line (a merged cell repeats it in each column it
        # covers); a number, a date or any other text among them makes it a row ("报销：差旅费" 1200).
        if strings and len(strings) == len(cells) - cells.count(None) \
                and all(_FOOTER_LINE.search(_squeezed(v)) for v in strings if v.strip()) \
                and any(v.strip() for v in strings):
            plan.skipped.append(number)
            continue  # a footer: 制表人：…　审核人：…, 日期：…, 村委会（盖章）
        if not strings or not signals.search(joined):
            labels: list[str] = []
        else:
            labels = [_squeezed(v) for v in strings if v.strip()]
        if labels:
            values = dict(zip(keys, found, strict=True))
            if opening_words and specials.opening_into is not None and any(t in opening_words for t in labels):
                _opening_balance(plan, specials, cells, values, number, opening_words)
                plan.skipped.append(number)
                continue
            if closing_words and specials.closing_into is not None and any(t in closing_words for t in labels):
                amount = _line_amount(plan, specials.opening_from, cells, values, number, closing_words,
                                      closing=True)
                if amount is not None:  # a month's 期末余额 stands after that month's rows: compared there
                    plan.closings.append((number, *amount, len(plan.item.rows)))
                plan.skipped.append(number)
                continue
            if specials.skip_totals and any(_TOTAL_ROW.match(t) for t in labels):
                plan.skipped.append(number)
                continue  # the sheet's own sums, recomputed by us
        item_row = len(plan.item.rows) + 1
        read_all = not (formulas or errors) or not any((number, n) in formulas or (number, n) in errors
                                                       for n in numbers)
        if read_all:
            try:  # the usual line: every cell reads
                parsed = [read(v) for read, v in zip(reads, found, strict=True)]
                row: dict[str, Any] = dict(zip(keys, parsed, strict=True))
            except FieldError:
                read_all = False
            else:
                if every_row:
                    row = {**every_row, **row}
        if not read_all:  # a formula or a cell that does not read: each told, cell by cell
            row = dict(every_row)
            for (column, key, read), raw in zip(readers, found, strict=True):
                if formulas and (number, column.number) in formulas:
                    plan.errors.append(Problem(f"是公式（{_clip(cell_text(raw))}），"
                                               "请复制后“选择性粘贴为数值”再导入", row=number, field=column.where,
                                               item_row=item_row))
                    continue
                if errors and (number, column.number) in errors:
                    plan.errors.append(Problem(f"显示的是错误值（{raw}），不是数据：请在表格中改正这一格后再导入",
                                               row=number, field=column.where, item_row=item_row))
                    continue
                try:
                    row[key] = read(raw)
                except FieldError as exc:
                    plan.errors.append(Problem(_clip(str(exc), 160), row=number, field=column.where,
                                               item_row=item_row))
        if note is not None:
            note.keep(plan, row, cells, number, item_row)
        plan.item.rows.append(row)
        plan.source_rows.append(number)
        plan.raw.append({} if read_all else {k: v for k, v in zip(keys, found, strict=True) if k not in row})


def _balance_column(plan: ImportPlan, grid: Grid) -> Column | None:
    """A ledger's running-balance column (余额), which the category derives and never imports; a
    期初余额 or 期末余额 line often has its amount there."""
    schema = category_of(plan.category)
    if schema.importing.opening_into is None:
        return None
    derived = {normalize_header(f.label)[0] for f in schema.derived_fields} | _BALANCE_HEADERS
    mapped = {c.number for c in plan.columns}
    for row_number in {plan.header_row, plan.header_row - 1} - {0}:
        for number, value in enumerate(grid.rows[row_number - 1], start=1):
            plain, unit = normalize_header(cell_text(value))
            if number not in mapped and plain in derived:
                return Column(number, cell_text(value).strip(), schema.item_field(schema.importing.opening_into),
                              unit or (plan.columns[0].unit if plan.columns else ""))
    return None


def _line_amount(plan: ImportPlan, sources: tuple[str, ...], cells: list[Any], values: dict[str, Any],
                 number: int, words: set[str], *, closing: bool = False) -> tuple[int, Column] | None:
    """The amount of a 期初余额 / 期末余额 line: in the ledger's own 余额 column where it has one and
    it is filled in, else in the first of the amount columns filled in; an amount that does not
    read is an error naming the cell. A 期末余额 line of a ledger with a 余额 column has its amount
    there only: its 收入 and 支出 are sums."""
    column, raw = None, None
    if plan.balance_column is not None:  # the balance is the 余额 column's, where the ledger has one
        index = plan.balance_column.number - 1
        raw = cells[index] if index < len(cells) else None
        label = isinstance(raw, str) and _squeezed(raw) in words  # the line's label stands in the 余额 column
        column = plan.balance_column if not _blank(raw) and not label else None
    if column is None and not (closing and plan.balance_column is not None):
        column = next((c for c in plan.columns if c.field.key in sources and not _blank(values.get(c.field.key))),
                      None)
        raw = values.get(column.field.key) if column is not None else None
    if column is None:
        return None
    try:
        return _money(raw, column.unit), column
    except FieldError as exc:
        plan.errors.append(Problem(str(exc), row=number, field=column.where))
        return None


class _NoteColumns:
    """The columns the category does not know, kept with their headers in the private 其他信息."""

    def __init__(self, plan: ImportPlan, schema: Category) -> None:
        self.spec = schema.row_field(NOTE_KEY)
        self.columns = [(c.number - 1, normalize_header(c.header)[0]) for c in plan.note_columns]
        self.where = "、".join(c.where for c in plan.note_columns)

    def keep(self, plan: ImportPlan, row: dict[str, Any], cells: list[Any], number: int, item_row: int) -> None:
        parts = [f"{header}：{cell_text(cells[index]).strip()}" for index, header in self.columns
                 if index < len(cells) and not _blank(cells[index])]
        if not parts:
            return
        if row.get(NOTE_KEY):  # the file's own 其他信息 column comes first
            parts.insert(0, str(row[NOTE_KEY]))
        try:
            row[NOTE_KEY] = self.spec.parse("；".join(parts))
        except FieldError as exc:
            plan.errors.append(Problem(f"{exc}（这些列存入不公开的“{self.spec.label}”）", row=number, field=self.where,
                                       item_row=item_row))


def _squeezed(value: Any) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", cell_text(value)))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse(column: Column, raw: Any, period: Period) -> Any:
    """One cell as its field reads it, with the sheet's ways of writing numbers and dates."""
    spec = column.field
    if isinstance(raw, str) and len(raw) > 5000:
        raise FieldError(f"内容太长（{len(raw):,} 个字）")
    if spec.kind is Kind.MONEY and not _blank(raw):
        return spec.check(_money(raw, column.unit))
    if spec.kind in (Kind.ID_NUMBER, Kind.ACCOUNT, Kind.MOBILE) and isinstance(raw, int | float) \
            and not isinstance(raw, bool) and math.isfinite(raw) and len(str(int(raw))) > 15:
        raise FieldError("这一格是数字格式：Excel 只保留 15 位有效数字，长号码的末几位已经变了。"
                         "请把这一列设为“文本”格式，重新填写这些号码")
    if spec.kind is Kind.DATE and isinstance(raw, str):
        raw = _date_text(raw, period)
    if spec.kind is Kind.DATE and isinstance(raw, float | int) and not isinstance(raw, bool) and 20000 < raw < 80000:
        raise FieldError(f"“{cell_text(raw)}”是数字，不是日期：请把这一列设成日期格式")
    if isinstance(raw, datetime) and spec.kind is not Kind.DATE:
        raw = cell_text(raw)
    return spec.parse(raw)


def cell_reader(column: Column, period: Period) -> Callable[[Any], Any]:
    """`_parse` for one column, chosen once per import by its field's kind: the usual cell (an
    amount or a count as a spreadsheet number, a date cell, a short printable text in canonical
    form with no personal number in it, an empty cell of an optional field) is taken at once; any
    other is read by `_parse` itself, so every value and every message is `_parse`'s (tests compare
    the two on generated cells). A text a column has already taken (a 村民小组, a 救助类别, a name
    that comes again) is taken again without looking at it: the reading depends on the text alone."""
    spec = column.field
    kind = spec.kind
    optional = not spec.required

    def slow(raw: Any) -> Any:
        return _parse(column, raw, period)

    if kind is Kind.MONEY:
        unit = column.unit
        scale = 1_000_000 if unit == "万元" else 100
        top = money.MAX_FEN

        def amount(raw: Any) -> Any:
            # A whole number of 元 (or 万元), as the reader gives it (an int) or a spreadsheet stores
            # it (a float, exact below 2⁵³); an amount of 元 with cents as a spreadsheet number: the
            # 分 of the two-decimal number it is within a millionth of (3.3000000000000003 is
            # 3.30), as `money.parse_amount` reads it, from the shortest text of that number.
            kind_of = type(raw)
            if (kind_of is int or kind_of is float) and 0 <= raw < 1e12:
                if kind_of is int or raw.is_integer():
                    value = int(raw) * scale
                    if value < top:
                        return value
                elif not unit and raw > 0:
                    cents = round(raw, 2)
                    if abs(raw - cents) < 1e-6:
                        whole, _, part = repr(cents).partition(".")
                        value = int(whole) * 100 + int(part.ljust(2, "0"))
                        if value < top:
                            return value
            elif raw is None and optional:
                return None
            return slow(raw)
        return amount
    if kind is Kind.COUNT:
        low = spec.minimum

        def count(raw: Any) -> Any:
            if type(raw) is float and raw.is_integer() and low <= raw <= 1_000_000:
                return int(raw)
            if type(raw) is int and low <= raw <= 1_000_000:
                return raw
            if raw is None and optional:
                return None
            return slow(raw)
        return count
    if kind is Kind.DATE:
        def day(raw: Any) -> Any:
            if type(raw) is date and 1949 <= raw.year <= 2100:
                return raw
            if type(raw) is datetime and 1949 <= raw.year <= 2100:
                return raw.date()
            if raw is None and optional:
                return None
            return slow(raw)
        return day
    limit = min(spec.max_length, 5000)
    fits = glyphs.fits
    if kind is Kind.ACCOUNT:
        def account(raw: Any) -> Any:
            # ASCII digits only, 12 to 25 of them: the account as `Field.check` gives it back.
            if type(raw) is str and raw.isdigit() and raw.isascii() and 12 <= len(raw) <= 25 and len(raw) <= limit \
                    and fits(raw):
                return raw
            if raw is None and optional:
                return None
            return slow(raw)
        return account
    if kind not in (Kind.TEXT, Kind.NAME, Kind.CHOICE, Kind.ID_NUMBER, Kind.MOBILE):
        def other(raw: Any) -> Any:
            return None if raw is None and optional else slow(raw)
        return other
    label = spec.label
    choices = frozenset(spec.choices)
    personal = identity.find_personal_numbers
    canonical = unicodedata.is_normalized

    def plain(raw: Any) -> bool:
        """Text `clean_text` keeps as it is, which prints and fits its field."""
        return (type(raw) is str and 0 < len(raw) <= limit and raw.isprintable() and raw.strip() == raw
                and "  " not in raw and (raw.isascii() or canonical("NFC", raw)) and fits(raw))

    taken: set[str] = set()  # the texts this column has taken as they are
    if kind is Kind.CHOICE:
        def choice(raw: Any) -> Any:
            if type(raw) is str and raw in taken:
                return raw
            if raw in choices and plain(raw):
                taken.add(raw)
                return raw
            if raw is None and optional:
                return None
            return slow(raw)
        return choice
    if kind is Kind.ID_NUMBER or kind is Kind.MOBILE:
        # A number of ASCII digits in its usual shape (`_bare_id`, `_bare_mobile`) is text `plain`
        # keeps, when its field is long enough and every such digit prints (`fits` looks at each
        # character alone), and in the canonical form `check_id` would bring it to: it is checked
        # at once. A phone of that shape is what `identity.check_mobile` gives back; an ID is
        # checked against the day the reading began.
        today = date.today()
        checked = identity.check_id if kind is Kind.ID_NUMBER else identity.check_mobile
        bare, shape = (_bare_id, 18) if kind is Kind.ID_NUMBER else (_bare_mobile, 11)
        bare_fits = shape <= limit and fits("0123456789X")
        check_digits = identity.check_id_digits

        def number(raw: Any) -> Any:
            if bare_fits and bare(raw):
                if kind is Kind.MOBILE:
                    return raw
                try:
                    return check_digits(raw, today=today)
                except identity.IdentityError:
                    return slow(raw)
            if plain(raw):
                try:
                    return checked(raw)
                except identity.IdentityError:
                    pass
            if raw is None and optional:
                return None
            return slow(raw)
        return number
    long_digits = re.compile(r"\d{5,}").search if kind is Kind.NAME else None

    def text(raw: Any) -> Any:
        if type(raw) is str and raw in taken:
            return raw
        if plain(raw) and (long_digits is None or long_digits(raw) is None) and not personal(raw, label=label):
            taken.add(raw)
            return raw
        if raw is None and optional:
            return None
        return slow(raw)
    return text


def _bare_id(raw: Any) -> bool:
    return (type(raw) is str and len(raw) == 18 and raw.isascii() and raw[:17].isdigit()
            and (raw[17] == "X" or raw[17].isdigit()))


def _bare_mobile(raw: Any) -> bool:
    return (type(raw) is str and len(raw) == 11 and raw.isdigit() and raw.isascii() and raw[0] == "1"
            and raw[1] in "3456789")


def _date_text(text: str, period: Period) -> Any:
    """A date without its year (7月1日), as a ledger of one quarter writes it: in the quarter's
    year; everything else is `fields.parse_date`'s, the editor's."""
    plain = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"\d{1,2}月\d{1,2}[日号]", plain):
        return f"{period.year}年{plain}"
    return text


def _money(raw: Any, unit: str) -> int:
    """An amount in 元 (or 万元, by the header or the cell) into 分: the editor's own parser."""
    try:
        return money.parse_amount(raw, unit)
    except money.MoneyError as exc:
        raise FieldError(str(exc)) from None


def _opening_balance(plan: ImportPlan, specials: ImportSpecials, cells: list[Any], values: dict[str, Any],
                     number: int, words: set[str]) -> None:
    """A ledger's 期初余额 line gives the opening balance (`[import.opening_row]`), not a
    transaction: its amount in an amount column or in the ledger's own 余额 column."""
    found = _line_amount(plan, specials.opening_from, cells, values, number, words)
    if found is not None and specials.opening_into is not None:
        plan.item.fields[specials.opening_into] = found[0]


def _read_info(plan: ImportPlan, grid: Grid) -> None:
    """The 事项信息 sheet: the item's own fields as label / value pairs."""
    schema = category_of(plan.category)
    by_label: dict[str, Field] = {f.label: f for f in schema.item_fields}
    by_label |= {TITLE.label: TITLE, CLERK.label: CLERK}
    for number, row in enumerate(grid.rows, start=1):
        if len(row) < 2 or _blank(row[0]):
            continue
        label = normalize_header(cell_text(row[0]))[0]
        value = row[1]
        if _blank(value):
            continue
        plan.info_rows[label] = number
        try:
            if isinstance(value, CellError):
                raise FieldError(f"显示的是错误值（{value}），不是数据：请在表格中改正这一格后再导入")
            if label == TITLE.label:
                plan.item.title = TITLE.parse(cell_text(value))
            elif label == CLERK.label:
                plan.item.clerk = CLERK.parse(cell_text(value))
            elif label in ("公示开始", "公示结束"):
                day = Field(label, label, Kind.DATE).parse(value)
                if label == "公示开始":
                    plan.item.publicity_start = day
                else:
                    plan.item.publicity_end = day
            elif label in by_label:
                spec = by_label[label]
                raw = cell_text(value) if spec.kind is not Kind.DATE else value
                plan.item.fields[spec.key] = _money(value, "") if spec.kind is Kind.MONEY else spec.parse(raw)
        except FieldError as exc:
            plan.errors.append(Problem(str(exc), where=INFO_WHERE, row=number, field=label))


def _check(plan: ImportPlan) -> None:
    """The editor's checks (`validate`, the one checker) over the item the file describes, before
    anything is stored: whatever the editor would call an error, the import refuses. Only the
    item's own values the file does not give (公示开始, 期初余额, 中标单位 …) are left for the
    clerk to fill in before review; warnings are told, to be accepted."""
    item, schema = plan.item, category_of(plan.category)
    if not item.rows and schema.min_rows > 0:
        plan.errors.append(Problem("表头下面没有任何数据行", where=f"工作表“{plan.sheet}”"))
        return
    for key in schema.importing.computed:
        if plan.closings and key == schema.importing.closing_into:
            _compare_closings(plan, schema, key)
        elif item.fields.get(key) is None:
            _compute(item, schema, key)
    unread_cells = plan.rows_named(plan.errors)
    unread_fields = {p.field for p in plan.errors if p.where == INFO_WHERE}  # the 事项信息 sheet's labels
    if "公示开始" in unread_fields:
        unread_fields.add("公示期")
    unread = [number for number, source in enumerate(plan.source_rows, start=1) if source in unread_cells]
    seen = item.snapshot()
    report = validate(seen, schema, rows_checked=True, unread_rows=unread)
    plan.checked = (seen, report)
    plan.errors += [_located(plan, p) for p in report.wrong]
    plan.warnings += [_located(plan, p) for p in report.warnings]
    # A value on the 事项信息 sheet that did not read is an error already; it is not also "to fill in".
    plan.to_complete += [p for p in report.incomplete if p.field not in unread_fields]


def _compare_closings(plan: ImportPlan, schema: Category, key: str) -> None:
    """The file's 期末余额 lines against the balance the program computes from the rows above each:
    a wrong one is an error naming its row; the item keeps the computed balance."""
    item = plan.item
    _compute(item, schema, key)
    if item.fields.get(key) is None:  # no 期初余额: the file's last is all there is, checked by the balance rule
        item.fields[key] = plan.closings[-1][1]
        return
    if plan.errors:  # rows that did not read make any sum moot
        return
    label = schema.item_field(key).label
    start = next(b[0] for b in schema.balances if b[3] == key)
    for number, amount, column, above in plan.closings:
        part = replace(item, rows=item.rows[:above], fields=dict(item.fields))
        _compute(part, schema, key)
        computed = part.fields[key]
        if computed != amount:
            plan.errors.append(Problem(f"表中{label} {money.format_fen(amount)} 与计算的不符："
                                       f"{schema.item_field(start).label}加上面各行的收入、减支出应为 "
                                       f"{money.format_fen(computed)}（差 {money.format_fen(amount - computed)}）",
                                       row=number, field=column.where))


def _compute(item: Item, schema: Category, key: str) -> None:
    """An item value the file leaves out and the category's balance rule gives (期末余额 =
    期初余额 + 本期收入 − 本期支出), from the amounts that did read."""
    balance = next((b for b in schema.balances if b[3] == key), None)
    if balance is None:
        return
    start, plus, minus, _ = balance
    opening = item.fields.get(start)
    if opening is None:
        return

    def total(keys: tuple[str, ...]) -> int:
        return sum(r.get(k) or 0 for r in item.rows for k in keys if isinstance(r.get(k), int))
    item.fields[key] = opening + total(plus) - total(minus)


def _located(plan: ImportPlan, problem: Problem) -> Problem:
    """A problem as the file shows it: a rule's row number (1, 2, 3 … of the item) as the sheet's
    own row, with the column (or columns: 收入/支出); one about the item's own values at its row
    of the 事项信息 sheet, where the file gives it there."""
    if problem.row is None:
        labels = ("公示结束", "公示开始") if problem.field == "公示期" else (problem.field,)
        given = next((label for label in labels if label in plan.info_rows), None)
        if given is not None:
            return replace(problem, where=INFO_WHERE, row=plan.info_rows[given], field=given)
    columns = {c.field.label: c.where for c in plan.columns}
    where = "/".join(columns.get(label, label) for label in problem.field.split("/"))
    item_row = problem.row if problem.row is not None and 1 <= problem.row <= len(plan.source_rows) else None
    return replace(renumbered(problem, plan.source_rows), field=where, item_row=item_row)


def check_against_archive(session: Session, plan: ImportPlan, village: Village) -> None:
    """Warnings from what the archive already holds for the quarter, to be shown and accepted
    (see `archive_warnings`)."""
    plan.warnings += archive_warnings(session, plan, village)


def archive_warnings(session: Session, plan: ImportPlan, village: Village) -> list[Problem]:
    """What the archive already holds for the quarter: the same rows already imported into this
    village (a file imported twice), and for a 低保 list, a person already on a list of this or
    another village (drawing twice)."""
    found: list[Problem] = []

    def filled(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{key: value for key, value in row.items() if value is not None} for row in rows]

    mine: list[dict[str, Any]] | None = None  # the plan's rows as compared: made once, if needed
    identical = set()
    same_kind = session.scalars(select(DisclosureItem).where(
        DisclosureItem.village_id == village.id, DisclosureItem.period == str(plan.period),
        DisclosureItem.category == plan.category, DisclosureItem.supersedes_id.is_(None)))
    for record in same_kind:
        # Only a list as long as the plan's can be the same: others are not read.
        if not plan.item.rows or session.scalar(select(func.count()).select_from(ItemRow).where(
                ItemRow.item_id == record.id)) != len(plan.item.rows):
            continue
        rows = store.load_rows(session, [record.id])[record.id]
        if mine is None:
            mine = filled(plan.item.rows)
        if len(rows) == len(mine) and filled(store.to_domain(record, rows).rows) == mine:
            identical.add(record.id)
            found.append(Problem(f"与已有的事项 {public_number(record)}“{record.title}”的明细完全相同："
                                 "是不是同一个文件导入了两次？", where=plan.file))
    person = category_of(plan.category).importing.listed_once
    if person is None:
        return found
    ids = {value if type(value) is str else str(value): i
           for i, value in enumerate([r.get(person) for r in plan.item.rows]) if value}
    if not ids:
        return found
    # The items' few columns, not the items: thousands of rows would each make an ORM object.
    others = session.execute(
        select(ItemRow.data, Village.name, DisclosureItem.id, DisclosureItem.number, DisclosureItem.title,
               DisclosureItem.village_id)
        .join(DisclosureItem, DisclosureItem.id == ItemRow.item_id)
        .join(Village, Village.id == DisclosureItem.village_id)
        .where(DisclosureItem.category == plan.category, DisclosureItem.period == str(plan.period),
               DisclosureItem.supersedes_id.is_(None)))
    label = category_of(plan.category).row_field(person).label
    for data, name, item_id, number, title, village_id in others:
        index = ids.get(str(data.get(person)))
        if index is None or item_id in identical:  # the whole list is told once, above
            continue
        shown = number if number is not None else item_id  # as `public_number` says it
        where = (f"本村的事项 {shown}“{title}”中" if village_id == village.id
                 else f"{name}{plan.period}的名单中")
        found.append(Problem(f"此人已在{where}，请核对是否重复享受", row=plan.source_rows[index], field=label,
                             item_row=index + 1))
    return found


def store_import(session: Session, plan: ImportPlan, village: Village, *, title: str | None = None) -> int:
    """The plan as a new draft item of the village (the caller's transaction), its warnings
    having been shown and accepted.

    The archive is looked at again inside the village's hold: the same file imported at the same
    moment by someone else (a second window, another `zwgk import`) was not there when the plan
    was checked, and only here, where no other import can interleave, is it certain to be seen.
    """
    if not plan.ok:
        raise BadInput(f"{plan.file} 有 {len(plan.errors)} 处错误，没有导入：", plan.errors)
    if title:
        plan.item.title = TITLE.parse(title)
    store.hold_village(session, village.id)
    told = set(plan.warnings)
    new = [p for p in archive_warnings(session, plan, village) if p not in told]
    if new:
        raise BadInput(f"{plan.file} 没有导入：检查之后、导入之前，档案里有了变化（可能同时有人导入了同一个文件）。"
                       "请重新导入并核对这些提醒：", new)
    with collector.paused():  # a long list: many objects, no cycles
        return store.save_item(session, plan.item, village, checked=_checked_report(plan))


def _checked_report(plan: ImportPlan) -> Report | None:
    """What `validate` says of the item about to be stored, without checking again what the plan
    checked: every cell was checked as it was read (a cell's check gives a value its check keeps
    as it is), so rows equal to the plan's need only the rules across rows (`rows_checked`); an
    item equal to the one the plan checked, nothing. None: anything else, checked in full by
    `store.save_item`. The report is the one `validate(item, schema)` would give (tests prove it)."""
    if plan.checked is None:
        return None
    seen, report = plan.checked
    if plan.item.rows != seen.rows:  # changed after the plan (the wizard, a caller)
        return None
    if plan.item == seen:
        return report
    return validate(plan.item, category_of(plan.category), rows_checked=True)

