"""Calendar years chinesecalendar does not know: statutory holidays are never working days, such
deadlines say they are estimates, and a township's holiday file (`holidays-YYYY.toml` in its
formats) replaces the estimate without a new release."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from conftest import run_zwgk
from hypothesis import given, settings
from hypothesis import strategies as st

from zwgk_desktop.domain import holidays
from zwgk_desktop.domain.catalogue import Requirement, month_deadline
from zwgk_desktop.domain.holidays import Arrangement, read_holiday_file, statutory_days
from zwgk_desktop.domain.periods import (
    Quarter,
    add_working_days,
    arrangement_known,
    calendar_note,
    is_working_day,
    working_days_between,
)
from zwgk_desktop.errors import BadInput
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.packs import export_pack, load_pack_layouts


@pytest.fixture(autouse=True)
def _no_loaded_arrangements() -> Iterator[None]:
    """Each test starts, and leaves, with only the packaged calendar (loading is per process)."""
    holidays.install({})
    yield
    holidays.install({})


def test_2027_keeps_its_statutory_holidays_off() -> None:
    assert not arrangement_known(2027) and arrangement_known(2026)
    # 元旦 2027 is a Friday: the 2026Q4 board due on 1 January moves to Monday 4 January.
    assert Quarter(2026, 4).publication_deadline(1) == date(2027, 1, 4)
    for day in (date(2027, 1, 1), date(2027, 5, 1), date(2027, 10, 1)):
        assert not is_working_day(day)
    # 春节 2027 (初一 on 6 February, a Saturday; 除夕 the 5th, a Friday), 清明 5 April, 端午 9 June, 中秋 15 September.
    for day in (date(2027, 2, 5), date(2027, 2, 8), date(2027, 4, 5), date(2027, 6, 9), date(2027, 9, 15)):
        assert not is_working_day(day), day
    # October 2027: 1st a Friday (国庆), 4th a Monday: 20 weekdays in October, less 国庆's Friday.
    assert working_days_between(date(2027, 10, 1), date(2027, 10, 31)) == 20
    assert "2027 年节假日安排未知" in calendar_note([date(2027, 1, 4)])
    assert calendar_note([date(2026, 10, 12)]) == ""


def test_statutory_days_match_the_official_calendar_where_it_is_known() -> None:
    # Every statutory holiday this module works out is a holiday in the years the package publishes.
    for year in range(2008, 2027):
        for day in statutory_days(year):
            assert chinese_calendar.is_holiday(day), day
    # The 2024 revision: 除夕 and 2 May from 2025 on.
    assert date(2025, 1, 28) in statutory_days(2025) and date(2025, 5, 2) in statutory_days(2025)
    assert date(2024, 5, 2) not in statutory_days(2024)


@settings(max_examples=300, deadline=None)
@given(year=st.integers(2020, 2035), number=st.integers(1, 4), day=st.integers(1, 28))
def test_a_deadline_is_never_a_weekend_or_a_statutory_holiday(year: int, number: int, day: int) -> None:
    deadline = Quarter(year, number).publication_deadline(day)
    assert deadline not in statutory_days(deadline.year)
    if arrangement_known(deadline.year):  # nothing loaded: what chinesecalendar knows
        assert chinese_calendar.is_workday(deadline)
    else:
        assert deadline.weekday() < 5
    # The catalogue's deadlines (a day of the next month, or N working days after) too.
    for requirement in (Requirement("finance", day=day), Requirement("bids", deadline="working_days",
                                                                      working_days=day)):
        last = Quarter(year, number).last_day
        due = month_deadline(last.year, last.month, requirement, 10)
        assert due not in statutory_days(due.year) and is_working_day(due)


HOLIDAY_FILE = """# 国务院办公厅关于2027年部分节假日安排的通知（测试用）
source = "国办发明电〔2026〕7号"
holidays = [2027-01-01, [2027-10-01, 2027-10-07]]
workdays = [2027-09-26, 2027-10-09]
"""


def _formats_with(tmp_path: Path, text: str, name: str = "holidays-2027.toml") -> Path:
    folder = tmp_path / "formats"
    shutil.copytree(standard_layouts_dir(), folder)
    (folder / name).write_text(text, encoding="utf-8")
    # Finance due on the 4th of the next month: in October 2027, the day after 国庆's weekend.
    catalogue = folder / "catalogue.toml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace(
        'category = "finance"\n', 'category = "finance"\nday = 4\n', 1), encoding="utf-8")
    return folder


def test_a_loaded_holiday_file_changes_the_count(tmp_path: Path) -> None:
    october = (date(2027, 9, 20), date(2027, 10, 15))
    estimated = working_days_between(*october)
    assert Quarter(2027, 3).publication_deadline(4) == date(2027, 10, 4)
    load_pack_layouts(_formats_with(tmp_path, HOLIDAY_FILE))
    assert arrangement_known(2027) and calendar_note([date(2027, 10, 8)]) == ""
    # 10-4..10-7 (Mon–Thu) off; Sunday 9-26 and Saturday 10-9 worked.
    assert working_days_between(*october) == estimated - 4 + 2
    assert Quarter(2027, 3).publication_deadline(4) == date(2027, 10, 8)
    assert is_working_day(date(2027, 10, 9)) and not is_working_day(date(2027, 10, 2))
    # Loading formats without the file puts the estimate back.
    load_pack_layouts(standard_layouts_dir())
    assert working_days_between(*october) == estimated


weekdays_2030 = st.sets(st.dates(date(2030, 1, 1), date(2030, 12, 31)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(off=weekdays_2030, worked=weekdays_2030)
def test_a_generated_arrangement_counts_as_it_says(off: set[date], worked: set[date]) -> None:
    worked = {d for d in worked if d.weekday() >= 5 and d not in statutory_days(2030)} - off
    holidays.install({2030: Arrangement(2030, frozenset(off), frozenset(worked))})
    year = [date(2030, 1, 1) + timedelta(days=n) for n in range(365)]
    expected = sum(1 for d in year if d in worked or (d.weekday() < 5 and d not in off
                                                         and d not in statutory_days(2030)))
    assert working_days_between(year[0], year[-1]) == expected
    assert not any(is_working_day(d) for d in statutory_days(2030))
    start = date(2030, 3, 1)
    assert working_days_between(start + timedelta(days=1), add_working_days(start, 15)) == 15


@pytest.mark.parametrize(("text", "name", "words"), [
    ("holidays = [2027-13-01]", "holidays-2027.toml", "TOML"),
    ("holiday = [2027-01-01]", "holidays-2027.toml", "holiday"),
    ("holidays = [2028-01-01]", "holidays-2027.toml", "不在 2027 年内"),
    ('holidays = ["1月1日"]', "holidays-2027.toml", "不是日期"),
    ("holidays = [[2027-10-07, 2027-10-01]]", "holidays-2027.toml", "早于"),
    ("holidays = []\nworkdays = [2027-10-01]", "holidays-2027.toml", "法定节假日"),
    ("holidays = []\nworkdays = [2027-10-05]", "holidays-2027.toml", "本来就上班"),
    ("holidays = [2027-10-04]\nworkdays = [2027-10-04]", "holidays-2027.toml", "既是放假又是上班"),
    ("year = 2026\nholidays = []", "holidays-2027.toml", "year"),
    ("workdays = []", "holidays-2027.toml", "holidays"),
])
def test_a_bad_holiday_file_is_refused_naming_file_and_key(tmp_path: Path, text: str, name: str,
                                                           words: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        read_holiday_file(path)
    message = str(caught.value)
    assert name in message and words in message, message


def test_a_township_hands_out_its_calendar_in_the_pack(tmp_path: Path) -> None:
    folder = _formats_with(tmp_path, HOLIDAY_FILE)
    pack = tmp_path / "qingshan.zwgkpack"
    export_pack(folder, pack, name="青山镇标准格式", version="2027.1", township="青山镇")
    bad = _formats_with(tmp_path / "bad", "holidays = [2027-02-30]")
    with pytest.raises(BadInput, match=r"holidays-2027\.toml"):
        export_pack(bad, tmp_path / "bad.zwgkpack", name="坏", version="1", township="青山镇")
    # In a village: the pack is imported, and its calendar is used by every command.
    env = {"ZWGK_DATA_DIR": str(tmp_path / "village")}
    db = tmp_path / "v.sqlite3"
    assert run_zwgk("init", "--db", str(db), "--township", "青山镇", "--village", "东岗村", cwd=tmp_path,
                    env=env).code == 0
    imported = run_zwgk("pack", "import", str(pack), cwd=tmp_path, env=env)
    assert imported.code == 0, imported.err
    with_file = json.loads(run_zwgk("status", "--db", str(db), "--period", "2027Q3", "--json", cwd=tmp_path,
                                    env=env).out)
    notes = [cell["note"] for v in with_file["villages"] for cell in v["cells"].values()]
    assert with_file["calendar_note"] == "" and any("2027-10-08" in n for n in notes), notes
    plain = _formats_with(tmp_path / "plain", "")
    (plain / "holidays-2027.toml").unlink()
    without = json.loads(run_zwgk("status", "--db", str(db), "--period", "2027Q3", "--json",
                                  "--layouts", str(plain), cwd=tmp_path, env=env).out)
    assert "2027 年节假日安排未知" in without["calendar_note"]
    assert any("2027-10-04" in cell["note"] for v in without["villages"] for cell in v["cells"].values())
    table = run_zwgk("status", "--db", str(db), "--period", "2027Q3", "--layouts", str(plain),
                     cwd=tmp_path, env=env)
    assert "2027 年节假日安排未知，按周末及法定节日推算" in table.out
    # A bad file in the formats folder stops the command, naming it.
    broken = run_zwgk("status", "--db", str(db), "--period", "2027Q3", "--layouts", str(bad), cwd=tmp_path, env=env)
    assert broken.code == 2 and "holidays-2027.toml" in broken.err and "Traceback" not in broken.err
