"""The product's own record of when a reviewed item first went out to the public.

Every way a reviewed item reaches the public goes through here: the board printed (`zwgk render`,
batch printing, the app's 打印 and 另存为 PDF) and the online copy written (`zwgk site`). The first
time each public content of an item goes out is noted, with how; sealing then freezes the record
of the content it seals (archive.seal), and the township's compliance table judges timeliness
from it rather than from the dates a clerk types. Drafts (printed with 草稿 across them) are not
for the public and are never noted; nor are sealed items, whose record is already sealed. An
archive opened read-only cannot note anything: there the seal's time bounds the record.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from zwgk_desktop.db.models import FirstPublic, SealedItem
from zwgk_desktop.domain.periods import CHINA

log = logging.getLogger("zwgk")

HOW = {"render": "打印", "batch": "批量打印", "print": "在程序中打印", "pdf": "另存为 PDF", "site": "网上公开件"}
# Dates of the record are read on Beijing time, as the deadlines are (domain.periods.CHINA).


def record_first_public(session: Session, printed: Iterable[tuple[int, str]], how: str,
                        now: datetime | None = None) -> bool:
    """Note that these reviewed items (database id, content hash of what went out) reached the
    public now, where nothing earlier is noted. In the caller's transaction; False when the
    archive is read-only (nothing noted)."""
    assert how in HOW
    wanted = set(printed)
    if not wanted:
        return True
    if not _writable(session):
        return False
    ids = sorted({item_id for item_id, _ in wanted})
    sealed = set(session.scalars(select(SealedItem.item_id).where(SealedItem.item_id.in_(ids))))
    held = {(item_id, content_hash) for item_id, content_hash in session.execute(
        select(FirstPublic.item_id, FirstPublic.content_hash).where(FirstPublic.item_id.in_(ids)))}
    at = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    new = [{"item_id": item_id, "content_hash": content_hash, "at": at, "how": how}
           for item_id, content_hash in sorted(wanted - held) if item_id not in sealed]
    if new:
        session.execute(insert(FirstPublic), new)
    return True


def first_public_of(session: Session, item_id: int, content_hash: str) -> FirstPublic | None:
    """The record of this content of the item, if it went out before (what a seal freezes)."""
    return session.scalar(select(FirstPublic).where(FirstPublic.item_id == item_id,
                                                    FirstPublic.content_hash == content_hash))


def local_day(moment: str | None) -> date | None:
    """The Beijing-time date of a stored moment (ISO 8601), or None."""
    if not moment:
        return None
    try:
        value = datetime.fromisoformat(moment)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CHINA).date()


def _writable(session: Session) -> bool:
    """Whether this session may write (an auditor's read-only copy may not)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return not session.execute(text("PRAGMA query_only")).scalar()
    if dialect == "postgresql":
        return session.execute(text("SHOW transaction_read_only")).scalar() == "off"
    return True


def moment_utc(value: datetime | str | None) -> datetime | None:
    """A stored moment as an aware UTC datetime (SQLite hands back naive UTC), or None."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def impossible(at: str | None, created: datetime | None, reviewed: date | None, sealed_at: str | None) -> str:
    """Why a record of first going out cannot be true, or "": the product notes only reviewed items,
    as they go out, so a record dated before the item was entered here, or before the day it was
    reviewed, was not written by the product (a row put into the table by hand). The item's
    creation counts only where it was entered before its seal: at the township an item is entered
    when its village's bundle is read, after the village printed it."""
    went = moment_utc(at)
    if went is None:
        return "记录的时间无法读取" if at else ""
    made, sealed = moment_utc(created), moment_utc(sealed_at)
    if made is not None and (sealed is None or made <= sealed) and went < made:
        return f"首次公开记录（{local_day(at)}）早于事项录入本库（{made.astimezone(CHINA).date()}）"
    if reviewed is not None and went.astimezone(CHINA).date() < reviewed:
        return f"首次公开记录（{local_day(at)}）早于审核日期（{reviewed}），只有审核后的事项才会记录"
    return ""
