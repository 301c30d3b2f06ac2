"""Reading and writing the archive in domain terms: townships, villages, items with their rows.

Every write validates first and happens in one transaction, so a bad item is refused whole and
nothing is left half-stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from zwgk_desktop.db import links
from zwgk_desktop.db.models import (
    DisclosureItem,
    ItemNumber,
    ItemRow,
    Seal,
    SealArrival,
    SealedItem,
    Township,
    Village,
    public_number,
    utcnow,
)
from zwgk_desktop.db.search_text import entries_for, write_entries
from zwgk_desktop.domain import glyphs, json_text
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.categories import category as category_of
from zwgk_desktop.domain.fields import Field, FieldError, Kind, clean_text
from zwgk_desktop.domain.filing import check_fonds, check_pattern
from zwgk_desktop.domain.identity import IdentityError, check_phone, find_personal_numbers
from zwgk_desktop.domain.items import (
    CLERK,
    CORRECTION_REASON,
    DRAFT,
    PUBLIC,
    REVIEWED,
    Item,
    KeptCheck,
    Report,
    entered,
    validate,
)
from zwgk_desktop.domain.periods import Month, Period, Quarter, month_of, quarter_of
from zwgk_desktop.domain.place import Place
from zwgk_desktop.domain.web_address import checked_base_url, checked_objection_url
from zwgk_desktop.errors import BadInput, NotFound, Problem

_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def village_code_for(name: str) -> str:
    """A URL-safe code from a village's name: 东岗村 → donggang (the trailing 村 dropped)."""
    from pypinyin import lazy_pinyin  # 0.15 s of dictionaries, needed only when a village is added

    base = name.removesuffix("村") or name
    code = "".join(lazy_pinyin(base, errors=lambda chars: "".join(c for c in chars if c.isascii()))).lower()
    return re.sub(r"[^a-z0-9-]", "", code) or "village"


def get_township(session: Session) -> Township | None:
    return session.scalars(select(Township).order_by(Township.id)).first()


def ensure_township(session: Session, name: str) -> Township:
    """The database's township, created with `name` if there is none yet, else renamed."""
    township = get_township(session)
    if township is None:
        township = Township(name=_checked_name(name, "乡镇名称"), base_url="",
                            supervision_phone="", publication_day=10)
        session.add(township)
        session.flush()
    elif name:
        township.name = _checked_name(name, "乡镇名称")
    return township


def set_base_url(township: Township, url: str) -> None:
    township.base_url = checked_base_url(url)


def set_phone(owner: Township | Village, phone: str) -> None:
    try:
        owner.supervision_phone = check_phone(phone)
    except IdentityError as exc:
        raise BadInput(f"监督电话：{exc}") from None


def _checked_name(name: str, label: str) -> str:
    try:
        text = clean_text(name)
    except FieldError as exc:
        raise BadInput(f"{label}“{name}”：{exc}") from None
    if not text or len(text) > 40:
        raise BadInput(f"{label}“{name}”应为 1–40 个字")
    unprintable = glyphs.message(text)  # printed on every sheet: it must not print blank
    if unprintable is not None:
        raise BadInput(f"{label}“{name}”{unprintable}")
    for finding in find_personal_numbers(text):  # printed on every sheet, page and report
        raise BadInput(f"{label}“{name}”含有{finding.label}“{finding.text}”：不得写入个人证件号、手机号或账号")
    return text


def add_village(session: Session, township: Township, spec: str) -> Village:
    """Add a village given as `东岗村` or `东岗村=donggang`; an existing one is returned as is."""
    name, _, code = spec.partition("=")
    name = _checked_name(name, "村名")
    existing = session.scalars(select(Village).where(Village.name == name)).first()
    if existing:
        if code.strip() and code.strip().lower() != existing.code:
            # The code is in every URL: posters already on the wall would lead nowhere.
            raise BadInput(f"{name}已有网址代码“{existing.code}”，不能改为“{code.strip()}”："
                           "已印出的二维码都指向现在的代码")
        return existing
    code = code.strip().lower() or village_code_for(name)
    if not _CODE_RE.match(code):
        raise BadInput(f"村代码“{code}”无效：只能用小写字母、数字和连字符（用于网址和文件名）")
    if session.scalars(select(Village).where(Village.code == code)).first():
        raise BadInput(f"村代码“{code}”已被使用：请写成 {name}=另一个代码")
    village = Village(township=township, name=name, code=code, supervision_phone="")
    session.add(village)
    session.flush()
    return village


def villages(session: Session) -> list[Village]:
    return list(session.scalars(select(Village).order_by(Village.id)))


def find_village(session: Session, name_or_code: str) -> Village:
    wanted = name_or_code.strip()
    found = session.scalars(
        select(Village).where((Village.name == wanted) | (Village.code == wanted.lower()))
    ).first()
    if found is None:
        known = "、".join(f"{v.name}（{v.code}）" for v in villages(session))
        known = known or "（还没有村，请用 zwgk init --village 添加）"
        raise NotFound(f"没有名为或代码为“{name_or_code}”的村。现有：{known}")
    return found


def add_item(session: Session, village: Village, item: Item) -> int:
    """Validate the item and store it with its rows; refuse it whole if anything is wrong."""
    schema = category_of(item.category)
    report = validate(item, schema)
    if not report.ok:
        raise BadInput(f"“{item.title}”有 {len(report.errors)} 处错误，未保存：", report.errors)
    links.check_links(session, village, item)
    record = _new_record(session, village, item)
    return _write_item(session, record, item, report)


def _new_record(session: Session, village: Village, item: Item) -> DisclosureItem:
    """A new item's record; a sealed quarter takes no new items, only corrections."""
    hold_village(session, village.id)
    if item.supersedes is None and quarter_sealed(session, village, str(item.period)):
        raise BadInput(f"{village.name} {item.period} 已封存，不能再添加事项；如有错误请对原事项发更正公告")
    number = next_number(session, village.id)
    record = DisclosureItem(village=village, period=str(item.period), category=item.category,
                            supersedes_id=item.supersedes, number=number)
    session.add(record)
    register_number(session, village.id, number, record)
    return record


# Numbers given where a village's archive is kept elsewhere (the township, holding the seals a
# village's bundles brought: its corrections) come from a block of their own, above every number a
# village gives itself: a correction made at the township then travels back to the village without
# ever meeting a number the village gave meanwhile to an item no bundle carried (design.md §4.4).
AWAY_NUMBERS = 10_000_000  # the township's first number for such a village is AWAY_NUMBERS + 1
LAST_NUMBER = 2**31 - 1


def village_by_code(session: Session, code: str) -> Village | None:
    return session.scalar(select(Village).where(Village.code == code))


def has_seals(session: Session, village_id: int) -> bool:
    return session.scalar(select(Seal.id).where(Seal.village_id == village_id).limit(1)) is not None


def kept_elsewhere(session: Session, village_id: int) -> bool:
    """Whether the village's archive is kept at another computer: its first seal arrived here in a
    bundle (at the township). A village whose first seal was made here is kept here, even after a
    correction from the township came back to it."""
    first = session.scalar(select(Seal.id).where(Seal.village_id == village_id).order_by(Seal.id).limit(1))
    return first is not None and session.get(SealArrival, first) is not None


def next_number(session: Session, village_id: int | None = None) -> int:
    """The number a new item takes: one above every number ever given, deleted items' included.

    A number is printed in the QR code of every sheet, drafts included, so it must never lead to
    another item later. Above every village's numbers, not just its own: an archive of one village
    keeps numbering as it always has, and in one holding several villages `--item N` stays
    unambiguous for every item made here (items imported from a village keep the village's).
    For a village kept elsewhere (`kept_elsewhere`) the number comes from the township's block
    (above AWAY_NUMBERS), which the village never gives; its own numbers stay below it.
    The caller holds the village (`hold_village`), so the register cannot change meanwhile.
    """
    away = village_id is not None and kept_elsewhere(session, village_id)
    given = func.coalesce(DisclosureItem.number, DisclosureItem.id)
    if away:
        registered = session.scalar(select(func.max(ItemNumber.number)).where(ItemNumber.number > AWAY_NUMBERS))
        stored = session.scalar(select(func.max(given)).where(given > AWAY_NUMBERS))
        top = max(registered or 0, stored or 0, AWAY_NUMBERS) + 1
        if top > LAST_NUMBER:
            raise BadInput("乡镇给出的事项编号已用完")
        return top
    registered = session.scalar(select(func.max(ItemNumber.number)).where(ItemNumber.number <= AWAY_NUMBERS))
    # Items the register does not know (written by an older program behind its back) count too.
    stored = session.scalar(select(func.max(given)).where(given <= AWAY_NUMBERS))
    top = max(registered or 0, stored or 0) + 1
    if top > AWAY_NUMBERS:
        raise BadInput(f"本库的事项编号已用到 {AWAY_NUMBERS}：再往上的编号留给乡镇的更正，不能再新建事项")
    return top


def register_number(session: Session, village_id: int, number: int, record: DisclosureItem) -> None:
    """Record that `number` of the village is the item's, for good (see `ItemNumber`)."""
    session.add(ItemNumber(village_id=village_id, number=number, item=record, period=record.period))


def number_taken(session: Session, village_id: int, number: int) -> str | None:
    """What already holds the village's number, in words, or None if it was never given."""
    entry = session.get(ItemNumber, (village_id, number))
    if entry is not None and entry.item_id is None:
        return f"编号 {number} 曾属于 {entry.period} 一个已删除的事项（编号不再使用）"
    clash = entry.item if entry is not None else session.scalar(select(DisclosureItem).where(
        DisclosureItem.village_id == village_id, func.coalesce(DisclosureItem.number, DisclosureItem.id) == number))
    return f"编号 {number} 已是事项“{clash.title}”的" if clash is not None else None


def retired_numbers(session: Session, village: Village) -> list[ItemNumber]:
    """The village's numbers whose items were deleted: sheets may carry them, nothing else will."""
    return list(session.scalars(select(ItemNumber).where(
        ItemNumber.village_id == village.id, ItemNumber.item_id.is_(None)).order_by(ItemNumber.number)))


def hold_village(session: Session, village_id: int) -> None:
    """Take the village for this transaction: whoever else writes it (a seal, an import, the app)
    waits until this one commits.

    Without it a check and the write it allows could interleave with a seal: an import that found
    the quarter open would add an item just after the seal froze the quarter's list, leaving it in
    a sealed quarter yet in no seal. Writing the village's row is the one lock both databases
    share: on SQLite it takes the file's write lock (SQLite starts a transaction at the first
    write, so this must come before the reads it protects), on PostgreSQL the row's.
    """
    session.execute(update(Village).where(Village.id == village_id).values(code=Village.code)
                    .execution_options(synchronize_session=False))


def quarter_sealed(session: Session, village: Village, period: str) -> bool:
    return session.scalar(select(Seal.id).where(Seal.village_id == village.id, Seal.period == period,
                                                Seal.kind == "quarter")) is not None


def find_item(session: Session, number: int, village: str | None = None) -> DisclosureItem:
    """The item a person means by its number: the one printed on its sheets and in its URL.

    In a village's own archive that is its id. At the township, items keep their village's
    numbers, so one number may belong to several villages: then the village must be named.
    """
    query = select(DisclosureItem).where(func.coalesce(DisclosureItem.number, DisclosureItem.id) == number)
    place = find_village(session, village) if village else None
    if place is not None:
        query = query.where(DisclosureItem.village_id == place.id)
    found = list(session.scalars(query))
    if not found:
        retired = session.scalars(select(ItemNumber).where(ItemNumber.number == number, ItemNumber.item_id.is_(None),
                                                           *([ItemNumber.village_id == place.id] if place else [])))
        gone = "、".join(f"{entry.period}" for entry in retired)
        raise NotFound(f"{place.name if place else ''}没有编号为 {number} 的事项"
                       + (f"（{gone} 的事项 {number} 已删除，编号不再使用）" if gone else ""))
    if len(found) > 1:
        names = "、".join(sorted(r.village.name for r in found))
        raise BadInput(f"编号为 {number} 的事项{names}都有：请用 --village 指明是哪个村的")
    return found[0]


def number_of(session: Session, item_id: int) -> int:
    """The number people know an item by (see `find_item`), from its database id."""
    record = session.get(DisclosureItem, item_id)
    return public_number(record) if record is not None else item_id


def load_item(session: Session, item_id: int) -> tuple[Item, Village]:
    record = session.get(DisclosureItem, item_id)
    if record is None:
        raise NotFound(f"没有编号为 {item_id} 的事项")
    return to_domain(record), record.village


def save_item(session: Session, item: Item, village: Village | None = None, *,
              checked: Report | None = None) -> int:
    """Store an item edited in the app, replacing its fields and rows in one transaction.

    A draft is kept even with mistakes in it (a clerk may finish a list tomorrow; values that do
    not parse are kept as typed); an item marked reviewed must pass every check.

    `checked`: what `validate` has just said of this very item, as it is now and in canonical
    form (an import's plan proves it, see `importer.store_import`); it is not checked again.
    """
    schema = category_of(item.category)
    report = checked if checked is not None else validate(item, schema)
    if item.status == REVIEWED and not report.ok:
        raise BadInput(f"“{item.title}”还有 {len(report.errors)} 处错误，不能标记为已审核：", report.errors)
    if item.id is None:
        if village is None:
            raise ValueError("a new item needs its village")
        links.check_links(session, village, item)
        record = _new_record(session, village, item)
    else:
        found = session.get(DisclosureItem, item.id)
        if found is None:
            raise NotFound(f"没有编号为 {item.id} 的事项（可能已被删除）")
        hold_village(session, found.village_id)
        if is_sealed(session, found.id):
            raise BadInput(f"事项 {public_number(found)}“{found.title}”所在季度已封存，不能再修改；"
                           "如有错误请发更正公告")
        links.check_links(session, found.village, item)
        record = found
    return _write_item(session, record, item, report)


def _write_item(session: Session, record: DisclosureItem, item: Item, checked: Report | None = None) -> int:
    """Put the item's fields and rows into its record, replacing any rows it had; `checked`, what
    `validate` has just found of it, is kept with it (see `KeptCheck`)."""
    schema = category_of(item.category)
    kept = KeptCheck.of(item, schema, checked) if checked is not None else None
    record.checked_digest, record.checked_rules, record.checked_errors = \
        (kept.digest, kept.rules, kept.errors) if kept is not None else (None, None, None)
    record.title = item.title
    record.month = _month_number(item)
    record.disclosure = item.disclosure
    record.publicity_start, record.publicity_end = item.publicity_start, item.publicity_end
    record.status, record.clerk = item.status, item.clerk
    record.reviewer, record.reviewed_on = item.reviewer, item.reviewed_on
    record.correction_reason = item.correction_reason if record.supersedes_id is not None else None
    record.fields = {f.key: f.to_json(item.fields.get(f.key)) for f in schema.item_fields}
    session.flush()
    session.execute(delete(ItemRow).where(ItemRow.item_id == record.id))
    if item.rows:
        _insert_rows(session.connection(), record.id, schema.row_fields, item.rows)
    _index_for_search(session, record.id, item)
    item.id, item.number = record.id, record.number
    return record.id


def _insert_rows(connection: Connection, item_id: int, fields: Sequence[Field], rows: Sequence[dict[str, Any]]
                 ) -> None:
    """The rows of an item as `item_row` lines, in one statement run for every row: their JSON
    text made here, as the column's own type makes it (`json.dumps`, see `json_text`), and handed
    to the database's driver as it is. Through the ORM, 10,000 rows cost a third of a second of
    parameter handling alone."""
    if connection.dialect.paramstyle == "qmark":  # SQLite
        statement = "INSERT INTO item_row (item_id, seq, data) VALUES (?, ?, ?)"
    else:  # PostgreSQL (psycopg): the text made a JSON value there, as the column type's own cast does
        statement = "INSERT INTO item_row (item_id, seq, data) VALUES (%s, %s, CAST(%s AS JSON))"
    connection.exec_driver_sql(statement, [(item_id, seq, data) for seq, data
                                           in enumerate(_rows_json_texts(fields, rows), start=1)])


def _rows_json_texts(fields: Sequence[Field], rows: Sequence[dict[str, Any]]) -> list[str]:
    """`json.dumps` of each row as `_rows_json` gives it. A row holding exactly the fields' keys,
    in their order, and no date (every row an import or the editor makes) is that row already,
    and is encoded as it is, not copied first."""
    keys = [f.key for f in fields]
    dumps = json_text.dumps
    texts = []
    for row in rows:
        if len(row) == len(keys) and _NOT_DATES.issuperset(map(type, row.values())) and list(row) == keys:
            texts.append(dumps(row))
        else:
            texts.append(dumps(_rows_json(fields, [row])[0]))
    return texts


def _rows_json(fields: Sequence[Field], rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row as the store keeps it: `Field.to_json` of every field's value, in the fields'
    order; only a date needs converting, so a row without one is copied as it is."""
    keys = [f.key for f in fields]
    out = []
    for row in rows:
        data = dict(zip(keys, map(row.get, keys), strict=True))
        # (Values of these types are never dates: only rows with another type need a look.)
        if not _NOT_DATES.issuperset(map(type, data.values())) \
                and any(isinstance(value, date) for value in data.values()):
            data = {f.key: f.to_json(data[f.key]) for f in fields}
        out.append(data)
    return out


_NOT_DATES = frozenset({str, int, type(None), float, bool})


def _month_number(item: Item) -> int | None:
    """The month column of an item: its month's number, which must be one of its quarter's."""
    if item.month is None:
        return None
    if item.month.quarter != item.period:
        raise BadInput(f"“{item.title}”的月份 {item.month} 不在它的季度 {item.period} 内")
    return item.month.number


def stored_month(record: DisclosureItem) -> Month | None:
    """The month of its quarter a stored item covers (None: the whole quarter)."""
    if record.month is None:
        return None
    return Month(Quarter.parse(record.period).year, record.month)


def in_period(period: Period) -> Any:
    """The condition on items of a period: a quarter's are all of its items, its months' too;
    a month's are those of that month."""
    condition = DisclosureItem.period == str(quarter_of(period))
    month = month_of(period)
    return condition if month is None else condition & (DisclosureItem.month == month.number)


def _index_for_search(session: Session, item_id: int, item: Item) -> None:
    write_entries(session.connection(), item_id, entries_for(item.category, item.title, item.rows, item.fields))


@dataclass(frozen=True)
class SearchHit:
    item_id: int  # the database's
    village: str
    period: str
    category: str
    title: str
    row: int  # 0: the item itself; else the row's number
    text: str
    number: int = 0  # the item's number as printed on its sheets (see `find_item`)


def search(session: Session, query: str, *, village: Village | None = None, period: Period | None = None,
           category: str | None = None, limit: int = 100) -> list[SearchHit]:
    """Items and rows whose public text contains `query` (any part of a word: 村干部, 王建国, 路灯)."""
    query = clean_text(query) if query else ""
    if not query:
        raise BadInput("请输入要查找的文字")
    sqlite = session.get_bind().dialect.name == "sqlite"
    order = "s.rowid" if sqlite else "s.id"
    params: dict[str, Any] = {"limit": limit}
    source = "search_index s"
    if sqlite and len(query) >= 3:
        # A phrase for FTS5's trigram index; quotes inside are doubled.
        condition = "search_index MATCH :match"
        params["match"] = '"' + query.replace('"', '""') + '"'
    elif sqlite and len(query) == 2 and re.fullmatch(r"\w\w", query):
        # Two characters: the pairs index holds exactly such tokens.
        source = "search_pairs p JOIN search_index s ON s.rowid = p.rowid"
        condition = "search_pairs MATCH :match"
        order = "p.rowid"
        params["match"] = '"' + query.lower() + '"'
    else:
        # Under three characters trigrams cannot help: scan (names of two characters are common).
        condition = "s.text LIKE :like ESCAPE '\\'" if sqlite else "s.text ILIKE :like ESCAPE '\\'"
        params["like"] = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    filters = ""
    if village is not None:
        filters += " AND i.village_id = :village"
        params["village"] = village.id
    if period is not None:
        filters += " AND i.period = :period"
        params["period"] = str(quarter_of(period))
        if month_of(period) is not None:
            filters += " AND i.month = :month"
            params["month"] = period.number
    if category is not None:
        filters += " AND i.category = :category"
        params["category"] = category
    statement = text(
        f"SELECT s.item_id, v.name, i.period, i.category, i.title, s.seq, s.text, coalesce(i.number, i.id) "
        f"FROM {source} "
        "JOIN disclosure_item i ON i.id = s.item_id JOIN village v ON v.id = i.village_id "
        # Newest entries first by the index's own order: sorting every match by quarter would cost
        # more than the search on a million lines.
        f"WHERE {condition}{filters} ORDER BY {order} DESC LIMIT :limit")
    return [SearchHit(int(r[0]), r[1], r[2], r[3], r[4], int(r[5]), r[6], int(r[7]))
            for r in session.execute(statement, params)]


def delete_item(session: Session, item_id: int) -> None:
    record = session.get(DisclosureItem, item_id)
    if record is not None:
        hold_village(session, record.village_id)
        if is_sealed(session, item_id):
            raise BadInput(f"事项 {public_number(record)}“{record.title}”已封存，不能删除")
        links.refuse_if_linked(session, record)
        _drop_vouchers(session, record)
        write_entries(session.connection(), item_id, [])
        # Its number is retired, not freed: sheets printed with it must never lead to another item.
        session.execute(update(ItemNumber).where(ItemNumber.item_id == item_id)
                        .values(item_id=None, retired_at=utcnow().isoformat(timespec="seconds"))
                        .execution_options(synchronize_session=False))
        session.delete(record)


def _drop_vouchers(session: Session, record: DisclosureItem) -> None:
    """An item deleted takes its vouchers with it (none is sealed while the item is not; one
    sealed is refused in words, as the database would refuse it)."""
    from zwgk_desktop.db.models import Attachment

    held = list(session.scalars(select(Attachment).where(Attachment.item_id == record.id)))
    if any(a.seal_id is not None for a in held):
        raise BadInput(f"事项 {public_number(record)}“{record.title}”附有已封存的凭证，不能删除")
    for attachment in held:
        session.delete(attachment)
    session.flush()


def is_sealed(session: Session, item_id: int) -> bool:
    """Whether the item belongs to a sealed quarter (the database refuses changes to it too)."""
    return session.scalar(select(SealedItem.id).where(SealedItem.item_id == item_id)) is not None


@dataclass
class VillageSettings:
    name: str
    code: str = ""
    phone: str = ""
    id: int | None = None
    fonds: str = ""  # 全宗号 (domain.filing), given by the county 档案馆; "" until set
    # The categories the township has the village disclose monthly (财务收支 where transactions are
    # many), beyond those the catalogue makes monthly for every village, each from a quarter on:
    # `finance@2026Q3` (`checked_monthly`).
    monthly: tuple[str, ...] = ()


@dataclass
class Settings:
    """What the whole office shares, kept in the database: township, villages, URL, phones."""

    township: str = ""
    base_url: str = ""
    township_phone: str = ""
    publication_day: int = 10
    villages: list[VillageSettings] = field(default_factory=list)
    archive_pattern: str = ""  # the 档号 pattern sealing fills in (domain.filing); "" for the default
    licence: str = ""  # the online copy's open data licence line (render/open_data.py); "" for none stated
    objection_url: str = ""  # the township's own online channel for objections; "" for none


def load_settings(session: Session) -> Settings:
    township = get_township(session)
    if township is None:
        return Settings()
    return Settings(township.name, township.base_url, township.supervision_phone, township.publication_day,
                    [VillageSettings(v.name, v.code, v.supervision_phone, v.id, v.fonds_code or "",
                                     monthly_setting(v))
                     for v in villages(session)], township.archive_pattern or "", township.open_data_licence or "",
                    township.objection_url or "")


def save_settings(session: Session, settings: Settings) -> None:
    """Apply the settings; every problem is reported at once and nothing is changed on error."""
    problems: list[Problem] = []

    def attempt(label: str, action: Callable[[], object]) -> None:
        try:
            action()
        except BadInput as exc:
            problems.append(Problem(exc.message, field=label))

    township = ensure_township(session, settings.township) if settings.township.strip() else None
    if township is None:
        raise BadInput("设置有误：", [Problem("乡镇名称不能为空", field="乡镇名称")])
    if settings.base_url.strip():
        attempt("网上公开地址", lambda: set_base_url(township, settings.base_url))
    else:
        township.base_url = ""
    if settings.township_phone.strip():
        attempt("乡镇监督电话", lambda: set_phone(township, settings.township_phone))
    else:
        township.supervision_phone = ""
    if not 1 <= settings.publication_day <= 28:
        problems.append(Problem("应为每月 1–28 日", field="公开日"))
    else:
        township.publication_day = settings.publication_day
    attempt("档号格式", partial(_set_archive_pattern, township, settings.archive_pattern))
    attempt("开放数据使用许可", partial(_set_licence, township, settings.licence))
    attempt("网上异议渠道", partial(_set_objection_url, township, settings.objection_url))
    for number, entry in enumerate(settings.villages, start=1):
        attempt(f"第{number}个村", partial(_apply_village, session, township, entry))
    if problems:
        raise BadInput("设置有误，未保存：", problems)
    session.flush()


def _apply_village(session: Session, township: Township, entry: VillageSettings) -> None:
    name = _checked_name(entry.name, "村名")
    with session.no_autoflush:
        clash = session.scalars(select(Village).where(Village.name == name)).first()
    if clash is not None and clash.id != entry.id:
        raise BadInput(f"村名“{name}”已经有了，不能重复")
    if entry.id is None:
        village = add_village(session, township, f"{name}={entry.code}" if entry.code.strip() else name)
    else:
        found = session.get(Village, entry.id)
        if found is None:
            raise NotFound(f"村“{entry.name}”已不存在")
        village = found
        village.name = name
    _set_village_phone(village, entry.phone)
    village.fonds_code = check_fonds(entry.fonds)
    village.monthly = " ".join(checked_monthly(entry.monthly))


def monthly_of(village: Village, quarter: Quarter | None = None) -> tuple[str, ...]:
    """The categories the township has this village disclose monthly (its setting): in `quarter`,
    those whose monthly disclosure had begun by then; with no quarter, all it names."""
    found = []
    for entry in monthly_setting(village):
        code, _, since = entry.partition("@")
        if quarter is None or not since or Quarter.parse(since) <= quarter:
            found.append(code)
    return tuple(found)


def monthly_setting(village: Village) -> tuple[str, ...]:
    """The setting as stored: `finance@2026Q3`, a category and the quarter it is monthly from."""
    return tuple((village.monthly or "").split())


def checked_monthly(entries: Sequence[str], today: date | None = None) -> tuple[str, ...]:
    """What a village may be set to disclose monthly, each `CODE@QUARTER` (from that quarter on;
    a code alone: from today's quarter): a known category a clerk files (not 更正公告) whose rows
    are dated, so a month can be told; each once, in the township's order."""
    fit = [code for code, schema in CATEGORIES.items()
           if not schema.internal and any(f.kind is Kind.DATE for f in schema.row_fields)]
    wanted: dict[str, Quarter] = {}
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        code, at, since = entry.partition("@")
        if code.strip() not in fit:
            raise BadInput(f"按月公开的类别“{code.strip()[:20]}”不可用：可用 {'、'.join(fit)}（有逐笔日期的类别）")
        wanted[code.strip()] = Quarter.parse(since) if at else Quarter.containing(today or date.today())
    return tuple(f"{code}@{wanted[code]}" for code in fit if code in wanted)


def _set_archive_pattern(township: Township, pattern: str) -> None:
    township.archive_pattern = check_pattern(pattern)


def _set_objection_url(township: Township, url: str) -> None:
    township.objection_url = checked_objection_url(url) if url.strip() else ""


def _set_licence(township: Township, text: str) -> None:
    township.open_data_licence = checked_licence(text)


LICENCE_MAX = 200  # characters of the open data's licence line


def checked_licence(text: str) -> str:
    """The licence line as the township typed it, on one line: at most `LICENCE_MAX` characters,
    no personal number (a contact phone may be in it), every character one the fonts print."""
    line = " ".join(text.split())
    if not line:
        return ""
    try:
        return str(Field("licence", "开放数据使用许可", Kind.CONTACT, required=False, max_length=LICENCE_MAX)
                   .check(line))
    except FieldError as exc:
        raise BadInput(str(exc)) from None


def _set_village_phone(village: Village, phone: str) -> None:
    if phone.strip():
        set_phone(village, phone)
    else:
        village.supervision_phone = ""


def to_domain(record: DisclosureItem, rows: list[dict[str, Any]] | None = None) -> Item:
    """The stored item as a domain object (typed values), ready to validate or render."""
    schema = category_of(record.category)
    raw_rows = rows if rows is not None else [r.data for r in record.rows]
    return Item(
        id=record.id, category=record.category, period=Quarter.parse(record.period), title=record.title,
        disclosure=record.disclosure, publicity_start=record.publicity_start,
        publicity_end=record.publicity_end, clerk=record.clerk, reviewer=record.reviewer,
        reviewed_on=record.reviewed_on, status=record.status,
        number=record.number, supersedes=record.supersedes_id, correction_reason=record.correction_reason,
        fields={f.key: f.from_json((record.fields or {}).get(f.key)) for f in schema.item_fields},
        rows=_rows_from_json(schema.row_fields, raw_rows),
        kept_check=KeptCheck(record.checked_digest, record.checked_rules, record.checked_errors)
        if record.checked_digest and record.checked_rules and record.checked_errors is not None else None,
        month=stored_month(record),
    )


def _rows_from_json(specs: tuple[Field, ...], raw_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as the store keeps them (JSON) to typed values: only dates need reading, so the other
    values are taken as they are (a 10,000-household list has 100,000 of them)."""
    keys = [f.key for f in specs]
    dated = [f for f in specs if f.kind is Kind.DATE]
    if not dated:
        return [{key: data.get(key) for key in keys} for data in raw_rows]
    rows = []
    for data in raw_rows:
        row = {key: data.get(key) for key in keys}
        for spec in dated:
            row[spec.key] = spec.from_json(row[spec.key])
        rows.append(row)
    return rows


def load_rows(session: Session, item_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Rows of many items in one query (a 10,000-household list should not cost 10,000 queries)."""
    result: dict[int, list[dict[str, Any]]] = {i: [] for i in item_ids}
    query = select(ItemRow.item_id, ItemRow.data).where(ItemRow.item_id.in_(item_ids)).order_by(
        ItemRow.item_id, ItemRow.seq)
    for item_id, data in session.execute(query):
        result[item_id].append(data)
    return result


@dataclass(frozen=True)
class ItemSummary:
    id: int  # the database's
    number: int  # the item's number as people know it: on its sheets and in its URL
    village: str
    period: str
    category: str
    title: str
    status: str
    disclosure: str
    rows: int
    publicity_start: str
    publicity_end: str
    corrects: int | None = None  # a correction: the id of the version it replaces
    sealed: bool = False
    archive_number: int | None = None  # 件号, given when it was sealed
    month: str = ""  # the month of its quarter it covers (2026-07); "" for the whole quarter


def list_items(session: Session, village: Village | None = None, period: Period | None = None,
               category: str | None = None) -> list[ItemSummary]:
    counts = select(ItemRow.item_id, func.count().label("n")).group_by(ItemRow.item_id).subquery()
    query = (select(DisclosureItem, Village.name, func.coalesce(counts.c.n, 0), SealedItem.id.is_not(None),
                    SealedItem.archive_number)
             .join(Village).outerjoin(counts, counts.c.item_id == DisclosureItem.id)
             .outerjoin(SealedItem, SealedItem.item_id == DisclosureItem.id)
             .order_by(Village.id, DisclosureItem.period, DisclosureItem.id))
    if village is not None:
        query = query.where(DisclosureItem.village_id == village.id)
    if period is not None:
        query = query.where(in_period(period))
    if category is not None:
        query = query.where(DisclosureItem.category == category)
    summaries = [
        ItemSummary(r.id, public_number(r), name, r.period, r.category, r.title, r.status, r.disclosure, n,
                    r.publicity_start.isoformat() if r.publicity_start else "",
                    r.publicity_end.isoformat() if r.publicity_end else "", r.supersedes_id, bool(sealed), filed,
                    str(stored_month(r) or ""))
        for r, name, n, sealed, filed in session.execute(query)
    ]
    # Within a village and quarter, the categories in the township's order (as on the board).
    rank = {code: index for index, code in enumerate(CATEGORIES)}
    villages_seen = list(dict.fromkeys(s.village for s in summaries))
    return sorted(summaries, key=lambda s: (villages_seen.index(s.village), s.period,
                                            rank.get(s.category, len(rank)), s.month, s.id))


def periods_of(session: Session, village: Village | None = None) -> list[str]:
    query = select(DisclosureItem.period).distinct().order_by(DisclosureItem.period)
    if village is not None:
        query = query.where(DisclosureItem.village_id == village.id)
    return list(session.scalars(query))


def place_of(village: Village) -> Place:
    """What the board prints about where the item comes from and whom to ask."""
    township = village.township
    phones = []
    if village.supervision_phone:
        phones.append(("村务监督委员会", village.supervision_phone))
    if township.supervision_phone:
        phones.append((f"{township.name}纪委", township.supervision_phone))
    return Place(township.name, village.name, village.code, township.base_url, tuple(phones))


def selected_items(session: Session, village: Village, period: Period, category: str | None,
                   item_id: int | None) -> list[Item]:
    """The items to print for a village and quarter or month (or one item), with rows, in board order."""
    query = select(DisclosureItem).where(DisclosureItem.village_id == village.id)
    if item_id is not None:  # the number printed on the item's sheets (its id, unless imported)
        query = query.where(func.coalesce(DisclosureItem.number, DisclosureItem.id) == item_id)
    else:
        query = query.where(in_period(period))
    if category is not None:
        query = query.where(DisclosureItem.category == category)
    # Board order: the categories in the order the township lists them, a quarter's months in
    # order, then oldest first.
    rank = {code: index for index, code in enumerate(CATEGORIES)}
    records = sorted(session.scalars(query), key=lambda r: (rank.get(r.category, len(rank)), r.month or 0, r.id))
    if item_id is not None and not records:
        raise NotFound(f"{village.name}没有编号为 {item_id} 的事项" + (f"（类别 {category}）" if category else ""))
    if item_id is not None and records[0].period != str(quarter_of(period)):
        raise BadInput(f"事项 {item_id} 属于 {records[0].period}，不是 {period}")
    if item_id is not None and month_of(period) is not None and stored_month(records[0]) != period:
        raise BadInput(f"事项 {item_id} 属于 {stored_month(records[0]) or records[0].period}，不是 {period}")
    if not records:
        known = periods_of(session, village)
        what = f"{period}" + (f" 的 {category} 类别" if category else "")
        raise NotFound(f"{village.name}在 {what} 没有任何事项。有事项的季度：{'、'.join(known) or '无'}")
    rows = load_rows(session, [r.id for r in records])
    return [to_domain(r, rows[r.id]) for r in records]


def public_only(items: list[Item]) -> tuple[list[Item], list[Item]]:
    """Split into items that may go on the board (主动公开) and those that may not."""
    return [i for i in items if i.disclosure == PUBLIC], [i for i in items if i.disclosure != PUBLIC]


def check_stored(items: list[Item]) -> list[Problem]:
    """Check stored items before printing: the file may have been edited behind our back. An item
    whose kept result is clean for it as it is now (its digest and the checks' version unchanged)
    is not checked again."""
    problems = []
    for item in items:
        schema = category_of(item.category)
        if item.kept_check is not None and item.kept_check.clean_for(item, schema):
            continue
        report = validate(item, schema)
        problems += [Problem(p.message, where=f"事项 {item.public_number}“{item.title}”", row=p.row, field=p.field)
                     for p in report.errors]
    return problems




# ---------------------------------------------------------------------------------------------
# Corrections (更正): a sealed item is never changed; a new version replaces it, both are kept.


def start_correction(session: Session, item_id: int, reason: str, clerk: str | None = None) -> Item:
    """A new draft version of a sealed item, copied from it, to be corrected, reviewed and sealed."""
    original = session.get(DisclosureItem, item_id)
    if original is None:
        raise NotFound(f"没有编号为 {item_id} 的事项")
    if not is_sealed(session, item_id):
        raise BadInput(f"事项 {public_number(original)}“{original.title}”还没有封存，直接修改即可，不需要更正")
    if not reason.strip():
        raise BadInput("请写明更正原因（如：第12户保障金额录入有误）")
    reason = entered(CORRECTION_REASON, reason)  # printed on the 更正公告
    clerk = entered(CLERK, clerk) if clerk and clerk.strip() else clerk
    newer = session.scalar(select(DisclosureItem).where(DisclosureItem.supersedes_id == item_id))
    if newer is not None:
        state = "已封存；如还有错请对它再发更正" if is_sealed(session, newer.id) else "尚未封存，请直接修改它"
        raise BadInput(f"事项 {public_number(original)} 已有更正（事项 {public_number(newer)}，{state}）")
    item = to_domain(original)
    item.id = item.number = None
    item.supersedes, item.correction_reason = item_id, reason.strip()
    item.status, item.reviewer, item.reviewed_on = DRAFT, None, None
    # The correction is publicised from today for as long as the original was (or long-term).
    if item.publicity_start is not None:
        length = (item.publicity_end - item.publicity_start) if item.publicity_end else None
        item.publicity_start = date.today()
        item.publicity_end = item.publicity_start + length if length is not None else None
    if clerk:
        item.clerk = clerk
    save_item(session, item, original.village)
    return item


def sealed_content(session: Session, item_id: int) -> str | None:
    """The public content of an item exactly as sealed (its canonical JSON), if it is sealed."""
    return session.scalar(select(SealedItem.canonical_json).where(SealedItem.item_id == item_id))


def versions_of(session: Session, item_id: int) -> list[int]:
    """Every version of an item, oldest first: the first posting and each correction after it."""
    first = item_id
    while (earlier := session.scalar(select(DisclosureItem.supersedes_id).where(DisclosureItem.id == first))):
        first = earlier
    chain = [first]
    while (later := session.scalar(select(DisclosureItem.id).where(DisclosureItem.supersedes_id == chain[-1]))):
        chain.append(later)
    return chain
