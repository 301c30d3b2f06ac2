"""Every file of the formats corpus (tests/data/sheets/formats/, made by its make_formats.py) through
`zwgk import`, as a clerk runs it: each imports every row with every field as the document was
written (the whole document, not only the sidecar's first and last rows), or is refused whole,
in Chinese words naming the file, with nothing stored; and the files built to break the reader
(a value far away, formulas without saved values) are refused by the installed command within
seconds with exit 2, the process alive to say so.
"""

from __future__ import annotations

import importlib.util
import json
import re
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import run_zwgk
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from test_sheet_dimensions import hand_written

from zwgk_desktop import cli
from zwgk_desktop.db import store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import DisclosureItem, Village
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.io.importer import plan_import

FORMATS = Path(__file__).parent / "data" / "sheets" / "formats"
SIDECARS = sorted(FORMATS.glob("*.expect.json"))


def _maker() -> Any:
    spec = importlib.util.spec_from_file_location("make_formats", FORMATS / "make_formats.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKER = _maker()


def whole_document(name: str) -> list[dict[str, Any]]:
    """Every row the file's document holds, as the generator wrote it."""
    stem = name.split("_", 1)[0]
    return MAKER.DOCUMENTS[stem][2]()[1]


def jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def first_village(db: Path) -> str:
    engine = open_engine(str(db))
    try:
        with session_factory(engine)() as session:
            return session.scalars(select(Village.code).order_by(Village.id)).first() or ""
    finally:
        engine.dispose()


def items_and_rows(db: Path, number: int | None = None) -> tuple[int, list[dict[str, Any]]]:
    engine = open_engine(str(db))
    try:
        with session_factory(engine)() as session:
            count = session.scalar(select(func.count()).select_from(DisclosureItem)) or 0
            if number is None:
                return count, []
            item, _ = store.load_item(session, store.find_item(session, number).id)
            return count, [dict(row) for row in item.rows]
    finally:
        engine.dispose()


def test_the_corpus_holds_every_format_and_stays_small() -> None:
    suffixes = {p.name.removesuffix(".expect.json").rpartition(".")[2] for p in SIDECARS}
    assert {"xlsx", "xls", "ods", "et"} <= suffixes
    assert any("strict" in p.name for p in SIDECARS) and any("js_export" in p.name for p in SIDECARS)
    for sidecar in SIDECARS:
        assert (FORMATS / sidecar.name.removesuffix(".expect.json")).exists(), sidecar
    assert sum(p.stat().st_size for p in FORMATS.iterdir()) < 2 * 1024 * 1024


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.name.removesuffix(".expect.json"))
def test_each_corpus_file_imports_every_row_or_is_refused_whole(sidecar: Path, demo_copy: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    expected = json.loads(sidecar.read_text(encoding="utf-8"))
    path = FORMATS / sidecar.name.removesuffix(".expect.json")
    before, _ = items_and_rows(demo_copy)
    args = ["import", str(path), "--db", str(demo_copy), "--village", first_village(demo_copy), "--period",
            expected["period"], "--category", expected["category"], "--accept-warnings", "--json"]
    for field, value in expected.get("set", {}).items():
        args += ["--set", f"{field}={value}"]
    code = cli.main(args)
    out, err = capsys.readouterr()
    if "refused" in expected:
        assert code == 2, (code, out, err)
        assert all(word in err for word in expected["refused"]), err
        assert "Traceback" not in err and re.search(r"[\u4e00-\u9fff]", err)
        assert items_and_rows(demo_copy)[0] == before  # nothing stored
        return
    assert code == 0, err
    told = json.loads(out)
    assert told["rows"] == expected["rows"]
    count, rows = items_and_rows(demo_copy, told["item"])
    assert count == before + 1
    stored = [{key: jsonable(row.get(key)) for key in want} for row, want in zip(rows, whole_document(path.name),
                                                                                 strict=True)]
    assert stored == whole_document(path.name)
    assert stored[0] == expected["first"] and stored[-1] == expected["last"]


GUARDED = [p for p in SIDECARS if "refused" in json.loads(p.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("sidecar", GUARDED, ids=lambda p: p.name.removesuffix(".expect.json"))
def test_the_installed_command_survives_each_file_built_to_break_the_reader(sidecar: Path, demo_copy: Path,
                                                                            tmp_path: Path) -> None:
    """calamine aborts the process (Rust out-of-memory, exit 134) on a sheet it cannot lay out:
    the command, run as a clerk runs it, must refuse in words with exit 2, in seconds."""
    expected = json.loads(sidecar.read_text(encoding="utf-8"))
    path = FORMATS / sidecar.name.removesuffix(".expect.json")
    start = time.perf_counter()
    done = run_zwgk("import", str(path), "--db", str(demo_copy), "--village", first_village(demo_copy),
                    "--period", expected["period"], "--category", expected["category"], cwd=tmp_path)
    assert time.perf_counter() - start < 30
    assert done.code == 2, (done.code, done.err)
    assert all(word in done.err for word in expected["refused"]), done.err


# ---------------------------------------------------------------------------------------------
# Amounts read back as floats stay exact in 分


def _cell(fen: int, how: str) -> Any:
    if how == "float":
        return fen / 100
    if how == "sum":
        return (fen - fen % 10) / 100 + (fen % 10) / 100  # two floats added, as a formula adds them
    if how == "text":
        return f"{fen // 100}.{fen % 100:02d}"
    return f"{fen // 100:,}.{fen % 100:02d}元"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.integers(0, 10**6), st.integers(0, 10**13)),
                          st.sampled_from(["float", "sum", "text", "thousands"])), min_size=1, max_size=30),
       st.sampled_from(["xlsx", "ods"]))
def test_an_amount_read_back_as_a_float_is_stored_exactly_in_fen(amounts: list[tuple[int, str]], kind: str) -> None:
    """calamine gives every number as a float, as the file keeps it: 1120.5, a sum of two floats
    (330.30000000000001), amounts up to 10^11 元 (Excel keeps 15 digits), amounts typed as text
    with separators. Each is stored to the 分 as written."""
    rows = [["事项", "内容", "金额"]] + [[f"第{n}项", None, _cell(fen, how)] for n, (fen, how) in enumerate(amounts)]
    with tempfile.TemporaryDirectory() as folder:
        path = hand_written(Path(folder) / "amounts.xlsx", rows, strings="inline")
        if kind == "ods":
            path = _as_ods(path, rows)
        plan = plan_import(path, "notice", Quarter(2026, 3))
    assert plan.errors == [], plan.errors
    assert [r["amount"] for r in plan.item.rows] == [fen for fen, _ in amounts]


def _as_ods(path: Path, rows: list[list[Any]]) -> Path:
    """The same rows as an OpenDocument spreadsheet, numbers as LibreOffice writes them
    (office:value holds the float's shortest repr)."""
    from xml.sax.saxutils import escape

    cells = []
    for row in rows:
        out = []
        for value in row:
            if value is None:
                out.append("<table:table-cell/>")
            elif isinstance(value, float):
                out.append(f'<table:table-cell office:value-type="float" office:value="{value!r}">'
                           f"<text:p>{value!r}</text:p></table:table-cell>")
            else:
                out.append(f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p>'
                           "</table:table-cell>")
        cells.append(f"<table:table-row>{''.join(out)}</table:table-row>")
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body>'
               f'<office:spreadsheet><table:table table:name="明细">{"".join(cells)}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>")
    target = path.with_suffix(".ods")
    with zipfile.ZipFile(target, "w") as package:
        package.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr("content.xml", content)
        package.writestr("META-INF/manifest.xml", (
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
            'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:version="1.3" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'))
    return target


@pytest.mark.parametrize("alone", [True, False])
def test_a_formula_without_a_saved_value_is_refused_even_alone_on_its_row(alone: bool, tmp_path: Path) -> None:
    """calamine sees such a cell as empty, so a row holding nothing else would not even be in
    its block: the scan puts the row back and the import names the cell."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["事项", "内容", "金额"])
    sheet.append(["修路", None, 5])
    sheet.append([None if alone else "清淤", None, "=B2*2"])
    path = tmp_path / "公式.xlsx"
    book.save(path)
    plan = plan_import(path, "notice", Quarter(2026, 3))
    assert any(p.row == 3 and "公式" in p.message and "=B2*2" in p.message for p in plan.errors), plan.errors
