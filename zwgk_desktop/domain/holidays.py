"""The year's holiday arrangement (节假日安排) where the `chinesecalendar` package does not know it.

The State Council publishes each year's arrangement (which days are off, which weekend days are
worked instead: 调休) late in the year before; the package learns of it only in a new release.
Until then two things are still certain and used here: the statutory holidays themselves
(全国年节及纪念日放假办法) are never working days, and weekends are off unless a notice says
otherwise. A township that has the notice loads it as data, a small TOML file in its format
folder (`holidays-2027.toml`), handed to every village with the formats:

    # 国务院办公厅关于2027年部分节假日安排的通知
    source = "国办发明电〔2026〕X号"
    holidays = [2027-01-01, [2027-02-05, 2027-02-12], …]   # a day, or [first, last] both included
    workdays = [2027-02-14]                                  # 调休：这些周末要上班

Pure: no database, no Qt. The loaded files are held for the process (`install`), since every
deadline and count of working days asks the calendar without passing one around.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from lunardate import LunarDate

from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.incoming import load_toml

FILE_RE = re.compile(r"^holidays-(\d{4})\.toml$")
_KEYS = {"year", "source", "holidays", "workdays"}
_MAX_FILE = 64 * 1024  # a year's notice is a few hundred bytes


def is_holiday_file(name: str) -> bool:
    """Whether a file of the format folder is a year's holiday arrangement (not a format)."""
    return FILE_RE.match(name) is not None


@dataclass(frozen=True)
class Arrangement:
    """One year's official arrangement, as a township loaded it."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]  # weekend days worked (调休)
    source: str = ""
    file: str = ""


@cache
def statutory_days(year: int) -> frozenset[date]:
    """The statutory holidays of a year, which no 调休 ever makes a working day.

    From 2025 (the 2024 revision of 全国年节及纪念日放假办法): 元旦 1 day, 春节 4 (除夕 and 初一–初三),
    清明 1, 劳动节 2 (5-1, 5-2), 端午 1, 中秋 1, 国庆 3 (10-1–10-3). 2008–2024: 春节 3 days from
    初一 and 劳动节 one. Earlier years (no lunar holidays but 春节, 劳动节 3 days) are not needed
    by the archive, which starts long after, but are given their rules all the same.
    """
    days = {date(year, 1, 1), date(year, 10, 1), date(year, 10, 2), date(year, 10, 3), date(year, 5, 1)}
    new_year = LunarDate(year, 1, 1).to_solar_date()
    spring = [new_year + timedelta(days=n) for n in range(3)]
    if year >= 2025:
        days.add(date(year, 5, 2))
        spring.insert(0, new_year - timedelta(days=1))  # 除夕
    elif year < 2008:
        days.update({date(year, 5, 2), date(year, 5, 3)})
    if year >= 2008:
        days.add(_qingming(year))
        days.add(LunarDate(year, 5, 5).to_solar_date())  # 端午
        days.add(LunarDate(year, 8, 15).to_solar_date())  # 中秋
    days.update(spring)  # 春节 falls from 21 January to 20 February: all of it in the year
    return frozenset(days)


def _qingming(year: int) -> date:
    # The solar term, computed by chinesecalendar for any year (its holiday lists stop earlier).
    import chinese_calendar

    terms = chinese_calendar.get_solar_terms(date(year, 4, 3), date(year, 4, 6))
    return next(day for day, name in terms if name == "清明")


# -- loaded arrangements ----------------------------------------------------------------------

_installed: dict[int, Arrangement] = {}
_generation = [0]  # counts installs, so what was worked out from earlier arrangements is not reused


def install(arrangements: dict[int, Arrangement]) -> None:
    """Use these arrangements from now on in this process (replacing those installed before)."""
    _installed.clear()
    _installed.update(arrangements)
    _generation[0] += 1


def generation() -> int:
    """Changes whenever other arrangements are installed."""
    return _generation[0]


def installed(year: int) -> Arrangement | None:
    return _installed.get(year)


def load_holiday_files(folder: Path) -> dict[int, Arrangement]:
    """Every `holidays-YYYY.toml` of a format folder, all checked; a bad one is refused whole,
    named by file, key and entry."""
    found = {}
    try:
        paths = sorted(p for p in folder.glob("holidays-*.toml") if is_holiday_file(p.name))
    except OSError:
        return {}
    for path in paths:
        arrangement = read_holiday_file(path)
        found[arrangement.year] = arrangement
    return found


def read_holiday_file(path: Path) -> Arrangement:
    match = FILE_RE.match(path.name)
    if match is None:
        raise BadInput(f"节假日安排文件 {path} 的名字应为 holidays-年份.toml，例如 holidays-2027.toml")
    year = int(match.group(1))
    data = load_toml(path, "节假日安排文件", most=_MAX_FILE)  # nesting and syntax told in words, as for formats
    problems: list[Problem] = []
    for key in sorted(set(data) - _KEYS):
        problems.append(Problem("不认识这个键（可用 source、holidays、workdays）", where=path.name, field=key))
    if "year" in data and data["year"] != year:
        problems.append(Problem(f"应为 {year}，与文件名一致", where=path.name, field="year"))
    source = data.get("source", "")
    if not isinstance(source, str) or len(source) > 200:
        problems.append(Problem("应为不超过 200 字的文字（通知的文号）", where=path.name, field="source"))
        source = ""
    if "holidays" not in data:
        problems.append(Problem("缺少放假日期的清单", where=path.name, field="holidays"))
    holidays = _days(data.get("holidays", []), year, path.name, "holidays", problems)
    workdays = _days(data.get("workdays", []), year, path.name, "workdays", problems)
    for day in sorted(holidays & workdays):
        problems.append(Problem(f"{day} 既是放假又是上班", where=path.name, field="workdays"))
    for day in sorted(workdays & statutory_days(year)):
        problems.append(Problem(f"{day} 是法定节假日，不能调休上班", where=path.name, field="workdays"))
    for day in sorted(workdays):
        if day.weekday() < 5 and day not in statutory_days(year):
            problems.append(Problem(f"{day} 是周{'一二三四五'[day.weekday()]}，本来就上班：调休上班日应是周末",
                                    where=path.name, field="workdays"))
    if problems:
        raise BadInput(f"节假日安排文件 {path} 无效：", problems)
    return Arrangement(year, frozenset(holidays), frozenset(workdays), source, path.name)


def _days(value: Any, year: int, file: str, key: str, problems: list[Problem]) -> set[date]:
    if not isinstance(value, list):
        problems.append(Problem("应为日期的清单，如 [2027-01-01, [2027-02-05, 2027-02-12]]", where=file, field=key))
        return set()
    days: set[date] = set()
    for number, entry in enumerate(value, start=1):
        where = f"{file} {key} 第{number}项"
        span = entry if isinstance(entry, list) else [entry, entry]
        if len(span) != 2:
            problems.append(Problem("应为一个日期，或 [起, 止] 两个日期", where=where, field=key))
            continue
        first, last = (_day(part) for part in span)
        if first is None or last is None:
            problems.append(Problem(f"“{entry}”不是日期（写成 {year}-10-01）", where=where, field=key))
        elif first.year != year or last.year != year:
            problems.append(Problem(f"{first if first.year != year else last} 不在 {year} 年内", where=where,
                                    field=key))
        elif last < first:
            problems.append(Problem(f"止日 {last} 早于起日 {first}", where=where, field=key))
        else:
            days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return days


def _day(value: Any) -> date | None:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
