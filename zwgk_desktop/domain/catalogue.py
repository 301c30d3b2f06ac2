"""The catalogue of required disclosures (公开目录) and what it says about one village's quarter.

For each category: how often it is disclosed (every quarter, every month, or as things happen),
by when (a day of the next month, or some working days after the period or the event), and
whether every period must have one or only a period in which something happened (a bid). The
catalogue is data (`catalogue.toml` beside the layouts, handed out by the township with its
formats); this module reads it and judges what was posted against it. Pure: no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.filing import DEFAULT_RETENTION, RETENTIONS
from zwgk_desktop.domain.objections import count_words
from zwgk_desktop.domain.periods import (
    Month,
    Quarter,
    add_working_days,
    calendar_note,
    is_working_day,
    working_days_between,
)
from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.incoming import load_toml

FREQUENCIES = {"quarterly": "每季度", "monthly": "每月", "as_happens": "发生时", "yearly": "每年及变动时"}
WHEN = {"every_period": "每期必须公开", "when_happened": "有事项发生时公开"}
DEADLINES = ("next_month_day", "working_days")
FILE_NAME = "catalogue.toml"

ON_TIME, LATE, MISSING, NOT_REQUIRED, NOT_DUE = "on_time", "late", "missing", "not_required", "not_due"
STATUS_NAMES = {ON_TIME: "按时", LATE: "逾期", MISSING: "未公开", NOT_REQUIRED: "无需公开", NOT_DUE: "未到截止日"}


@dataclass(frozen=True)
class Requirement:
    """What the township asks of one category."""

    category: str
    frequency: str = "quarterly"
    deadline: str = "next_month_day"
    day: int | None = None  # for next_month_day; None: the township's own publication day
    working_days: int = 20  # for working_days: after the period's (or the month's, or the event's) end
    required: str = "every_period"
    retention: str = DEFAULT_RETENTION  # 保管期限 of its sealed items: 永久 / 30年 / 10年

    def in_quarter(self, period: Quarter) -> Requirement:
        """What it asks of this quarter: a yearly (三资) register is due in the year's last
        quarter; in the others only a change is disclosed, as it happens, and none is needed."""
        if self.frequency == "yearly" and period.number != 4:
            return replace(self, frequency="as_happens", deadline="working_days", required="when_happened")
        return self

    def describe(self, publication_day: int) -> str:
        if self.frequency == "yearly":  # 三资: the year-end register, and any change as it happens
            year_end = (f"次年1月{self.day or publication_day}日前" if self.deadline == "next_month_day"
                        else f"年末后{self.working_days}个工作日内")
            return f"每年第四季度公开（{year_end}），有变动时审核后{self.working_days}个工作日内公开"
        when = (f"次月{self.day or publication_day}日前" if self.deadline == "next_month_day"
                else f"{'事项审核后' if self.frequency == 'as_happens' else '期满后'}{self.working_days}个工作日内")
        return f"{FREQUENCIES[self.frequency]}，{when}，{WHEN[self.required]}"


@dataclass(frozen=True)
class Catalogue:
    requirements: tuple[Requirement, ...]

    def for_category(self, code: str) -> Requirement | None:
        return next((r for r in self.requirements if r.category == code), None)

    def for_village(self, code: str, monthly: Iterable[str] = ()) -> Requirement | None:
        """What it asks of one village: a category the township has the village disclose monthly
        (its setting, `monthly`) is asked for every month, by the catalogue's deadline and rule."""
        found = self.for_category(code)
        if found is not None and code in monthly and found.frequency != "monthly":
            return replace(found, frequency="monthly", required="every_period")
        return found

    def monthly(self, monthly: Iterable[str] = ()) -> tuple[str, ...]:
        """The categories a village discloses monthly: the catalogue's, and its own setting's."""
        own = set(monthly)
        return tuple(dict.fromkeys([*(r.category for r in self.requirements if r.frequency == "monthly"),
                                    *(code for code in CATEGORIES if code in own)]))


def load_catalogue(folder: Path) -> Catalogue:
    """The catalogue in a layouts folder; each category at least quarterly if it has none."""
    path = folder / FILE_NAME
    if not path.exists() and not path.is_symlink():  # a link to nothing is told, not ignored
        return Catalogue(tuple(Requirement(code) for code in CATEGORIES))
    data = load_toml(path, "公开目录")
    problems: list[Problem] = []
    requirements = []
    entries = data.get("requirements")
    if not isinstance(entries, list) or set(data) - {"requirements"}:
        raise BadInput(f"公开目录 {path} 应由若干 [[requirements]] 组成")
    if len(entries) > 4 * len(CATEGORIES):  # one per category; a list of thousands is not a catalogue
        raise BadInput(f"公开目录 {path} 有 {len(entries)} 个 [[requirements]]，每个类别只应有一个")
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name} 第{number}个 [[requirements]]"
        known = {"category", "frequency", "deadline", "day", "working_days", "required", "retention"}
        if not isinstance(entry, dict):
            problems.append(Problem("应是一个表", where=where))
            continue
        for key in set(entry) - known:
            problems.append(Problem("不认识这个键", where=where, field=key[:40]))
        code = entry.get("category")
        checks = (
            ("category", code in CATEGORIES, f"应为 {' / '.join(CATEGORIES)}"),
            ("frequency", entry.get("frequency", "quarterly") in FREQUENCIES, f"应为 {' / '.join(FREQUENCIES)}"),
            ("deadline", entry.get("deadline", "next_month_day") in DEADLINES, f"应为 {' / '.join(DEADLINES)}"),
            ("required", entry.get("required", "every_period") in WHEN, f"应为 {' / '.join(WHEN)}"),
            ("day", entry.get("day") is None or (type(entry.get("day")) is int and 1 <= entry["day"] <= 28),
             "应为 1–28 的整数"),
            ("working_days", type(entry.get("working_days", 20)) is int and 1 <= entry.get("working_days", 20)
             <= 60, "应为 1–60 的整数"),
            ("retention", entry.get("retention", DEFAULT_RETENTION) in RETENTIONS,
             f"保管期限应为 {' / '.join(RETENTIONS)}"),
        )
        bad = [Problem(reason, where=where, field=key) for key, ok, reason in checks if not ok]
        problems += bad
        if not bad:
            requirements.append(Requirement(str(code), entry.get("frequency", "quarterly"),
                                            entry.get("deadline", "next_month_day"), entry.get("day"),
                                            entry.get("working_days", 20), entry.get("required", "every_period"),
                                            entry.get("retention", DEFAULT_RETENTION)))
    codes = [r.category for r in requirements]
    for code in {c for c in codes if codes.count(c) > 1}:
        problems.append(Problem(f"类别 {code} 出现了不止一次", where=path.name))
    if problems:
        raise BadInput(f"公开目录 {path} 无效：", problems)
    return Catalogue(tuple(requirements))


# ---------------------------------------------------------------------------------------------
# Judging a village's quarter.


@dataclass(frozen=True)
class Posted:
    """One sealed item as the judgement needs it."""

    item_id: int  # the number printed on its sheets, as the report names it
    published: date | None  # when it went to the public, as judged (`went_public`)
    reviewed: date | None  # when the 村务监督委员会 signed it (the event, for things as they happen)
    month: int | None = None  # the month it covers (monthly disclosures)
    typed: date | None = None  # the 公示开始 the clerk typed
    printed: date | None = None  # the product's own record: first printed or exported for the public
    sealed: date | None = None  # when it was sealed (bounds it where the product kept no record)
    how: str = ""  # how it first went out, in words (打印, 网上公开件 …)
    created: date | None = None  # when the item was entered in this archive (the product's own clock)
    doubted: str = ""  # why a record of first going out was not believed (`printed` is then None)

    @property
    def known_since(self) -> date | None:
        """The earliest day the product knows the matter existed: the typed review date and 公示开始,
        and its own clock (entered, first put out, sealed). A date a person types can only move it
        earlier, never later, so typing a later review date never buys time."""
        known = [d for d in (self.reviewed, self.typed, self.created, self.printed, self.sealed) if d is not None]
        return min(known) if known else None

    @property
    def backfilled(self) -> bool:
        """补登: the typed start of publicity is earlier than the product first put it out."""
        return self.typed is not None and self.printed is not None and self.typed < self.printed

    def describe(self) -> str:
        if self.printed is not None:
            said = f"首次公开 {self.printed}{f'（{self.how}）' if self.how else ''}"
        elif self.sealed is not None:
            said = f"无首次公开记录，以封存日 {self.sealed} 为准"
        else:
            said = "无首次公开记录"
        typed = f"公示开始 {self.typed}" if self.typed else "未写公示开始"
        doubted = f"（{self.doubted}，不予采信）" if self.doubted else ""
        return f"{said}{doubted}，{typed}{'（补登）' if self.backfilled else ''}"


def went_public(typed: date | None, printed: date | None, sealed: date | None) -> date | None:
    """When an item went to the public, judged from the product's own record, never from a typed
    date alone: not before it was first printed or exported (or, for items from before that record
    was kept, sealed), nor before the publicity the sheet itself states began."""
    witnessed = printed or sealed
    if witnessed is None:
        return typed
    return max(witnessed, typed) if typed else witnessed


@dataclass(frozen=True)
class Cell:
    """A village's standing in one category for one quarter."""

    status: str
    late_days: int = 0  # working days late (the worst, if several)
    items: tuple[int, ...] = ()
    note: str = ""
    posted: tuple[Posted, ...] = ()  # the items judged, with their dates
    # A category disclosed monthly: each month's own cell, by month (`2026-07`), in order.
    months: tuple[tuple[str, Cell], ...] = ()

    @property
    def backfilled(self) -> tuple[int, ...]:
        """The items whose typed start of publicity is earlier than the product's record (补登)."""
        return tuple(p.item_id for p in self.posted if p.backfilled)

    @property
    def text(self) -> str:
        shown = f"逾期 {self.late_days} 个工作日" if self.status == LATE else STATUS_NAMES[self.status]
        return f"{shown} 补登" if self.backfilled else shown


def next_working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def month_deadline(year: int, month: int, requirement: Requirement, publication_day: int) -> date:
    """The deadline of a period ending with `month`: a day of the month after, or N working days."""
    following = date(year + (month == 12), month % 12 + 1, 1)
    if requirement.deadline == "working_days":
        return add_working_days(following - timedelta(days=1), requirement.working_days)
    return next_working_day_on_or_after(following.replace(day=requirement.day or publication_day))


def judge(requirement: Requirement, period: Quarter, posted: list[Posted], publication_day: int,
          today: date | None = None) -> Cell:
    """On time, late (by how many working days), missing, not required, or not yet due (`today`)."""
    today = today or date.today()
    ids = tuple(p.item_id for p in posted)
    if requirement.frequency == "monthly":
        return _judge_months(requirement, period, posted, publication_day, today)
    requirement = requirement.in_quarter(period)
    if not posted:
        if requirement.required == "when_happened":
            return Cell(NOT_REQUIRED, note="本期没有此类事项")
        due = _deadline(requirement, period, None, publication_day)
        if today <= due:
            return Cell(NOT_DUE, note=f"截止 {due}{calendar_note([due])}，还没有到")
        return Cell(MISSING, note=f"截止 {due}{calendar_note([due])} 仍未封存公开")
    worst, notes = 0, []
    for item in posted:
        due = _deadline(requirement, period, item, publication_day)
        late = _late_by(item.published, due)
        worst = max(worst, late)
        notes.append(f"事项 {item.item_id}：截止 {due}{calendar_note([due, item.published or due])}，"
                     f"{item.describe()}")
    return Cell(LATE if worst else ON_TIME, worst, ids, "；".join(notes), tuple(posted))


def _deadline(requirement: Requirement, period: Quarter, item: Posted | None, publication_day: int) -> date:
    return deadline(requirement, period, publication_day, item.known_since if item else None)


def deadline(requirement: Requirement, period: Quarter, publication_day: int, known_since: date | None = None) -> date:
    """The last day to disclose: for the period (a day of the month after it, or N working days
    after it), or for an as-happens matter N working days from when it happened (`known_since`:
    the review, or anything earlier the product knows of it, `Posted.known_since`)."""
    if requirement.frequency == "as_happens" and requirement.deadline == "working_days" and known_since:
        return add_working_days(known_since, requirement.working_days)
    return month_deadline(period.last_day.year, period.last_day.month, requirement, publication_day)


def late_by(published: date | None, due: date) -> int:
    """Working days after the deadline; posting on a weekend or holiday after it is still late."""
    return _late_by(published, due)


def _late_by(published: date | None, due: date) -> int:
    if published is None:
        return 1  # posted with no date cannot be shown to be on time
    if published <= due:
        return 0
    return max(1, working_days_between(due + timedelta(days=1), published))


def judge_month(requirement: Requirement, month: Month, posted: list[Posted], publication_day: int,
                today: date | None = None) -> Cell:
    """One month of a category disclosed monthly (`posted`: that month's items): by a day of the
    month after it, or some working days after it, as the catalogue says. Several items of a month
    (a supplement): the first to go out decides."""
    today = today or date.today()
    due = month_deadline(month.year, month.number, requirement, publication_day)
    if not posted:
        if today <= due:
            return Cell(NOT_DUE, note=f"截止 {due}{calendar_note([due])}，还没有到")
        if requirement.required == "when_happened":
            return Cell(NOT_REQUIRED, note="本月没有此类事项")
        return Cell(MISSING, note=f"截止 {due}{calendar_note([due])} 仍未封存公开")
    late = min(_late_by(p.published, due) for p in posted)
    note = (f"截止 {due}{calendar_note([due, *(p.published or due for p in posted)])}，"
            + "；".join(f"事项 {p.item_id} {p.describe()}" for p in posted))
    return Cell(LATE if late else ON_TIME, late, tuple(p.item_id for p in posted), note, tuple(posted))


def _judge_months(requirement: Requirement, period: Quarter, posted: list[Posted], publication_day: int,
                  today: date) -> Cell:
    """A quarter of a category disclosed monthly: each month judged (`judge_month`), and the
    quarter's cell the worst of them, its note naming every month's state."""
    months = tuple((str(m), judge_month(requirement, m, [p for p in posted if p.month == m.number],
                                        publication_day, today))
                   for m in (Month(period.year, n) for n in period.months))
    return combined_months(requirement, months, posted)


def combined_months(requirement: Requirement, months: tuple[tuple[str, Cell], ...], posted: list[Posted]) -> Cell:
    """The quarter's cell of a monthly category from its months' cells: a month missing makes it
    missing, else a late one late; the note says each month (7月：按时；8月：逾期 3 个工作日 …)."""
    worst = max((cell.late_days for _, cell in months), default=0)
    note = "；".join(f"{int(key[5:])}月{cell.text}（{cell.note}）" if cell.note else f"{int(key[5:])}月{cell.text}"
                    for key, cell in months)
    ids = tuple(p.item_id for p in posted)
    statuses = {cell.status for _, cell in months}
    if MISSING in statuses:
        status = MISSING
    elif not posted:
        status = NOT_DUE if NOT_DUE in statuses else NOT_REQUIRED
    else:
        status = LATE if worst else ON_TIME
    return Cell(status, worst, ids, note, tuple(posted), months)


@dataclass
class Compliance:
    """The township's table for one quarter: villages × categories."""

    period: Quarter | Month  # a month: the table of the categories some village discloses monthly
    categories: tuple[str, ...]
    rows: list[tuple[str, str, dict[str, Cell]]] = field(default_factory=list)  # (name, code, cells)
    # At the township: when the village's bundle brought this quarter's seal (Beijing time, by code).
    arrived: dict[str, datetime] = field(default_factory=dict)
    calendar: str = ""  # said of deadlines in years whose holiday arrangement is unknown
    # Residents' objections to the quarter's items, by village code: (how many, past due unreplied).
    objections: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # (+ replied late)

    def objection_text(self, code: str) -> str:
        """The 异议 column: 异议 N 件，逾期未答复 M 件."""
        return count_words(*self.objections.get(code, (0, 0, 0)))

    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(STATUS_NAMES, 0)
        for _, _, cells in self.rows:
            for cell in cells.values():
                found[cell.status] += 1
        return found
