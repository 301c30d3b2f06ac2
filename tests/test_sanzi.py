"""集体资产 and 集体资源 (the 三资 tables): their rule functions, and the catalogue's yearly
frequency (at least once a year, in the year's last quarter, and whenever something changes)."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from zwgk_desktop.domain import catalogue
from zwgk_desktop.domain.fields import Field, Kind
from zwgk_desktop.domain.items import Category, Item, Report
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.domain.sanzi_rules import change_explained, leased_resource, register_totals

Q3, Q4 = Quarter(2026, 3), Quarter(2025, 4)
ASSETS = Category(
    code="assets", name="集体资产",
    item_fields=(Field("total_original", "原值合计", Kind.MONEY), Field("total_net", "净值合计", Kind.MONEY)),
    row_fields=(Field("name", "资产名称", Kind.TEXT), Field("original", "原值", Kind.MONEY),
                Field("net", "净值", Kind.MONEY),
                Field("change", "本期变动", Kind.CHOICE, choices=("无变动", "增加", "减少", "处置")),
                Field("change_reason", "变动原因", Kind.TEXT, required=False)))
RESOURCES = Category(
    code="resources", name="集体资源", item_fields=(),
    row_fields=(Field("operation", "经营方式", Kind.CHOICE, choices=("发包", "出租", "入股", "自营", "未利用")),
                Field("party", "承包（租赁）方", Kind.NAME, required=False),
                Field("party_type", "承包方类型", Kind.CHOICE, required=False, choices=("单位", "个人")),
                Field("start", "起始日期", Kind.DATE, required=False),
                Field("end", "截止日期", Kind.DATE, required=False),
                Field("yearly_rent", "年租金", Kind.MONEY, required=False)))
CHANGES = st.sampled_from(["无变动", "增加", "减少", "处置"])
asset_rows = st.lists(st.fixed_dictionaries({
    "name": st.just("办公楼"), "original": st.integers(0, 10**9), "net": st.integers(0, 10**9), "change": CHANGES,
    "change_reason": st.just("村民代表会议同意")}), min_size=1, max_size=20)


def _totals(item: Item) -> Report:
    report = Report()
    register_totals(ASSETS, item, report, of="original", equals="total_original", change="change",
                    leaving=["减少", "处置"])
    return report


@settings(max_examples=60, deadline=None)
@given(rows=asset_rows, off=st.integers(-10**6, 10**6))
def test_the_book_total_is_the_sum_of_what_is_still_held(rows: list[dict[str, Any]], off: int) -> None:
    held = sum(r["original"] for r in rows if r["change"] not in ("减少", "处置"))
    item = Item(category="assets", period=Q3, title="t", fields={"total_original": held + off}, rows=rows)
    report = _totals(item)
    if off == 0:
        assert report.ok
    else:
        (problem,) = report.errors
        assert problem.field == "原值合计" and "不符" in problem.message
        assert f"相差 {'-' if off > 0 else ''}" in problem.message  # held − total, signed


def test_a_total_not_filled_in_yet_is_not_called_broken() -> None:
    item = Item(category="assets", period=Q3, title="t", fields={"total_original": None},
                rows=[{"original": 100, "change": "无变动"}])
    assert _totals(item).ok


def test_a_change_says_why() -> None:
    for change, reason, ok in (("无变动", None, True), ("处置", None, False), ("处置", "报废", True),
                               ("增加", None, False)):
        report = Report()
        change_explained(ASSETS, Item("assets", Q3, "t"), {"change": change, "change_reason": reason}, report,
                         change="change", reason="change_reason")
        assert report.ok is ok
        if not ok:
            assert report.errors[0].field == "变动原因" and change in report.errors[0].message


def _lease(row: dict[str, Any]) -> Report:
    report = Report()
    leased_resource(RESOURCES, Item("resources", Q3, "t"), row, report, operation="operation", party="party",
                    party_type="party_type", start="start", end="end", rent="yearly_rent")
    return report


def test_a_plot_let_out_names_who_took_it_how_long_and_for_how_much() -> None:
    full = {"operation": "发包", "party": "王建国", "party_type": "个人", "start": date(2024, 1, 1),
            "end": date(2028, 12, 31), "yearly_rent": 2_492_000}
    assert _lease(full).ok
    missing = _lease({**full, "party_type": None, "yearly_rent": None})
    assert sorted(p.field for p in missing.errors) == ["年租金", "承包方类型"]
    assert all("发包的资源须填写" in p.message for p in missing.errors)
    kept = _lease({"operation": "自营", "party": "王建国", "party_type": None, "start": None, "end": None,
                   "yearly_rent": None})
    assert [p.field for p in kept.errors] == ["承包（租赁）方"] and "自营" in kept.errors[0].message
    assert _lease({"operation": "未利用", "party": None, "party_type": None}).ok


# ---------------------------------------------------------------------------------------------
# The catalogue: yearly.

YEARLY = catalogue.Requirement("assets", frequency="yearly", deadline="next_month_day", working_days=20,
                               required="every_period")


def test_the_year_end_register_is_required_in_the_last_quarter() -> None:
    missing = catalogue.judge(YEARLY, Q4, [], publication_day=10, today=date(2026, 3, 1))
    assert missing.status == catalogue.MISSING and "2026-01-" in missing.note
    on_time = catalogue.Posted(7, published=date(2026, 1, 6), reviewed=date(2026, 1, 5))
    assert catalogue.judge(YEARLY, Q4, [on_time], 10, today=date(2026, 3, 1)).status == catalogue.ON_TIME
    late = catalogue.Posted(7, published=date(2026, 2, 2), reviewed=date(2026, 1, 5))
    assert catalogue.judge(YEARLY, Q4, [late], 10, today=date(2026, 3, 1)).status == catalogue.LATE


def test_in_another_quarter_only_a_change_is_disclosed_as_it_happens() -> None:
    assert catalogue.judge(YEARLY, Q3, [], 10, today=date(2026, 12, 1)).status == catalogue.NOT_REQUIRED
    prompt = catalogue.Posted(9, published=date(2026, 8, 10), reviewed=date(2026, 8, 3))
    assert catalogue.judge(YEARLY, Q3, [prompt], 10, today=date(2026, 12, 1)).status == catalogue.ON_TIME
    slow = catalogue.Posted(9, published=date(2026, 9, 30), reviewed=date(2026, 8, 3))
    cell = catalogue.judge(YEARLY, Q3, [slow], 10, today=date(2026, 12, 1))
    assert cell.status == catalogue.LATE and cell.late_days > 0


def test_the_yearly_rule_says_itself_in_words() -> None:
    assert YEARLY.describe(10) == "每年第四季度公开（次年1月10日前），有变动时审核后20个工作日内公开"


# ---------------------------------------------------------------------------------------------
# 面积: a measure with two decimals, exact (no float rounding), as typed and as a cell holds it.

AREA = Field("area", "面积（亩）", Kind.DECIMAL)


@given(st.integers(0, 10**11))
def test_an_area_reads_back_exactly_as_it_is_written(hundredths: int) -> None:
    from zwgk_desktop.domain.fields import format_hundredths

    assert AREA.parse(format_hundredths(hundredths)) == hundredths
    assert AREA.parse(AREA.to_text(hundredths)) == hundredths
    assert AREA.parse(hundredths / 100) == hundredths  # a spreadsheet's float, read by its shortest repr


def test_an_area_of_the_wrong_type_is_refused_in_words() -> None:
    import pytest

    from zwgk_desktop.domain.fields import FieldError

    for raw, said in (("abc", "不是数字"), ("35.601", "最多两位小数"), ("-3", "不能为负数"), (True, "应为数字"),
                      ("", "必填")):
        with pytest.raises(FieldError, match=said):
            AREA.parse(raw)
    with pytest.raises(FieldError, match="整数存储"):
        AREA.check(35.6)
