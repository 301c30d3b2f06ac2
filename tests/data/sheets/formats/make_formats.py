"""Make the corpus of spreadsheet formats in tests/data/sheets/formats/ (committed; run again after
changing it: `.venv/bin/python tests/data/sheets/formats/make_formats.py`; needs LibreOffice).

A 低保 roster, a finance ledger and a bid record, each written once with openpyxl (a title merged
over the table, a group merged down its households, amounts with float artefacts and as text,
formulas) and saved by LibreOffice headless as .xlsx, .xls and .ods: LibreOffice computes the
formulas and saves their values, as Excel and WPS do. Then the shapes other programs leave:

- strict OOXML: LibreOffice cannot write it, so it is LibreOffice's .xlsx with its namespaces
  moved to strict's (http://purl.oclc.org/ooxml/...) and `conformance="strict"`, which is what
  distinguishes a file Excel saves as "Strict Open XML";
- a stale dimension (A1:C3 on a 15-row sheet), and one claiming the whole grid;
- a JavaScript exporter's .xlsx (SheetJS-style): inline strings, no styles part, no dimension, no
  cell positions, its own part names;
- WPS .et files: one that is an .xls inside (WPS saves so when asked for Excel compatibility), one
  that is an .xlsx inside, one that is neither;
- files built to hit the reader's failure modes: formulas without saved values (as openpyxl
  writes them, in .xlsx, and an .ods with the value taken out), a value far away (XFD1048576 in
  .xlsx and .ods, IV65536 in .xls), a formula whose saved value is an error (#DIV/0!), refused;
  a title's merge stretched over the whole sheet, read;
- .xlsb: no program here writes one (LibreOffice only reads it), so the roster is also written
  as Excel's binary workbook by hand, record by record as MS-XLSB specifies (BrtBundleSh,
  BrtRowHdr, BrtCellSt, BrtCellReal, BrtMergeCell, and a BrtWsDim that tells the truth, or lies
  for the far cell); calamine reads it, which is the check that it is one. Excel's own .xlsb
  files carry more parts (styles, shared strings), which calamine reads too but were not tried.

Each file has a sidecar NAME.expect.json: the category, the period, what `--set` gives, the row
count and the first and last row's fields as stored (amounts in 分, dates ISO), or the
words of the refusal.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
PERIOD = "2026Q3"
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


# ---------------------------------------------------------------------------------------------
# The three documents: rows as written, and the fields the import must store


def roster() -> tuple[list[list[Any]], list[dict[str, Any]], list[str]]:
    """15 households in three groups (the group cell merged down its households)."""
    names = ["王建国", "李秀英", "张卫东", "刘桂兰", "陈志强", "杨玉珍", "赵国庆", "黄淑芬", "周德胜", "吴凤英",
             "徐长江", "孙丽华", "马春生", "朱秀兰", "胡振华"]
    amounts: list[Any] = [1120.5, 560, 0.1 + 0.2 + 330, "1,200.50", 840.25, 1040, 999999.99, 33.3, 720, "1.2万",
                          615.8, 1120.5, 480, 3.3000000000000003, 1680]
    fen = [112050, 56000, 33030, 120050, 84025, 104000, 99999999, 3330, 72000, 1200000, 61580, 112050, 48000, 330,
           168000]
    rows: list[list[Any]] = []
    stored = []
    for n, name in enumerate(names):
        group = f"{n // 5 + 1}组"
        ident = id_number(f"4101221960{n % 12 + 1:02d}{n % 28 + 1:02d}{n:02d}1")
        kind = "特困供养" if n % 4 == 3 else "农村低保"
        size = n % 4 + 1
        rows.append([group if n % 5 == 0 else None, name, ident, size, kind, amounts[n]])
        stored.append({"group": group, "head_name": name, "id_number": ident, "household_size": size, "kind": kind,
                       "monthly_amount": fen[n]})
    return rows, stored, ["村民小组", "户主姓名", "身份证号", "保障人口", "救助类别", "月保障金额（元）"]


def ledger() -> tuple[list[list[Any]], list[dict[str, Any]], list[str]]:
    """12 lines of a quarter's cash book; one 支出 is a formula (=1200*3), 余额 is all formulas."""
    lines: list[tuple[date, str, str, Any, Any, int, int]] = [
        (date(2026, 7, 1), "记-001", "收到上级转移支付", 185000, None, 18500000, 0),
        (date(2026, 7, 3), "记-002", "支付7月村干部基本报酬", None, 15079.8, 0, 1507980),
        (date(2026, 7, 8), "记-003", "购买办公用品", None, "=1200*3", 0, 360000),
        (date(2026, 7, 15), "记-004", "收到村集体鱼塘承包费", "32,000.00", None, 3200000, 0),
        (date(2026, 7, 20), "记-005", "村道路灯维修", None, 0.1 + 0.2 + 4500, 0, 450030),
        (date(2026, 8, 2), "记-006", "支付8月村干部基本报酬", None, 15079.8, 0, 1507980),
        (date(2026, 8, 10), "记-007", "水渠清淤工程款", None, 68400, 0, 6840000),
        (date(2026, 8, 21), "记-008", "收到土地租金", 12600.5, None, 1260050, 0),
        (date(2026, 9, 1), "记-009", "支付9月村干部基本报酬", None, 15079.8, 0, 1507980),
        (date(2026, 9, 9), "记-010", "慰问困难群众", None, 8800, 0, 880000),
        (date(2026, 9, 18), "记-011", "收到保洁补助", 6000, None, 600000, 0),
        (date(2026, 9, 30), "记-012", "支付电费", None, 1234.56, 0, 123456),
    ]
    rows: list[list[Any]] = []
    stored = []
    for n, (day, voucher, summary, income, expense, income_fen, expense_fen) in enumerate(lines):
        sheet_row = n + 3  # a title, the header, then the lines
        balance = f"=D{sheet_row}-E{sheet_row}" if n == 0 else f"=F{sheet_row - 1}+D{sheet_row}-E{sheet_row}"
        rows.append([day, voucher, summary, income, expense, balance])
        line: dict[str, Any] = {"date": day.isoformat(), "voucher": voucher, "summary": summary}
        line["income" if income_fen else "expense"] = income_fen or expense_fen
        stored.append(line)
    return rows, stored, ["日期", "凭证号", "摘要", "收入（元）", "支出（元）", "余额"]


def bids() -> tuple[list[list[Any]], list[dict[str, Any]], list[str]]:
    rows: list[list[Any]] = [["宏达建筑工程有限公司", 986000, 1], ["鑫源市政工程有限公司", "1,012,500.00", 2],
                             ["中原路桥建设有限公司", 1.0355e6, 3], ["豫兴建设集团有限公司", "104.8万", 4]]
    stored = [{"bidder": r[0], "price": p, "rank": r[2]} for r, p in zip(rows, [98600000, 101250000, 103550000,
                                                                              104800000], strict=True)]
    return rows, stored, ["投标单位", "投标报价（元）", "排名"]


DOCUMENTS = {"roster": ("assistance", "东岗村2026年第三季度低保名单", roster),
             "ledger": ("finance", "东岗村2026年第三季度财务收支明细", ledger),
             "bids": ("bids", "东岗村村道硬化工程投标记录", bids)}


def source(path: Path, title: str, header: list[str], rows: list[list[Any]], *, far: str | None = None) -> Path:
    """The document as openpyxl writes it: a merged title, the header, the rows, each group's
    cell merged down its households."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "明细"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if header[0] == "村民小组":
        for first in range(3, 3 + len(rows), 5):
            sheet.merge_cells(start_row=first, start_column=1, end_row=min(first + 4, 2 + len(rows)), end_column=1)
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    if far:
        sheet[far] = "备用"
    book.save(path)
    return path


def libreoffice(source_path: Path, target: str, out: Path, profile: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice (soffice) is needed: apt-get install libreoffice-calc-nogui")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", target,
                    "--outdir", str(out), str(source_path)], check=True, capture_output=True, timeout=300)
    return out / f"{source_path.stem}.{target.split(':')[0]}"


_STRICT = [(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
           (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
           (b"http://schemas.openxmlformats.org/drawingml/2006/main", b"http://purl.oclc.org/ooxml/drawingml/main")]


def rewritten(source_path: Path, target: Path, change: Any) -> Path:
    """The same package with each part passed through `change(name, data)`."""
    with zipfile.ZipFile(source_path) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for entry in old.infolist():
            new.writestr(entry, change(entry.filename, old.read(entry)))
    return target


def strict(name: str, data: bytes) -> bytes:
    for transitional, strict_ns in _STRICT:
        data = data.replace(transitional, strict_ns)
    if name == "xl/workbook.xml":
        data = data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
    return data


def dimension(ref: str) -> Any:
    def change(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            data = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), data)
        return data
    return change


def merge_whole(name: str, data: bytes) -> bytes:
    """The title's merge stretched over the whole sheet, A1:XFD1048576."""
    if name == "xl/worksheets/sheet1.xml":
        data, count = re.subn(rb'<mergeCell ref="A1:[A-Z]+1"/>', b'<mergeCell ref="A1:XFD1048576"/>', data)
        assert count == 1, "the title's merge"
    return data


def uncached_ods_formula(name: str, data: bytes) -> bytes:
    """content.xml with the saved value of the formula cell (=1200*3) taken out."""
    if name != "content.xml":
        return data
    cell = re.search(rb'<table:table-cell table:formula="of:=1200\*3"[^>]*>.*?</table:table-cell>', data, re.S)
    assert cell, "the formula cell of the ledger"
    return data.replace(cell.group(0), b'<table:table-cell table:formula="of:=1200*3"/>')


REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def package(path: Path, types: list[str], workbook: str, parts: dict[str, bytes]) -> None:
    """A package holding `parts`: the workbook part and one worksheet, related to each other."""
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    folder, _, name = workbook.rpartition("/")
    sheet = next(p for p in parts if p != workbook).removeprefix(folder + "/")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>' + "".join(types) + "</Types>"))
        out.writestr("_rels/.rels", f'<Relationships xmlns="{pkg}"><Relationship Id="r1" '
                     f'Type="{REL}/officeDocument" Target="{workbook}"/></Relationships>')
        out.writestr(f"{folder}/_rels/{name}.rels", f'<Relationships xmlns="{pkg}"><Relationship Id="s0" '
                     f'Type="{REL}/worksheet" Target="{sheet}"/></Relationships>')
        for part, data in parts.items():
            out.writestr(part, data)


def js_exported(path: Path, header: list[str], rows: list[list[Any]], title: str) -> Path:
    """An .xlsx as a JavaScript exporter writes it: inline strings, no styles, no dimension, no
    cell positions, dates as ISO text, parts under its own names."""
    from xml.sax.saxutils import escape

    body = []
    for row in [[title], header, *rows]:
        cells = []
        for value in row:
            if value is None:
                cells.append("<c/>")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(f"<c><v>{value!r}</v></c>")
            else:
                text = value.isoformat() if isinstance(value, date) else str(value)
                cells.append(f'<c t="inlineStr"><is><t>{escape(text)}</t></is></c>')
        body.append(f"<row>{''.join(cells)}</row>")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    kinds = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    package(path, [f'<Override PartName="/book/wb.xml" ContentType="{kinds}.sheet.main+xml"/>',
                   f'<Override PartName="/book/tabs/tab_0.xml" ContentType="{kinds}.worksheet+xml"/>'],
            "book/wb.xml", {"book/wb.xml": f'<workbook xmlns="{main}" xmlns:r="{REL}"><sheets>'
                                           '<sheet name="明细" sheetId="1" r:id="s0"/></sheets></workbook>'.encode(),
                            "book/tabs/tab_0.xml": f'<worksheet xmlns="{main}"><sheetData>{"".join(body)}'
                                                   "</sheetData></worksheet>".encode()})
    return path


def _varint(number: int) -> bytes:
    out = b""
    while True:
        byte, number = number & 0x7F, number >> 7
        if not number:
            return out + bytes([byte])
        out += bytes([byte | 0x80])


def _record(kind: int, body: bytes = b"") -> bytes:
    return _varint(kind) + _varint(len(body)) + body


def _wide(text: str) -> bytes:
    raw = text.encode("utf-16-le")
    return struct.pack("<I", len(raw) // 2) + raw


def xlsb(path: Path, title: str, header: list[str], rows: list[list[Any]], *, far: tuple[int, int] | None = None,
         merges: list[tuple[int, int, int, int]] = ()) -> Path:  # type: ignore[assignment]
    """An .xlsb, record by record (MS-XLSB): the title, the header and the rows from row 1;
    `far`, one more value at (row, column), 0-based, with the dimension left as the table's."""
    grid = [[title], header, *rows]
    body = b""
    for number, row in enumerate(grid):
        body += _record(0x0000, struct.pack("<IIHHBI", number, 0, 300, 0, 0, 0))  # BrtRowHdr
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                body += _record(0x0006, struct.pack("<II", column, 0) + _wide(value))  # BrtCellSt
            else:
                body += _record(0x0005, struct.pack("<IId", column, 0, float(value)))  # BrtCellReal
    if far:
        body += _record(0x0000, struct.pack("<IIHHBI", far[0], 0, 300, 0, 0, 0))
        body += _record(0x0005, struct.pack("<IId", far[1], 0, 1.0))
    merged = b"".join(_record(0x00B0, struct.pack("<IIII", top, bottom, left, right))
                      for top, left, bottom, right in merges)
    sheet = (_record(0x0081) + _record(0x0094, struct.pack("<IIII", 0, len(grid) - 1, 0, len(header) - 1))
             + _record(0x0091) + body + _record(0x0092)
             + (_record(0x00B1, struct.pack("<I", len(merges))) + merged + _record(0x00B2) if merges else b"")
             + _record(0x0082))
    bundle = _record(0x009C, struct.pack("<II", 0, 1) + _wide("s0") + _wide("明细"))  # BrtBundleSh
    book = _record(0x0083) + _record(0x008F) + bundle + _record(0x0090) + _record(0x0084)
    package(path, ['<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>',
                   '<Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/>'],
            "xl/workbook.bin", {"xl/workbook.bin": book, "xl/worksheets/sheet1.bin": sheet})
    return path


def expect(path: Path, category: str, **facts: Any) -> None:
    sidecar = path.parent / f"{path.name}.expect.json"
    sidecar.write_text(json.dumps({"category": category, "period": PERIOD, **facts}, ensure_ascii=False, indent=1)
                       + "\n", encoding="utf-8")


def imports(path: Path, category: str, stored: list[dict[str, Any]]) -> None:
    expect(path, category, set={}, rows=len(stored), first=stored[0], last=stored[-1])


def main() -> None:
    for old in HERE.iterdir():
        if old.name != Path(__file__).name:
            old.unlink()
    with tempfile.TemporaryDirectory(prefix="zwgk_formats_") as folder:
        work = Path(folder)
        profile = work / "profile"
        for stem, (category, title, document) in DOCUMENTS.items():
            rows, stored, header = document()
            written = source(work / f"{stem}.xlsx", title, header, rows)
            out = work / stem
            for target, name in (("xlsx", f"{stem}_libreoffice.xlsx"), ("xls", f"{stem}_libreoffice.xls"),
                                 ("ods", f"{stem}_libreoffice.ods")):
                made = HERE / name
                shutil.copy(libreoffice(written, target, out, profile), made)
                imports(made, category, stored)
            made = rewritten(HERE / f"{stem}_libreoffice.xlsx", HERE / f"{stem}_strict.xlsx", strict)
            imports(made, category, stored)
            if stem == "roster":
                for ref, name in (("A1:C3", "roster_stale_dimension.xlsx"),
                                  ("A1:XFD1048576", "roster_claims_whole_grid.xlsx")):
                    imports(rewritten(HERE / "roster_libreoffice.xlsx", HERE / name, dimension(ref)), category,
                            stored)
                every_group = [[s["group"], *row[1:]] for s, row in zip(stored, rows, strict=True)]  # no merges
                imports(js_exported(HERE / "roster_js_export.xlsx", header, every_group, title), category, stored)
                groups = [(2 + first, 0, 2 + min(first + 4, len(rows) - 1), 0) for first in range(0, len(rows), 5)]
                imports(xlsb(HERE / "roster_by_hand.xlsb", title, header, rows, merges=groups), category, stored)
                made = xlsb(HERE / "roster_far_cell.xlsb", title, header, rows, far=(1_048_575, 16_383))
                expect(made, category, refused=["roster_far_cell.xlsb", "第 1,048,576 行还有内容"])
                shutil.copy(HERE / "roster_libreoffice.xls", HERE / "roster_wps_xls_inside.et")
                imports(HERE / "roster_wps_xls_inside.et", category, stored)
                shutil.copy(HERE / "roster_libreoffice.xlsx", HERE / "roster_wps_xlsx_inside.et")
                imports(HERE / "roster_wps_xlsx_inside.et", category, stored)
                other = HERE / "roster_wps_own_format.et"
                other.write_bytes(b"\x09\x08\x10\x00ET-WPS\x00" + bytes(range(256)) * 8)
                expect(other, category, refused=["roster_wps_own_format.et", "WPS", "另存为"])
                # Files built to hit the reader's failure modes.
                far_source = source(work / "far.xlsx", title, header, rows, far="XFD1048576")
                shutil.copy(far_source, HERE / "roster_far_cell.xlsx")
                expect(HERE / "roster_far_cell.xlsx", category,
                       refused=["roster_far_cell.xlsx", "第 1,048,576 行还有内容"])
                made = HERE / "roster_far_cell.ods"
                shutil.copy(libreoffice(far_source, "ods", work / "far", profile), made)
                expect(made, category, refused=["roster_far_cell.ods", "第 1,048,576 行还有内容"])
                far_xls = source(work / "farxls.xlsx", title, header, rows, far="IV65536")
                made = HERE / "roster_far_cell.xls"
                shutil.copy(libreoffice(far_xls, "xls", work / "farxls", profile), made)
                expect(made, category, refused=["roster_far_cell.xls", "第 65,536 行、IV列", "Ctrl+End"])
                imports(rewritten(HERE / "roster_libreoffice.xlsx", HERE / "roster_merged_whole_sheet.xlsx",
                                  merge_whole), category, stored)
            if stem == "ledger":
                shutil.copy(written, HERE / "ledger_openpyxl_formulas.xlsx")  # formulas, no saved values
                expect(HERE / "ledger_openpyxl_formulas.xlsx", category,
                       refused=["ledger_openpyxl_formulas.xlsx", "第5行", "公式", "=1200*3"])
                rewritten(HERE / "ledger_libreoffice.ods", HERE / "ledger_uncached_formula.ods", uncached_ods_formula)
                broken = [row if n != 4 else [*row[:4], "=1/0", row[5]] for n, row in enumerate(rows)]
                failing = source(work / "ledger_error_cell.xlsx", title, header, broken)
                for target in ("xls", "ods", "xlsx"):
                    made = HERE / f"ledger_error_cell.{target}"
                    shutil.copy(libreoffice(failing, target, work / "error", profile), made)
                    expect(made, category, refused=[made.name, "第7行", "#DIV/0!"])
                expect(HERE / "ledger_uncached_formula.ods", category,
                       refused=["ledger_uncached_formula.ods", "第5行", "公式", "=1200*3"])
    total = sum(p.stat().st_size for p in HERE.iterdir())
    print(f"{len(list(HERE.glob('*.expect.json')))} files, {total / 1024:.0f} KB in {HERE}")


if __name__ == "__main__":
    main()
