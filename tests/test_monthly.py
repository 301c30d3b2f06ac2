"""Monthly finance (issue 16, part 3): a period can be a month (`2026-07`) for a category the catalogue
or the township's setting has a village disclose monthly; the quarter stays the unit of sealing; the
compliance table judges each month. Months parsed, stored (migration 0014), imported, printed,
sealed with their quarter and judged, from the command line as a township uses it."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import inspect, select

from tests.conftest import run_zwgk
from tests.factories import old_schema_notice, went_out_on
from zwgk_desktop.db import migrate, store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import DisclosureItem
from zwgk_desktop.domain.catalogue import (
    LATE,
    MISSING,
    NOT_DUE,
    ON_TIME,
    Catalogue,
    Posted,
    Requirement,
    judge,
    judge_month,
)
from zwgk_desktop.domain.categories import new_item
from zwgk_desktop.domain.periods import Month, Quarter, parse_period
from zwgk_desktop.errors import BadInput
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import layout_from_text

# -- the period itself ---------------------------------------------------------------------------


@given(st.integers(1949, 2999), st.integers(1, 12))
def test_a_month_reads_back_as_written_and_knows_its_quarter(year: int, number: int) -> None:
    month = Month(year, number)
    assert str(month) == f"{year}-{number:02d}" and parse_period(str(month)) == month
    assert Month.parse(f"{year}年{number}月") == month == Month.parse(f" {year}-{number} ")
    assert month.chinese == f"{year}年{number}月"
    assert month.quarter == Quarter(year, (number - 1) // 3 + 1) and number in month.quarter.months
    assert month.first_day == date(year, number, 1) and month.contains(month.last_day)
    if (year, number) != (2999, 12):  # the last month allowed has no next one
        assert not month.contains(month.next().first_day) and month.next().first_day.day == 1
    assert month.quarter.contains(month.first_day) and month.quarter.contains(month.last_day)


@given(st.integers(1949, 2999), st.integers(1, 4))
def test_a_quarter_is_still_a_quarter(year: int, number: int) -> None:
    quarter = parse_period(f"{year}Q{number}")
    assert quarter == Quarter(year, number)
    # Its days, to the last day of the last year allowed (2999Q4 has no next quarter to count back from).
    assert isinstance(quarter, Quarter) and quarter.contains(quarter.last_day)
    assert quarter.last_day.month == 3 * number and (quarter.last_day + timedelta(days=1)).day == 1


_LOOKS_LIKE_A_PERIOD = re.compile(r"^\s*\d{4}\s*([Qq季]\s*[1-4]|(-|年)\s*\d{1,2}\s*月?)\s*$")


@given(st.text(max_size=30).filter(lambda t: not _LOOKS_LIKE_A_PERIOD.match(t)))
def test_junk_is_refused_in_words(text: str) -> None:
    with pytest.raises(BadInput, match=r"季度或月份|月份必须|季度必须|年份"):
        parse_period(text)


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "2026年0月", "1800-07"])
def test_a_month_out_of_range_says_why(bad: str) -> None:
    with pytest.raises(BadInput, match=r"月份必须是 1–12|年份"):
        parse_period(bad)


# -- titles and the in-period rule ----------------------------------------------------------------


def test_a_new_item_of_a_month_is_titled_and_dated_by_its_month() -> None:
    item = new_item("finance", Month(2026, 7))
    assert item.title == "2026年7月财务收支明细" and item.period == Quarter(2026, 3) and item.month == Month(2026, 7)
    assert new_item("finance", Quarter(2026, 3)).month is None


def test_a_month_pattern_must_name_the_month(tmp_path: Path) -> None:
    text = (standard_layouts_dir() / "finance.toml").read_text(encoding="utf-8")
    bad = text.replace('month_pattern = "{village}{year}年{month}月财务收支公开"', 'month_pattern = "{village}财务"')
    with pytest.raises(BadInput, match="month_pattern"):
        layout_from_text(bad, tmp_path / "finance.toml")
    unknown = text.replace("{month}月财务收支公开", "{week}周财务收支公开")
    with pytest.raises(BadInput, match="month_pattern"):
        layout_from_text(unknown, tmp_path / "finance.toml")
    # A format without one reads 第{quarter}季度 as {month}月 for an item of a month.
    plain = layout_from_text(text.replace('month_pattern = "{village}{year}年{month}月财务收支公开"\n', ""),
                             tmp_path / "finance.toml")
    assert plain.heading_pattern(True) == "{village}{year}年{month}月财务收支公开"
    assert plain.heading_pattern(False) == plain.title_pattern


# -- judging -------------------------------------------------------------------------------------

MONTHLY = Requirement("finance", frequency="monthly", day=10)


def _posted(number: int, month: int, day: date) -> Posted:
    return Posted(number, day, day, month, printed=day, sealed=day)


def test_each_month_is_judged_by_its_own_deadline() -> None:
    q3 = Quarter(2026, 3)
    posted = [_posted(1, 7, date(2026, 8, 6)), _posted(2, 8, date(2026, 9, 18))]
    cell = judge(MONTHLY, q3, posted, 10, today=date(2026, 10, 9))
    months = dict(cell.months)
    assert months["2026-07"].status == ON_TIME
    assert months["2026-08"].status == LATE and months["2026-08"].late_days == 6  # 10 Sept → 18 Sept
    assert months["2026-09"].status == NOT_DUE  # due 10 October, not yet
    assert cell.status == LATE and cell.late_days == 6
    assert "7月按时" in cell.note and "8月逾期 6 个工作日" in cell.note and "9月未到截止日" in cell.note
    later = judge(MONTHLY, q3, posted, 10, today=date(2026, 10, 20))
    assert later.status == MISSING and dict(later.months)["2026-09"].status == MISSING
    assert judge_month(MONTHLY, Month(2026, 8), posted[1:], 10).status == LATE


def test_the_township_setting_makes_a_category_monthly_for_one_village() -> None:
    catalogue = Catalogue((Requirement("finance"), Requirement("assistance")))
    assert catalogue.monthly(()) == () and catalogue.monthly(("finance",)) == ("finance",)
    found = catalogue.for_village("finance", ("finance",))
    assert found is not None and found.frequency == "monthly" and found.deadline == "next_month_day"
    assert catalogue.for_village("assistance", ("finance",)) == Requirement("assistance")
    assert store.checked_monthly(["finance"], today=date(2026, 8, 1)) == ("finance@2026Q3",)
    with pytest.raises(BadInput, match="notice"):
        store.checked_monthly(["notice@2026Q3"])


# -- storage -------------------------------------------------------------------------------------


def test_migration_0014_upgrades_an_archive_of_0013(tmp_path: Path) -> None:
    engine = open_engine(str(tmp_path / "old.sqlite3"), create=True)
    migrate.upgrade(engine, "0013")
    with engine.begin() as connection:
        old_schema_notice(connection, {"kind": "其他", "body": "正文"})
    with pytest.raises(BadInput, match="升级"):
        migrate.require_current(engine)
    migrate.upgrade(engine)
    migrate.require_current(engine)
    columns = {c["name"]: c for c in inspect(engine).get_columns("disclosure_item")}
    assert columns["month"]["nullable"]
    with session_factory(engine)() as session:
        village = store.find_village(session, "donggang")
        item = store.to_domain(session.get(DisclosureItem, 1))  # type: ignore[arg-type]
        assert village.monthly == "" and store.monthly_of(village) == ()
        assert item.month is None and item.period == Quarter(2026, 3) and item.fields["body"] == "正文"
    migrate.upgrade(engine)  # again: nothing to do
    engine.dispose()


# -- from the command line -----------------------------------------------------------------------


def _json(done: object) -> object:
    assert done.code == 0, done.err  # type: ignore[attr-defined]
    return json.loads(done.out)  # type: ignore[attr-defined]


def _item_of(db: Path, village: str, month: str) -> dict:  # type: ignore[type-arg]
    listing = _json(run_zwgk("list", "--db", str(db), "--village", village, "--period", month, "--json",
                             cwd=db.parent))
    found = [i for i in listing["items"] if i["category"] == "finance"]  # type: ignore[index]
    assert len(found) == 1, found
    return found[0]


def test_import_render_and_list_a_month(demo_copy: Path, tmp_path: Path) -> None:
    db = str(demo_copy)
    july, august = _item_of(demo_copy, "donggang", "2026-07"), _item_of(demo_copy, "donggang", "2026-08")
    assert (july["month"], july["period"], july["title"]) == ("2026-07", "2026Q3", "2026年7月财务收支明细")
    assert august["month"] == "2026-08"
    quarter = _json(run_zwgk("list", "--db", db, "--village", "donggang", "--period", "2026Q3", "--json",
                             cwd=tmp_path))
    finance = [i for i in quarter["items"] if i["category"] == "finance"]  # type: ignore[index]
    assert [i["month"] for i in finance] == ["", "2026-07", "2026-08"]  # the quarter's, then its months'
    # August's sheets say August, and their QR codes the quarter (the URL's unit).
    done = run_zwgk("render", "--db", db, "--village", "donggang", "--period", "2026-08", "--json",
                    "-o", str(tmp_path / "aug.pdf"), cwd=tmp_path)
    printed = _json(done)
    assert [i["id"] for i in printed["items"]] == [august["id"]]  # type: ignore[index]
    assert f"/donggang/2026Q3/{august['id']}.html" in printed["items"][0]["url"]  # type: ignore[index]
    text = PdfReader(tmp_path / "aug.pdf").pages[0].extract_text()
    assert "东岗村2026年8月财务收支公开" in text and "2026-08-" in text and "2026-07-" not in text
    # A month is refused where the village (or the category) is disclosed by quarter.
    refused = run_zwgk("render", "--db", db, "--village", "shiqiao", "--period", "2026-07",
                       "-o", str(tmp_path / "x.pdf"), cwd=tmp_path)
    assert refused.code == 2 and "没有按月公开" in refused.err and "2026Q3" in refused.err
    refused = run_zwgk("new", "--db", db, "--village", "donggang", "--period", "2026-07", "--category", "bids",
                       cwd=tmp_path)
    assert refused.code == 2 and "工程项目招投标在 2026Q3 按季度公开" in refused.err
    # A month's file: August's lines exported, imported back as September is refused row by row;
    # as August it is a new draft of August.
    exported = tmp_path / "aug.xlsx"
    assert run_zwgk("export", "--db", db, "--item", str(august["id"]), "-o", str(exported), cwd=tmp_path).code == 0
    wrong = run_zwgk("import", str(exported), "--db", db, "--village", "donggang", "--period", "2026-09",
                     "--category", "finance", cwd=tmp_path)
    assert wrong.code == 2 and "不在 2026年9月（2026-09-01 至 2026-09-30）内" in wrong.err and "第" in wrong.err
    done = run_zwgk("import", str(exported), "--db", db, "--village", "donggang", "--period", "2026-08",
                    "--category", "finance", "--accept-warnings", "--json", cwd=tmp_path)
    number = _json(done)["item"]  # type: ignore[index]
    listed = _json(run_zwgk("list", "--db", db, "--village", "donggang", "--period", "2026-08", "--json",
                            cwd=tmp_path))["items"]  # type: ignore[index]
    assert {i["id"] for i in listed} == {august["id"], number}
    assert next(i for i in listed if i["id"] == number)["title"] == "2026年8月财务收支明细"


@pytest.mark.slow
def test_months_are_sealed_with_their_quarter_and_judged_each(demo_copy: Path, tmp_path: Path) -> None:
    db = str(demo_copy)
    july, august = _item_of(demo_copy, "donggang", "2026-07"), _item_of(demo_copy, "donggang", "2026-08")
    refused = run_zwgk("seal", "--db", db, "--village", "donggang", "--period", "2026-07", cwd=tmp_path)
    assert refused.code == 2 and "按季度封存：请封存 2026Q3，月份随季度一并封存" in refused.err
    # July went out on time (before 10 August), August late (10 September: 18 September).
    engine = open_engine(db)
    with session_factory(engine)() as session, session.begin():
        ids = {n: session.scalar(select(DisclosureItem.id).where(DisclosureItem.number == n))
               for n in (july["id"], august["id"])}
        went_out_on(session, ids[july["id"]], date(2026, 8, 6))
        went_out_on(session, ids[august["id"]], date(2026, 9, 18))
    engine.dispose()
    draft = next(i for i in _json(run_zwgk("list", "--db", db, "--village", "donggang", "--period", "2026Q3",
                                           "--json", cwd=tmp_path))["items"]  # type: ignore[index]
                 if i["status"] != "reviewed")
    assert run_zwgk("review", "--db", db, "--item", str(draft["id"]), "--reviewer", "王德明", "--on", "2026-10-09",
                    cwd=tmp_path).code == 0
    sealed = run_zwgk("seal", "--db", db, "--village", "donggang", "--period", "2026Q3", "--json", cwd=tmp_path)
    assert sealed.code == 0, sealed.err
    for month in ("2026-07", "2026-08"):
        assert _item_of(demo_copy, "donggang", month)["sealed"], f"{month} is sealed with 2026Q3"
    again = run_zwgk("new", "--db", db, "--village", "donggang", "--period", "2026-09", "--category", "finance",
                     cwd=tmp_path)
    assert again.code == 2 and "已封存" in again.err  # a sealed quarter's months take nothing new either
    assert run_zwgk("verify", "--db", db, cwd=tmp_path).code == 0
    # The quarter's table judges each month; the month's table that month alone.
    table = _json(run_zwgk("status", "--db", db, "--period", "2026Q3", "--json", cwd=tmp_path))
    finance = next(v for v in table["villages"] if v["code"] == "donggang")["cells"]["finance"]  # type: ignore[index]
    assert finance["months"]["2026-07"]["status"] == "on_time"
    assert finance["months"]["2026-08"]["status"] == "late" and finance["months"]["2026-08"]["late_working_days"] == 6
    assert finance["status"] in ("late", "missing") and "8月逾期 6 个工作日" in finance["note"]
    other = next(v for v in table["villages"] if v["code"] == "liushuwan")["cells"]["finance"]  # type: ignore[index]
    assert "months" not in other  # disclosed by quarter
    words = run_zwgk("status", "--db", db, "--period", "2026Q3", cwd=tmp_path)
    # (补登: the typed 公示开始 is a day before the product's record of printing it)
    assert re.search(r"东岗村 财务收支 按月：7月 按时( 补登)?；8月 逾期 6 个工作日", words.out), words.out
    month = _json(run_zwgk("status", "--db", db, "--period", "2026-08", "--json", cwd=tmp_path))
    assert month["categories"] == ["finance"]  # type: ignore[index]
    cells = {v["code"]: v["cells"]["finance"] for v in month["villages"]}  # type: ignore[index]
    assert (cells["donggang"]["status"], cells["donggang"]["late_working_days"]) == ("late", 6)
    assert cells["donggang"]["items"] == [august["id"]]
    assert cells["shiqiao"]["status"] == "not_required" and "按季度公开" in cells["shiqiao"]["note"]
    july_table = _json(run_zwgk("status", "--db", db, "--period", "2026-07", "--json", cwd=tmp_path))
    assert next(v for v in july_table["villages"]  # type: ignore[index]
                if v["code"] == "donggang")["cells"]["finance"]["status"] == "on_time"
    sheet = tmp_path / "q3.xlsx"
    assert run_zwgk("status", "--db", db, "--period", "2026Q3", "--xlsx", str(sheet), cwd=tmp_path).code == 0
    details = {row[2]: row for row in load_workbook(sheet)["明细"].iter_rows(values_only=True) if row[0] == "东岗村"}
    assert details["财务收支（2026-08）"][3:5] == ("逾期", 6) and details["财务收支（2026-07）"][3] == "按时"


def test_the_township_sets_a_village_monthly(demo_copy: Path, tmp_path: Path) -> None:
    db = str(demo_copy)
    before = run_zwgk("list", "--db", db, "--village", "shiqiao", "--period", "2026-07", cwd=tmp_path)
    assert before.code == 2 and "zwgk settings --monthly shiqiao=finance@" in before.err
    done = run_zwgk("settings", "--db", db, "--monthly", "shiqiao=finance@2026Q3", "--json", cwd=tmp_path)
    shiqiao = next(v for v in _json(done)["villages"] if v["code"] == "shiqiao")  # type: ignore[index]
    assert shiqiao["monthly"] == ["finance@2026Q3"]
    assert "财务收支（2026Q3起）" in run_zwgk("settings", "--db", db, cwd=tmp_path).out
    assert run_zwgk("list", "--db", db, "--village", "shiqiao", "--period", "2026-07", cwd=tmp_path).code == 0
    # Not before the quarter it was set from.
    earlier = run_zwgk("list", "--db", db, "--village", "shiqiao", "--period", "2026-04", cwd=tmp_path)
    assert earlier.code == 2 and "2026Q2" in earlier.err
    made = run_zwgk("new", "--db", db, "--village", "shiqiao", "--period", "2026-09", "--category", "finance",
                    "--json", cwd=tmp_path)
    assert _json(made)["title"] == "2026年9月财务收支明细"  # type: ignore[index]
    wrong = run_zwgk("settings", "--db", db, "--monthly", "shiqiao=notice", cwd=tmp_path)
    assert wrong.code == 2 and "notice" in wrong.err
    cleared = run_zwgk("settings", "--db", db, "--monthly", "shiqiao=", "--json", cwd=tmp_path)
    assert next(v for v in _json(cleared)["villages"] if v["code"] == "shiqiao")["monthly"] == []  # type: ignore[index]
