"""Reading a spreadsheet (xlsx, xls or CSV in UTF-8 or GBK) into a grid of raw cell values.

Nothing here knows about categories: it only gets the cells out of whatever a clerk or the
county's 三资 platform saved, and refuses a file it cannot read in words that name the file.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from zwgk_desktop.errors import BadInput
from zwgk_desktop.inputs import readable_file

log = logging.getLogger("zwgk")

MAX_ROWS = 200_000
MAX_COLUMNS = 200
INFO_SHEET = "事项信息"
NOTES_SHEET = "填写说明"


@dataclass
class Grid:
    """One sheet's cells: `rows[0]` is the sheet's row 1; formulas are noted, not evaluated."""

    file: str
    sheet: str
    rows: list[list[Any]]
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column), 1-based
    hidden: bool = False  # a hidden sheet is never the one imported


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of the file, in order. A CSV is one sheet."""
    readable_file(path, "表格文件")  # a pipe or a device would hang the import, in the app too
    suffix = path.suffix.lower()
    kind = _kind_by_content(path) if suffix in (".xlsx", ".xlsm", ".xls") else None
    if kind == "html":
        raise BadInput(f"文件 {path.name} 实际是网页格式（许多系统这样导出“Excel”）：请用 Excel 或 WPS 打开后"
                       "另存为 .xlsx，再导入")
    if kind == "xml":
        raise BadInput(f"文件 {path.name} 实际是 XML 格式的表格（Excel 2003 XML）：请用 Excel 或 WPS 打开后"
                       "另存为 .xlsx，再导入")
    try:
        if kind == "xlsx" or (kind is None and suffix in (".xlsx", ".xlsm")):
            return _read_xlsx(path)
        if kind == "xls" or (kind is None and suffix == ".xls"):
            return _read_xls(path)
        if kind == "text" or suffix in (".csv", ".txt"):
            return [_read_csv(path)]  # a text table, whatever it is called
    except BadInput:
        raise
    except (zipfile.BadZipFile, KeyError, EOFError, IndexError) as exc:
        # The reader's own words ("File is not a zip file") tell a clerk nothing more; the log keeps them.
        log.info("cannot read %s: %r", path, exc)
        raise BadInput(f"文件 {path.name} 无法读取：不是有效的 {suffix[1:]} 文件，或已损坏、不完整"
                       "（可用 Excel 或 WPS 打开后另存为 .xlsx 再试）") from None
    except (ValueError, TypeError, OSError, AttributeError) as exc:
        raise BadInput(f"文件 {path.name} 无法读取（不是有效的 {suffix[1:]} 文件，或已损坏、不完整）：{_short(exc)}") \
            from None
    except Exception as exc:  # a reader library's own error type (xlrd's, say): the file's fault, in words
        log.info("cannot read %s: %r", path, exc)
        raise BadInput(f"文件 {path.name} 无法读取：文件已损坏，或不是它的扩展名所说的格式"
                       "（可用 Excel 或 WPS 打开后另存为 .xlsx 再试）") from None
    raise BadInput(f"不认识 {path.name} 的格式：请用 .xlsx、.xls 或 .csv")


def _kind_by_content(path: Path) -> str | None:
    """What an Excel file really is, from its first bytes: a renamed file (an .xlsx saved as
    .xls, a web page saved as .xls) is common in files passed between offices."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return None
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # the OLE2 container of .xls
        return "xls"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table")):
        return "html"
    if text.startswith(b"<?xml"):
        return "html" if b"<html" in text else "xml"
    if b"\x00" not in head:
        for encoding in ("utf-8", "gb18030"):
            try:
                sample = head.decode(encoding)
            except UnicodeDecodeError:  # a multi-byte character cut at 512 bytes: try without it
                try:
                    sample = head[:-3].decode(encoding)
                except UnicodeDecodeError:
                    continue
            if any(mark in sample for mark in (",", "\t", "，")):
                return "text"
    return None


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "…"


def _read_xlsx(path: Path) -> list[Grid]:
    from openpyxl import load_workbook

    # Given the open file rather than its name, openpyxl reads an .xlsx saved under another suffix.
    handle = path.open("rb")
    try:
        book = load_workbook(handle, read_only=True, data_only=False)
    except BaseException:
        handle.close()
        raise
    try:
        grids = []
        for sheet in book.worksheets:
            rows: list[list[Any]] = []
            formulas: set[tuple[int, int]] = set()
            filled = 0
            for number, cells in enumerate(sheet.iter_rows(), start=1):
                row = []
                for column, cell in enumerate(cells[:MAX_COLUMNS], start=1):
                    if getattr(cell, "data_type", None) == "f":
                        formulas.add((number, column))  # a formula: its text, not a value we can trust
                    row.append(cell.value)
                if any(v is not None and (not isinstance(v, str) or v.strip()) for v in row):
                    filled = number
                    if number > MAX_ROWS:
                        raise BadInput(f"{path.name} 的工作表“{sheet.title}”超过 {MAX_ROWS:,} 行，请分成几个文件")
                    rows.extend([] for _ in range(number - 1 - len(rows)))  # empty rows kept as empty
                    rows.append(row)
            grid = Grid(path.name, sheet.title, _trimmed(rows[:filled]), formulas,
                        hidden=getattr(sheet, "sheet_state", "visible") != "visible")
            _fill_merged(grid, sheet)
            grids.append(grid)
        return grids
    finally:
        book.close()
        handle.close()


_MERGE_RE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.decode("ascii"):
        number = number * 26 + ord(char) - 64
    return number


def _fill_merged(grid: Grid, sheet: Any) -> None:
    """A value merged over several cells (1组 down three households) belongs to each of them.

    openpyxl's fast reader does not report merged cells, so they are read from the sheet's XML.
    """
    try:
        source = sheet._get_source()  # the worksheet's XML, as openpyxl's own reader gets it
        data = source.read()
        source.close()
    except Exception:  # a reader without it: merged cells stay as Excel stores them
        return
    for match in _MERGE_RE.finditer(data):
        left, top = _column_number(match.group(1)), int(match.group(2))
        right, bottom = _column_number(match.group(3)), int(match.group(4))
        if top > len(grid.rows) or left > MAX_COLUMNS:
            continue
        origin = grid.rows[top - 1]
        value = origin[left - 1] if left <= len(origin) else None
        for number in range(top, min(bottom, len(grid.rows)) + 1):
            row = grid.rows[number - 1]
            for column in range(left, min(right, MAX_COLUMNS) + 1):
                if (number, column) == (top, left):
                    continue
                row.extend([None] * (column - len(row)))
                if row[column - 1] is None:
                    row[column - 1] = value


def _read_xls(path: Path) -> list[Grid]:
    import xlrd

    book = xlrd.open_workbook(str(path), on_demand=True)
    try:
        grids = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.nrows > MAX_ROWS:
                raise BadInput(f"{path.name} 的工作表“{sheet.name}”超过 {MAX_ROWS:,} 行，请分成几个文件")
            rows = []
            for number in range(sheet.nrows):
                row: list[Any] = []
                for cell in sheet.row(number)[:MAX_COLUMNS]:
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                    elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        row.append(None)
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        row.append("#错误")
                    else:
                        row.append(cell.value)
                rows.append(row)
            grids.append(Grid(path.name, sheet.name, _trimmed(rows), hidden=sheet.visibility != 0))
        return grids
    finally:
        book.release_resources()


def _read_csv(path: Path) -> Grid:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise BadInput(f"{path.name} 的文字编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV")
    if "\x00" in text:
        raise BadInput(f"{path.name} 不是文本格式的 CSV 文件")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Any]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        if number > MAX_ROWS:
            raise BadInput(f"{path.name} 超过 {MAX_ROWS:,} 行，请分成几个文件")
        rows.append([cell if cell.strip() else None for cell in row[:MAX_COLUMNS]])
    return Grid(path.name, path.stem, _trimmed(rows))


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows without trailing empty cells, and without trailing empty rows (sheets often carry them)."""
    out = []
    for row in rows:
        while row and (row[-1] is None or (isinstance(row[-1], str) and not row[-1].strip())):
            row = row[:-1]
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def cell_text(value: Any) -> str:
    """A cell as text, for headers and messages."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def column_letter(number: int) -> str:
    """1 → A, 27 → AA: columns as the spreadsheet names them."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
