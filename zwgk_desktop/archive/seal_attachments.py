"""Photos and vouchers in the seal (seal format 5): what a seal holds of them, and checking it.

A seal of format 5 lists the attachments it freezes in `Seal.attachments`, canonical JSON covered
by its payload hash: for each its kind, file name, media type, SHA-256, size, the camera's time and
when it was added, and for a voucher its item's number and row. The bytes stay in `attachment`,
which the database refuses to change once sealed. `verify` names any photo whose stored bytes no
longer give the sealed SHA-256, or that is gone, or that was slipped into a seal afterwards.

Every new seal is made in format 5 (its payload also holds the quarter's objections,
archive.seal_objections); one holding no attachments lists none. A seal of format 4 or older never
holds any. A photo added after its quarter was sealed is sealed as the next link (kind
"attachment"), as a correction is.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import LargeBinary, cast, select
from sqlalchemy.orm import Session

from zwgk_desktop.db.models import Attachment, DisclosureItem, Seal, public_number
from zwgk_desktop.errors import Problem

# The first seal format that holds attachments (archive.seal SEAL_FORMAT is the newest).
ATTACHMENT_FORMAT = 5
# A seal of attachments alone: photos or vouchers added after their quarter was sealed.
KIND = "attachment"
KIND_NAMES = {"photo": "公开栏照片", "voucher": "凭证"}
_ENTRY_KEYS = ("kind", "name", "media_type", "sha256", "size", "taken_at", "added_at", "item", "row")


def pending(session: Session, village_id: int, period: str) -> list[Attachment]:
    """The quarter's attachments no seal holds yet, in the order they were added."""
    return list(session.scalars(select(Attachment).where(
        Attachment.village_id == village_id, Attachment.period == period, Attachment.seal_id.is_(None))
        .order_by(Attachment.id)))


def entry_of(session: Session, attachment: Attachment) -> dict[str, Any]:
    """An attachment as its seal lists it: its voucher's item by the number on its sheets."""
    item = session.get(DisclosureItem, attachment.item_id) if attachment.item_id is not None else None
    return {"kind": attachment.kind, "name": attachment.name, "media_type": attachment.media_type,
            "sha256": attachment.sha256, "size": attachment.size, "taken_at": attachment.taken_at,
            "added_at": attachment.added_at, "item": public_number(item) if item else None, "row": attachment.row}


def listed(session: Session, attachments: list[Attachment]) -> str | None:
    """`Seal.attachments` for a seal of these (None for none)."""
    if not attachments:
        return None
    return json.dumps([entry_of(session, a) for a in attachments], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))


def attach(attachments: list[Attachment], seal: Seal) -> None:
    """The attachments now belong to `seal` (the database then refuses any change to them)."""
    for attachment in attachments:
        attachment.seal_id = seal.id


def parse(value: Any) -> list[dict[str, Any]]:
    """`Seal.attachments` read back; ValueError if it is not what sealing writes."""
    if value is None:
        return []
    entries = json.loads(value) if isinstance(value, str | bytes) else None
    if not isinstance(entries, list) or not entries or any(
            not isinstance(e, dict) or set(e) != set(_ENTRY_KEYS) or not isinstance(e["sha256"], str)
            or not isinstance(e["name"], str) or e["kind"] not in KIND_NAMES for e in entries):
        raise ValueError("not a list of attachments")
    return entries


def named(entry: dict[str, Any]) -> str:
    """An attachment as `verify` names it: 公开栏照片“IMG_0001.jpg” / 凭证“发票.jpg”（事项 12 第 3 行）."""
    where = f"（事项 {entry['item']} 第 {entry['row']} 行）" if entry.get("item") is not None else ""
    return f"{KIND_NAMES.get(str(entry.get('kind')), '附件')}“{str(entry.get('name'))[:60]}”{where}"


def problems(session: Session, seal: Seal, where: str) -> list[Problem]:
    """Everything wrong with the attachments of one seal, each naming the file."""
    held = list(session.scalars(select(Attachment).where(Attachment.seal_id == seal.id).order_by(Attachment.id)))
    old = isinstance(seal.format, int) and seal.format < ATTACHMENT_FORMAT
    if old:
        said = [Problem("旧格式的封存不应含有照片或凭证：记录是事后补写的", where=where)] \
            if seal.attachments is not None else []
        return said + [Problem(f"{named(entry_of(session, a))}封存时并不在此封存中：是事后加入的", where=where)
                        for a in held]
    try:
        entries = parse(seal.attachments)
    except (ValueError, TypeError, KeyError):
        return [Problem("封存的照片和凭证清单无法读取：被改动或损坏", where=where)]
    found: list[Problem] = []
    left = {a.id: a for a in held}
    for entry in entries:
        match = next((a for a in left.values() if a.sha256 == entry["sha256"] and a.name == entry["name"]), None)
        if match is None:
            found.append(Problem(f"封存的{named(entry)}缺失：已从档案中删除", where=where))
            continue
        del left[match.id]
        data = _stored_bytes(session, match.id)
        if data is None or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            found.append(Problem(f"封存的{named(entry)}被改动：文件内容与封存时的 SHA-256 不符", where=where))
        elif entry_of(session, match) != entry:
            found.append(Problem(f"封存的{named(entry)}的记录（拍摄时间、大小或所属明细行）被改动", where=where))
    found += [Problem(f"{named(entry_of(session, a))}不在封存的清单中：是事后加入的", where=where)
              for a in left.values()]
    return found


def _stored_bytes(session: Session, attachment_id: int) -> bytes | None:
    """The attachment's bytes as stored, whatever type SQLite holds them as now."""
    value = session.execute(select(cast(Attachment.data, LargeBinary)).where(Attachment.id == attachment_id)).scalar()
    if isinstance(value, str):
        return value.encode("utf-8")
    return value


def member_name(entry: dict[str, Any]) -> str:
    """Where a bundle carries an attachment's bytes."""
    return f"data/attachments/{entry['sha256']}"
