"""What an auditor browses: the sealed items of the archive, their PDFs as printed, their versions
and what each correction changed. Read-only queries; the archive browser window shows them."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import LargeBinary, cast, func, select
from sqlalchemy.orm import Session, aliased

from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem, Seal, SealedItem, Village, public_number
from zwgk_desktop.render.correction import Change, code_of


@dataclass(frozen=True)
class SealedEntry:
    """One sealed item as the archive list shows it."""

    item_id: int
    number: int
    village: str
    period: str
    category: str
    title: str
    code: str  # the verification code printed on its sheet
    sealed_at: str
    sealed_by: str
    correction: bool  # this version is a correction (更正) of an earlier one
    superseded_by: int | None  # a later version replaces this one
    superseded_by_number: int | None = None  # its number as printed
    archive_number: int | None = None  # 件号, given at sealing


def sealed_entries(session: Session, *, village_id: int | None = None, period: str | None = None,
                   category: str | None = None, text: str | None = None, limit: int = 2000) -> list[SealedEntry]:
    """Sealed items, newest quarter first, filtered; `text` searches their public text."""
    later = aliased(DisclosureItem)
    query = (select(SealedItem, DisclosureItem, Village.name, Seal.sealed_at, Seal.sealed_by, later.id,
                    func.coalesce(later.number, later.id))
             .join(DisclosureItem, DisclosureItem.id == SealedItem.item_id)
             .join(Seal, Seal.id == SealedItem.seal_id).join(Village, Village.id == DisclosureItem.village_id)
             # Only a sealed correction replaces a version; a draft one may still be dropped.
             .outerjoin(later, (later.supersedes_id == DisclosureItem.id)
                        & later.id.in_(select(SealedItem.item_id)))
             .order_by(DisclosureItem.period.desc(), Village.id, DisclosureItem.id).limit(limit))
    if village_id is not None:
        query = query.where(DisclosureItem.village_id == village_id)
    if period:
        query = query.where(DisclosureItem.period == period)
    if category:
        query = query.where(DisclosureItem.category == category)
    if text and text.strip():
        village = session.get(Village, village_id) if village_id is not None else None
        hits = store.search(session, text, village=village, category=category, limit=limit * 5)
        query = query.where(DisclosureItem.id.in_({h.item_id for h in hits}))
    return [
        SealedEntry(record.id, public_number(record), village, record.period, record.category, entry.title,
                    code_of(entry.canonical_json), sealed_at, sealed_by, record.supersedes_id is not None, newer,
                    newer_number, entry.archive_number)
        for entry, record, village, sealed_at, sealed_by, newer, newer_number in session.execute(query)
    ]


def sealed_pdf(session: Session, item_id: int) -> bytes | None:
    """The sheets of the item exactly as printed when it was sealed."""
    column = cast(SealedItem.pdf, LargeBinary) if session.get_bind().dialect.name == "sqlite" else SealedItem.pdf
    return session.scalar(select(column).where(SealedItem.item_id == item_id))


@dataclass(frozen=True)
class Version:
    item_id: int
    number: int  # as printed on its sheets
    label: str  # 原公告 / 第1次更正 …
    status: str  # 已封存 2026-07-10 王德明 / 更正稿（未封存）
    code: str
    reason: str


def history(session: Session, item_id: int) -> list[Version]:
    """Every version of the item, oldest first, with its code and the reason for each correction."""
    versions = []
    for index, version_id in enumerate(store.versions_of(session, item_id)):
        record = session.get(DisclosureItem, version_id)
        assert record is not None
        sealed = session.execute(select(SealedItem.canonical_json, Seal.sealed_at, Seal.sealed_by)
                                 .join(Seal, Seal.id == SealedItem.seal_id)
                                 .where(SealedItem.item_id == version_id)).first()
        status = f"已封存 {sealed[1][:10]} {sealed[2]}" if sealed else "更正稿（未封存）"
        label = "原公告" if index == 0 else f"第{index}次更正"
        versions.append(Version(version_id, public_number(record), label, status,
                                code_of(sealed[0]) if sealed else "", record.correction_reason or ""))
    return versions


def correction_changes(session: Session, item_id: int) -> list[Change]:
    """What a sealed correction changed, as its 更正公告 printed it (原为 / 更正为)."""
    content = store.sealed_content(session, item_id)
    if content is None:
        return []
    notice = json.loads(content)
    if notice.get("category") != "correction":
        return []
    return [Change(row[1], row[2], row[3]) for row in notice.get("rows", []) if len(row) >= 4]


def sealed_periods(session: Session) -> list[str]:
    # A key record (kind "key") holds no items: its quarter is no sealed quarter to browse.
    return list(session.scalars(select(Seal.period).where(Seal.kind != "key").distinct()
                                .order_by(Seal.period.desc())))
