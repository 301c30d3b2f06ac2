"""The import's fast paths give what the plain path gives: a column's compiled cell reader
(`importer.cell_reader`) against `importer._parse` on generated cells of every field of every
category, and the report an import stores with its item (`_checked_report`, the plan's) against
`validate` run afresh over the whole item."""

from __future__ import annotations

import copy
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_spreadsheets import ROWS, ids, words

from zwgk_desktop.domain.categories import CATEGORIES, category, new_item
from zwgk_desktop.domain.fields import FieldError
from zwgk_desktop.domain.items import validate
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.io.importer import Column, _checked_report, _parse, cell_reader, plan_import
from zwgk_desktop.io.workbook import write_workbook

Q3 = Quarter(2026, 3)
FIELDS = [(code, spec) for code in CATEGORIES for spec in category(code).row_fields]

# Cells as a reader hands them over: spreadsheet numbers (whole, with cents, huge, negative,
# not finite), booleans, dates and datetimes (also out of range), and texts of every shape the
# fast paths must leave to `_parse` (spaces around and inside, full-width, a compatibility
# ideograph, controls, newlines, long digit runs, choices, IDs, phones, 万 and 元).
texts = st.one_of(
    words, ids, st.sampled_from(["农村低保", "城市低保", "特困供养", " 农村低保", "农村低保 ", "招标", "个人", "单位",
                                 "13800138000", "1380013800０", "48.6万", "1,200元", "12", "１２", "3人", "2026-07-01",
                                 "7月1日", "20260701", "张  三", "张\u3000三", "\uf900", "e\u0301", "a\tb", "a\nb",
                                 "x\u200by", "12345", "王12345", "6222021234567890123", "", " ", "（示例）张三"]),
    st.text(alphabet=st.sampled_from([*"0123456789０１２３ 　-.,元万张王·\t\n", "\u200b", "\uf900", "\u0301"]),
            max_size=25),
    st.text(max_size=70))
numbers = st.one_of(st.integers(-10, 10**16), st.floats(allow_nan=True, allow_infinity=True),
                    st.floats(-1e3, 1e13).map(lambda f: float(round(f))), st.floats(0, 1e6).map(lambda f: round(f, 2)),
                    st.sampled_from([0.0, -0.0, 1.0, 20000.5, 45000.0, 1e12, 1e12 - 1, 999999.0, 1000000.0, 1000001.0]))
# What the fast paths for phones, accounts, IDs and amounts with cents take, and their near
# misses: ASCII and full-width digits, too short and too long, spaces and dashes; amounts of every
# size with cents, and floats a little off two decimals; text of every Unicode category.
digit_strings = st.one_of(
    st.from_regex(r"1[0-9]{10}", fullmatch=True), st.from_regex(r"[0-9]{10,27}", fullmatch=True),
    st.text(alphabet=st.sampled_from([*"0123456789０１２３ -Xx", "\u0663"]), min_size=10, max_size=27))
cents = st.one_of(st.floats(0, 1e13), st.floats(0, 1e12).map(lambda f: round(f, 2)),
                  st.floats(0, 1e6).map(lambda f: round(f, 2) + 1e-7),
                  st.floats(0, 1e6).map(lambda f: round(f, 2) - 3e-6),
                  st.sampled_from([0.1, 0.01, 0.005, 3.3000000000000003, 999999999999.99, 1e12 - 0.001, 5e-324]))
every_category = st.text(st.characters(), max_size=12)
cells = st.one_of(st.none(), st.booleans(), numbers, texts, digit_strings, cents, every_category,
                  st.dates(date(1900, 1, 1), date(2200, 12, 31)),
                  st.datetimes(datetime(1900, 1, 1), datetime(2200, 12, 31)))


def _outcome(read: Any, raw: Any) -> tuple[str, Any, type]:
    try:
        value = read(raw)
    except FieldError as exc:
        return ("error", str(exc), FieldError)
    return ("value", value, type(value))


@pytest.mark.parametrize("unit", ["", "万元"])
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.sampled_from(FIELDS), raw=cells)
def test_a_columns_reader_reads_every_cell_as_parse_does(unit: str, where: tuple[str, Any], raw: Any) -> None:
    _, spec = where
    column = Column(3, spec.label, spec, unit)
    assert _outcome(cell_reader(column, Q3), raw) == _outcome(lambda r: _parse(column, r, Q3), raw)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.sampled_from(FIELDS), column=st.lists(cells, max_size=6), unit=st.sampled_from(["", "万元"]))
def test_a_columns_reader_reads_a_cell_again_as_parse_does(where: tuple[str, Any], column: list[Any],
                                                            unit: str) -> None:
    """One reader over a whole column, each cell twice and in turn (a 村民小组 or a 救助类别
    comes again on every line): what it has taken once is what `_parse` gives each time."""
    _, spec = where
    read = cell_reader(Column(3, spec.label, spec, unit), Q3)
    again = Column(3, spec.label, spec, unit)
    for raw in [*column, *column, *reversed(column)]:
        assert _outcome(read, raw) == _outcome(lambda r: _parse(again, r, Q3), raw)


def test_the_fast_paths_take_the_usual_cells() -> None:
    """The usual cells of a 低保 list are read by the fast paths as `_parse` reads them (the
    comparison above also covers them; here they are named, with what they give)."""
    schema = category("assistance")
    read = {f.key: cell_reader(Column(1, f.label, f), Q3) for f in schema.row_fields}
    assert read["monthly_amount"](680.0) == 68000
    in_wan = cell_reader(Column(1, "金额（万元）", schema.row_field("monthly_amount"), "万元"), Q3)
    assert in_wan(3.0) == 3_000_000  # 3 万元 in 分
    assert read["monthly_amount"](680.5) == 68050  # cents, from the number's shortest text
    assert read["monthly_amount"](3.3000000000000003) == 330
    assert read["phone"]("13800138000") == "13800138000"
    assert read["phone"](None) is None  # optional and empty
    assert read["account"]("6228480012345678") == "6228480012345678"
    with pytest.raises(FieldError, match="必填"):
        read["head_name"](None)
    with pytest.raises(FieldError, match="12–25 位数字"):
        read["account"]("62284800123")
    assert read["household_size"](3.0) == 3
    assert read["kind"]("农村低保") == "农村低保"
    assert read["head_name"]("欧阳娜") == "欧阳娜"
    with pytest.raises(FieldError, match="不在可选项中"):
        read["kind"]("低保")
    with pytest.raises(FieldError, match="长串数字"):
        read["head_name"]("王12345")
    with pytest.raises(FieldError, match="身份证号应为 18 位"):
        read["id_number"]("41012219800101")


def _full_check(item: Any, code: str) -> tuple[Any, Any]:
    """`validate` over a copy of the item, every cell checked again, as `store.save_item` does
    when it is not given the plan's report; the copy's values after it."""
    again = copy.deepcopy(item)
    report = validate(again, category(code))
    return report, again


@pytest.mark.parametrize("code", list(CATEGORIES))
def test_the_report_stored_with_an_import_is_what_validate_says(code: str) -> None:
    """An import stores its item with the plan's report, not checking every cell again: it is the
    report `validate` gives of the item checked afresh, and that check rewrites no value (every
    cell was read into the canonical form its check keeps). An item changed after the plan is
    checked again, and then too the report is `validate`'s."""

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ROWS[code], st.one_of(st.none(), words))
    def stored(rows: list[dict[str, Any]], title: str | None) -> None:
        item = new_item(code, Q3)
        item.rows = [dict(r) for r in rows]
        validate(item, category(code))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "rows.xlsx"
            write_workbook(code, path, item)
            plan = plan_import(path, code, Q3)
        if not plan.ok:
            return  # not stored (store_import refuses a plan with errors)
        if title is not None:
            plan.item.title = title  # as `store_import` does with `--title`
        given_report = _checked_report(plan)
        assert given_report is not None
        fresh, checked = _full_check(plan.item, code)
        assert (given_report.errors, given_report.warnings, given_report.incomplete) == \
            (fresh.errors, fresh.warnings, fresh.incomplete)
        assert checked.rows == plan.item.rows  # nothing left to rewrite in canonical form
        plan.item.rows[0] = {**plan.item.rows[0], "changed": 1}  # the rows changed after the plan
        assert _checked_report(plan) is None  # checked in full by store.save_item

    stored()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_left_as_it_was(enabled: bool, tmp_path: Path) -> None:
    """An import pauses Python's cycle collector while it reads and stores, and leaves it as it
    found it, whether the file imports or is refused."""
    import gc

    item = new_item("assistance", Q3)
    good = tmp_path / "good.xlsx"
    write_workbook("assistance", good, item)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a spreadsheet")
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        plan = plan_import(good, "assistance", Q3)
        assert plan.errors  # an empty template: no rows, told as an error
        assert gc.isenabled() is enabled
        with pytest.raises(BadInput):
            plan_import(bad, "assistance", Q3)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
