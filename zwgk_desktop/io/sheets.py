"""Reading a spreadsheet (.xlsx, .xlsm, .xls, .ods, strict OOXML, WPS .et, or CSV in UTF-8 or GBK)
into a grid of raw cell values.

Nothing here knows about categories: it only gets the cells out of whatever a clerk or the
county's 三资 platform saved, and refuses a file it cannot read in words that name the file.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import logging
import math
import os
import posixpath
import stat
import threading
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from zwgk_desktop.errors import BadInput
from zwgk_desktop.inputs import readable_file
from zwgk_desktop.io.sheet_guard import SheetScan, scan_ods, scan_xls, scan_xlsb_sheet, scan_xlsx_sheet, xlsb_sheet_ids

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
    errors: set[tuple[int, int]] = field(default_factory=set)  # cells showing an error (CellError)


class CellError(str):
    """What a cell shows instead of a value: #DIV/0!, #N/A, #REF! … (and #NUM! for a number no
    spreadsheet can hold). Kept as its text, so a person is shown what the spreadsheet shows, and
    never imported as a value, in a number column or a text one."""

    __slots__ = ()


# How many non-finite numbers `_plain` has met (as a counter, not a place: it runs a column at a
# time, where the place is not at hand). A sheet that made it move is searched for them once.
_NON_FINITE = [0]


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of the file, in order. A CSV is one sheet."""
    if _ahead and (ahead := _read_ahead(path)) is not None:  # what `prefetch` read of it
        return ahead
    readable_file(path, "表格文件")  # a pipe or a device would hang the import, in the app too
    suffix = path.suffix.lower()
    kind = _kind_by_content(path) if suffix in BOOK_SUFFIXES else None
    if kind == "html":
        raise BadInput(f"文件 {path.name} 实际是网页格式（许多系统这样导出“Excel”）：请用 Excel 或 WPS 打开后"
                       "另存为 .xlsx，再导入")
    if kind == "xml":
        raise BadInput(f"文件 {path.name} 实际是 XML 格式的表格（Excel 2003 XML）：请用 Excel 或 WPS 打开后"
                       "另存为 .xlsx，再导入")
    if suffix in WPS_SUFFIXES and kind not in ("zip", "ole2"):
        raise BadInput(f"文件 {path.name} 是 WPS 表格自己的格式，不是与 Excel 兼容的格式，无法读取：请在 WPS 中"
                       "打开，“另存为”Excel 工作簿（.xlsx），再导入")
    try:
        with warnings.catch_warnings(record=True) as told:
            # A reader's own warnings are about the file's make-up, in English: on stdout or
            # stderr they would break `--json` and puzzle a clerk. The log keeps them.
            warnings.simplefilter("always")
            try:
                if kind in ("zip", "ole2"):
                    return _read_book(path, kind)
                if kind == "text" or suffix in (".csv", ".txt"):
                    return [_read_csv(path)]  # a text table, whatever it is called
                if suffix in BOOK_SUFFIXES:
                    raise BadInput(_unreadable(path, suffix))
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
        # A reader's own error (calamine's, "File is not a zip file"): the file's fault, and its
        # words tell a clerk nothing more, in English. The log keeps them. An interrupt (Ctrl-C,
        # KeyboardInterrupt) is not an Exception: it goes on up and is told as 已中断.
        log.info("cannot read %s: %r", path, exc)
        if suffix in WPS_SUFFIXES:
            raise BadInput(_wps_own_format(path)) from None
        raise BadInput(_unreadable(path, suffix)) from None
    raise BadInput(f"不认识 {path.name} 的格式：请用 .xlsx、.xls、.ods 或 .csv")


# What offices save: Excel (.xlsx, .xlsm with macros, .xlsb binary, .xls 97–2003), LibreOffice
# (.ods), WPS (.et, .ett: in practice an .xls or .xlsx inside, told apart by content).
BOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".xlt", ".xltx", ".xltm", ".ods", ".ots", ".et", ".ett")
WPS_SUFFIXES = (".et", ".ett")


def _kind_by_content(path: Path) -> str | None:
    """What a spreadsheet file really is, from its first bytes: a renamed file (an .xlsx saved as
    .xls, a web page saved as .xls, a WPS .et that is an .xls) is common between offices."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return None
    if head.startswith(b"PK\x03\x04"):
        return "zip"  # .xlsx, .xlsm, .xlsb or .ods: told apart by the parts inside
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # the OLE2 container of .xls
        return "ole2"
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


def _wps_own_format(path: Path) -> str:
    return (f"文件 {path.name} 是 WPS 表格的文件，但不是能读取的 Excel 兼容格式：请在 WPS 中"
            "打开，“另存为”Excel 工作簿（.xlsx），再导入")


def _unreadable(path: Path, suffix: str) -> str:
    return (f"文件 {path.name} 无法读取：不是有效的 {suffix or '表格'} 文件，或已损坏、不完整"
            "（可用 Excel 或 WPS 打开后另存为 .xlsx 再试）")


_STOPPED = {errno.EACCES: "没有读取权限，或文件正被别的程序占用", errno.EPERM: "没有读取权限，或文件正被别的程序占用",
            errno.ENOENT: "文件不见了，被移走或删除了？", errno.EIO: "磁盘、U 盘或网络盘读取出错"}


def _stopped_because(exc: OSError) -> str:
    return _STOPPED.get(exc.errno or 0, "系统读取出错")


# Above this many cells (rows × columns from A1 to the last cell with a value) a sheet is refused:
# calamine holds the whole block, some 64 bytes a cell, even where it is empty (6,000,000 cells:
# ~400 MB). 200,000 rows of 30 columns fit.
CELL_BUDGET = 6_000_000
EXCEL_ROWS = 1_048_576  # the most rows any spreadsheet program writes


def _read_book(path: Path, kind: str) -> list[Grid]:
    """Every worksheet of a workbook, read by python-calamine after its sheets were scanned
    (`sheet_guard`) for what calamine cannot be trusted with: a sheet too big to lay out is
    refused before calamine sees it, and a formula without a saved value or an error cell,
    which calamine reads as blank, is put back in the grid (and a formula noted, to be refused).

    The sheet's stored dimension (`<dimension ref="A1:F4"/>`) is never used: web exporters and
    other tools often leave it stale; calamine reads the cells that are really there."""
    from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

    data = path.read_bytes()
    scans = _scans(path, data, kind)
    if kind == "zip":
        data = _standard_parts(data)
    for name, scan in scans.items():  # before calamine opens the file: it reads an .xls's sheets at once
        _check_extent(path, name, scan)
    copy = None
    if any(s.binary for s in scans.values()):
        import tempfile

        handle, name = tempfile.mkstemp(prefix="zwgk_", suffix=".xlsb")
        os.close(handle)
        copy = Path(name)
    try:
        book = _calamine_book(CalamineWorkbook, data, copy)
    except PasswordError:
        _remove(copy)
        raise BadInput(f"文件 {path.name} 设了打开密码，无法读取：请在 Excel 或 WPS 中打开，"
                       "去掉密码后另存，再导入") from None
    except BaseException:
        _remove(copy)
        raise
    try:
        grids = []
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue  # a chart sheet has no cells
            found = scans.get(meta.name)
            if found is None:  # a sheet the scan did not find: not read blind
                log.info("reading %s: sheet %r not scanned", path, meta.name)
                raise BadInput(_unreadable(path, path.suffix.lower()))
            scan = found
            # calamine's block of the sheet (some 64 bytes a cell) and its cells as Python lists are
            # each let go as soon as the next step has what it needs: never two copies kept.
            cells = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            met = _NON_FINITE[0]
            rows = _plain_rows(cells)
            del cells
            errors = {place for place in scan.errors if place[1] <= MAX_COLUMNS}
            if _NON_FINITE[0] != met:  # rare: a file written by hand holds <v>inf</v> or NaN
                errors |= {(r, c) for r, line in enumerate(rows, 1) for c, v in enumerate(line, 1)
                           if type(v) is CellError}
            for (row, column), text in (scan.errors | scan.formulas).items():
                if column <= MAX_COLUMNS:
                    rows.extend([] for _ in range(row - len(rows)))  # a row calamine saw as empty
                    line = rows[row - 1]
                    line.extend([None] * (column - len(line)))
                    if line[column - 1] is None or (row, column) in scan.formulas:
                        line[column - 1] = text if (row, column) in scan.formulas else CellError(text)
                    elif (row, column) in scan.errors:
                        line[column - 1] = CellError(line[column - 1])
            grid = Grid(path.name, meta.name, _trimmed(rows), set(scan.formulas),
                        hidden=meta.visible != SheetVisibleEnum.Visible, errors=errors)
            _fill_merged(grid, scan.merges)
            grids.append(grid)
        return grids
    finally:
        book.close()
        _remove(copy)


def _remove(copy: Path | None) -> None:
    if copy is not None:
        copy.unlink(missing_ok=True)


def _calamine_book(opener: Any, data: bytes, copy: Path | None) -> Any:
    """calamine's workbook of the file's bytes. calamine tells the formats apart by content,
    except .xlsb, which it opens only by a file's name (from bytes it says "Cannot detect file
    format"): that is given a copy named so, `copy`, removed when the reading is done."""
    if copy is None:
        return opener.from_filelike(io.BytesIO(data))
    copy.write_bytes(data)
    return opener.from_path(str(copy))


def _check_extent(path: Path, sheet: str, scan: SheetScan) -> None:
    """Refuse, in words, a sheet calamine could not lay out (or no village writes)."""
    if scan.rows > EXCEL_ROWS:
        raise BadInput(f"{path.name} 的工作表“{sheet}”有第 {scan.rows:,} 行，超出了任何表格软件的范围："
                       "文件已损坏，或不是表格软件写的（可用 Excel 或 WPS 打开后另存为 .xlsx 再试）")
    if scan.rows > MAX_ROWS:
        raise BadInput(f"{path.name} 的工作表“{sheet}”第 {scan.rows:,} 行还有内容，超过了 {MAX_ROWS:,} 行："
                       "是多余的内容就删去（在 Excel 或 WPS 中按 Ctrl+End 可跳到最后一格），"
                       "名单确实这么长就分成几个文件")
    if scan.rows * scan.columns > CELL_BUDGET:
        raise BadInput(f"{path.name} 的工作表“{sheet}”的内容一直到第 {scan.rows:,} 行、{column_letter(scan.columns)}列"
                       f"（第 {scan.columns:,} 列），整张表有 {scan.rows * scan.columns:,} 格，太大读不下："
                       "远处有多余的内容就删去（在 Excel 或 WPS 中按 Ctrl+End 可跳到最后一格），再导入")


def _scans(path: Path, data: bytes, kind: str) -> dict[str, SheetScan]:
    """Each sheet's scan, by name, in the file's own format."""
    if kind == "ole2":
        return _scan_ole2(path, data)
    package = zipfile.ZipFile(io.BytesIO(data))
    names = set(package.namelist())
    if "content.xml" in names and b"opendocument.spreadsheet" in _mimetype(package):
        return scan_ods(_part(package, "content.xml", path))
    parts = _worksheet_parts(package)
    return {name: (scan_xlsb_sheet if part.endswith(".bin") else scan_xlsx_sheet)(_part(package, part, path))
            for name, part in parts.items() if part in names}


def _standard_parts(data: bytes) -> bytes:
    """The package with its workbook where calamine looks for it (xl/workbook.xml, its sheets under
    xl/worksheets/): some JavaScript exporters name the parts their own way, which the standard
    allows (the relationships say where each part is) and calamine does not."""
    from xml.etree import ElementTree

    package = zipfile.ZipFile(io.BytesIO(data))
    names = set(package.namelist())
    if names & {"xl/workbook.xml", "xl/workbook.bin", "content.xml"}:
        return data
    try:
        workbook = next(r.get("Target", "").lstrip("/") for r in ElementTree.fromstring(package.read("_rels/.rels"))
                        if r.get("Type", "").endswith("/officeDocument"))
    except (KeyError, StopIteration, ElementTree.ParseError):
        return data
    folder, _, file = workbook.rpartition("/")
    rels_name = f"{folder}/_rels/{file}.rels" if folder else f"_rels/{file}.rels"
    if workbook not in names or rels_name not in names:
        return data
    rels = ElementTree.fromstring(package.read(rels_name))
    moved = {workbook: "xl/workbook.xml", rels_name: "xl/_rels/workbook.xml.rels"}
    for number, rel in enumerate(rels, start=1):
        target = rel.get("Target", "")
        part = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        if part in names and part not in moved:
            kind = "worksheets" if rel.get("Type", "").endswith("/worksheet") else "parts"
            moved[part] = f"xl/{kind}/{number}_{posixpath.basename(part)}"
            rel.set("Target", moved[part].removeprefix("xl/"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as standard:
        for name in names:
            if name == rels_name:
                standard.writestr(moved[name], ElementTree.tostring(rels))
            elif name not in ("_rels/.rels", "[Content_Types].xml"):
                standard.writestr(moved.get(name, name), package.read(name))
        standard.writestr("_rels/.rels", package.read("_rels/.rels").replace(workbook.encode(), b"xl/workbook.xml"))
        content_types = package.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
        for old, new in moved.items():
            content_types = content_types.replace(f'"/{old}"'.encode(), f'"/{new}"'.encode())
        standard.writestr("[Content_Types].xml", content_types)
    return out.getvalue()


def _mimetype(package: zipfile.ZipFile) -> bytes:
    try:
        return package.read("mimetype")[:200]
    except KeyError:
        return b""


def _scan_ole2(path: Path, data: bytes) -> dict[str, SheetScan]:
    """An .xls (or a WPS .et holding one): its Workbook stream's records."""
    from xlrd.compdoc import CompDoc, CompDocError

    notes = io.StringIO()  # the container reader writes its notes to stdout unless told
    try:
        container = CompDoc(data, logfile=notes)
        stream = container.get_named_stream("Workbook") or container.get_named_stream("Book")
    except CompDocError as exc:
        log.info("cannot read %s: %r %s", path, exc, notes.getvalue())
        raise
    if stream is None:
        # An .xlsx with a password is kept in the same container as an .xls, its sheets encrypted.
        if container.get_named_stream("EncryptedPackage") is not None:
            raise BadInput(f"文件 {path.name} 设了打开密码，无法读取：请在 Excel 或 WPS 中打开，"
                           "去掉密码后另存，再导入")
        if path.suffix.lower() in WPS_SUFFIXES:  # a WPS file in the same container, its own streams inside
            raise BadInput(_wps_own_format(path))
        raise BadInput(_unreadable(path, path.suffix.lower()))
    return scan_xls(stream)


def _plain_rows(cells: list[list[Any]]) -> list[list[Any]]:
    """The sheet's cells as `_plain` gives each (up to MAX_COLUMNS a row), a column at a time (a
    column of a list holds one kind of cell: `_plain_column` takes most of it at C speed)."""
    if any(len(row) > MAX_COLUMNS for row in cells):
        cells = [row[:MAX_COLUMNS] for row in cells]
    width = len(cells[0]) if cells else 0
    if not width or any(len(row) != width for row in cells):  # calamine's rows are all as wide
        return [[_plain_cell(v) for v in row] for row in cells]
    return list(map(list, zip(*map(_plain_column, zip(*cells, strict=True)), strict=True)))


def _plain_column(column: tuple[Any, ...]) -> list[Any]:
    """A column in runs of 256 cells (its title and header lines differ from the rest): a run of
    texts none of them all spaces, of empty cells, or of whole numbers only, in one step; any
    other cell by cell."""
    plain: list[Any] = []
    for start in range(0, len(column), 256):
        run = column[start:start + 256]
        kinds = set(map(type, run))
        if kinds == {str} and all(map(str.strip, run)):
            plain += run  # every text holds more than spaces
        elif kinds == {str} and not any(map(str.strip, run)):
            plain += [None] * len(run)  # an empty column: calamine gives "" for each cell
        elif kinds == {float} and all(map(float.is_integer, run)):
            plain += map(int, run)
        else:
            plain += map(_plain_cell, run)
    return plain


def _plain_cell(value: Any) -> Any:
    return value if type(value) is str and value.strip() else _plain(value)


def _plain(value: Any) -> Any:
    """A cell as the importer takes it, whatever the format: an empty cell is None, a number as
    the spreadsheet shows it (15 significant digits, as Excel keeps them: a sum of two amounts,
    99999999999.98999, is 99999999999.99), a whole number an int (2 people, not 2.0), a date a
    datetime at midnight. A cell of spaces is empty. A number no spreadsheet can hold (infinite, not a
    number: only a file written by hand holds one) is the error Excel shows for it, `#NUM!`, which
    no number field takes."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if type(value) is float:
        if not math.isfinite(value):  # <v>inf</v>, NaN: no spreadsheet program holds one; shown as it shows them
            _NON_FINITE[0] += 1
            return CellError("#NUM!")
        if value.is_integer():
            return int(value)
        value = float(f"{value:.15g}")
        if value.is_integer():
            return int(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _worksheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name → the name of its part in the package, as the workbook relates them
    (a JavaScript exporter's part names are its own; strict OOXML's namespaces differ)."""
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
    if workbook.endswith(".bin"):  # .xlsb: the workbook part is records, not XML
        bundled = xlsb_sheet_ids(package.read(workbook))
        return {name: targets[rel] for name, rel in bundled.items() if rel in targets}
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


def _fill_merged(grid: Grid, merges: list[tuple[int, int, int, int]]) -> None:
    """A value merged over several cells (1组 down three households) belongs to each of them:
    the file keeps it in the top left cell only. A merge over cells that hold values of their own
    (a title's merge stretched over the whole sheet) is not what the spreadsheet shows (it shows
    those values) and is left alone; a merge reaching past the table fills only what it has."""
    for top, left, bottom, right in merges:
        if top > len(grid.rows) or left > MAX_COLUMNS:
            continue
        origin = grid.rows[top - 1]
        value = origin[left - 1] if left <= len(origin) else None
        if value is None:
            continue
        under = (row[left - 1 if number > top else left:right] for number, row in
                 enumerate(grid.rows[top - 1:bottom], start=top))
        if any(cell is not None for cells in under for cell in cells):
            continue
        for number in range(top, min(bottom, len(grid.rows)) + 1):
            row = grid.rows[number - 1]
            for column in range(left, min(right, MAX_COLUMNS) + 1):
                if (number, column) == (top, left):
                    continue
                row.extend([None] * (column - len(row)))
                if row[column - 1] is None:
                    row[column - 1] = value


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
    """Rows without trailing empty cells, and without trailing empty rows (sheets often carry them).
    The rows are the reader's own lists: trimmed where they are, not copied."""
    for row in rows:
        while row and (row[-1] is None or (isinstance(row[-1], str) and not row[-1].strip())):
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


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


# ---------------------------------------------------------------------------------------------
# Reading ahead: `zwgk import` starts reading its file before it loads the database machinery.
#
# Where the system can fork, the reading runs in a child process: reading a sheet is mostly
# Python (the scan for formulas, the conversion of each cell), and in a thread it would take the
# interpreter from the imports beside it (measured: it made the imports slower by about what it
# saved), while a child reads on the other core and hands its grids over, pickled, in a few
# hundredths of a second. Elsewhere (Windows), or with other threads running (a fork copies only
# the one calling), it is a thread, which still overlaps calamine's own parsing.


@dataclass
class _Ahead:
    """A reading of one file begun ahead: in a child process (`pid`, its pipe `pipe`) or a thread."""

    stamp: tuple[int, int]  # the file's (size, mtime_ns) when the reading began
    thread: threading.Thread | None = None
    pid: int | None = None
    pipe: int | None = None
    grids: list[Grid] | None = None
    error: BaseException | None = None

    def in_thread(self, path: Path) -> None:
        self.thread = threading.Thread(target=self._read, args=(path,), name=f"prefetch {path.name}", daemon=True)
        self.thread.start()

    def _read(self, path: Path) -> None:
        try:
            self.grids = read_grids(path)
        except BaseException as exc:  # kept, and raised where read_grids is asked, as it would be there
            self.error = exc

    def in_child(self, path: Path) -> None:
        import pickle
        import signal

        readable, writable = os.pipe()
        pid = os.fork()
        if pid:
            os.close(writable)
            self.pid, self.pipe = pid, readable
            return
        code = 0
        try:  # the child: read, hand the grids (or the refusal) over, and end, running nothing of the parent's
            os.close(readable)
            for name in ("SIGINT", "SIGTERM", "SIGHUP"):  # an interrupt ends it; the parent says so
                if hasattr(signal, name):
                    signal.signal(getattr(signal, name), signal.SIG_DFL)
            _ahead.clear()
            self._read(path)
            try:
                data = pickle.dumps((self.grids, self.error), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # an error that cannot be pickled: the parent reads the file itself
                data = b""
            with os.fdopen(writable, "wb") as out:
                out.write(data)
        except BaseException:
            code = 1
        finally:
            os._exit(code)

    def result(self) -> list[Grid] | None:
        """The grids read, raising what the reading raised; None if the child handed nothing over
        (it died, or was killed): then the file is read here, as it would have been."""
        if self.thread is not None:
            self.thread.join()
        elif self.pipe is not None and self.pid is not None:
            import pickle

            with os.fdopen(self.pipe, "rb") as handed:
                data = handed.read()
            os.waitpid(self.pid, 0)
            try:
                self.grids, self.error = pickle.loads(data) if data else (None, None)
            except Exception:
                log.info("reading ahead of a spreadsheet handed over nothing usable", exc_info=True)
                return None
        if self.error is not None:
            raise self.error
        return self.grids


_ahead: dict[Path, _Ahead] = {}


def _stamp(path: Path) -> tuple[Path, tuple[int, int], bool] | None:
    try:
        resolved = path.resolve()
        found = resolved.stat()
    except (OSError, RuntimeError):  # RuntimeError: a loop of symbolic links
        return None
    return resolved, (found.st_size, found.st_mtime_ns), stat.S_ISREG(found.st_mode)


def _forking() -> bool:
    """Whether the reading ahead may be a child process: a fork copies only the calling thread."""
    return hasattr(os, "fork") and threading.active_count() == 1


def _idle_core() -> bool:
    """Whether a core is free to read on: on a machine already busy with as much work as it has
    cores, the reading ahead only takes time from the imports beside it (measured: at a load of 5
    on 2 cores, `zwgk import` took longer with it than without)."""
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows has no load average: assume the usual idle desktop
        return True
    return busy <= (os.cpu_count() or 1) - 1


def prefetch(path: Path) -> None:
    """Begin `read_grids(path)` beside whatever the caller does next (see above), if a core is
    free for it. The next
    `read_grids` of the same, unchanged file takes its result, or raises its error, as if it had
    read the file then; a file changed since (size or modification time) is read again. Not a
    regular file (missing, a folder, a pipe): nothing is begun, and `read_grids` says why."""
    stamped = _stamp(path)
    if stamped is None or not stamped[2] or not _idle_core():
        return
    resolved, when, _ = stamped
    ahead = _Ahead(when)
    _ahead[resolved] = ahead  # before a thread starts, so its own read_grids finds it and reads
    try:
        if _forking():
            ahead.in_child(path)
        else:
            ahead.in_thread(path)
    except (OSError, RuntimeError):  # no process or thread to be had: read when asked, as ever
        log.info("cannot read %s ahead", path, exc_info=True)
        del _ahead[resolved]


def _read_ahead(path: Path) -> list[Grid] | None:
    """What `prefetch` read of this file, if the file is unchanged since (taken: each is used
    once); None when there is none, in the reading thread itself, or for a changed file."""
    stamped = _stamp(path)
    if stamped is None:
        return None
    resolved, when, _ = stamped
    ahead = _ahead.get(resolved)
    if ahead is None or (ahead.thread is not None and ahead.thread is threading.current_thread()):
        return None
    del _ahead[resolved]
    if ahead.stamp != when:  # changed since: the old reading is let end (a child reaped), the file read anew
        with contextlib.suppress(Exception):
            ahead.result()
        return None
    return ahead.result()
