"""The online copy's open data (render/open_data.py, issue 16 item 4): typed values beside each
item's public content and outside it (every 验证码 the same), amounts exact, every JSON with a
CSV twin Excel opens, the township's index and schemas, the licence line; `site --check` still
knows every file.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import run_zwgk
from hypothesis import given
from hypothesis import strategies as st
from test_archive import LAYOUTS, seal, sessions

from zwgk_desktop.db import store
from zwgk_desktop.domain import money
from zwgk_desktop.errors import BadInput
from zwgk_desktop.office import online as online_copy
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.setup import change_settings
from zwgk_desktop.render import open_data
from zwgk_desktop.render.open_data import NotTyped, Yuan, format_typed, typed
from zwgk_desktop.render.public import PublicItem

TODAY = date(2026, 11, 22)
BASE = "https://qingshan.example/zwgk"
LICENCE = "可自由转载、使用，请注明来源：青山镇村务公开（CC BY 4.0）"
# What an item's data file holds beside its public content (the rest is what the 验证码 is made of).
BESIDE = ("code", "values", "licence", "corrected_by", "corrects", "withdrawn", "chain")


# ---------------------------------------------------------------------------------------------
# Typed values read back from the printed strings.

fens = st.integers(-money.MAX_FEN + 1, money.MAX_FEN - 1)


@given(fens)
def test_an_amount_reads_back_exactly_from_its_printed_form(fen: int) -> None:
    printed = money.format_fen(fen)
    assert typed(printed, "money") == Yuan(fen)
    assert format_typed(Yuan(fen), "money") == printed
    assert Decimal(str(Yuan(fen))) * 100 == fen  # 1234.50: two decimals, exact


@given(st.integers(0, money.MAX_FEN - 1) | st.integers(-(10**8), 0))
def test_an_amount_in_capitals_reads_back(fen: int) -> None:
    printed = money.capitals(fen)
    assert typed(printed, "capitals") == Yuan(fen)
    assert format_typed(Yuan(fen), "capitals") == printed


@given(st.dates(date(1949, 1, 1), date(2100, 12, 31)), st.integers(0, 10**6))
def test_dates_and_counts_read_back(day: date, count: int) -> None:
    assert typed(day.isoformat(), "date") == day and format_typed(day, "date") == day.isoformat()
    assert typed(str(count), "count") == count and format_typed(count, "count") == str(count)


@pytest.mark.parametrize(("printed", "fmt"), [
    ("1,2345.00", "money"), ("12345.00", "money"), ("-0.00", "money"), ("12.5", "money"), ("１.00", "money"),
    ("壹元贰角", "capitals"), ("伍元整整", "capitals"), ("2026-7-1", "date"), ("2026-02-30", "date"),
    ("01", "count"), ("-1", "count"), ("3人", "count")])
def test_a_string_not_as_this_program_prints_it_is_not_typed(printed: str, fmt: str) -> None:
    with pytest.raises(NotTyped):
        typed(printed, fmt)


def test_masked_and_free_text_stay_the_printed_strings() -> None:
    assert typed("林*田", "masked_name") == "林*田" and typed("410102********1234", "masked_id") == "410102********1234"
    assert typed("", "money") is None and format_typed(None, "money") == ""


@given(st.lists(fens, max_size=8), st.text(max_size=30))
def test_json_amounts_are_exact_decimal_numbers_and_text_is_untouched(amounts: list[int], text: str) -> None:
    data = {"amounts": [Yuan(f) for f in amounts], "text": text, "day": date(2026, 7, 1)}
    written = open_data.to_json(data).decode("utf-8")
    back = json.loads(written, parse_float=Decimal, parse_int=Decimal)
    assert [a * 100 for a in back["amounts"]] == amounts and back["text"] == text and back["day"] == "2026-07-01"
    assert all(re.fullmatch(r"-?\d+\.\d{2}", n) for n in re.findall(r"-?\d+\.\d+", written.split('"text"')[0]))


@given(st.lists(st.text(st.characters(codec="utf-8"), max_size=20), min_size=1, max_size=5))
def test_a_csv_twin_opens_in_excel_as_the_text_it_holds(cells: list[str]) -> None:
    data = open_data.csv_table([(str(n), f"列{n}") for n in range(len(cells))],
                               [{str(n): c for n, c in enumerate(cells)}])
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    header, row = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert header == [f"列{n}" for n in range(len(cells))]
    for cell, read in zip(cells, row, strict=True):
        # A cell Excel would run as a formula is written with a ' before it, and otherwise as it is.
        assert read == cell or (read == f"'{cell}" and cell[:1] in "=+-@\t\r")
        assert not re.match(r"[=+@\t\r]|-(?!\d+(\.\d+)?$)", read)


# ---------------------------------------------------------------------------------------------
# The demo's online copy, with a quarter sealed and the licence set.

@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("open-data")
    db = folder / "archive.sqlite3"
    shutil.copy(demo_db, db)
    seal(db, "donggang", "2026Q2")
    with Archive.open(db) as archive:
        change_settings(archive, licence=f"  {LICENCE}\n")
    root = folder / "www"
    with sessions(db)() as session:
        online_copy.write_site(session, LAYOUTS, root, BASE, today=TODAY)
    yield db, root


def _csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), path
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _item_files(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*/*/*.json") if p.stem.isdigit())


def test_every_json_has_a_csv_twin(published: tuple[Path, Path]) -> None:
    _, root = published
    data = {p.with_suffix("") for p in root.rglob("*.json") if p.name != online_copy.MANIFEST}
    tables = {p.with_suffix("") for p in root.rglob("*.csv")}
    assert data == tables and len(data) > 60
    for path in root.rglob("*.csv"):
        rows = _csv(path)
        assert rows and len({len(r) for r in rows}) == 1, path  # a header and rows of its width


def test_the_codes_are_made_from_the_public_content_alone(published: tuple[Path, Path]) -> None:
    """Typed values and the licence sit beside the canonical content: without them, the data
    file gives the 验证码 the sheet printed, the page shows and the index lists."""
    _, root = published
    index = {(i["village_code"], i["period"], i["number"]): i
             for i in json.loads((root / "items.json").read_bytes())["items"]}
    assert len(index) == len(_item_files(root))
    for path in _item_files(root):
        data = json.loads(path.read_bytes())
        if data.get("withdrawn") == "该公告已撤回，不再公开":
            continue
        assert data["licence"] == LICENCE
        listed = index[(path.parent.parent.name, path.parent.name, int(path.stem))]
        assert listed["code"] == data["code"] and listed["url"] == (
            f"{BASE}/{path.parent.parent.name}/{path.parent.name}/{path.stem}.html?v={data['code']}")
        if "rows" not in data:  # a withdrawn list: its content is no longer all there
            continue
        public = PublicItem.from_canonical({k: v for k, v in data.items() if k not in BESIDE})
        assert public.code == data["code"], path
        assert f"验证码 {data['code']}" in path.with_suffix(".html").read_text(encoding="utf-8")


def test_typed_values_print_back_as_the_sheet_printed_them(published: tuple[Path, Path]) -> None:
    """Read as a journalist would, with the schema: every typed cell, printed in its format, is
    the printed cell; amounts are written with two decimals."""
    _, root = published
    schema = json.loads((root / "schema.json").read_bytes())
    assert schema["licence"] == LICENCE
    fields = {c["category"]: c["fields"] for c in schema["categories"]}
    checked = 0

    def as_typed(value: Any, fmt: str) -> Any:
        if isinstance(value, Decimal):
            return Yuan(int(value * 100))
        return date.fromisoformat(value) if fmt == "date" and value is not None else value

    for path in _item_files(root):
        data = json.loads(path.read_bytes(), parse_float=Decimal)
        if "rows" not in data:
            continue
        values, known = data["values"], fields[data["category"]]
        assert values is not None, path
        assert len(values["rows"]) == len(data["rows"])
        columns = [f for f in known if f["part"] == "rows"]
        for printed, row in zip(data["rows"], values["rows"], strict=True):
            for cell, spec in zip(printed, columns, strict=True):
                assert format_typed(as_typed(row[spec["key"]], spec["format"]), spec["format"]) == cell, path
                checked += 1
        for part in ("info", "summary"):
            by_label = {f["label"]: f for f in known if f["part"] == part}
            for label, cell in data[part]:
                spec = by_label[label]
                assert format_typed(as_typed(values[part][spec["key"]], spec["format"]), spec["format"]) == cell
                checked += 1
        raw = path.read_text(encoding="utf-8").partition('"values"')[2]
        assert all(re.fullmatch(r"\d+\.\d{2}", n) for n in re.findall(r"(?<![\w.])\d+\.\d+(?=[,\n])", raw))
    assert checked > 1000


def test_the_item_table_is_its_rows_typed(published: tuple[Path, Path]) -> None:
    _, root = published
    path = next(p for p in _item_files(root) if json.loads(p.read_bytes())["category"] == "finance")
    data = json.loads(path.read_bytes())
    header, *rows = _csv(path.with_suffix(".csv"))
    assert header == data["headers"] and len(rows) == len(data["rows"])
    for printed, line in zip(data["rows"], rows, strict=True):
        for cell, read in zip(printed, line, strict=True):
            assert read == cell.replace(",", "")  # 1,540.00 → 1540.00; dates and text as printed


def test_the_index_and_schema_as_excel_reads_them(published: tuple[Path, Path]) -> None:
    _, root = published
    header, *rows = _csv(root / "items.csv")
    assert header == [label for _, label in open_data.INDEX_COLUMNS]
    items = json.loads((root / "items.json").read_bytes())
    assert items["licence"] == LICENCE and len(rows) == len(items["items"]) > 40
    by = dict(zip(header, rows[0], strict=True))
    assert by["验证码"] == items["items"][0]["code"] and by["网址"].endswith(f"?v={by['验证码']}")
    header, *fields = _csv(root / "schema.csv")
    assert {f[0] for f in fields} >= {"finance", "assistance", "bids", "notice"}
    masked = {(f[0], f[3]) for f in fields if f[-1] == "是"}
    assert ("assistance", "head_name") in masked and ("assistance", "id_number") in masked
    # Only what a format shows: the phone and account of a household are never listed.
    assert not {("assistance", "phone"), ("assistance", "account"), ("assistance", "address")} & {
        (f[0], f[3]) for f in fields}


def test_the_licence_is_on_every_page_and_in_every_data_file(published: tuple[Path, Path]) -> None:
    _, root = published
    for page in root.rglob("*.html"):
        assert f"开放数据使用许可：{LICENCE}" in page.read_text(encoding="utf-8"), page
    for data in root.rglob("*.json"):
        if data.name != online_copy.MANIFEST:
            assert json.loads(data.read_bytes())["licence"] == LICENCE, data


def test_the_check_knows_every_open_data_file(published: tuple[Path, Path], tmp_path: Path) -> None:
    db, original = published
    root = tmp_path / "www"
    shutil.copytree(original, root)
    with sessions(db)() as session:
        assert online_copy.check_site(session, LAYOUTS, root, BASE, today=TODAY)[1] == []
    table = root / "items.csv"
    table.write_bytes(table.read_bytes().replace(b"donggang", b"dongang", 1))
    item = next(root.glob("donggang/2026Q2/*.csv"))
    (item.with_name("98.csv")).write_bytes(item.read_bytes())  # a forged table beside the real ones
    (root / "schema.json").unlink()
    with sessions(db)() as session:
        _, problems = online_copy.check_site(session, LAYOUTS, root, BASE, today=TODAY)
    said = {p.where: p.message for p in problems}
    assert set(said) == {"items.csv", "donggang/2026Q2/98.csv", "schema.json"}
    assert "不符" in said["items.csv"] and "缺少" in said["schema.json"] and "伪造" in said["donggang/2026Q2/98.csv"]


def test_an_item_sealed_under_other_columns_has_no_typed_values(published: tuple[Path, Path]) -> None:
    _, root = published
    data = json.loads(next(p for p in _item_files(root) if "rows" in json.loads(p.read_bytes())).read_bytes())
    public = PublicItem.from_canonical({k: v for k, v in data.items() if k not in BESIDE})
    layout = LAYOUTS.for_category(public.category)
    assert open_data.item_values(public, layout) is not None
    older = dataclasses.replace(public, headers=(*public.headers[:-1], "旧表头"))
    assert open_data.item_values(older, layout) is None
    header, *_ = list(csv.reader(io.StringIO(open_data.item_csv(older, layout, None, withdrawn=False)
                                             .decode("utf-8-sig"))))
    assert header[-1] == "旧表头"  # its table is then written as printed


# ---------------------------------------------------------------------------------------------
# The licence line as a setting.

@pytest.mark.parametrize(("text", "said"), [
    ("转载请注明来源，联系人身份证410102199001011234", "身份证"), ("许" * 201, "太长")])
def test_a_licence_line_with_a_personal_number_or_too_long_is_refused(
        demo_copy: Path, text: str, said: str) -> None:
    with Archive.open(demo_copy) as archive, pytest.raises(BadInput) as raised:
        change_settings(archive, licence=text)
    assert said in str(raised.value.problems) and "开放数据使用许可" in str(raised.value.problems)
    with sessions(demo_copy)() as session:
        assert store.load_settings(session).licence == ""  # nothing saved


@pytest.mark.slow
def test_zwgk_settings_licence_sets_what_the_site_shows(demo_copy: Path, tmp_path: Path) -> None:
    env: dict[str, Any] = {"ZWGK_DB": str(demo_copy)}
    done = run_zwgk("settings", "--licence", LICENCE, cwd=tmp_path, env=env)
    assert done.code == 0 and f"开放数据使用许可：{LICENCE}" in done.out, done.err
    assert json.loads(run_zwgk("settings", "--json", cwd=tmp_path, env=env).out)["licence"] == LICENCE
    assert run_zwgk("site", "-o", str(tmp_path / "www"), "--base-url", BASE, cwd=tmp_path, env=env).code == 0
    assert f"开放数据使用许可：{LICENCE}" in (tmp_path / "www" / "data.html").read_text(encoding="utf-8")
    assert run_zwgk("settings", "--licence", "", cwd=tmp_path, env=env).code == 0
    assert run_zwgk("site", "-o", str(tmp_path / "www"), cwd=tmp_path, env=env).code == 0
    assert "开放数据使用许可" not in (tmp_path / "www" / "index.html").read_text(encoding="utf-8")
    assert run_zwgk("site", "-o", str(tmp_path / "www"), "--check", cwd=tmp_path, env=env).code == 0


def test_a_table_no_longer_published_is_removed_with_its_page(demo_copy: Path, tmp_path: Path) -> None:
    from sqlalchemy import select

    from zwgk_desktop.db.models import DisclosureItem

    root = tmp_path / "www"
    with sessions(demo_copy)() as session:
        online_copy.write_site(session, LAYOUTS, root, BASE, today=TODAY)
    with sessions(demo_copy)() as session, session.begin():
        record = session.scalars(select(DisclosureItem).where(
            DisclosureItem.village_id == 3, DisclosureItem.period == "2026Q3",
            DisclosureItem.category == "finance")).one()
        record.status = "draft"
        number = record.number
    with sessions(demo_copy)() as session:
        done = online_copy.write_site(session, LAYOUTS, root, BASE, today=TODAY)
    gone = {f"shiqiao/2026Q3/{number}.{suffix}" for suffix in ("html", "json", "csv", "pdf")}
    assert gone <= set(done.removed) and not any((root / name).exists() for name in gone)
    listed = json.loads((root / "items.json").read_bytes())["items"]
    assert ("shiqiao", "2026Q3", number) not in {(i["village_code"], i["period"], i["number"]) for i in listed}
