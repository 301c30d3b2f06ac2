"""The items' use cases: find one by its printed number, make a new one, save an edited one, review
it (审核通过) or take the review back (退回草稿), edit a draft's values, delete it, and start or edit
a correction (更正).

Both faces call these: the `zwgk` command (`review`, `edit`, `new`, `delete`, `correct`, …) and
the app's slots. Each refuses what the other refuses, in the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from zwgk_desktop.db import links, store
from zwgk_desktop.db.models import DisclosureItem, Village, public_number
from zwgk_desktop.domain.categories import category as category_of
from zwgk_desktop.domain.categories import new_item as blank_item
from zwgk_desktop.domain.fields import FieldError
from zwgk_desktop.domain.items import (
    CLERK,
    CORRECTION_REASON,
    DISCLOSURE_ATTRIBUTES,
    DRAFT,
    REVIEWED,
    REVIEWER,
    TITLE,
    Item,
    assign,
    today,
    validate,
)
from zwgk_desktop.domain.periods import Period, Quarter, parse_period
from zwgk_desktop.domain.place import Place
from zwgk_desktop.errors import BadInput, NotFound, Problem
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.monthly import catalogue_of, check_period, monthly_categories, months_of
from zwgk_desktop.render.correction import Previous

# What 审核通过 says when the 村务监督委员会's name or the date is missing (the app's words).
NO_REVIEWER = "请先填写村务监督委员会审核人和审核日期。"


@dataclass(frozen=True)
class ItemRef:
    """An item as both faces name it after a change: its id, its printed number, where it is."""

    id: int
    number: int
    title: str
    status: str
    category: str
    village: str
    village_code: str
    period: str  # its quarter, the unit of sealing
    month: str = ""  # the month of the quarter it covers (2026-07), where its village discloses monthly


def _ref(session: Session, item_id: int) -> ItemRef:
    record = session.get(DisclosureItem, item_id)
    if record is None:
        raise NotFound(f"没有编号为 {item_id} 的事项（可能已被删除）")
    return ItemRef(record.id, public_number(record), record.title, record.status, record.category,
                   record.village.name, record.village.code, record.period, str(store.stored_month(record) or ""))


def find_item(archive: Archive, number: int, village: str | None = None) -> int:
    """The database id of the item a person names by its number (the one on its sheets and in its
    URL, `--item N`); at the township, where villages' numbers repeat, with `--village V`."""
    with archive.reading() as session:
        return store.find_item(session, number, village).id


def find_village(archive: Archive, name_or_code: str) -> int:
    """The database id of a village named by its name or code; a wrong one is told with those known."""
    with archive.reading() as session:
        return store.find_village(session, name_or_code).id


def describe(archive: Archive, item_id: int) -> ItemRef:
    with archive.reading() as session:
        return _ref(session, item_id)


def _unsealed(session: Session, item_id: int, doing: str) -> DisclosureItem:
    """The item's record, held for this transaction; a sealed one is refused in words."""
    record = session.get(DisclosureItem, item_id)
    if record is None:
        raise NotFound(f"没有编号为 {item_id} 的事项（可能已被删除）")
    store.hold_village(session, record.village_id)
    if store.is_sealed(session, item_id):
        raise BadInput(f"事项 {public_number(record)}“{record.title}”所在季度已封存，不能{doing}；"
                       "如有错误请发更正公告（zwgk correct，或在程序中点“发更正”）")
    return record


# -- new and saved -------------------------------------------------------------------------------

def new_item(archive: Archive, village_id: int, category: str, period: Period | str, *,
             title: str | None = None) -> ItemRef:
    """A blank draft of a category in a village's quarter, or in a month of it where the village
    discloses the category monthly (新建事项), titled as the formats expect."""
    chosen = parse_period(period) if isinstance(period, str) else period
    catalogue = catalogue_of(archive.layouts)
    with archive.writing() as session:
        village = session.get(Village, village_id)
        if village is None:
            raise NotFound("这个村已不存在")
        item = blank_item(category, check_period(catalogue, village, chosen, category))
        if title is not None:
            try:
                item.title = TITLE.parse(title)
            except FieldError as exc:
                raise BadInput(f"标题：{exc}") from None
        item_id = store.save_item(session, item, village)
        return _ref(session, item_id)


def monthly_periods(archive: Archive, village_id: int, quarter: str, category: str) -> list[str]:
    """The months (2026-07 …) of the quarter in which a new item of the category may be made for the
    village: all three where it discloses the category monthly, none where it does it by quarter."""
    wanted = Quarter.parse(quarter)
    catalogue = catalogue_of(archive.layouts)
    with archive.reading() as session:
        village = session.get(Village, village_id)
        if village is None or category not in monthly_categories(catalogue, village, wanted):
            return []
        return [str(month) for month in months_of(catalogue, village, wanted)]


def save_item(archive: Archive, item: Item) -> int:
    """Store an item edited in the app (保存, and the autosave): a draft keeps its mistakes; one
    marked reviewed must pass every check; a sealed one is refused."""
    with archive.writing() as session:
        return store.save_item(session, item)


# -- review ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reviewed:
    item: ItemRef
    reviewer: str
    reviewed_on: date
    changed: bool = True  # False: taking back a review of an item that was a draft already
    warnings: tuple[Problem, ...] = ()  # what looks odd but does not stop it (审核日期晚于公示开始)


def future_review_date(day: date) -> str | None:
    """Why a review date cannot be used (it has not come yet), or None. A review date starts an
    as-happens matter's deadline: one not yet come cannot have happened."""
    if day > today():
        return f"审核日期 {day} 还没有到，不能晚于今天"
    return None


def review(archive: Archive, item_id: int, reviewer: str, on: date | None, *,
           edited: Item | None = None) -> Reviewed:
    """The 村务监督委员会's review of an item (审核通过): its name and date recorded, the item marked
    reviewed, so it may be printed without “草稿” and sealed.

    Refused in words, nothing changed: no reviewer or no date, a date not come yet, an item with
    errors (every one listed), one reviewed already, one in a sealed quarter, a read-only archive.
    `edited`: the item as it stands in the app's editor (its unsaved edits are stored with the review,
    in the same transaction); the command line reviews the item as stored.
    """
    try:
        name = REVIEWER.parse(reviewer)
    except FieldError as exc:
        raise BadInput(f"审核人“{reviewer}”：{exc}") from None
    if not name or on is None:
        raise BadInput(NO_REVIEWER)
    too_early = future_review_date(on)
    if too_early:
        raise BadInput(f"{too_early}；未审核")
    with archive.writing() as session:
        record = _unsealed(session, item_id, "再审核或修改")
        item = edited.snapshot() if edited is not None else store.to_domain(record)
        number = public_number(record)
        if item.status == REVIEWED:
            raise BadInput(f"事项 {number}“{item.title}”已经审核过（审核人 {item.reviewer}，{item.reviewed_on}）；"
                           "要改审核人或日期，请先撤销审核（退回草稿）")
        item.id = item_id
        item.status, item.reviewer, item.reviewed_on = REVIEWED, name, on
        report = validate(item.snapshot(), category_of(item.category))
        if not report.ok:
            raise BadInput(f"事项 {number}“{item.title}”还有 {len(report.errors)} 处错误，不能审核：", report.errors)
        store.save_item(session, item)
        return Reviewed(_ref(session, item_id), name, on, True, tuple(report.warnings))


def unreview(archive: Archive, item_id: int, *, edited: Item | None = None) -> Reviewed:
    """Take a review back (退回草稿 / 撤销审核): the item is a draft again, to be reviewed anew; the
    reviewer's name and date stay filled in. A sealed item is refused (it was reviewed and sealed)."""
    with archive.writing() as session:
        record = _unsealed(session, item_id, "撤销审核")
        item = edited.snapshot() if edited is not None else store.to_domain(record)
        item.id = item_id
        changed = item.status != DRAFT
        if changed or edited is not None:  # the app's edits are saved with it all the same
            item.status = DRAFT
            store.save_item(session, item)
        return Reviewed(_ref(session, item_id), item.reviewer or "", item.reviewed_on or today(), changed)


# -- editing a draft's values ----------------------------------------------------------------------

# Names `edit --set` takes beyond `assign`'s: the item's own values the app's form edits.
_OWN = {"经办人": "clerk", "clerk": "clerk", "公开属性": "disclosure", "disclosure": "disclosure",
        "更正原因": "correction_reason", "correction_reason": "correction_reason"}


@dataclass(frozen=True)
class Edited:
    item: ItemRef
    returned: bool  # it was reviewed: changed, it went back to draft, to be reviewed again
    remaining: tuple[Problem, ...]  # what still stops a review (a draft may keep it)
    warnings: tuple[Problem, ...] = ()


def apply_assignments(item: Item, assignments: Sequence[str], *, add_rows: int = 0,
                      remove_rows: Sequence[int] = ()) -> list[Problem]:
    """Apply `[行号.]栏目=值` texts (and rows added or removed first) to the item, as typed in the form;
    every one that does not fit is returned as a problem (the item is then not to be stored)."""
    schema = category_of(item.category)
    problems: list[Problem] = []
    for number in sorted(set(remove_rows), reverse=True):
        if not 1 <= number <= len(item.rows):
            problems.append(Problem(f"没有第{number}行：这份{schema.name}共 {len(item.rows)} 行",
                                    where=f"--delete-row {number}"))
            continue
        del item.rows[number - 1]
    item.rows += [{f.key: None for f in schema.row_fields} for _ in range(add_rows)]
    for assignment in assignments:
        target, equals, value = assignment.partition("=")
        if not equals:
            problems.append(Problem("应写成 栏目=值 或 行号.栏目=值", where=f"--set {assignment}"))
            continue
        try:
            own = _OWN.get(target.strip())
            if own == "clerk":
                item.clerk = CLERK.parse(value)
            elif own == "disclosure":
                if value.strip() not in DISCLOSURE_ATTRIBUTES:
                    raise FieldError(f"“{value}”不是公开属性（{'、'.join(DISCLOSURE_ATTRIBUTES)}）")
                item.disclosure = value.strip()
            elif own == "correction_reason":
                if item.supersedes is None:
                    raise FieldError("只有更正稿才有更正原因")
                item.correction_reason = CORRECTION_REASON.parse(value)
            else:
                assign(item, schema, target.strip(), value)
        except FieldError as exc:
            problems.append(Problem(str(exc), where=f"--set {assignment}"))
    return problems


def edit_item(archive: Archive, item_id: int, assignments: Sequence[str], *, add_rows: int = 0,
              remove_rows: Sequence[int] = ()) -> Edited:
    """Change values of an item not sealed, as typing them in the app's form does: a reviewed item
    changed goes back to draft (what the 村务监督委员会 signed is no longer what it holds); a draft
    is kept with what still stops its review, which is returned. A value that does not read
    (“abc” as an amount, a row that is not there) stores nothing."""
    if not assignments and not add_rows and not remove_rows:
        raise BadInput("没有要改的内容：请用 --set 栏目=值（或 行号.栏目=值）、--add-rows 或 --delete-row")
    with archive.writing() as session:
        record = _unsealed(session, item_id, "再修改")
        item = store.to_domain(record)
        problems = apply_assignments(item, assignments, add_rows=add_rows, remove_rows=remove_rows)
        if problems:
            raise BadInput("修改未保存：", problems)
        returned = item.status == REVIEWED
        item.status = DRAFT
        report = validate(item.snapshot(), category_of(item.category))
        store.save_item(session, item)
        return Edited(_ref(session, item_id), returned, tuple(report.errors), tuple(report.warnings))


# -- delete ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Deleted:
    number: int
    title: str
    backup: Path | None


def delete_item(archive: Archive, item_id: int) -> Deleted:
    """Delete an item made by mistake or imported twice, after a backup; never a sealed one (that
    is refused before anything is backed up). Its number is retired, never given again."""
    with archive.reading() as session:
        record = session.get(DisclosureItem, item_id)
        if record is None:
            raise NotFound(f"没有编号为 {item_id} 的事项（可能已被删除）")
        number, title = public_number(record), record.title
        if store.is_sealed(session, item_id):
            raise BadInput(f"事项 {number}“{title}”已封存，不能删除；如有错误请发更正")
        links.refuse_if_linked(session, record)
    with archive.changing("before-delete") as (session, backup):
        store.delete_item(session, item_id)
    return Deleted(number, title, backup.path if backup else None)


# -- corrections -------------------------------------------------------------------------------------

def start_correction(archive: Archive, item_id: int, reason: str, clerk: str | None = None) -> ItemRef:
    """A new draft version of a sealed item (发更正), copied from it, to be corrected, reviewed and
    sealed; the original stays as it was."""
    with archive.writing() as session:
        item = store.start_correction(session, item_id, reason, clerk)
        assert item.id is not None
        return _ref(session, item.id)


@dataclass(frozen=True)
class Corrected:
    item: ItemRef
    corrects: int  # the number of the sealed version it replaces
    code: str  # the 更正公告's 验证码
    changes: tuple[tuple[str, str, str], ...]  # (where, before, after), as the 更正公告 lists them
    returned: bool  # a reviewed correction changed: back to draft, to be reviewed again


def correct(archive: Archive, item_id: int, *, reason: str | None = None, assignments: Sequence[str] = (),
            reviewer: str | None = None, reviewed_on: date | None = None) -> Corrected:
    """Record a correction (更正) to a sealed item as a new version, or change or review a correction
    not sealed yet. What the checker refuses (a phone number in the reason, a wrong value) is
    refused whole, and not even a new correction draft is left behind."""
    from zwgk_desktop.archive.versions import previous_versions
    from zwgk_desktop.render.correction import public_item

    layouts = archive.layouts
    returned = False
    with archive.writing() as session:
        if store.is_sealed(session, item_id):
            item = store.start_correction(session, item_id, reason or "")
        else:
            item, _ = store.load_item(session, item_id)
            if item.supersedes is None:
                raise BadInput(f"事项 {store.number_of(session, item_id)} 既没有封存，也不是更正稿："
                               "未封存的事项直接修改即可")
            if reason:
                item.correction_reason = reason.strip()
            if (reason or assignments) and item.status == REVIEWED and not reviewer:
                item.status, returned = DRAFT, True
        problems = apply_assignments(item, assignments)
        if problems:
            raise BadInput("更正未保存：", problems)
        if reviewer:
            day = reviewed_on or date.today()
            too_early = future_review_date(day)
            if too_early:
                raise BadInput(f"--reviewed-on：{too_early}；更正未保存")
            item.reviewed_on, item.status, item.reviewer = day, REVIEWED, reviewer.strip()
        schema = category_of(item.category)
        report = validate(item.snapshot(), schema)
        if not report.ok:
            raise BadInput(f"更正未保存：有 {len(report.errors)} 处错误，请改正后再运行：", report.errors)
        assert item.id is not None
        village = store.load_item(session, item.id)[1]
        store.save_item(session, item)
        place = store.place_of(village)
        notice = public_item(item, layouts, place, previous_versions(session, [item], layouts, place).get(item.id))
        return Corrected(_ref(session, item.id), store.number_of(session, item.supersedes or 0), notice.code,
                         tuple((row[1], row[2], row[3]) for row in notice.rows), returned)



@dataclass(frozen=True)
class Opened:
    """An item as the editor opens it."""

    item: Item
    place: Place
    village_id: int
    sealed: bool
    previous: Previous | None  # for a correction: the version it replaces, as sealed
    # For each link field (关联事项): the items it may name, (number, description), newest first.
    link_choices: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


def open_item(archive: Archive, item_id: int) -> Opened:
    """An item with where it belongs, whether it is sealed, and for a correction the version it
    replaces (a correction is shown as its 更正公告, made against that version)."""
    from zwgk_desktop.archive.versions import previous_versions

    with archive.reading() as session:
        item, village = store.load_item(session, item_id)
        place = store.place_of(village)
        previous = previous_versions(session, [item], archive.layouts, place).get(item_id)
        offered = {key: [(c.number, c.text) for c in found]
                   for key, found in links.choices(session, village.id, item).items()}
        return Opened(item, place, village.id, store.is_sealed(session, item_id), previous, offered)


def place_of_village(archive: Archive, village_id: int) -> Place | None:
    """Where a village's items belong (its name, code, phones), or None for one no longer there."""
    with archive.reading() as session:
        village = session.get(Village, village_id)
        return store.place_of(village) if village is not None else None
