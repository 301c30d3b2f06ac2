"""Quarters (the archive unit, `2026Q3`), months (`2026-07`, for what a village discloses
monthly), publication deadlines and working days.

Working days follow the official calendar of the State Council (调休 included): a year's
arrangement the township loaded (`domain.holidays`), else the one published in the
`chinesecalendar` package. For a year neither knows, Monday–Friday less the statutory holidays
(元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆), and every deadline or count of working days shown for
such a year says it is an estimate (`calendar_note`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache, total_ordering

import chinese_calendar

from zwgk_desktop.domain import holidays
from zwgk_desktop.errors import BadInput

_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*[Qq季]\s*([1-4])\s*$")
# 2026-07, as the contract writes a month; 2026-7 and 2026年7月 as clerks also write it.
_MONTH_RE = re.compile(r"^\s*(\d{4})\s*(?:-|年)\s*(\d{1,2})\s*(?:(?<=\d)月)?\s*$")
QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


@total_ordering
@dataclass(frozen=True)
class Quarter:
    """A calendar quarter, e.g. 2026Q3 (July–September 2026)."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise BadInput(f"季度必须是 1–4，不是 {self.number}")
        if not 1949 <= self.year <= 2999:
            raise BadInput(f"年份 {self.year} 不在合理范围内")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER_RE.match(text or "")
        if not match:
            raise BadInput(f"期间“{text}”不是季度：请写成 2026Q3 的形式")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Quarter):
            return NotImplemented
        return (self.year, self.number) < (other.year, other.number)

    @property
    def chinese(self) -> str:
        """`2026年第三季度`, as printed on sheets."""
        return f"{self.year}年第{QUARTER_NAMES[self.number]}季度"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        # Computed in the year itself, so the last quarter of the last year allowed has one too.
        return date(self.year, 3 * self.number, calendar.monthrange(self.year, 3 * self.number)[1])

    @property
    def months(self) -> tuple[int, int, int]:
        first = 3 * self.number - 2
        return (first, first + 1, first + 2)

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def publication_deadline(self, day_of_month: int = 10) -> date:
        """The last day to post this quarter's board: a day of the month after the quarter.

        Local rules differ (the 10th and the 20th are common), hence the parameter. If the day
        falls on a holiday or weekend the deadline moves to the next working day, as
        administrative deadlines do.
        """
        if not 1 <= day_of_month <= 28:
            raise BadInput(f"公开日须为每月 1–28 日之间，不是 {day_of_month}")
        deadline = date(self.next().year, self.next().first_day.month, day_of_month)
        while not is_working_day(deadline):
            deadline += timedelta(days=1)
        return deadline


@total_ordering
@dataclass(frozen=True)
class Month:
    """A calendar month, e.g. 2026-07: a period of what a village discloses monthly (财务收支 where
    transactions are many). It belongs to its quarter, which stays the unit of sealing."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 12:
            raise BadInput(f"月份必须是 1–12，不是 {self.number}")
        if not 1949 <= self.year <= 2999:
            raise BadInput(f"年份 {self.year} 不在合理范围内")

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH_RE.match(text or "")
        if not match:
            raise BadInput(f"期间“{text}”不是月份：请写成 2026-07 的形式")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year}-{self.number:02d}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Month):
            return NotImplemented
        return (self.year, self.number) < (other.year, other.number)

    @property
    def quarter(self) -> Quarter:
        return Quarter(self.year, (self.number - 1) // 3 + 1)

    @property
    def chinese(self) -> str:
        """`2026年7月`, as printed on sheets."""
        return f"{self.year}年{self.number}月"

    @property
    def first_day(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.number, calendar.monthrange(self.year, self.number)[1])

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.number == 12 else Month(self.year, self.number + 1)


Period = Quarter | Month


def parse_period(text: str) -> Period:
    """A period as every `--period` and the app take it: a quarter (`2026Q3`) or a month (`2026-07`).
    Whether a month may be used for what is asked is the catalogue's and the township's say
    (`office.monthly.check_period`), not this function's."""
    for kind in (Quarter, Month):
        try:
            return kind.parse(text)
        except BadInput as exc:
            if (kind is Month and _MONTH_RE.match(text or "")) or (kind is Quarter and _QUARTER_RE.match(text or "")):
                raise exc from None  # the right shape, a wrong value (2026Q5 is caught by the pattern)
    shown = (text or "")[:40]
    raise BadInput(f"期间“{shown}”不是季度或月份：请写成 2026Q3（季度）或 2026-07（按月公开的月份）的形式")


def quarter_of(period: Period) -> Quarter:
    """The quarter a period belongs to (a quarter is its own)."""
    return period.quarter if isinstance(period, Month) else period


def month_of(period: Period) -> Month | None:
    return period if isinstance(period, Month) else None


def chinese_date(day: date) -> str:
    """`2026年10月8日`, as dates are printed on notices."""
    return f"{day.year}年{day.month}月{day.day}日"


# Beijing time, as deadlines and what residents read are (China keeps no summer time).
CHINA = timezone(timedelta(hours=8), "北京时间")


def chinese_moment(text: str) -> str:
    """An ISO 8601 moment (as stored, UTC) as a resident reads it, on Beijing time:
    `2026年12月2日 13:56`; text that is no moment is given back as it is."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return text
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(CHINA)
    return f"{chinese_date(local.date())} {local:%H:%M}"


def is_working_day(day: date) -> bool:
    """A working day on the official calendar (调休 Saturdays count; 法定节假日 do not)."""
    return _is_working_day(day, holidays.generation())


@lru_cache(maxsize=16384)
def _is_working_day(day: date, _arrangements: int) -> bool:
    # Asked for every day a deadline or a delay spans (chinesecalendar takes ~40 µs a day), hence
    # kept; `_arrangements` is the loaded arrangements' generation, so loading others forgets it.
    loaded = holidays.installed(day.year)
    if loaded is not None:
        if day in loaded.holidays or day in holidays.statutory_days(day.year):
            return False
        return day in loaded.workdays or day.weekday() < 5
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5 and day not in holidays.statutory_days(day.year)


def arrangement_known(year: int) -> bool:
    """Whether the year's official holiday arrangement is known (loaded, or in chinesecalendar)."""
    return holidays.installed(year) is not None or _library_knows(year)


def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def calendar_note(days: Iterable[date]) -> str:
    """What to say beside deadlines or working-day counts that fall in years of unknown
    arrangement ("" when all are known): they are estimates, and how they were estimated."""
    unknown = sorted({d.year for d in days if not arrangement_known(d.year)})
    if not unknown:
        return ""
    return f"（{'、'.join(map(str, unknown))} 年节假日安排未知，按周末及法定节日推算）"


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (start itself not counted), e.g. 20 for 政府信息公开."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_between(first: date, last: date) -> int:
    """Working days from `first` to `last`, both included."""
    if last < first:
        return 0
    return sum(1 for n in range((last - first).days + 1) if is_working_day(first + timedelta(days=n)))


def calendar_days_between(first: date, last: date) -> int:
    """Calendar days from `first` to `last`, both included (a 公示期 of 7 days: 1st to 7th)."""
    return max(0, (last - first).days + 1)
