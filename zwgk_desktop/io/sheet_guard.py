"""What each sheet of a workbook holds, found before python-calamine reads it.

calamine lays a sheet out as one dense block from A1 to the last cell it finds, some 64 bytes a
cell, and aborts the whole process (a Rust out-of-memory, not an exception) when that block does
not fit: one value at XFD1048576 in a 5 KB file is enough. It also reads a formula without a saved
value, and an error cell (#DIV/0!), as an empty cell. So each sheet is scanned here first, in its
own format (the sheet XML of .xlsx, content.xml of .ods, the BIFF records of .xls, the BIFF12
records of .xlsb), for the last row and column that hold a value, the formulas without a saved
value and the error cells; the reader refuses a sheet too big to lay out, and puts the formulas
and errors back where calamine would have left a blank.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any


@dataclass
class SheetScan:
    """One sheet as scanned: its extent and the cells calamine would wrongly read as blank."""

    rows: int = 0  # the last row holding a value (1-based; 0: none)
    columns: int = 0  # the last column holding a value
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → "=..." with no saved value
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → "#DIV/0!"
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # top, left, bottom, right; 1-based
    binary: bool = False  # an .xlsb sheet

    def holds(self, row: int, column: int) -> None:
        self.rows = max(self.rows, row)
        self.columns = max(self.columns, column)


# ---------------------------------------------------------------------------------------------
# .xlsx / .xlsm (transitional and strict): the worksheet XML


_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_FORMULA = re.compile(rb"<" + _PREFIX + rb"f[\s>/]")
_MERGE = re.compile(rb"<" + _PREFIX + rb'mergeCell ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')
_TOKEN = re.compile(rb"<" + _PREFIX + rb"row\b([^>]*?)/?>|<" + _PREFIX + rb"c\b([^>]*?)(?:/>|>(.*?)</" + _PREFIX
                    + rb"c>)", re.S)
_REF = re.compile(rb'\sr="\$?([A-Za-z]{1,3})\$?([0-9]{1,7})"')
_ROW_NUMBER = re.compile(rb'\sr="([0-9]{1,9})"')
_TYPE = re.compile(rb'\st="([a-zA-Z]+)"')
_VALUE = re.compile(rb"<" + _PREFIX + rb"v>([^<]+)</" + _PREFIX + rb"v>")
_FORMULA_TEXT = re.compile(rb"<" + _PREFIX + rb"f\b[^>]*>([^<]*)</" + _PREFIX + rb"f>")
_TEXT = re.compile(rb"<" + _PREFIX + rb"t\b[^>]*>[^<]")


def scan_xlsx_sheet(xml: bytes) -> SheetScan:
    """One worksheet's XML, scanned without parsing it as a tree (a 10,000-row sheet in ~50 ms)."""
    first_merge = xml.find(b"mergeCell ")  # the merges follow the cells: the regex reads only them
    scan = SheetScan(merges=[(int(top), _column_number(left), int(bottom), _column_number(right))
                             for left, top, right, bottom in _MERGE.findall(xml, max(0, first_merge - 40))]
                     if first_merge >= 0 else [])
    if _plain_sheet(xml):
        held = _HOLDING_CELL.findall(xml)  # <c r="J9" s="1"/> is only formatting: no value, not read
        named = xml.count(b'<c r="')
        if len(held) == named or len(held) + len(_EMPTY_CELL.findall(xml)) == named:
            scan.rows = max(map(int, set(map(itemgetter(1), held))), default=0)
            scan.columns = max(map(_column_number, set(map(itemgetter(0), held))), default=0)
            return scan
    _scan_cell_by_cell(xml, scan)
    return scan


# Cells named by position, the first with a value (not closed at once), the second without.
_HOLDING_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"[^>]*(?<!/)>')
_EMPTY_CELL = re.compile(rb'<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"[^>]*/>')


# Marks of a sheet that is not plain: a cell not named by position first (<c>, <c/>, <c s="1" r=…),
# a formula, a prefixed cell or formula (<x:c>, <x:f>). Each regex begins with a literal, which
# the regex engine looks for at memory speed.
_ODD_CELL = re.compile(rb'<c(?![a-zA-Z]| r=")')
_FORMULA_MARK = re.compile(rb"<f[\s>/]")
_PREFIXED = re.compile(rb":[cf][\s>/]")


def _plain_sheet(xml: bytes) -> bool:
    """Whether every cell is named by position, with no formula, no error cell and no prefixed
    element names: what the plain scan of `scan_xlsx_sheet` may read."""
    return not (_ODD_CELL.search(xml) or b't="e"' in xml or _FORMULA_MARK.search(xml) or _PREFIXED.search(xml))


def _scan_cell_by_cell(xml: bytes, scan: SheetScan) -> None:
    """Every row and cell in turn, placed as calamine places them: by `r=` when given, else next
    to the one before."""
    row = column = 0
    for match in _TOKEN.finditer(xml):
        row_attrs, cell_attrs, body = match.groups()
        if row_attrs is not None:
            number = _ROW_NUMBER.search(row_attrs)
            row = int(number.group(1)) if number else row + 1
            column = 0
            continue
        ref = _REF.search(cell_attrs)
        if ref:
            column, row = _column_number(ref.group(1).upper()), int(ref.group(2))
        else:
            column += 1
        if row == 0:
            row = 1  # cells before any <row>: calamine puts them in row 1
        if not body:
            continue  # <c r="J9" s="1"/>: formatting only
        kind = _TYPE.search(cell_attrs)
        value = _VALUE.search(body)
        if _FORMULA.search(body) and not value and not _TEXT.search(body):
            text = _FORMULA_TEXT.search(body)
            scan.formulas[(row, column)] = "=" + (_xml_text(text.group(1)) if text else "…")
        elif kind and kind.group(1) == b"e":
            scan.errors[(row, column)] = _xml_text(value.group(1)) if value else "#错误"
        elif not value and not _TEXT.search(body):
            continue  # an empty cell written out in full
        scan.holds(row, column)


def _xml_text(raw: bytes) -> str:
    from html import unescape  # not xml.sax.saxutils: it imports urllib (40 ms at every start)

    return unescape(raw.decode("utf-8", "replace"))


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.decode("ascii"):
        number = number * 26 + ord(char) - 64
    return number


# ---------------------------------------------------------------------------------------------
# .ods: content.xml

_ODS_TABLE_NS = b"urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def scan_ods(content: bytes) -> dict[str, SheetScan]:
    """Each table of an OpenDocument spreadsheet's content.xml, by name. Rows and cells are
    counted with their repeats (`number-rows-repeated`, `number-columns-repeated`), as calamine
    counts them; a run of repeated empty rows (LibreOffice writes one to the sheet's end) holds
    no value and adds nothing."""
    found = re.search(rb'xmlns:([\w.-]+)="' + re.escape(_ODS_TABLE_NS) + b'"', content)
    table = re.escape(found.group(1) if found else b"table")
    token = re.compile(
        b"<" + table + rb":table((?:\s[^>]*)?)>|</" + table + rb":table>|<"
        + table + rb":table-row((?:\s[^>]*?)?)(/?)>|<"
        + table + rb":(?:covered-)?table-cell\b([^>]*?)(?:/>|>(.*?)</" + table + rb":(?:covered-)?table-cell>)",
        re.S)
    name_of = re.compile(table + rb':name="([^"]*)"')
    rows_repeated = re.compile(table + rb':number-rows-repeated="(\d+)"')
    columns_repeated = re.compile(table + rb':number-columns-repeated="(\d+)"')
    spanned_rows = re.compile(table + rb':number-rows-spanned="(\d+)"')
    spanned_columns = re.compile(table + rb':number-columns-spanned="(\d+)"')
    formula = re.compile(table + rb':formula="([^"]*)"')
    scans: dict[str, SheetScan] = {}
    scan = SheetScan()
    row = 0  # the row the current <table-row> starts at
    repeat = 1  # how many times it stands
    column = 0
    for match in token.finditer(content):
        table_attrs, row_attrs, row_closed, cell_attrs, body = match.groups()
        whole = match.group(0)
        if table_attrs is not None:
            scan, row, repeat, column = SheetScan(), 0, 1, 0
            name = name_of.search(table_attrs)
            scans[_xml_text(name.group(1)) if name else f"Sheet{len(scans) + 1}"] = scan
            continue
        if whole.startswith(b"</"):
            continue
        if row_attrs is not None:
            row += repeat  # the rows before this one, with their repeats
            times = rows_repeated.search(row_attrs)
            repeat = int(times.group(1)) if times else 1
            column = 0
            if row_closed:
                row, repeat = row + repeat - 1, 1
            continue
        times = columns_repeated.search(cell_attrs)
        count = int(times.group(1)) if times else 1
        first = row if row else 1
        has_value = b"office:value-type=" in cell_attrs or b"value-type=" in cell_attrs or bool(
            body and re.search(rb">[^<\s]", body))
        cached = b"value-type=" in cell_attrs
        written = formula.search(cell_attrs)
        if written and not cached:
            scan.formulas[(first, column + 1)] = _xml_text(written.group(1)).removeprefix("of:")
            has_value = True
        if b'calcext:value-type="error"' in cell_attrs:
            text = re.search(rb"<text:p>([^<]*)</text:p>", body or b"")
            scan.errors[(first, column + 1)] = _xml_text(text.group(1)) if text else "#错误"
        across = spanned_columns.search(cell_attrs)
        down = spanned_rows.search(cell_attrs)
        if across or down:
            width = int(across.group(1)) if across else 1
            height = int(down.group(1)) if down else 1
            scan.merges.append((first, column + 1, first + height - 1, column + width))
        if has_value:
            scan.holds(first + repeat - 1, column + count)
        column += count
    return scans


# ---------------------------------------------------------------------------------------------
# .xls (BIFF8 in an OLE2 container, as Excel 97–2003, WPS and LibreOffice write it)

_BIFF_BOF, _BIFF_EOF, _BOUNDSHEET = 0x0809, 0x000A, 0x0085
_BIFF_CELLS = {0x0203, 0x00FD, 0x027E, 0x0204, 0x00D6, 0x0205, 0x0006, 0x0201}  # one cell, row and column first
_BIFF_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column
_MERGEDCELLS = 0x00E5
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A"}


def scan_xls(stream: bytes) -> dict[str, SheetScan]:
    """Each worksheet of an .xls's Workbook stream, by name, from its cell records (a formatted
    blank cell counts: calamine may lay it out). A BIFF8 sheet is at most 65,536 × 256 cells, but
    even that block is a gigabyte to calamine."""
    sheets: list[tuple[int, str]] = []
    offset = 0
    size = len(stream)
    while offset + 4 <= size:  # the workbook globals, up to their EOF
        kind, length = struct.unpack_from("<HH", stream, offset)
        body = stream[offset + 4: offset + 4 + length]
        if kind == _BOUNDSHEET and length >= 8:
            start, _visible, sheet_type, chars, flags = struct.unpack_from("<IBBBB", body)
            raw = body[8:8 + chars * (2 if flags & 1 else 1)]
            name = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
            if sheet_type == 0:
                sheets.append((start, name))
        offset += 4 + length
        if kind == _BIFF_EOF:
            break
    scans = {}
    for start, name in sheets:
        scans[name] = _scan_biff_sheet(stream, start)
    return scans


def _scan_biff_sheet(stream: bytes, offset: int) -> SheetScan:
    scan = SheetScan()
    size = len(stream)
    unpack = struct.unpack_from
    while offset + 4 <= size:
        kind, length = unpack("<HH", stream, offset)
        at = offset + 4
        offset = at + length
        if kind in _BIFF_CELLS and length >= 4:
            row, column = unpack("<HH", stream, at)
            scan.holds(row + 1, column + 1)
            if kind == 0x0205 and length >= 8 and stream[at + 7] == 1:  # BOOLERR holding an error
                scan.errors[(row + 1, column + 1)] = _BIFF_ERRORS.get(stream[at + 6], "#错误")
            elif kind == 0x0006 and length >= 14 and stream[at + 12:at + 14] == b"\xff\xff" and stream[at + 6] == 2:
                scan.errors[(row + 1, column + 1)] = _BIFF_ERRORS.get(stream[at + 8], "#错误")
        elif kind in _BIFF_MULTI and length >= 6:
            row, = unpack("<H", stream, at)
            last, = unpack("<H", stream, at + length - 2)
            scan.holds(row + 1, last + 1)
        elif kind == _MERGEDCELLS and length >= 2:
            count, = unpack("<H", stream, at)
            for index in range(min(count, (length - 2) // 8)):
                top, bottom, left, right = unpack("<HHHH", stream, at + 2 + index * 8)
                scan.merges.append((top + 1, left + 1, bottom + 1, right + 1))
        elif kind == _BIFF_EOF:
            break
    return scan


# ---------------------------------------------------------------------------------------------
# .xlsb (Excel's binary workbook: BIFF12 records in a zip package)

_BRT_ROW, _BRT_MERGE, _BRT_BUNDLE_SHEET = 0x0000, 0x00B0, 0x009C
_BRT_CELLS = range(0x0001, 0x000C)  # BrtCellBlank … BrtFmlaError: column first, then style
_BRT_SHORT_CELLS = range(0x000C, 0x0013)  # BrtShortBlank … BrtShortIsst: the column after the last
_BRT_ERRORS = (0x0003, 0x000B, 0x000E)  # BrtCellError, BrtFmlaError, BrtShortError


def _records(data: bytes) -> Any:
    """Each record of a BIFF12 part: (type, start of its body, length)."""
    offset, size = 0, len(data)
    while offset < size:
        kind, offset = _varint(data, offset, 2)
        length, offset = _varint(data, offset, 4)
        if offset > size:
            return
        yield kind, offset, length
        offset += length


def _varint(data: bytes, offset: int, most: int) -> tuple[int, int]:
    """A BIFF12 number of up to `most` bytes, 7 bits each, low first; and the offset after it."""
    number = shift = 0
    for _ in range(most):
        if offset >= len(data):
            return number, len(data) + 1
        byte = data[offset]
        offset += 1
        number |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return number, offset


def xlsb_sheet_ids(workbook: bytes) -> dict[str, str]:
    """Each sheet's name → its relationship id, from the workbook part's BrtBundleSh records."""
    sheets = {}
    for kind, at, length in _records(workbook):
        if kind == _BRT_BUNDLE_SHEET and length >= 16:
            rel_chars, = struct.unpack_from("<I", workbook, at + 8)
            rel = workbook[at + 12:at + 12 + rel_chars * 2].decode("utf-16-le", "replace")
            name_at = at + 12 + rel_chars * 2
            name_chars, = struct.unpack_from("<I", workbook, name_at)
            sheets[workbook[name_at + 4:name_at + 4 + name_chars * 2].decode("utf-16-le", "replace")] = rel
    return sheets


def scan_xlsb_sheet(data: bytes) -> SheetScan:
    """One worksheet part's records: rows (BrtRowHdr), cells (their column is in the record, or
    the one after the last for the short forms), merges. The stored BrtWsDim is not trusted."""
    scan = SheetScan(binary=True)
    row = column = 0
    unpack = struct.unpack_from
    for kind, at, length in _records(data):
        if kind == _BRT_ROW and length >= 4:
            row, = unpack("<I", data, at)
            row += 1
            column = 0
        elif kind in _BRT_CELLS and length >= 8:
            column, = unpack("<I", data, at)
            column += 1
            scan.holds(max(row, 1), column)
            if kind in _BRT_ERRORS and length >= 9:
                scan.errors[(max(row, 1), column)] = _BIFF_ERRORS.get(data[at + 8], "#错误")
        elif kind in _BRT_SHORT_CELLS:
            column += 1
            scan.holds(max(row, 1), column)
            if kind in _BRT_ERRORS and length >= 5:
                scan.errors[(max(row, 1), column)] = _BIFF_ERRORS.get(data[at + 4], "#错误")
        elif kind == _BRT_MERGE and length >= 16:
            top, bottom, left, right = unpack("<IIII", data, at)
            scan.merges.append((top + 1, left + 1, bottom + 1, right + 1))
    return scan
