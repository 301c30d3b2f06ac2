"""Every row of a spreadsheet is read, whatever range the sheet says it uses.

An .xlsx stores the range it uses (`<dimension ref="A1:F4"/>`); web exporters and other tools
often leave it stale, and a reader that trusts it drops the rows outside it. These tests write
sheets three ways (openpyxl, LibreOffice when it is installed, and XML by hand as other tools
write it: shared or inline strings, rows and cells with or without their `r=` positions, empty
rows between), give them every kind of wrong dimension, and check that the import holds every
row or refuses the file, never part of it; that a sheet claiming or holding cells far away is
read or refused in seconds; that an interrupted read is told as 已中断; and that no reader's
own warning reaches stdout or the clerk in English.
"""

from __future__ import annotations

import errno
import json
import re
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from conftest import run_zwgk, zwgk_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from zwgk_desktop import cli
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.io import sheets
from zwgk_desktop.io.importer import plan_import

Q3 = Quarter(2026, 3)
HEADER = ["事项", "内容", "金额"]
WHOLE_SHEET = "A1:XFD1048576"
IMPORT = ["--village", "donggang", "--period", "2026Q3", "--accept-warnings"]

# ---------------------------------------------------------------------------------------------
# Writing sheets


def notice_rows() -> Any:
    """Notice lines (事项, 内容, 金额 in 元), each with how many empty rows come before it."""
    line = st.tuples(st.text(alphabet="村道路灯维修水渠清淤补助一二三组&<>\"'", min_size=1, max_size=8).map(
        lambda t: t.strip() or "事").filter(lambda t: t != "合计"),
        st.one_of(st.none(), st.text(alphabet="更换灯泡个米元", min_size=1, max_size=8)),
        st.integers(1, 10**6), st.integers(0, 3))
    return st.lists(line, min_size=1, max_size=40)


def layout(lines: list[tuple[str, str | None, int, int]]) -> list[list[Any]]:
    """The sheet's rows from row 1: the header, then each line after its empty rows."""
    rows: list[list[Any]] = [list(HEADER)]
    for matter, detail, amount, gap in lines:
        rows.extend([] for _ in range(gap))
        rows.append([matter, detail, amount])
    return rows


def column_letter(number: int) -> str:
    return sheets.column_letter(number)


def hand_written(path: Path, rows: list[list[Any]], *, strings: str = "shared", positions: str = "all",
                 dimension: str | None = None, bare_styles: bool = False, far: str | None = None) -> Path:
    """An .xlsx as other tools write it, XML by hand. `strings`: shared, inline or str;
    `positions`: all (rows and cells carry r=), rows (cells do not), none; `bare_styles`: a
    stylesheet without styles, as web exporters write it (openpyxl warns about it); `far`: one
    more cell, holding 1, at that reference."""
    shared: list[str] = []
    body = []
    for number, row in enumerate(rows, start=1):
        if not row and positions != "none":
            continue  # an empty row is simply not written, as Excel does
        cells = []
        for column, value in enumerate(row, start=1):
            ref = f' r="{column_letter(column)}{number}"' if positions == "all" else ""
            if value is None:
                if positions != "all":
                    cells.append(f"<c{ref}/>")  # keeps the count of cells without positions
                continue
            if isinstance(value, str):
                if strings == "shared":
                    shared.append(value)
                    cells.append(f'<c{ref} t="s"><v>{len(shared) - 1}</v></c>')
                elif strings == "inline":
                    cells.append(f'<c{ref} t="inlineStr"><is><t>{escape(value)}</t></is></c>')
                else:
                    cells.append(f'<c{ref} t="str"><v>{escape(value)}</v></c>')
            elif isinstance(value, bool):
                cells.append(f'<c{ref} t="b"><v>{int(value)}</v></c>')
            else:
                cells.append(f"<c{ref}><v>{value}</v></c>")
        row_ref = f' r="{number}"' if positions != "none" else ""
        body.append(f"<row{row_ref}>{''.join(cells)}</row>")
    if far:
        far_row = int(re.sub(r"[A-Z]", "", far))
        body.append(f'<row r="{far_row}"><c r="{far}"><v>1</v></c></row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             + (f'<dimension ref="{dimension}"/>' if dimension else "")
             + f"<sheetData>{''.join(body)}</sheetData></worksheet>")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kinds = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
                           '<sheet name="明细" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": f'<sst xmlns="{main}">'
                                + "".join(f"<si><t>{escape(s)}</t></si>" for s in shared) + "</sst>",
        "xl/styles.xml": f'<styleSheet xmlns="{main}"/>',
    }
    overrides = {"xl/workbook.xml": "sheet.main+xml", "xl/worksheets/sheet1.xml": "worksheet+xml",
                 "xl/sharedStrings.xml": "sharedStrings+xml", "xl/styles.xml": "styles+xml"}
    if not bare_styles:
        del parts["xl/styles.xml"]
    package_rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    links = [("rId1", "worksheet", "worksheets/sheet1.xml"), ("rId2", "sharedStrings", "sharedStrings.xml")]
    if bare_styles:
        links.append(("rId3", "styles", "styles.xml"))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="/{name}" ContentType="{kinds}.{overrides[name]}"/>' for name in parts)
            + "</Types>"))
        package.writestr("_rels/.rels", f'<Relationships xmlns="{package_rels}"><Relationship Id="rId1" '
                         f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        package.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{package_rels}">' + "".join(
            f'<Relationship Id="{i}" Type="{rel}/{t}" Target="{target}"/>' for i, t, target in links)
            + "</Relationships>")
        for name, text in parts.items():
            package.writestr(name, text)
    return path


def by_openpyxl(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(number, column, value)
    book.save(path)
    return path


def redimensioned(source: Path, target: Path, dimension: str | None) -> Path:
    """The same file with the first sheet's stored dimension rewritten (None: taken out), as a
    person would do it: unzip, edit sheet1.xml, zip again."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for entry in old.infolist():
            data = old.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                text = re.sub(r"<dimension [^>]*/>", "", data.decode("utf-8"))
                if dimension:
                    text = re.sub(r"(<sheetData)", f'<dimension ref="{dimension}"/>\\1', text, count=1)
                assert (f'ref="{dimension}"' in text) == bool(dimension)
                data = text.encode("utf-8")
            new.writestr(entry, data)
    return target


def wrong_dimensions(rows: int) -> Any:
    """Every kind of wrong stored dimension for a sheet of `rows` rows and 3 columns."""
    return st.one_of(
        st.none(), st.just("A1"), st.just(WHOLE_SHEET),
        st.builds(lambda r, c: f"A1:{column_letter(c)}{r}", st.integers(1, max(1, rows - 1)), st.integers(1, 3)),
        st.builds(lambda r, c: f"A1:{column_letter(c)}{r}", st.integers(rows + 1, 1_048_576), st.integers(3, 16_384)),
        st.builds(lambda r: f"B2:C{r}", st.integers(2, 50)))


def imported(path: Path, lines: list[tuple[str, str | None, int, int]]) -> None:
    """The import holds every line of the sheet, in order, as written."""
    plan = plan_import(path, "notice", Q3)
    assert plan.errors == [], plan.errors
    assert [(r["matter"], r["detail"], r["amount"]) for r in plan.item.rows] == [
        (m, d, a * 100) for m, d, a, _ in lines]


# ---------------------------------------------------------------------------------------------
# Every row, whoever wrote the sheet and whatever dimension it claims


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), notice_rows(), st.sampled_from(["shared", "inline", "str"]),
       st.sampled_from(["all", "rows", "none"]), st.booleans())
def test_a_hand_written_sheet_imports_every_row_whatever_its_dimension(
        data: st.DataObject, lines: list[Any], strings: str, positions: str, bare_styles: bool) -> None:
    rows = layout(lines)
    dimension = data.draw(wrong_dimensions(len(rows)), label="dimension")
    with tempfile.TemporaryDirectory() as folder:
        path = hand_written(Path(folder) / "list.xlsx", rows, strings=strings, positions=positions,
                            dimension=dimension, bare_styles=bare_styles)
        imported(path, lines)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), notice_rows())
def test_an_openpyxl_sheet_with_its_dimension_rewritten_imports_every_row(data: st.DataObject,
                                                                          lines: list[Any]) -> None:
    rows = layout(lines)
    dimension = data.draw(wrong_dimensions(len(rows)), label="dimension")
    with tempfile.TemporaryDirectory() as folder:
        source = by_openpyxl(Path(folder) / "source.xlsx", rows)
        imported(redimensioned(source, Path(folder) / "list.xlsx", dimension), lines)


CELLS = st.one_of(st.none(), st.text(alphabet="王李一组 &<>0123456789.-#=", max_size=6),
                  st.integers(-10**12, 10**12), st.floats(-1e9, 1e9).map(lambda f: round(f, 2)), st.booleans())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELLS, max_size=7), max_size=15), st.sampled_from(["shared", "inline"]),
       st.sampled_from([None, "A1", WHOLE_SHEET]))
def test_the_reader_gives_every_cell_as_written(grid: list[list[Any]], strings: str, dimension: str | None) -> None:
    """Each cell comes back in the type the importer takes (None for empty, int for a whole
    number), where it was written, whatever dimension the sheet claims. calamine drops the spaces
    around a text the file does not mark as kept; the import strips them anyway."""
    with tempfile.TemporaryDirectory() as folder:
        path = hand_written(Path(folder) / "cells.xlsx", grid, strings=strings, dimension=dimension)
        read = sheets.read_grids(path)
    assert read[0].rows == _stripped(sheets._trimmed([[sheets._plain(v) for v in row] for row in grid]))


def _stripped(rows: list[list[Any]]) -> list[list[Any]]:
    return [[v.strip() if isinstance(v, str) else v for v in row] for row in rows]


def test_a_libreoffice_sheet_with_a_wrong_dimension_imports_every_row(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    lines = [(f"第{n}项维修", None if n % 3 else "更换", n * 7 + 1, n % 4) for n in range(1, 301)]
    source = by_openpyxl(tmp_path / "source.xlsx", layout(lines))
    out = tmp_path / "lo"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "xlsx", "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=180)
    written = out / "source.xlsx"
    with zipfile.ZipFile(written) as package:  # LibreOffice's own writing, not openpyxl's
        assert b"<dimension" in package.read("xl/worksheets/sheet1.xml")
    for dimension in (None, "A1", "A1:C4", "A1:C200", "A1:Z5000", WHOLE_SHEET):
        imported(redimensioned(written, tmp_path / "list.xlsx", dimension), lines)


# ---------------------------------------------------------------------------------------------
# Huge ranges: claimed, or really there


def test_a_sheet_claiming_the_whole_grid_is_read_in_seconds(tmp_path: Path) -> None:
    lines = [(f"第{n}项", None, n, 0) for n in range(1, 5001)]
    rows = layout(lines)
    for path in (redimensioned(by_openpyxl(tmp_path / "s.xlsx", rows), tmp_path / "a.xlsx", WHOLE_SHEET),
                 hand_written(tmp_path / "b.xlsx", rows, dimension=WHOLE_SHEET)):
        start = time.perf_counter()
        imported(path, lines)
        assert time.perf_counter() - start < 10  # about 0.3 s on a free core; openpyxl's fast mode took ~40 s


@pytest.mark.slow
@pytest.mark.parametrize("far, refused", [
    ("XFD1048576", "第 1,048,576 行还有内容"), ("A1048576", "第 1,048,576 行还有内容"),
    ("J1048576", "第 1,048,576 行还有内容"), ("C200001", "第 200,001 行还有内容"),
    ("XFD3", "第 401 行、XFD列（第 16,384 列）"), ("AAA5000", None)])
def test_a_stray_cell_far_away_is_read_or_refused_in_seconds(far: str, refused: str | None, demo_copy: Path,
                                                             tmp_path: Path) -> None:
    """One cell far from the table (Excel's Solver keeps its data in column XFD): calamine would
    lay out every cell up to it and abort the process. The rows are read when the block up to it
    is small enough to hold (a cell beyond column 200 is then dropped: no table of ours is that
    wide), or the file is refused, naming the far row or column."""
    lines = [(f"第{n}项", None, n, 0) for n in range(1, 401)]
    path = hand_written(tmp_path / "far.xlsx", layout(lines), far=far, dimension=f"A1:{far}")
    start = time.perf_counter()
    done = run_zwgk("import", str(path), "--db", str(demo_copy), *IMPORT, "--category", "notice", "--json",
                    cwd=tmp_path)
    took = time.perf_counter() - start
    assert took < 30, took
    if refused:
        assert done.code == 2 and "Traceback" not in done.err, done.err
        assert refused in done.err, done.err
    else:
        assert done.code == 0, done.err
        assert json.loads(done.out)["rows"] == 400


# ---------------------------------------------------------------------------------------------
# Interrupted and failed reads are told as what they are


def _interrupt(*args: Any, **kwargs: Any) -> Any:
    raise KeyboardInterrupt


@pytest.mark.parametrize("reader", ["python_calamine.CalamineWorkbook.from_filelike",
                                    "zwgk_desktop.io.sheets.scan_xlsx_sheet", "zipfile.ZipFile.read"])
def test_an_interrupted_read_is_told_as_interrupted(reader: str, demo_copy: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = hand_written(tmp_path / "list.xlsx", layout([("修路", None, 5, 0)]), positions="rows")
    module, _, name = reader.rpartition(".")
    owner: Any = __import__(module.split(".")[0])
    for part in module.split(".")[1:]:
        owner = getattr(owner, part)
    monkeypatch.setattr(owner, name, _interrupt)
    with pytest.raises(KeyboardInterrupt):
        sheets.read_grids(path)
    code = cli.main(["import", str(path), "--db", str(demo_copy), *IMPORT, "--category", "notice"])
    err = capsys.readouterr().err
    assert code == 3 and "已中断" in err and "损坏" not in err, err


@pytest.mark.parametrize("fault, words", [
    (MemoryError(), "内存"), (OSError(errno.EIO, "Input/output error"), "中途出错"),
    (PermissionError(errno.EACCES, "Permission denied"), "没有读取权限")])
def test_a_read_that_fails_midway_is_not_called_a_damaged_file(fault: BaseException, words: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = by_openpyxl(tmp_path / "list.xlsx", layout([("修路", None, 5, 0)]))

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise fault

    monkeypatch.setattr(Path, "read_bytes", fail)
    with pytest.raises(BadInput) as told:
        sheets.read_grids(path)
    assert words in str(told.value) and "损坏" not in str(told.value) and "Error" not in str(told.value)


@pytest.mark.slow
def test_ctrl_c_during_an_import_is_told_as_interrupted(demo_copy: Path, tmp_path: Path) -> None:
    """A real SIGINT, at several moments of a large import read cell by cell."""
    lines = [(f"第{n}项", None, n, 0) for n in range(1, 20001)]
    path = hand_written(tmp_path / "big.xlsx", layout(lines), positions="none", dimension="A1")
    for delay in (0.5, 1.0, 2.0):
        copy = tmp_path / f"{delay}.sqlite3"
        shutil.copy(demo_copy, copy)
        process = subprocess.Popen([*zwgk_command(), "import", str(path), "--db", str(copy), *IMPORT,
                                    "--category", "notice"], cwd=tmp_path, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
        assert "损坏" not in err and "Traceback" not in err, err
        assert (process.returncode == 0 and "导入 20000 行" in out + err) or (
            process.returncode == 3 and "已中断" in err), (process.returncode, out, err)


# ---------------------------------------------------------------------------------------------
# Reader warnings stay in the log


def _imports_with_clean_json(path: Path, lines: list[tuple[str, str | None, int, int]], demo_copy: Path,
                             tmp_path: Path) -> None:
    """Every line read, and `zwgk import --json` prints JSON only, with no reader's English on stderr."""
    imported(path, lines)
    done = run_zwgk("import", str(path), "--db", str(demo_copy), *IMPORT, "--category", "notice", "--json",
                    cwd=tmp_path)
    assert done.code == 0, done.err
    assert json.loads(done.out)["rows"] == len(lines)
    assert not re.search(r"[A-Za-z]{4,}", done.err.replace(str(path), "")), done.err


@pytest.mark.slow
@pytest.mark.parametrize("positions", ["all", "none"])
def test_reader_warnings_never_reach_stdout_or_the_clerk(positions: str, demo_copy: Path, tmp_path: Path) -> None:
    """A web exporter's bare stylesheet makes openpyxl warn ("Workbook contains no default
    style"); the sheet without positions is read by openpyxl, so the warning is really raised."""
    lines = [(f"第{n}项", None, n, n % 2) for n in range(1, 30)]
    path = hand_written(tmp_path / "web.xlsx", layout(lines), positions=positions, bare_styles=True, dimension="A1")
    _imports_with_clean_json(path, lines, demo_copy, tmp_path)


def test_a_web_exporters_sheet_is_read_quietly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bare stylesheet and cells without positions, as JavaScript exporters write them: every
    cell read, nothing said on stdout or stderr."""
    path = hand_written(tmp_path / "web.xlsx", layout([("修路", None, 5, 1)]), positions="none", bare_styles=True)
    assert sheets.read_grids(path)[0].rows == [HEADER, [], ["修路", None, 5]]
    assert capsys.readouterr() == ("", "")


@pytest.mark.slow
def test_an_xls_whose_reader_complains_still_gives_clean_json(demo_copy: Path, tmp_path: Path) -> None:
    """xlrd prints its notes on stdout ("WARNING *** file size (6244) not 512 + multiple of sector
    size"); an .xls with a few bytes too many, as some mail programs leave it, makes it do so."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    lines = [(f"第{n}项维修", None, n, n % 2) for n in range(1, 41)]
    source = by_openpyxl(tmp_path / "source.xlsx", layout(lines))
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "xls", "--outdir", str(tmp_path / "lo"), str(source)], check=True, capture_output=True,
                   timeout=180)
    path = tmp_path / "list.xls"
    path.write_bytes((tmp_path / "lo" / "source.xls").read_bytes() + b"\0" * 100)
    _imports_with_clean_json(path, lines, demo_copy, tmp_path)


def test_a_workbook_with_a_password_is_told_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An .xlsx with a password comes in the .xls container, as an EncryptedPackage stream and no
    Workbook: a clerk is told to take the password off, not that the file is damaged."""
    import xlrd.compdoc

    class Encrypted:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def get_named_stream(self, name: str) -> bytes | None:
            return b"\0" * 64 if name == "EncryptedPackage" else None

    path = tmp_path / "名单.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    monkeypatch.setattr(xlrd.compdoc, "CompDoc", Encrypted)
    with pytest.raises(BadInput, match="设了打开密码") as told:
        sheets.read_grids(path)
    assert "损坏" not in str(told.value)


# ---------------------------------------------------------------------------------------------
# The guard's scan of a sheet's XML against the scan as it was first written (one regex over
# every cell, lazily up to its end): the same extent, formulas and errors for every sheet.

_OLD_NAMED_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"[^>]*?(/?)>')


def _reference_scan(xml: bytes) -> Any:
    from zwgk_desktop.io import sheet_guard

    scan = sheet_guard.SheetScan()
    cells = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/")
    plain = (cells == xml.count(b'<c r="') and b't="e"' not in xml
             and not any(mark in xml for mark in (b"<f>", b"<f ", b"<f/", b":c ", b":c>", b":c/", b":f>", b":f ")))
    if plain:
        named = _OLD_NAMED_CELL.findall(xml)
        if len(named) == cells:
            held = [(letter, number) for letter, number, closed in named if not closed]
            scan.rows = max((int(n) for n in {number for _, number in held}), default=0)
            scan.columns = max((sheet_guard._column_number(c) for c in {letter for letter, _ in held}), default=0)
            return scan
    sheet_guard._scan_cell_by_cell(xml, scan)
    return scan


_REFS = st.builds(lambda column, row: f"{column_letter(column)}{row}",
                  st.one_of(st.integers(1, 12), st.integers(1, 16384)),
                  st.one_of(st.integers(1, 40), st.integers(1, 10**6)))
_CELL = st.one_of(
    st.builds(lambda ref, attrs, body: f'<c r="{ref}"{attrs}>{body}</c>', _REFS,
              st.sampled_from(["", ' s="1"', ' t="s"', ' t="n"', ' t="e"', ' t="inlineStr"', ' x="a/b"']),
              st.sampled_from(["<v>1</v>", "", "<f>A1+1</f>", "<f>A1</f><v>2</v>", "<is><t>字</t></is>",
                               "<v>#DIV/0!</v>"])),
    st.builds(lambda ref, attrs: f'<c r="{ref}"{attrs}/>', _REFS, st.sampled_from(["", ' s="1"', ' s="2" '])),
    st.sampled_from(["<c><v>3</v></c>", "<c/>", '<x:c r="B2"><x:v>1</x:v></x:c>', '<c r="A1" <c r="B7"/>',
                     '<c r="a1"><v>1</v></c>', '<c  r="C3"><v>1</v></c>', "<f>1</f>", '<c r="D4" t="e"/>']))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 10**6), st.lists(_CELL, max_size=6)), max_size=8),
       st.booleans())
def test_the_guards_scan_of_a_sheet_is_the_reference_scan(rows: list[tuple[int, list[str]]], merged: bool) -> None:
    """Whatever a sheet's XML holds (cells with and without values, out of order, far away,
    formulas, error cells, prefixed names, cells without positions, a cell's tag broken inside
    another's), the guard finds the extent, formulas and errors the reference scan finds."""
    from zwgk_desktop.io import sheet_guard

    data = "".join(f'<row r="{number}">{"".join(cells)}</row>' for number, cells in rows)
    merges = '<mergeCells count="1"><mergeCell ref="A1:C2"/></mergeCells>' if merged else ""
    xml = f"<worksheet><sheetData>{data}</sheetData>{merges}</worksheet>".encode()
    found, expected = sheet_guard.scan_xlsx_sheet(xml), _reference_scan(xml)
    assert (found.rows, found.columns, found.formulas, found.errors) == \
        (expected.rows, expected.columns, expected.formulas, expected.errors)


@pytest.mark.parametrize("space", ["\n", "\t", "  "])
def test_a_far_cell_whose_tag_breaks_after_its_name_is_seen_by_the_guard(space: str) -> None:
    """XML allows any white space between a tag's name and its attributes: a cell written
    `<c\\nr="A900000">` far below the list is found (the scan as first written counted only
    `<c ` and missed it, leaving calamine to lay out 900,000 rows)."""
    from zwgk_desktop.io import sheet_guard

    xml = (f'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="900000">'
           f'<c{space}r="C900000"><v>2</v></c></row></sheetData></worksheet>').encode()
    found = sheet_guard.scan_xlsx_sheet(xml)
    assert (found.rows, found.columns) == (900_000, 3)
