"""What a village's quarter asks of the clerk now (the app's home), and the same for every village
of the township.

For one quarter (today's unless asked): each category the catalogue (公开目录) requires, by when on
the official calendar, what is entered, what waits for the 村务监督委员会's review, what stops
sealing (or that nothing does), and what is late; and the earlier quarters' lines still open.
Timeliness is judged by the compliance table's own function (`compliance_table`), so the home and
the township's table never disagree; what stops sealing is what `to_seal` and the stored items'
check refuse, so the home never offers a seal that would then be refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop.archive.first_public import CHINA
from zwgk_desktop.archive.seal import to_seal
from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem, Village
from zwgk_desktop.domain.catalogue import (
    LATE,
    MISSING,
    NOT_DUE,
    Catalogue,
    Cell,
    Requirement,
    deadline,
    late_by,
    load_catalogue,
    month_deadline,
)
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.categories import category as category_of
from zwgk_desktop.domain.items import REVIEWED, validate
from zwgk_desktop.domain.objections import OPEN, OVERDUE
from zwgk_desktop.domain.periods import (
    Quarter,
    arrangement_known,
    calendar_note,
    chinese_date,
    working_days_between,
)
from zwgk_desktop.errors import BadInput, NotFound
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.objections import Entry as ObjectionEntry
from zwgk_desktop.office.objections import objections_in
from zwgk_desktop.office.township import compliance_table

# How far back the home looks for quarters left open (never before the archive's first quarter).
LOOK_BACK = 4

# Where a category stands in the quarter, as the clerk acts on it.
TO_ENTER, NONE_NEEDED, FIX, TO_REVIEW, TO_SEAL, SEALED = "to_enter", "none", "fix", "review", "seal", "sealed"
STATE_NAMES = {TO_ENTER: "还没有录入", NONE_NEEDED: "本季度没有此类事项", FIX: "有错误要改正",
               TO_REVIEW: "待村务监督委员会审核", TO_SEAL: "已审核，待封存", SEALED: "已封存"}


@dataclass(frozen=True)
class Entry:
    """One item of the quarter, as the home lists it."""

    item_id: int  # the database's: what opens it
    number: int  # as printed on its sheets
    title: str
    category: str
    status: str
    sealed: bool
    rows: int
    errors: int = 0  # what stops its review (drafts) or its seal (reviewed)
    problem: str = ""  # the first of them, in words
    correction: bool = False
    due: date | None = None  # an as-happens matter's own deadline

    @property
    def waiting_review(self) -> bool:
        return not self.sealed and self.status != REVIEWED and not self.errors

    @property
    def state_text(self) -> str:
        if self.sealed:
            return "已封存"
        if self.errors:
            return f"{'已审核' if self.status == REVIEWED else '草稿'}，有 {self.errors} 处错误"
        return "已审核，待封存" if self.status == REVIEWED else "草稿，待审核"

    @property
    def label(self) -> str:
        return f"{'【更正】' if self.correction else ''}事项 {self.number}“{self.title}”"


@dataclass(frozen=True)
class Line:
    """One category the catalogue names, for one village's quarter."""

    village_id: int
    period: Quarter
    category: str
    requirement: str  # in words: 每季度，次月10日前，每期必须公开
    state: str
    items: tuple[Entry, ...]
    judged: Cell  # the compliance table's cell for it (按时, 逾期 …, 未公开, 未到截止日, 无需公开)
    due: date | None  # the deadline still ahead or missed (None: nothing due)
    late: bool  # the deadline passed and it is not disclosed (or was disclosed late)
    late_days: int = 0  # working days late (if disclosed today, for what is still open)
    days_left: int = 0  # working days after today up to the deadline (0: today is the day)

    @property
    def name(self) -> str:
        return CATEGORIES[self.category].name

    @property
    def open(self) -> bool:
        """Something is still to be done for it."""
        return self.state not in (SEALED, NONE_NEEDED)

    @property
    def state_text(self) -> str:
        if self.state == SEALED:
            return f"已封存（{self.judged.text}）"
        if self.state == FIX:
            errors = sum(e.errors for e in self.items if not e.sealed)
            return f"有 {errors} 处错误要改正"
        return STATE_NAMES[self.state]

    @property
    def when_text(self) -> str:
        """The deadline and where today stands against it, in words."""
        return self._when(day_text)

    @property
    def when_short(self) -> str:
        """The same for a narrow cell: the deadline without its year (the quarter says it)."""
        return self._when(lambda day: f"{day.month}月{day.day}日{'' if arrangement_known(day.year) else '（估算）'}")

    def _when(self, told: Callable[[date], str]) -> str:
        if self.state == SEALED:
            return self.judged.text
        if self.due is None:
            return "有事项时，审核后计算期限" if self.state == NONE_NEEDED else ""
        day = told(self.due)
        if self.late:
            return f"截止 {day}，已逾期 {self.late_days} 个工作日"
        if self.days_left == 0:
            return f"今天（{day}）截止"
        return f"截止 {day}，还有 {self.days_left} 个工作日"

    @property
    def first_open(self) -> Entry | None:
        """The item to open for the next step: one with errors, else one waiting, else any."""
        unsealed = [e for e in self.items if not e.sealed]
        for wanted in ([e for e in unsealed if e.errors], [e for e in unsealed if e.waiting_review], unsealed,
                       list(self.items)):
            if wanted:
                return wanted[0]
        return None


@dataclass(frozen=True)
class Blocker:
    """One thing that stops the quarter being sealed, with the item to open for it (if any)."""

    text: str
    item_id: int | None = None


@dataclass(frozen=True)
class VillageQuarter:
    """A village's quarter: what the home shows."""

    village_id: int
    village: str
    code: str
    period: Quarter
    today: date
    deadline: date  # the quarter's board, by the township's publication day
    lines: tuple[Line, ...]
    blockers: tuple[Blocker, ...]  # what stops sealing now (empty and `sealable`: the seal may be done)
    warnings: tuple[Blocker, ...]  # what sealing now would leave out (a required category not entered)
    sealable: bool
    seal_kind: str  # "quarter", "correction" (sealed before; corrections wait), or "" (nothing to seal)
    sealed: bool  # the quarter itself is sealed
    earlier: tuple[VillageQuarter, ...] = ()  # earlier quarters with something still open, latest first
    calendar: str = ""  # how deadlines marked 估算 were estimated (years of unknown holiday arrangement)
    photos: tuple[int, int] = (0, 0)  # photos of the posted board held, and of them waiting for a seal
    # Residents' objections to the quarter's items (the register), oldest first.
    objections: tuple[ObjectionEntry, ...] = ()

    @property
    def waiting_objections(self) -> tuple[ObjectionEntry, ...]:
        """Those still to answer: due, or past due."""
        return tuple(o for o in self.objections if o.status in (OPEN, OVERDUE))

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for line in self.lines for e in line.items)

    @property
    def to_review(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.waiting_review)

    @property
    def open_lines(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.open)

    @property
    def late(self) -> tuple[Line, ...]:
        """What is late: this quarter's lines and the earlier quarters' still open."""
        return tuple(line for line in (*self.lines, *(x for q in self.earlier for x in q.open_lines)) if line.late)

    @property
    def deadline_text(self) -> str:
        day = day_text(self.deadline)
        if self.sealed:
            return f"公开栏截止 {day}；本季度已封存"
        if self.today > self.deadline:
            return f"公开栏截止 {day}，已过 {late_by(self.today, self.deadline)} 个工作日"
        left = working_days_between(self.today + timedelta(days=1), self.deadline)
        return f"公开栏截止 {day}，" + (f"还有 {left} 个工作日" if left else "就是今天")

    @property
    def summary(self) -> str:
        """One sentence for the township's row and the status bar."""
        parts = []
        entered = self.entries
        parts.append(f"已录入 {len(entered)} 个事项" if entered else "还没有录入事项")
        if self.to_review:
            parts.append(f"{len(self.to_review)} 个待审核")
        fixing = [e for e in entered if e.errors and not e.sealed]
        if fixing:
            parts.append(f"{len(fixing)} 个有错误")
        if self.sealed and not self.seal_kind:
            parts.append("已封存")
        elif self.sealable:
            parts.append({"quarter": "可以封存", "attachment": "补充的照片或凭证可以封存"}.get(self.seal_kind,
                                                                                          "更正可以封存"))
        late = self.late
        if late:
            parts.append(f"逾期 {len(late)} 项")
        overdue = [o for o in self.objections if o.status == OVERDUE]
        if overdue:
            parts.append(f"{len(overdue)} 件异议逾期未答复")
        return "，".join(parts)


@dataclass(frozen=True)
class TownshipQuarter:
    """Every village's quarter, from the same judgement as the compliance table."""

    township: str
    period: Quarter
    today: date
    categories: tuple[str, ...]
    villages: tuple[VillageQuarter, ...]
    calendar: str = ""


def day_text(day: date) -> str:
    """A deadline in words, marked 估算 in a year whose holiday arrangement is unknown (the
    quarter's `calendar` says how it was estimated, once)."""
    return f"{chinese_date(day)}{'' if arrangement_known(day.year) else '（估算）'}"


# ---------------------------------------------------------------------------------------------
# The use cases.


def village_quarter(archive: Archive, village_id: int | None = None, period: Quarter | None = None,
                    today: date | None = None) -> VillageQuarter:
    """A village's quarter (default: the first village, the quarter of today)."""
    today = today or date.today()
    catalogue = load_catalogue(archive.layouts.folder)
    with archive.reading() as session:
        villages = _villages(session)
        chosen = villages[0] if village_id is None else next((v for v in villages if v.id == village_id), None)
        if chosen is None:
            raise NotFound(f"没有编号为 {village_id} 的村")
        return quarters(session, catalogue, period or Quarter.containing(today), [chosen], today)[0]


def township_quarter(archive: Archive, period: Quarter | None = None, today: date | None = None) -> TownshipQuarter:
    """Every village's quarter (default: the quarter of today)."""
    today = today or date.today()
    period = period or Quarter.containing(today)
    catalogue = load_catalogue(archive.layouts.folder)
    with archive.reading() as session:
        villages = _villages(session)
        township = store.get_township(session)
        found = quarters(session, catalogue, period, villages, today)
    categories = tuple(code for code in CATEGORIES if catalogue.for_category(code) is not None)
    dues = [line.due for v in found for q in (v, *v.earlier) for line in q.lines if line.due]
    dues += [v.deadline for v in found]
    return TownshipQuarter(township.name if township else "", period, today, categories, tuple(found),
                           calendar_note(dues))


def _villages(session: Session) -> list[Village]:
    villages = store.villages(session)
    if not villages:
        raise NotFound("档案里还没有村：请先在“设置”中添加村（命令行：zwgk init --village 村名）")
    return villages


def quarters(session: Session, catalogue: Catalogue, period: Quarter, villages: Sequence[Village],
             today: date) -> list[VillageQuarter]:
    """The villages' quarter, with the earlier quarters' lines still open (back to the archive's
    first quarter, at most `LOOK_BACK`)."""
    found = _judge_quarter(session, catalogue, period, villages, today)
    first = min((Quarter.parse(p) for p in store.periods_of(session)), default=period)
    earlier: list[list[VillageQuarter]] = []
    back = period.previous()
    while first <= back and len(earlier) < LOOK_BACK:
        earlier.append(_judge_quarter(session, catalogue, back, villages, today))
        back = back.previous()
    result = []
    for index, village in enumerate(found):
        still_open = tuple(before[index] for before in earlier if before[index].open_lines)
        calendar = calendar_note([village.deadline, *(line.due for q in (village, *still_open) for line in q.lines
                                                      if line.due)])
        result.append(replace(village, earlier=still_open, calendar=calendar))
    return result


def _judge_quarter(session: Session, catalogue: Catalogue, period: Quarter, villages: Sequence[Village],
                   today: date) -> list[VillageQuarter]:
    township = store.get_township(session)
    if township is None:
        raise BadInput("数据库中还没有乡镇：请先运行 zwgk init 或 zwgk demo")
    day = township.publication_day
    table = compliance_table(session, catalogue, period, list(villages), today)  # the township's own judgement
    cells = {code: row_cells for _, code, row_cells in table.rows}
    result = []
    for village in villages:
        entries = _entries(session, village, period, catalogue, day)
        lines = tuple(plan_line(village.id, period, requirement, [e for e in entries if e.category == code],
                                cells[village.code][code], day, today)
                      for code in table.categories
                      # a category the township has the village disclose monthly, asked of it monthly
                      if (requirement := catalogue.for_village(code, store.monthly_of(village, period))) is not None)
        blockers, kind, sealed = _seal_state(session, village, period, entries)
        warnings = tuple(Blocker(f"{line.name}还没有录入：本季度必须公开，封存后不能再补入本季度")
                         for line in lines if line.state == TO_ENTER)
        result.append(VillageQuarter(
            village.id, village.name, village.code, period, today, period.publication_deadline(day), lines,
            blockers, warnings if kind == "quarter" else (), bool(kind) and not blockers, kind, sealed,
            photos=_photos(session, village.id, str(period)),
            objections=tuple(objections_in(session, village=village.code, period=period, today=today))))
    return result


def _photos(session: Session, village_id: int, period: str) -> tuple[int, int]:
    """How many photos of the posted board the quarter has, and how many wait for a seal."""
    from zwgk_desktop.db.models import Attachment

    held = session.execute(select(Attachment.seal_id.is_(None), func.count()).where(
        Attachment.village_id == village_id, Attachment.period == period, Attachment.kind == "photo")
        .group_by(Attachment.seal_id.is_(None))).all()
    counts = {bool(waiting): int(n) for waiting, n in held}
    return counts.get(False, 0) + counts.get(True, 0), counts.get(True, 0)


def _entries(session: Session, village: Village, period: Quarter, catalogue: Catalogue, day: int) -> list[Entry]:
    """The quarter's items; the unsealed ones checked (what stops their review or seal)."""
    summaries = store.list_items(session, village, period)
    unsealed = [s.id for s in summaries if not s.sealed]
    rows = store.load_rows(session, unsealed)
    records = {r.id: r for r in session.scalars(select(DisclosureItem).where(DisclosureItem.id.in_(unsealed)))}
    entries = []
    for summary in summaries:
        errors, problem, due = 0, "", None
        record = records.get(summary.id)
        if record is not None:
            item = store.to_domain(record, rows[summary.id])
            schema = category_of(item.category)
            # The result kept with the item when it was saved is trusted while it still fits
            # (the printing path trusts it too); only an item with problems is checked again here,
            # for the words of its first problem.
            if item.kept_check is None or not item.kept_check.clean_for(item, schema):
                report = validate(item, schema)
                errors, problem = len(report.errors), str(report.errors[0]) if report.errors else ""
            requirement = catalogue.for_category(summary.category)
            requirement = requirement.in_quarter(period) if requirement is not None else None
            if requirement is not None and requirement.frequency == "as_happens":
                due = deadline(requirement, period, day, _known_since(record))
        entries.append(Entry(summary.id, summary.number, summary.title, summary.category, summary.status,
                             summary.sealed, summary.rows, errors, problem, summary.corrects is not None, due))
    return entries


def _known_since(record: DisclosureItem) -> date | None:
    """The earliest day the product knows the matter existed (as `Posted.known_since`): the typed
    review date and 公示开始, and the day it was entered here."""
    created = record.created_at
    if created is not None:
        aware = created.replace(tzinfo=UTC) if created.tzinfo is None else created
        entered: date | None = aware.astimezone(CHINA).date()
    else:
        entered = None
    known = [d for d in (record.reviewed_on, record.publicity_start, entered) if d is not None]
    return min(known) if known else None


def _seal_state(session: Session, village: Village, period: Quarter,
                entries: list[Entry]) -> tuple[tuple[Blocker, ...], str, bool]:
    """What stops sealing (as `to_seal` and the stored check would refuse it), what sealing now
    would seal ("quarter", "correction" or ""), and whether the quarter is sealed already."""
    sealed = store.quarter_sealed(session, village, str(period))
    try:
        records, kind = to_seal(session, village, period)
    except BadInput as exc:
        if sealed and not any(e.correction and not e.sealed for e in entries):
            return (), "", True  # sealed, and no correction waits: nothing stops anything
        drafts = [e for e in entries if not e.sealed and e.status != REVIEWED and (e.correction or not sealed)]
        if exc.problems and drafts:  # drafts: each named, with the item to open
            return tuple(Blocker(f"{e.label}还是草稿：" + (f"先改正 {e.errors} 处错误，再请" if e.errors else "请")
                                 + "村务监督委员会审核", e.item_id) for e in drafts), "", sealed
        return (Blocker(exc.message), *(Blocker(str(p)) for p in exc.problems)), "", sealed
    chosen = {r.id for r in records}
    blockers = tuple(Blocker(f"{e.label}有 {e.errors} 处错误：{e.problem}", e.item_id)
                     for e in entries if e.item_id in chosen and e.errors)
    return blockers, kind, sealed


def plan_line(village_id: int, period: Quarter, requirement: Requirement, items: Sequence[Entry], judged: Cell,
              publication_day: int, today: date) -> Line:
    """Where one category of a village's quarter stands, by when, and whether it is late. Pure."""
    requirement = requirement.in_quarter(period)
    unsealed = [e for e in items if not e.sealed]
    if items and not unsealed:
        state = SEALED
    elif not items:
        state = NONE_NEEDED if requirement.required == "when_happened" else TO_ENTER
    elif any(e.errors for e in unsealed):
        state = FIX
    elif any(e.status != REVIEWED for e in unsealed):
        state = TO_REVIEW
    else:
        state = TO_SEAL
    # A correction is no disclosure of its own (the compliance table skips it too): it has no
    # deadline, so a quarter whose only open items are corrections is never late.
    pending = [e for e in unsealed if not e.correction]
    due: date | None = None
    if state == TO_ENTER or pending:
        dues = [e.due for e in pending if e.due is not None]  # as-happens matters: each its own
        due = min(dues) if dues else deadline(requirement, period, publication_day)
        if requirement.frequency == "monthly" and not dues:  # the first month not yet disclosed
            open_months = [month_deadline(int(key[:4]), int(key[5:]), requirement, publication_day)
                           for key, cell in judged.months if cell.status in (MISSING, NOT_DUE)]
            due = min(open_months, default=due)
    if state == SEALED:
        late, late_days = judged.status == LATE, judged.late_days
    else:
        late = due is not None and today > due
        late_days = late_by(today, due) if late and due is not None else 0
    days_left = working_days_between(today + timedelta(days=1), due) if due is not None and not late else 0
    return Line(village_id, period, requirement.category, requirement.describe(publication_day), state,
                tuple(items), judged, due, late, late_days, days_left)
