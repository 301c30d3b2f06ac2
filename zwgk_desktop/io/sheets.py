"""Reading a spreadsheet (xlsx, xls or CSV in UTF-8 or GBK) into a grid of raw cell values.

Nothing here knows about categories: it only gets the cells out of whatever a clerk or the
county's 三资 platform saved, and refuses a file it cannot read in words that name the file.
"""

from __future__ import annotations

import csv
import errno
import io
import logging
import posixpath
import re
import warnings
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
        with warnings.catch_warnings(record=True) as told:
            # A reader's own warnings ("Workbook contains no default style", "Unknown extension")
            # are about the file's make-up, in English: on stdout or stderr they would break
            # `--json` and puzzle a clerk. The log keeps them.
            warnings.simplefilter("always")
            try:
                if kind == "xlsx" or (kind is None and suffix in (".xlsx", ".xlsm")):
                    return _read_xlsx(path)
                if kind == "xls" or (kind is None and suffix == ".xls"):
                    return _read_xls(path)
                if kind == "text" or suffix in (".csv", ".txt"):
                    return [_read_csv(path)]  # a text table, whatever it is called
            finally:
                for warning in told:
                    log.info("reading %s: %s", path, warning.message)
    except BadInput:
        raise
    except MemoryError:
        raise BadInput(f"文件 {path.name} 太大，这台电脑的内存装不下：请分成几个文件再导入") from None
    except OSError as exc:
        if exc.errno is not None and exc.errno != errno.EINVAL:
            # The reading stopped (a USB stick pulled out, a network drive gone, the file locked):
            # the file itself may well be sound, so it is not called damaged.
            log.info("reading %s stopped: %r", path, exc)
            raise BadInput(f"读取文件 {path.name} 中途出错（{_stopped_because(exc)}），没有导入任何内容："
                           "文件本身不一定有问题，请确认它能打开后再试") from None
        log.info("cannot read %s: %r", path, exc)
        raise BadInput(_unreadable(path, suffix)) from None
    except Exception as exc:
        # A reader's own error (calamine's, xlrd's, "File is not a zip file"): the file's fault,
        # and its words tell a clerk nothing more, in English. The log keeps them. An interrupt
        # (Ctrl-C, KeyboardInterrupt) is not an Exception: it goes on up and is told as 已中断.
        log.info("cannot read %s: %r", path, exc)
        raise BadInput(_unreadable(path, suffix)) from None
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


def _unreadable(path: Path, suffix: str) -> str:
    return (f"文件 {path.name} 无法读取：不是有效的 {suffix or '表格'} 文件，或已损坏、不完整"
            "（可用 Excel 或 WPS 打开后另存为 .xlsx 再试）")


_STOPPED = {errno.EACCES: "没有读取权限，或文件正被别的程序占用", errno.EPERM: "没有读取权限，或文件正被别的程序占用",
            errno.ENOENT: "文件不见了，被移走或删除了？", errno.EIO: "磁盘、U 盘或网络盘读取出错"}


def _stopped_because(exc: OSError) -> str:
    return _STOPPED.get(exc.errno or 0, "系统读取出错")


def _read_xlsx(path: Path) -> list[Grid]:
    """Every worksheet of an .xlsx (or .xlsm), read for the cells that are really there.

    The sheet's stored dimension (`<dimension ref="A1:F4"/>`) is never used: web exporters and
    other tools often leave it stale, and a reader that trusts it (openpyxl's fast mode) drops
    the rows outside it, or pads every row to 16,384 columns when it claims the whole sheet.
    python-calamine reads what the XML holds, about ten times faster than openpyxl. It lays a
    sheet out as one dense block of cells, though, so each sheet's XML is surveyed first
    (`_survey`): a sheet calamine would read wrongly or could not hold in memory (a formula, an
    error cell, cells not named by position, one stray cell far from the table) is read by
    openpyxl instead, cell by cell, also without its dimension.
    """
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    data = path.read_bytes()
    package = zipfile.ZipFile(io.BytesIO(data))
    parts = _worksheet_parts(package)
    careful: Any = None  # openpyxl's reading of the workbook, opened only if a sheet needs it
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        grids = []
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue  # a chart sheet has no cells
            part = parts.get(meta.name)
            survey = _survey(_part(package, part, path)) if part else None
            formulas: set[tuple[int, int]] = set()
            if survey is not None and survey.plain and survey.rows <= MAX_ROWS \
                    and survey.rows * survey.columns <= CELL_BUDGET:
                cells = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
                rows = [[_plain(v) for v in row[:MAX_COLUMNS]] for row in cells]
            else:
                if careful is None:
                    from openpyxl import load_workbook

                    careful = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
                rows, formulas = _read_sheet_carefully(careful[meta.name], path.name)
            grid = Grid(path.name, meta.name, _trimmed(rows), formulas,
                        hidden=meta.visible != SheetVisibleEnum.Visible)
            _fill_merged(grid, survey.merges if survey else [])
            grids.append(grid)
        return grids
    finally:
        book.close()
        if careful is not None:
            careful.close()


# Above this many cells (rows × columns from A1 to the last cell with a value) a sheet is read
# cell by cell: calamine would hold the whole block, 32 bytes a cell, even where it is empty.
CELL_BUDGET = 4_000_000
EXCEL_ROWS = 1_048_576  # the most rows any spreadsheet program writes


@dataclass
class _Survey:
    """What a worksheet's XML holds, found without parsing it (a 10,000-row sheet in ~50 ms)."""

    plain: bool  # every cell named by position, no formula, no error cell, no prefixed names
    rows: int  # the last row with a value, as far as a plain sheet tells
    columns: int
    merges: list[tuple[int, int, int, int]]  # top, left, bottom, right; 1-based


_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s>/]")
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_NAMED_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"[^>]*?(/?)>')
_MERGE_RE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def _survey(xml: bytes) -> _Survey:
    merges = [(int(top), _column_number(left), int(bottom), _column_number(right))
              for left, top, right, bottom in _MERGE_RE.findall(xml)]
    cells = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/")
    plain = (cells == xml.count(b'<c r="') and b't="e"' not in xml and not _FORMULA.search(xml)
             and not _PREFIXED_CELL.search(xml))
    if not plain:
        return _Survey(False, 0, 0, merges)
    named = _NAMED_CELL.findall(xml)
    if len(named) != cells:  # a position calamine and we might not read alike ("a1", "A01"): carefully
        return _Survey(False, 0, 0, merges)
    # A cell written as <c r="J9" s="1"/> is only formatting: it holds no value and is not read.
    letters = {letter for letter, _, closed in named if not closed}
    numbers = {number for _, number, closed in named if not closed}
    rows = max(map(int, numbers), default=0)
    columns = max(map(_column_number, letters), default=0)
    return _Survey(True, rows, columns, merges)


def _plain(value: Any) -> Any:
    """A cell as openpyxl and xlrd give it, whoever read it: an empty cell is None, a whole number
    an int (2 people, not 2.0), a date a datetime at midnight. A cell of spaces is empty: calamine
    drops the spaces around a text unless the file marks them kept (openpyxl keeps them)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def _read_sheet_carefully(sheet: Any, name: str) -> tuple[list[list[Any]], set[tuple[int, int]]]:
    """One worksheet read cell by cell by openpyxl, with its formulas noted, not evaluated."""
    sheet.reset_dimensions()  # the cells that are there, not the range the file claims
    rows: list[list[Any]] = []
    formulas: set[tuple[int, int]] = set()
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        if number > EXCEL_ROWS:
            raise BadInput(f"{name} 的工作表“{sheet.title}”有第 {number:,} 行，超出了任何表格软件的范围："
                           "文件已损坏，或不是表格软件写的（可用 Excel 或 WPS 打开后另存为 .xlsx 再试）")
        row = []
        for column, cell in enumerate(cells[:MAX_COLUMNS], start=1):
            if getattr(cell, "data_type", None) == "f":
                formulas.add((number, column))  # a formula: its text, not a value we can trust
            row.append(_plain(cell.value))
        if any(v is not None and (not isinstance(v, str) or v.strip()) for v in row):
            if number > MAX_ROWS:
                raise BadInput(f"{name} 的工作表“{sheet.title}”第 {number:,} 行还有内容，超过了 {MAX_ROWS:,} 行："
                               "是多余的内容就删去（在 Excel 或 WPS 中按 Ctrl+End 可跳到最后一格），"
                               "名单确实这么长就分成几个文件")
            rows.extend([] for _ in range(number - 1 - len(rows)))  # empty rows kept as empty
            rows.append(row)
    return rows, formulas


_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _worksheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name → the name of its XML part in the package, as the workbook relates them."""
    from xml.etree import ElementTree

    def related(part: str) -> dict[str, str]:
        folder, _, file = part.rpartition("/")
        rels = f"{folder}/_rels/{file}.rels" if folder else f"_rels/{file}.rels"
        found = {}
        for rel in ElementTree.fromstring(package.read(rels)).iter(f"{{{_PACKAGE_REL}}}Relationship"):
            target = rel.get("Target", "")  # absolute in the package, or relative to the part
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[rel.get("Id", "")] = target
            found[rel.get("Type", "").rpartition("/")[2]] = target
        return found

    workbook = related("").get("officeDocument", "xl/workbook.xml")
    targets = related(workbook)
    parts = {}
    for sheet in ElementTree.fromstring(package.read(workbook)).iter():
        if sheet.tag.rpartition("}")[2] == "sheet":
            ids = [v for k, v in sheet.attrib.items() if k.rpartition("}")[2] == "id" and k.startswith("{")]
            if ids and ids[0] in targets:
                parts[sheet.get("name", "")] = targets[ids[0]]
    return parts


# An .xlsx is compressed about tenfold; the XML of one sheet of 200,000 rows is some 150 MB.
MAX_SHEET_XML = 1 << 30


def _part(package: zipfile.ZipFile, name: str, path: Path) -> bytes:
    """One part of the package, refused if it unpacks beyond reason (a zip bomb, or a sheet no
    village writes) before it fills the memory."""
    chunks, size = [], 0
    with package.open(name) as stream:
        while chunk := stream.read(1 << 20):
            size += len(chunk)
            if size > MAX_SHEET_XML:
                raise BadInput(f"{path.name} 的一个工作表解压后超过 {MAX_SHEET_XML >> 20:,} MB，"
                               "不像是一份名单或账目：请检查文件，或分成几个文件")
            chunks.append(chunk)
    return b"".join(chunks)


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.decode("ascii"):
        number = number * 26 + ord(char) - 64
    return number


def _fill_merged(grid: Grid, merges: list[tuple[int, int, int, int]]) -> None:
    """A value merged over several cells (1组 down three households) belongs to each of them:
    the file keeps it in the top left cell only."""
    for top, left, bottom, right in merges:
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

    notes = io.StringIO()  # xlrd writes its notes ("WARNING *** OLE2 inconsistency") to stdout unless told
    try:
        book = xlrd.open_workbook(str(path), on_demand=True, logfile=notes)
    except xlrd.XLRDError as exc:
        log.info("cannot read %s: %r %s", path, exc, notes.getvalue())
        # An .xlsx with a password is kept in the same container as an .xls, its sheets encrypted.
        if "encrypted" in str(exc) or "EncryptedPackage".encode("utf-16-le") in path.read_bytes():
            raise BadInput(f"文件 {path.name} 设了打开密码，无法读取：请在 Excel 或 WPS 中打开，"
                           "去掉密码后另存，再导入") from None
        raise
    if notes.getvalue():
        log.info("reading %s: %s", path, notes.getvalue())
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
