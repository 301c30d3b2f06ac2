"""Objections and their replies in a quarter's seal (seal format 5; issue 18, part 2).

Each objection of the quarter (the quarter of the item it is about) is frozen with the quarter's
seal as its own canonical JSON and content hash, which the seal's payload hash covers. What
changes afterwards — a reply given, or the 更正公告 it led to named — is frozen by the village's
next seal of that quarter (a correction's, or one of its own, kind "objection"), as the next link
of the chain. `verify` recomputes each and names an objection altered since its seal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.db.models import DisclosureItem, Objection, Seal, SealedObjection, Village, public_number
from zwgk_desktop.domain import objections as rules
from zwgk_desktop.errors import Problem

# The first seal format that holds objections; older seals hash exactly as before.
FORMAT = 5


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_hash(objection: rules.Objection) -> str:
    return hashlib.sha256(canonical(objection.sealed_content())).hexdigest()


def as_domain(record: Objection) -> rules.Objection:
    """The stored objection in domain terms (what its seal freezes)."""
    item = record.item
    return rules.Objection(
        village=record.village.code, number=record.number, item_number=public_number(item), item_title=item.title,
        period=item.period, received_on=record.received_on, channel=record.channel, text=record.text,
        row=record.row, raised_by=record.raised_by, handler=record.handler, reply=record.reply,
        replied_on=record.replied_on, outcome=record.outcome,
        correction=public_number(record.correction) if record.correction is not None else None)


def _of_quarter(session: Session, village: Village, period: str) -> list[Objection]:
    return list(session.scalars(select(Objection).join(DisclosureItem, Objection.item_id == DisclosureItem.id)
                                .where(Objection.village_id == village.id, DisclosureItem.period == period)
                                .order_by(Objection.number)))


def _latest(session: Session, objection_ids: Sequence[int]) -> dict[int, SealedObjection]:
    """Each objection's newest sealed state."""
    latest: dict[int, SealedObjection] = {}
    for entry in session.scalars(select(SealedObjection).where(SealedObjection.objection_id.in_(objection_ids))
                                 .order_by(SealedObjection.id)):
        latest[entry.objection_id] = entry
    return latest


def waiting(session: Session, village: Village, period: str) -> list[SealedObjection]:
    """The quarter's objections whose present state no seal holds yet, as entries to seal."""
    records = _of_quarter(session, village, period)
    latest = _latest(session, [r.id for r in records])
    entries = []
    for record in records:
        domain = as_domain(record)
        digest = content_hash(domain)
        if record.id in latest and latest[record.id].content_hash == digest:
            continue
        entries.append(SealedObjection(objection_id=record.id, content_hash=digest,
                                       canonical_json=canonical(domain.sealed_content()).decode("utf-8")))
    return entries


def hashes(entries: Sequence[SealedObjection]) -> list[str]:
    """What a seal's payload holds of its objections."""
    return sorted(str(e.content_hash) for e in entries)


def of_seal(session: Session, seal: Seal) -> list[SealedObjection]:
    return list(session.scalars(select(SealedObjection).where(SealedObjection.seal_id == seal.id)
                                .order_by(SealedObjection.id)))


def _moved_on(sealed: dict[str, Any], now: dict[str, Any]) -> bool:
    """Whether the present state only adds to the sealed one what may come after a seal: the
    reply to an objection sealed open, or the correction an answered one led to."""
    reply = ("handler", "reply", "replied_on", "outcome")
    registered = [k for k in sealed if k not in (*reply, "correction")]
    if any(sealed.get(k) != now.get(k) for k in registered):
        return False
    if sealed.get("replied_on") is None:
        return sealed.get("correction") is None or sealed.get("correction") == now.get("correction")
    return all(sealed.get(k) == now.get(k) for k in reply) and sealed.get("correction") in (None, now.get("correction"))


def verify_village(session: Session, village: Village, seals: Sequence[Seal]) -> list[Problem]:
    """Every sealed objection of the village's seals: its content against its hash, and the
    objection as stored now against its newest seal."""
    found = []
    latest: dict[int, tuple[SealedObjection, dict[str, Any] | None]] = {}
    for seal in seals:
        for entry in of_seal(session, seal):
            where = f"{village.name} {seal.period} 封存的异议（第 {entry.id} 条记录）"
            text = entry.canonical_json
            parsed: dict[str, Any] | None = None
            try:
                parsed = json.loads(text)
            except (TypeError, ValueError):
                found.append(Problem("封存的异议内容无法读取：被改动或损坏", where=where))
            if not isinstance(text, str) or hashlib.sha256(text.encode("utf-8")).hexdigest() != entry.content_hash:
                found.append(Problem("封存的异议内容与其哈希不符：封存后被改动", where=where))
            latest[entry.objection_id] = (entry, parsed if isinstance(parsed, dict) else None)
    for objection_id, (_entry, sealed) in latest.items():
        record = session.get(Objection, objection_id)
        number = sealed.get("number", "?") if sealed else "?"
        where = f"{village.name} 异议 {number}"
        if record is None:
            found.append(Problem("已封存的异议从档案中被删除了", where=where))
            continue
        now = as_domain(record).sealed_content()
        if sealed is not None and now != sealed and not _moved_on(sealed, now):
            changed = "、".join(sorted(k for k in now if now.get(k) != sealed.get(k)))
            found.append(Problem(f"异议在封存后被改动（{changed}）", where=f"{where}（事项 {record.item.title}）"))
    return found


# -- in a village's bundle (archive.bundle) ---------------------------------------------------------
def bundled(session: Session, seal: Seal) -> dict[str, Any]:
    """What a bundle's seal entry carries of its objections (format 5 on; older seals: nothing)."""
    if seal.format < FORMAT:
        return {}
    return {"objections": [{"canonical_json": e.canonical_json, "content_hash": e.content_hash}
                           for e in of_seal(session, seal)]}


def bundle_hashes(entry: dict[str, Any], where: str, problems: list[Problem]) -> list[str]:
    """The objections' hashes a bundle's seal entry holds, each checked against its content."""
    found = []
    held = entry.get("objections", [])
    if not isinstance(held, list):
        problems.append(Problem("“objections”的类型不对", where=where))
        return []
    for index, sealed in enumerate(held, start=1):
        text = sealed.get("canonical_json") if isinstance(sealed, dict) else None
        digest = sealed.get("content_hash") if isinstance(sealed, dict) else None
        if not isinstance(text, str) or not isinstance(digest, str) \
                or hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
            problems.append(Problem("封存的异议内容与其哈希不符", where=f"{where} 第{index}件异议"))
            continue
        found.append(digest)
    return found


def import_bundled(session: Session, village: Village, seal: Seal, entry: dict[str, Any], shown: str) -> None:
    """The bundle's objections of `seal` into this database: each registered (or brought up to its
    newer sealed state) as sealed, and the sealed state kept."""
    from zwgk_desktop.errors import BadInput

    for sealed in entry.get("objections", []):
        content = json.loads(sealed["canonical_json"])
        item = _numbered(session, village, content["item"])
        if item is None or content.get("village") != village.code:
            raise BadInput(f"{shown}：异议 {content.get('number')} 所针对的事项 {content.get('item')} 不在本库中")
        correction = _numbered(session, village, content["correction"]) if content.get("correction") else None
        record = session.scalars(select(Objection).where(Objection.village_id == village.id,
                                                         Objection.number == content["number"])).first()
        if record is None:
            record = Objection(village_id=village.id, number=content["number"])
            session.add(record)
        record.item_id, record.row = item.id, content["row"]
        record.received_on = date.fromisoformat(content["received_on"])
        record.channel, record.text, record.raised_by = content["channel"], content["text"], content["raised_by"]
        record.handler, record.reply, record.outcome = content["handler"], content["reply"], content["outcome"]
        record.replied_on = date.fromisoformat(content["replied_on"]) if content["replied_on"] else None
        record.correction_id = correction.id if correction is not None else None
        session.flush()
        session.add(SealedObjection(seal_id=seal.id, objection_id=record.id, canonical_json=sealed["canonical_json"],
                                    content_hash=sealed["content_hash"]))
    session.flush()


def _numbered(session: Session, village: Village, number: int) -> DisclosureItem | None:
    from sqlalchemy import func

    return session.scalars(select(DisclosureItem).where(
        DisclosureItem.village_id == village.id,
        func.coalesce(DisclosureItem.number, DisclosureItem.id) == number)).first()
