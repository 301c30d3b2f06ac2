"""Quarters, deadlines and working days on the official calendar."""

from datetime import date

import pytest

from zwgk_desktop.domain.periods import (
    Quarter,
    add_working_days,
    calendar_days_between,
    chinese_moment,
    is_working_day,
    working_days_between,
)
from zwgk_desktop.errors import BadInput


def test_parse_and_format() -> None:
    assert str(Quarter.parse("2026Q3")) == "2026Q3"
    assert Quarter.parse(" 2026q1 ") == Quarter(2026, 1)
    assert Quarter.parse("2026季4") == Quarter(2026, 4)
    assert Quarter(2026, 3).chinese == "2026年第三季度"


@pytest.mark.parametrize("bad", ["2026Q5", "2026", "Q3", "26Q3", "", "2026-Q3-1"])
def test_bad_period_is_refused_in_words(bad: str) -> None:
    with pytest.raises(BadInput, match="季度"):
        Quarter.parse(bad)


def test_ranges_and_neighbours() -> None:
    q = Quarter(2026, 4)
    assert (q.first_day, q.last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    assert q.next() == Quarter(2027, 1) and Quarter(2027, 1).previous() == q
    assert q.months == (10, 11, 12)
    assert q.contains(date(2026, 11, 30)) and not q.contains(date(2027, 1, 1))
    assert Quarter.containing(date(2026, 2, 28)) == Quarter(2026, 1)
    assert sorted([Quarter(2026, 2), Quarter(2025, 4), Quarter(2026, 1)])[0] == Quarter(2025, 4)


def test_official_calendar_holidays_and_makeup_days() -> None:
    assert not is_working_day(date(2026, 10, 1))  # 国庆节
    assert not is_working_day(date(2026, 2, 17))  # 春节
    assert is_working_day(date(2026, 10, 9))
    assert not is_working_day(date(2026, 11, 22))  # a Sunday


def test_deadline_moves_past_a_holiday() -> None:
    # Day 1 of October 2026 is 国庆节: the deadline is the first working day after the holiday.
    deadline = Quarter(2026, 3).publication_deadline(day_of_month=1)
    assert deadline > date(2026, 10, 7) and is_working_day(deadline)
    assert Quarter(2026, 2).publication_deadline(10) == date(2026, 7, 10)  # a Friday
    with pytest.raises(BadInput):
        Quarter(2026, 2).publication_deadline(31)


def test_working_day_arithmetic() -> None:
    # 20 working days for 政府信息公开 from Friday 2026-09-25 skip the whole National Day week.
    end = add_working_days(date(2026, 9, 25), 20)
    assert working_days_between(date(2026, 9, 26), end) == 20
    assert end > date(2026, 10, 23)
    assert calendar_days_between(date(2026, 10, 8), date(2026, 10, 14)) == 7
    assert working_days_between(date(2026, 10, 2), date(2026, 10, 1)) == 0


def test_year_without_official_calendar_falls_back_to_weekdays() -> None:
    assert is_working_day(date(2031, 3, 3))  # a Monday
    assert not is_working_day(date(2031, 3, 2))  # a Sunday


def test_quarters_out_of_range_and_foreign_comparisons_and_moments_that_are_none() -> None:
    """The edges of the period helpers: a quarter 5 or a year out of range is refused in words; a
    quarter compares with nothing else; a stored moment that is no moment is shown as it is; no
    negative count of working days."""
    with pytest.raises(BadInput, match="季度必须是 1–4"):
        Quarter(2026, 5)
    with pytest.raises(BadInput, match="不在合理范围内"):
        Quarter(1900, 1)
    assert Quarter(2026, 1).__lt__("2026Q2") is NotImplemented
    assert chinese_moment("2026-12-02T05:56:24+00:00") == "2026年12月2日 13:56"
    assert chinese_moment("2026-12-02T05:56:24") == "2026年12月2日 13:56"  # stored without a zone: UTC
    assert chinese_moment("不是时间") == "不是时间"
    with pytest.raises(ValueError):
        add_working_days(date(2026, 12, 1), -1)
