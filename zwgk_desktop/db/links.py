"""Links between items of a village (关联事项): an item field its category file declares a
`reference` names another item by its number, the one on that item's sheets and in its URL.

A 招投标 result names the 会议决议 that decided the project, its 项目进展 and 竣工决算 notices name
the bid result (or the progress before them), a 实施结果 notice names its resolution. The store
refuses a link whose item is missing, of another village, of a category the field does not
take, the item itself or one not earlier (`check_links`); the online copy shows every item's
chain (`chains`).

"Earlier" is by number and quarter: the named item's first version has a lower number than this
item's first version, and its quarter is not later. Numbers only grow, so links can never form a
cycle. A correction (更正) is a later version of the same item: it counts as its first version,
so a link may name the original or its correction, and a correction of a linking item keeps its
link. A link names a number as written; the chain shows every version of each item in it (the
sealed original and the correction that replaces it), so the link follows to the correction
without any sealed content changing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop.db.models import DisclosureItem, ItemNumber, Village, public_number
from zwgk_desktop.domain.categories import ALL_CATEGORIES
from zwgk_desktop.domain.items import Item
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput, Problem


def reference_fields(category: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(item field, the categories it may name) of a category; () for one without links."""
    schema = ALL_CATEGORIES.get(category)
    return schema.references if schema is not None else ()


def _by_number(session: Session, village_id: int, number: int) -> DisclosureItem | None:
    return session.scalar(select(DisclosureItem).where(
        DisclosureItem.village_id == village_id,
        func.coalesce(DisclosureItem.number, DisclosureItem.id) == number))


def first_version(session: Session, record: DisclosureItem) -> DisclosureItem:
    """The sealed original a correction (of a correction…) replaces; the item itself otherwise."""
    seen = {record.id}
    while record.supersedes_id is not None:
        earlier = session.get(DisclosureItem, record.supersedes_id)
        if earlier is None or earlier.id in seen:
            break
        seen.add(earlier.id)
        record = earlier
    return record


def check_links(session: Session, village: Village, item: Item) -> None:
    """Refuse, in words naming the field, a link of `item` (about to be stored in `village`) to an
    item that is not there, is another village's, of a category the field does not take, is the
    item itself or not earlier than it. Nothing is stored when this raises."""
    problems: list[Problem] = []
    schema = ALL_CATEGORIES.get(item.category)
    if schema is None:
        return
    mine = _own_first_number(session, item)
    for key, allowed in schema.references:
        number = item.fields.get(key)
        if not isinstance(number, int) or isinstance(number, bool):
            continue  # empty, or a draft's value that did not read (the checker says so)
        label = schema.item_field(key).label
        reason = _refusal(session, village, item, mine, number, allowed)
        if reason:
            problems.append(Problem(f"第 {number} 号{reason}", field=label))
    if problems:
        raise BadInput(f"“{item.title}”的关联事项有误，未保存：", problems)


def _own_first_number(session: Session, item: Item) -> int | None:
    """The number of the item's first version (None: a new item, later than every one stored)."""
    if item.supersedes is not None:
        original = session.get(DisclosureItem, item.supersedes)
        if original is not None:
            return public_number(first_version(session, original))
    if item.id is None:
        return None
    record = session.get(DisclosureItem, item.id)
    return public_number(first_version(session, record)) if record is not None else None


def _refusal(session: Session, village: Village, item: Item, mine: int | None, number: int,
             allowed: tuple[str, ...]) -> str:
    target = _by_number(session, village.id, number)
    if target is None:
        retired = session.get(ItemNumber, (village.id, number))
        if retired is not None and retired.item_id is None:
            return f"是 {retired.period} 一个已删除的事项，不能关联"
        elsewhere = session.scalar(select(Village.name).join(DisclosureItem).where(
            DisclosureItem.village_id != village.id,
            func.coalesce(DisclosureItem.number, DisclosureItem.id) == number).limit(1))
        if elsewhere:
            return f"是{elsewhere}的事项，不是{village.name}的：只能关联本村的事项"
        return f"不存在：{village.name}没有这个编号的事项"
    if item.id is not None and target.id == item.id:
        return "就是本事项自己：关联事项应是更早的另一个事项"
    if target.category not in allowed:
        names = "、".join(ALL_CATEGORIES[c].name if c in ALL_CATEGORIES else c for c in allowed)
        kind = ALL_CATEGORIES[target.category].name if target.category in ALL_CATEGORIES else target.category
        return f"是{kind}（“{target.title}”）：这里只能关联{names}"
    theirs = public_number(first_version(session, target))
    if mine is not None and theirs >= mine:
        same = theirs == mine
        return ("是本事项的另一个版本（更正），不能关联自己" if same else
                f"（“{target.title}”）不早于本事项（第 {mine} 号）：只能关联更早的事项")
    if Quarter.parse(target.period) > item.period:
        return f"（“{target.title}”）属于 {target.period}，晚于本事项的 {item.period}：只能关联更早的事项"
    return ""


def linking(session: Session, record: DisclosureItem) -> list[DisclosureItem]:
    """The items of the village whose links name this one (what deleting it would leave dangling)."""
    number = public_number(record)
    found = []
    codes = [code for code, schema in ALL_CATEGORIES.items() if schema.references]
    for other in session.scalars(select(DisclosureItem).where(
            DisclosureItem.village_id == record.village_id, DisclosureItem.category.in_(codes),
            DisclosureItem.id != record.id)):
        if any((other.fields or {}).get(key) == number for key, _ in reference_fields(other.category)):
            found.append(other)
    return found


def refuse_if_linked(session: Session, record: DisclosureItem) -> None:
    """A deleted item's number is retired: an item naming it would point at nothing."""
    named_by = linking(session, record)
    if named_by:
        which = "、".join(f"第 {public_number(r)} 号“{r.title}”" for r in named_by)
        raise BadInput(f"事项 {public_number(record)}“{record.title}”是{which}的关联事项，不能删除："
                       "请先改掉那里的关联事项")


@dataclass(frozen=True)
class Choice:
    """An item a link may name, as the editor's chooser lists it."""

    number: int
    period: str
    category: str
    title: str

    @property
    def text(self) -> str:
        name = ALL_CATEGORIES[self.category].name if self.category in ALL_CATEGORIES else self.category
        return f"第 {self.number} 号 · {Quarter.parse(self.period).chinese} · {name} · {self.title}"


def choices(session: Session, village_id: int, item: Item) -> dict[str, list[Choice]]:
    """For each link field of the item, the village's items it may name (of the allowed
    categories, earlier than it), newest first: what the editor offers."""
    fields = reference_fields(item.category)
    if not fields:
        return {}
    mine = _own_first_number(session, item)
    wanted = {code for _, codes in fields for code in codes}
    records = list(session.scalars(select(DisclosureItem).where(
        DisclosureItem.village_id == village_id, DisclosureItem.category.in_(wanted))
        .order_by(DisclosureItem.id.desc())))
    found: dict[str, list[Choice]] = {}
    for key, allowed in fields:
        found[key] = [
            Choice(public_number(r), r.period, r.category, r.title) for r in records
            if r.category in allowed and r.id != item.id and Quarter.parse(r.period) <= item.period
            and (mine is None or public_number(first_version(session, r)) < mine)]
    return found


def chains(session: Session, village_id: int) -> dict[int, list[int]]:
    """Each linked item's chain, by database id: every item joined to it by links (either way)
    or as a version of it, oldest first (by quarter, then number). Items without links are left out."""
    records = list(session.scalars(select(DisclosureItem).where(DisclosureItem.village_id == village_id)))
    by_number = {public_number(r): r.id for r in records}
    parent = {r.id: r.id for r in records}

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def join(a: int, b: int) -> None:
        parent[root(a)] = root(b)

    linked: set[int] = set()
    for record in records:
        for key, _ in reference_fields(record.category):
            target = by_number.get((record.fields or {}).get(key))  # type: ignore[arg-type]
            if target is not None:
                join(record.id, target)
                linked.update((record.id, target))
    for record in records:
        if record.supersedes_id in parent:
            join(record.id, record.supersedes_id)
    groups: dict[int, list[DisclosureItem]] = {}
    for record in records:
        groups.setdefault(root(record.id), []).append(record)
    found: dict[int, list[int]] = {}
    for members in groups.values():
        if not linked.intersection(m.id for m in members):
            continue  # only versions of one item: the page says so already (更正)
        ordered = [m.id for m in sorted(members, key=lambda m: (m.period, public_number(m)))]
        for member in ordered:
            found[member] = ordered
    return found

