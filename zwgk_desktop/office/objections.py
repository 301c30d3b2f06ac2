"""The objection register as both faces use it: add an objection, reply to it, list them
(`zwgk objection add/reply/list` and the quarter view's dialog call these same functions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop.archive.seal_objections import as_domain, content_hash
from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem, ItemRow, Objection, SealedObjection, public_number
from zwgk_desktop.domain import objections as rules
from zwgk_desktop.domain.fields import Field
from zwgk_desktop.domain.items import entered
from zwgk_desktop.domain.periods import Period, quarter_of
from zwgk_desktop.errors import BadInput, NotFound
from zwgk_desktop.office.handle import Archive


def _choice(spec: Field, text: str, flag: str) -> str:
    if text not in spec.choices:
        raise BadInput(f"{flag} {spec.label}“{text}”不对：应为 {' / '.join(spec.choices)} 之一")
    return text


def _day(day: date, what: str, today: date) -> date:
    if day > today:
        raise BadInput(f"{what} {day.isoformat()} 晚于今天（{today.isoformat()}）：请写实际日期")
    if day.year < 1949:
        raise BadInput(f"{what} {day.isoformat()} 不合理")
    return day


@dataclass(frozen=True)
class Entry:
    """One objection as a list shows it: its id (what `reply` takes), the village, and the rest."""

    id: int
    village_name: str
    objection: rules.Objection
    status: str
    sealed: bool  # as it is now (a reply given since its seal is not yet)

    @property
    def due(self) -> date:
        return self.objection.due


def add_objection(archive: Archive, *, village: str, item: int, received: date, channel: str, text: str,
                  row: int | None = None, by: str | None = None, today: date | None = None) -> Entry:
    """Register an objection to item number `item` of `village`; its id is `Entry.id`."""
    with archive.writing() as session:
        return register(session, village=village, item=item, received=received, channel=channel, text=text,
                        row=row, by=by, today=today or date.today())


def register(session: Session, *, village: str, item: int, received: date, channel: str, text: str,
             row: int | None = None, by: str | None = None, today: date) -> Entry:
    """`add_objection` in the caller's transaction (the demo's too)."""
    channel = _choice(rules.CHANNEL, channel, "--channel")
    text = entered(rules.TEXT, text)
    raised_by = entered(rules.RAISED_BY, by) or None if by else None
    received = _day(received, "--received 收到日期", today)
    record = store.find_item(session, item, village)
    place = store.find_village(session, village)
    if record.village_id != place.id:
        raise NotFound(f"{place.name}没有编号为 {item} 的事项")
    if row is not None:
        rows = session.scalar(select(func.count()).select_from(ItemRow).where(ItemRow.item_id == record.id)) or 0
        if not 1 <= row <= rows:
            raise BadInput(f"--row 行号 {row} 不对：事项 {public_number(record)}“{record.title}”"
                           f"只有 {rows} 行（行号从 1 起，如编辑器所列）")
    store.hold_village(session, place.id)
    number = (session.scalar(select(func.max(Objection.number)).where(Objection.village_id == place.id)) or 0) + 1
    objection = Objection(village_id=place.id, number=number, item_id=record.id, row=row, received_on=received,
                          channel=channel, text=text, raised_by=raised_by)
    session.add(objection)
    session.flush()
    return _entry(session, objection, today)


def reply_objection(archive: Archive, objection_id: int, *, text: str, by: str, on: date | None = None,
                    outcome: str | None = None, correction: int | None = None, today: date | None = None) -> Entry:
    """Record the reply to objection `objection_id` (once), and the 更正公告 it led to."""
    with archive.writing() as session:
        return record_reply(session, objection_id, text=text, by=by, on=on, outcome=outcome, correction=correction,
                            today=today or date.today())


def record_reply(session: Session, objection_id: int, *, text: str, by: str, on: date | None = None,
                 outcome: str | None = None, correction: int | None = None, today: date) -> Entry:
    """`reply_objection` in the caller's transaction (the demo's too)."""
    text = entered(rules.REPLY, text)
    handler = entered(rules.HANDLER, by)
    on = _day(on or today, "--on 答复日期", today)
    if outcome is not None:
        outcome = _choice(rules.OUTCOME, outcome, "--outcome")
    if correction is not None and outcome != "更正":
        raise BadInput("--correction 只用于处理结果为“更正”的答复（--outcome 更正）")
    record = _held(session, objection_id)
    if record.replied_on is not None:
        raise BadInput(f"异议 {objection_id} 已于 {record.replied_on.isoformat()} 答复，不能再答复；"
                       "如答复有误，请另行登记")
    if on < record.received_on:
        raise BadInput(f"--on 答复日期 {on.isoformat()} 早于收到日期 {record.received_on.isoformat()}")
    record.reply, record.handler, record.replied_on, record.outcome = text, handler, on, outcome
    if correction is not None:
        record.correction_id = _correction_of(session, record, correction).id
    session.flush()
    return _entry(session, record, today)


def link_correction(archive: Archive, objection_id: int, correction: int, *, today: date | None = None) -> Entry:
    """Name the 更正公告 an objection answered 更正 led to, made after the reply."""
    with archive.writing() as session:
        record = _held(session, objection_id)
        if record.outcome != "更正":
            raise BadInput(f"异议 {objection_id} 的处理结果不是“更正”（先答复：zwgk objection reply … --outcome 更正）")
        if record.correction_id is not None:
            linked = store.number_of(session, record.correction_id)
            raise BadInput(f"异议 {objection_id} 已关联更正公告（事项 {linked}）")
        record.correction_id = _correction_of(session, record, correction).id
        session.flush()
        return _entry(session, record, today or date.today())


def _held(session: Session, objection_id: int) -> Objection:
    record = session.get(Objection, objection_id)
    if record is None:
        raise NotFound(f"没有编号为 {objection_id} 的异议（zwgk objection list 列出各异议的编号）")
    store.hold_village(session, record.village_id)
    return record


def _correction_of(session: Session, record: Objection, number: int) -> DisclosureItem:
    """The correction item `number` of the objection's village, which must correct the item objected to."""
    found = store.find_item(session, number, record.village.code)
    versions: list[int] = []
    step: DisclosureItem | None = found
    while step is not None and step.supersedes_id is not None:
        versions.append(step.supersedes_id)
        step = session.get(DisclosureItem, step.supersedes_id)
    if record.item_id not in versions:
        raise BadInput(f"--correction 事项 {number}“{found.title}”不是对事项 {public_number(record.item)}"
                       f"“{record.item.title}”的更正公告（先用 zwgk correct 发更正）")
    return found


def _entry(session: Session, record: Objection, today: date) -> Entry:
    domain = as_domain(record)
    return Entry(record.id, record.village.name, domain, domain.status(today),
                 sealed=current_hash(domain) in _sealed_hashes(session, record.id))


def current_hash(objection: rules.Objection) -> str:
    return content_hash(objection)


def _sealed_hashes(session: Session, objection_id: int) -> set[str]:
    query = select(SealedObjection.content_hash).where(SealedObjection.objection_id == objection_id)
    return set(session.scalars(query))


def list_objections(archive: Archive, *, village: str | None = None, period: Period | None = None,
                    overdue: bool = False, today: date | None = None) -> list[Entry]:
    """The register, oldest first; `overdue`: only those past due (unreplied, or replied late)."""
    today = today or date.today()
    with archive.reading() as session:
        return objections_in(session, village=village, period=period, overdue=overdue, today=today)


def objections_in(session: Session, *, village: str | None = None, period: Period | None = None,
                  overdue: bool = False, today: date) -> list[Entry]:
    query = select(Objection).join(DisclosureItem, Objection.item_id == DisclosureItem.id)
    if village:
        query = query.where(Objection.village_id == store.find_village(session, village).id)
    if period is not None:
        query = query.where(DisclosureItem.period == str(quarter_of(period)))
    entries = [_entry(session, r, today) for r in session.scalars(query.order_by(Objection.received_on, Objection.id))]
    return [e for e in entries if not overdue or e.status in (rules.OVERDUE, rules.LATE)]


def behind_correction(session: Session, item_id: int) -> Sequence[Objection]:
    """The objections a correction item answers: the link seen from the correction."""
    return list(session.scalars(select(Objection).where(Objection.correction_id == item_id).order_by(Objection.id)))


# -- 异议处理情况: the register made public -----------------------------------------------------------
PUBLISHED = "objections"  # the internal category (layouts/objections.category.toml)


@dataclass(frozen=True)
class Published:
    item_id: int
    number: int
    rows: int
    made: bool  # a new item (else the quarter's draft was written anew)


def public_rows(entries: Sequence[Entry]) -> list[dict[str, object]]:
    """The register's public fields, one row per objection: never who raised it or who answered."""
    rows: list[dict[str, object]] = []
    for entry in entries:
        shown = entry.objection.public_content()
        about = f"事项 {shown['item']}“{shown['item_title']}”" + (f"第 {shown['row']} 行" if shown["row"] else "")
        if entry.objection.replied_on is None:
            outcome = entry.status
        else:
            late = "（逾期答复）" if entry.status == rules.LATE else ""
            outcome = (entry.objection.outcome or rules.REPLIED) + late
            if entry.objection.correction is not None:
                outcome += f"，见更正公告（事项 {entry.objection.correction}）"
        rows.append({"received_on": entry.objection.received_on, "about": about, "gist": entry.objection.text,
                     "reply": entry.objection.reply, "replied_on": entry.objection.replied_on, "outcome": outcome})
    return rows


def summary_words(entries: Sequence[Entry]) -> str:
    statuses = [e.status for e in entries]
    answered = statuses.count(rules.REPLIED) + statuses.count(rules.LATE)
    return (f"本季度共收到村民对公开事项的异议 {len(entries)} 件，已答复 {answered} 件"
            + (f"（其中逾期答复 {statuses.count(rules.LATE)} 件）" if statuses.count(rules.LATE) else "")
            + f"，待答复 {len(entries) - answered} 件。提出异议的村民姓名不予公开。")


def publish(archive: Archive, village: str, period: Period, *, clerk: str | None = None,
            today: date | None = None) -> Published:
    """Make (or write anew) the quarter's 异议处理情况 draft from the register, to be reviewed,
    printed and sealed like any item."""
    from zwgk_desktop.domain.items import DRAFT, Item

    today = today or date.today()
    quarter = quarter_of(period)
    with archive.writing() as session:
        place = store.find_village(session, village)
        entries = objections_in(session, village=place.code, period=quarter, today=today)
        if not entries:
            raise BadInput(f"{place.name} {quarter} 没有登记的异议，不需要公开异议处理情况")
        existing = session.scalars(select(DisclosureItem).where(
            DisclosureItem.village_id == place.id, DisclosureItem.period == str(quarter),
            DisclosureItem.category == PUBLISHED, DisclosureItem.supersedes_id.is_(None))).first()
        if existing is not None and store.is_sealed(session, existing.id):
            raise BadInput(f"{place.name} {quarter} 的异议处理情况（事项 {public_number(existing)}）已封存；"
                           "此后的答复随封存链另行封存")
        item = Item(category=PUBLISHED, period=quarter, title=f"{quarter.chinese}异议处理情况",
                    publicity_start=today, publicity_end=today + timedelta(days=9), clerk=clerk, status=DRAFT,
                    fields={"body": summary_words(entries)}, rows=public_rows(entries),
                    id=existing.id if existing else None)
        item_id = store.save_item(session, item, place)
        return Published(item_id, store.number_of(session, item_id), len(entries), existing is None)
