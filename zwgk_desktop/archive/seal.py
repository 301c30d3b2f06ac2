"""Sealing a village's quarter, and verifying every seal later (design §4.5).

A seal freezes each item of the quarter: its canonical public JSON and content hash (the
验证码's source), a hash of its stored data, and the PDF exactly as printed. Seals of a village
form a chain: each seal's hash covers the previous one's, so removing, reordering or altering a
seal breaks every later link. `verify` recomputes all of it and names what does not match.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import LargeBinary, cast, func, select
from sqlalchemy.orm import Session, aliased

from zwgk_desktop.archive import made_with, protection, seal_attachments, seal_fields, seal_objections, signing
from zwgk_desktop.archive.filing import file_items
from zwgk_desktop.archive.first_public import HOW, first_public_of, impossible
from zwgk_desktop.archive.made_with import MadeWithError, parse_made_with
from zwgk_desktop.archive.rederive import DIFFERENT, Rederiver, pdf_code_problem
from zwgk_desktop.archive.versions import previous_versions
from zwgk_desktop.db import store
from zwgk_desktop.db.models import (
    DisclosureItem,
    ItemRow,
    Seal,
    SealedItem,
    SealedObjection,
    Village,
    VillageKey,
    public_number,
)
from zwgk_desktop.domain.items import PUBLIC, REVIEWED, SEALED_BY, STATUS_NAMES, entered
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.render import fonts
from zwgk_desktop.render.board import layout_board
from zwgk_desktop.render.correction import public_item
from zwgk_desktop.render.layout import LayoutSet
from zwgk_desktop.render.pdf import Poster, write_pdf
from zwgk_desktop.render.public import CODE_LENGTH
from zwgk_desktop.render.sheet_papers import Papers, added, papers_of

log = logging.getLogger(__name__)
_HEX64 = re.compile(r"[0-9a-f]{64}")
# 保管期限 (DA/T 22): what an item may be filed under.
RETENTIONS = ("永久", "30年", "10年")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


# How hashes are computed for new seals. Format 1 named items and villages by database ids, so its
# seals could not move to another database; format 2 names them by village code and the item's
# public number, so a township that imports a village's archive can verify it unchanged. Format 3
# also seals each item's record of when it first went out to the public (archive.first_public),
# kept outside its public content so the 验证码 does not change. Format 4 (migration 0011) also
# covers what made the seal (`made_with`: the rules' versions and the texts of the formats), the
# key that signed it (`signer`; the signature itself signs the chain hash), what a seal without
# items records (`event`: a village key made, replaced or lost), and each item's 档号 and 保管期限.
# Format 5 (migrations 0015 and 0016) also holds the quarter's objections and replies
# (archive.seal_objections) and lists the photos and vouchers it holds (archive.seal_attachments).
SEAL_FORMAT = 5


def hashed_record(session: Session, record: DisclosureItem, rows: list[dict[str, Any]], fmt: int) -> dict[str, Any]:
    """The item as stored, in the form its data hash covers (and a bundle carries it in)."""
    common: dict[str, Any] = {
        "period": record.period, "category": record.category,
        "title": record.title, "disclosure": record.disclosure, "status": record.status,
        "publicity": [record.publicity_start, record.publicity_end], "clerk": record.clerk,
        "review": [record.reviewer, record.reviewed_on], "fields": record.fields, "rows": rows,
    }
    if record.month is not None:  # an item of one month (migration 0014); items of a quarter hash as before
        common["month"] = record.month
    if fmt == 1:
        return {"id": record.id, "village_id": record.village_id, **common}
    superseded = session.get(DisclosureItem, record.supersedes_id) if record.supersedes_id else None
    return {"village": record.village.code, "number": public_number(record), **common,
            "supersedes": public_number(superseded) if superseded else None, "reason": record.correction_reason}


def stored_data_hash(session: Session, record: DisclosureItem, rows: list[dict[str, Any]], fmt: int) -> str:
    """A hash of the item exactly as stored, so a change made behind the app's back shows."""
    return sha256(canonical(hashed_record(session, record, rows, fmt)))


def payload_hash(seal: Seal, village_code: str, previous_chain: str, items: list[SealedItem],
                 objections: list[str] | None = None) -> str:
    if seal.format == 1:
        return sha256(canonical({
            "village": village_code, "period": seal.period, "sealed_at": seal.sealed_at,
            "sealed_by": seal.sealed_by, "previous": previous_chain,
            "items": [[i.item_id, i.content_hash, i.data_hash, i.pdf_hash or ""] for i in items],
        }))
    # Each item's public content (its content hash) already names its village, quarter and number.
    payload: dict[str, Any] = {
        "format": seal.format, "kind": seal.kind, "village": village_code, "period": seal.period,
        "sealed_at": seal.sealed_at, "sealed_by": seal.sealed_by, "previous": previous_chain,
        "items": sorted([i.content_hash, i.data_hash, i.pdf_hash or "",
                         *((i.first_public_at or "", i.first_public_how or "") if seal.format >= 3 else ()),
                         *((i.archive_ref or "", i.retention or "") if seal.format >= 4 else ())]
                        for i in items),
    }
    if seal.format >= 4:
        # The texts themselves, not their hashes: a value of the wrong type is then a changed
        # payload, never a crash.
        payload.update(made_with=seal.made_with or "", signer=seal.signer or "", event=seal.event or "")
    if seal.format >= seal_objections.FORMAT:
        payload["objections"] = sorted(objections or [])
        payload["attachments"] = seal.attachments or ""
    return sha256(canonical(payload))


def chain_hash(previous_chain: str, payload: str) -> str:
    return sha256(f"{previous_chain}:{payload}".encode("ascii"))


@dataclass(frozen=True)
class SealResult:
    seal_id: int
    items: int
    pdf_sheets: int
    chain_hash: str
    kind: str = "quarter"
    papers: Papers = ()  # the sheets stored, per paper (from their PDFs): a format may be set on A4
    objections: int = 0  # objections (and replies) frozen with it
    attachments: int = 0  # photos and vouchers sealed with it


def seal_quarter(session: Session, layouts: LayoutSet, village_name: str, period: Quarter, sealed_by: str,
                 *, now: datetime | None = None) -> SealResult:
    """Freeze every item of the village's quarter, all or nothing (the caller's transaction).

    A quarter already sealed takes only corrections: those made since are sealed on their own,
    as the next link of the village's chain.
    """
    village = store.find_village(session, village_name)
    if not sealed_by.strip():
        raise BadInput("请写明封存人（--by 姓名）")
    sealed_by = entered(SEALED_BY, sealed_by)  # the one check every name typed passes (审核人 too)
    if reason := seal_fields.sealed_by_problem(sealed_by.strip()):
        raise BadInput(f"{reason}：没有封存")
    base_url = village.township.base_url or ""
    records, kind = to_seal(session, village, period)
    objections = seal_objections.waiting(session, village, str(period)) if SEAL_FORMAT >= 5 else []
    rows = store.load_rows(session, [r.id for r in records])
    items = [store.to_domain(r, rows[r.id]) for r in records]
    problems = store.check_stored(items)
    if problems:
        raise BadInput(f"有 {len(problems)} 处错误，不能封存：", problems)
    data_hashes = {r.id: stored_data_hash(session, r, rows[r.id], SEAL_FORMAT) for r in records}
    place = store.place_of(village)
    # What the public content is made with, recorded so verify can make it again (archive.rederive).
    made, sources = made_with.record(
        layouts, [*(i.category for i in items), *(["correction"] if any(i.supersedes for i in items) else [])], place)
    replaced = previous_versions(session, items, layouts, place)
    sealed: list[SealedItem] = []
    sheets, pages = 0, []
    with tempfile.TemporaryDirectory(prefix="zwgk-seal-") as folder:
        for record, item in zip(records, items, strict=True):
            public = public_item(item, layouts, place, replaced.get(record.id))
            pdf: bytes | None = None
            if item.disclosure == PUBLIC:
                out = Path(folder) / f"{record.id}.pdf"
                url = public.url(base_url)
                board = layout_board(public, layouts.for_category(public.category), fonts.text_width,
                                     place.supervision_phones, url)
                sheets += write_pdf([Poster(board, url)], out)
                pdf = out.read_bytes()
                pages.append(papers_of(pdf))
            went_out = first_public_of(session, record.id, public.content_hash)
            sealed.append(SealedItem(
                item_id=record.id, title=record.title, canonical_json=public.canonical_json().decode("utf-8"),
                content_hash=public.content_hash, data_hash=data_hashes[record.id],
                pdf=pdf, pdf_hash=sha256(pdf) if pdf is not None else None,
                first_public_at=went_out.at if went_out else None, first_public_how=went_out.how if went_out else None))

    # Only now take the village, for the few writes that follow: the posters above may take a
    # while, and on SQLite the lock is the whole file's (every other village's saves would wait).
    # What was printed must still be what is stored: an item added, changed or reviewed meanwhile
    # means sealing again.
    store.hold_village(session, village.id)
    session.expire_all()
    again, again_kind = to_seal(session, village, period)
    fresh = store.load_rows(session, [r.id for r in again])
    if again_kind != kind or [r.id for r in again] != [r.id for r in records] or any(
            stored_data_hash(session, r, fresh[r.id], SEAL_FORMAT) != data_hashes[r.id] for r in again) or (
            SEAL_FORMAT >= 5 and seal_objections.hashes(seal_objections.waiting(session, village, str(period)))
            != seal_objections.hashes(objections)):
        raise BadInput(f"{village.name} {period} 的事项在封存过程中被修改或增加了：没有封存，请再封存一次")
    # The village's key signs (on its first seal here it is made, and a key seal goes first).
    signer = signing.signer_for(session, village, sealed_by.strip(), now) if SEAL_FORMAT >= 4 else None
    previous = session.scalars(select(Seal).where(Seal.village_id == village.id).order_by(Seal.id.desc())).first()
    previous_chain = previous.chain_hash if previous else ""
    sealed_at = seal_fields.utc_now_text(now)
    if previous is not None and (reason := seal_fields.sealed_at_problem(sealed_at, previous.sealed_at, now)):
        raise BadInput(f"这台电脑的时间（{sealed_at}）早于{village.name}上一次封存的时间（{previous.sealed_at}）："
                       "没有封存；请先把电脑的日期和时间改对" if seal_fields.sealed_at_moment(previous.sealed_at)
                       else f"{village.name}上一次封存的记录不对（{reason}）：没有封存，请先运行 zwgk verify 查明")
    if SEAL_FORMAT >= 4:  # (a test seals as the previous format did, which recorded none of it)
        made_with.store_sources(session, sources)
    attachments = seal_attachments.pending(session, village.id, str(period))  # taken with the village held
    seal = Seal(village_id=village.id, period=str(period), kind=kind,
                format=SEAL_FORMAT,
                attachments=seal_attachments.listed(session, attachments),
                sealed_by=sealed_by.strip(), sealed_at=sealed_at,
                made_with=made.to_json() if SEAL_FORMAT >= 4 and records else None,  # replies, photos alone: none
                previous_id=previous.id if previous else None, payload_hash="", chain_hash="",
                signer=signer.fingerprint if signer else None)
    file_items(village, layouts, period, records, sealed, next_archive_number(session, village.id),  # 件号, 档号
               with_reference=SEAL_FORMAT >= 4)
    seal.payload_hash = payload_hash(seal, village.code, previous_chain, sealed, seal_objections.hashes(objections))
    seal.chain_hash = chain_hash(previous_chain, seal.payload_hash)
    seal.signature = signer.sign(village.code, seal.chain_hash) if signer else None
    session.add(seal)
    session.flush()
    for entry in sealed:
        entry.seal_id = seal.id
        session.add(entry)
    for held in objections:
        held.seal_id = seal.id
        session.add(held)
    seal_attachments.attach(attachments, seal)
    session.flush()
    return SealResult(seal.id, len(sealed), sheets, seal.chain_hash, kind, added(*pages), len(objections),
                      len(attachments))


def next_archive_number(session: Session, village_id: int) -> int:
    """The next 件号 of the village's archive: a sequence of its own, given only at sealing, so
    drafts deleted or numbers skipped never leave a gap in it. The caller holds the village."""
    last = session.scalar(select(func.max(SealedItem.archive_number)).join(Seal).where(Seal.village_id == village_id))
    return (last or 0) + 1


def to_seal(session: Session, village: Village, period: Quarter) -> tuple[list[DisclosureItem], str]:
    """What sealing the quarter now would freeze, and as what ("quarter" or "correction"), or why
    it cannot be sealed: asked before sealing too, so nobody is asked for a name in vain."""
    if not village.township.base_url:
        raise BadInput("还没有设置网上公开地址，封存的海报需要有效的二维码：请先在“设置”中填写"
                       "（命令行：zwgk init --base-url …）")
    records = list(session.scalars(select(DisclosureItem).where(
        DisclosureItem.village_id == village.id, DisclosureItem.period == str(period)).order_by(DisclosureItem.id)))
    kind = "quarter"
    if store.quarter_sealed(session, village, str(period)):
        done = set(session.scalars(select(SealedItem.item_id).where(
            SealedItem.item_id.in_([r.id for r in records]))))
        pending = [r for r in records if r.supersedes_id is not None and r.id not in done]
        if not pending and seal_objections.waiting(session, village, str(period)):
            signing.require_signer(session, village)
            return [], "objection"  # replies given since: sealed as the next link (with any photos since)
        if not pending and seal_attachments.pending(session, village.id, str(period)):
            signing.require_signer(session, village)
            return [], seal_attachments.KIND  # photos or vouchers added since: sealed on their own
        if not pending:
            raise BadInput(f"{village.name} {period} 已经封存过了，也没有待封存的更正；"
                           "如有错误请对已封存的事项发更正（zwgk correct，或“档案 → 发更正”）")
        # Reviewed corrections are sealed now; one still in draft waits for its review.
        records = [r for r in pending if r.status == REVIEWED] or pending
        kind = "correction"
    if not records:
        raise BadInput(f"{village.name} {period} 没有任何事项，无需封存")
    signing.require_signer(session, village)
    drafts = [r for r in records if r.status != REVIEWED]
    if drafts:
        raise BadInput("只有村务监督委员会审核过的事项才能封存；这些还是草稿：",
                       [Problem("未审核", where=f"事项 {public_number(r)}“{r.title}”") for r in drafts])
    return records, kind


def verify(session: Session, village_name: str | None = None) -> tuple[int, list[Problem]]:
    """Recompute every seal's hashes and links; return how many items were checked and what is wrong.

    First the archive's own protection (its tables and triggers, archive.protection); then every
    village's chain; then (for the whole archive) every seal and sealed item outside them all."""
    missing = protection.missing_tables(session)
    if missing:
        return 0, [protection.tables_problem(missing)]
    problems = protection.trigger_problems(session)
    villages = [store.find_village(session, village_name)] if village_name else store.villages(session)
    checked = 0
    for village in villages:
        checked += _verify_village(session, village, problems)
    problems += _orphans(session, villages, whole=village_name is None)
    if village_name is None:
        problems += _outside_every_village(session)
    return checked, problems


def _outside_every_village(session: Session) -> list[Problem]:
    """Seals whose village is not in the archive (a village row deleted, or a seal's village
    changed to one that is not): their seals and items are in no village's chain, so nothing
    above looked at them. Read as text: such a value may be of any type on SQLite."""
    from sqlalchemy import String

    known = select(Village.id)
    seals = session.execute(select(Seal.id, cast(Seal.village_id, String), cast(Seal.period, String),
                                   cast(Seal.kind, String)).where(Seal.village_id.not_in(known))
                            .order_by(Seal.id)).all()
    found = []
    for seal_id, village_id, period, kind in seals:
        held = session.scalar(select(func.count()).select_from(SealedItem).where(SealedItem.seal_id == seal_id)) or 0
        # Named under the village its items belong to, where they still say.
        owners = session.scalars(select(Village.name).join(DisclosureItem, DisclosureItem.village_id == Village.id)
                                 .join(SealedItem, SealedItem.item_id == DisclosureItem.id)
                                 .where(SealedItem.seal_id == seal_id).distinct()).all()
        if not owners:
            # A seal with no items (a key's record) still says whose it was: the village whose
            # next seal links to it, or the village whose key signed it.
            later = aliased(Seal)
            owners = session.scalars(
                select(Village.name).join(later, later.village_id == Village.id)
                .where(later.previous_id == seal_id)
                .union(select(Village.name).join(VillageKey, VillageKey.village_id == Village.id)
                       .join(Seal, Seal.signer == VillageKey.fingerprint).where(Seal.id == seal_id))).all()
            owners = sorted(owners)
        found.append(Problem(
            f"封存记录指向的村（村号“{seal_fields.shown(village_id)}”）不在档案中：村的记录被删除或封存的村号被改动，"
            f"这次封存{f'和它的 {held} 个事项' if held else ''}不在任何村的封存链中",
            where=f"{'、'.join(owners) or '档案'} 第 {seal_id} 号封存（{seal_fields.shown(period, 10)} "
                  f"{SEAL_KIND_NAMES.get(kind or '', seal_fields.shown(kind))}）"))
    # Such an item is named under the village its seal belongs to, where that one is still known.
    sealed_in = aliased(Village)
    items = session.execute(
        select(SealedItem.title, SealedItem.archive_number, cast(DisclosureItem.village_id, String), sealed_in.name)
        .join(DisclosureItem, DisclosureItem.id == SealedItem.item_id)
        .outerjoin(Seal, Seal.id == SealedItem.seal_id).outerjoin(sealed_in, sealed_in.id == Seal.village_id)
        .where(DisclosureItem.village_id.not_in(known)).order_by(SealedItem.id)).all()
    found += [Problem(f"封存的事项所属的村（村号“{seal_fields.shown(village_id)}”）不在档案中："
                      "村的记录被删除或事项的村号被改动",
                      where=f"{name or '档案'} 事项“{seal_fields.shown(title, 60)}”"
                            f"（件号 {seal_fields.shown(number)}）")
              for title, number, village_id, name in items]
    return found


def _orphans(session: Session, villages: list[Village], *, whole: bool) -> list[Problem]:
    """Sealed items whose seal is gone: the seal was deleted and its items left behind (the
    items then count as unsealed and could be edited and sealed again)."""
    query = (select(SealedItem.title, SealedItem.archive_number, DisclosureItem.village_id)
             .outerjoin(DisclosureItem, DisclosureItem.id == SealedItem.item_id)
             .where(SealedItem.seal_id.not_in(select(Seal.id))).order_by(SealedItem.id))
    names = {v.id: v.name for v in villages}
    found = []
    for title, number, village_id in session.execute(query):
        if whole or village_id in names:
            found.append(Problem("封存记录被删除了，它封存的事项还留在档案中（这些事项可能已被改动后重新封存）",
                                 where=f"{names.get(village_id, '档案')} 事项“{seal_fields.shown(title, 60)}”"
                                       f"（件号 {seal_fields.shown(number)}）"))
    return found


# What a stored value, changed behind the app's back, may make the checks trip on: said as damage,
# never a crash (the checks below are written for the values the program writes).
_DAMAGE = (TypeError, ValueError, AttributeError, KeyError, IndexError, LookupError, ArithmeticError)


def _verify_village(session: Session, village: Village, problems: list[Problem]) -> int:
    seals = list(session.scalars(select(Seal).where(Seal.village_id == village.id).order_by(Seal.id)))
    rederiver = Rederiver(session)
    previous: Seal | None = None
    checked = 0
    for seal in seals:
        where = seal_where(village, seal)
        items = list(seal.items)
        objections = seal_objections.of_seal(session, seal)
        try:
            problems += _verify_seal(session, village, seal, previous, items, where, objections)
            problems += seal_attachments.problems(session, seal, where)
        except _DAMAGE as exc:
            log.info("verifying seal %s: %r", seal.id, exc)
            problems.append(Problem("封存记录无法读取：被改动或损坏", where=where))
        sound = not seal_fields.seal_problems(
            kind=seal.kind, format=seal.format, period=seal.period, sealed_at=seal.sealed_at,
            sealed_by=seal.sealed_by, payload_hash=seal.payload_hash, chain_hash=seal.chain_hash,
            made_with=seal.made_with, holds_items=bool(items or objections), signer=seal.signer, event=seal.event,
            newest_format=SEAL_FORMAT)
        for entry in items:
            checked += 1
            try:
                problems += _verify_item(session, seal, entry, where, rederiver if sound else None)
            except _DAMAGE as exc:
                log.info("verifying sealed item %s: %r", entry.id, exc)
                problems.append(Problem("封存的事项记录无法读取：被改动或损坏",
                                        where=f"{where} 事项（件号 {seal_fields.shown(entry.archive_number)}）"))
        if seal.kind == "quarter":
            problems += _left_out(session, village, seal.period, where)
        previous = seal
    problems += _holders(village, seals)
    problems += seal_objections.verify_village(session, village, seals)
    try:
        problems += signing.check_village(session, village, seals, [seal_where(village, seal) for seal in seals])
    except _DAMAGE as exc:
        log.info("checking the signatures of %s: %r", village.code, exc)
        problems.append(Problem("封存的签名记录无法读取：被改动或损坏", where=f"{village.name}档案"))
    filed = [entry.archive_number for seal in seals for entry in seal.items]  # in the order they were sealed
    if filed != list(range(1, len(filed) + 1)):
        problems.append(Problem("件号不连续、重复或次序不对（应依封存先后为 1–"
                                f"{len(filed)}）：封存的事项被删除、插入或改了件号", where=f"{village.name}档案"))
    return checked


def _holders(village: Village, seals: list[Seal]) -> list[Problem]:
    """Each key record names who holds the key it brings in: the village itself, or its township
    (which seals the corrections it makes with a key of its own; archive.signing). Any name the
    village or township had when a seal of the village was made counts (a village may be renamed)."""
    names = {village.name, village.township.name}
    for seal in seals:
        with contextlib.suppress(MadeWithError):
            place = parse_made_with(seal.made_with).place
            names |= {place.village, place.township}
    found = []
    for seal in seals:
        if seal.kind != "key" or (event := signing.parse_event(seal.event)) is None:
            continue  # a key record that does not read is said by the signatures' check
        if event["holder"] not in names:
            found.append(Problem(f"密钥记录写的持有者“{seal_fields.shown(event['holder'])}”不是{village.name}"
                                 f"（也不是{village.township.name}）：密钥记录被改动或是从别村搬来的",
                                 where=seal_where(village, seal)))
    return found


def seal_where(village: Village, seal: Seal) -> str:
    """A seal as named in what `verify` finds: 东岗村 2026Q3 封存 / 更正封存 / 密钥记录 (whatever its
    stored kind and quarter have become)."""
    kind = SEAL_KIND_NAMES.get(seal.kind, "封存") if isinstance(seal.kind, str) else "封存"
    return f"{village.name} {seal_fields.shown(seal.period, 10)} {kind}"


SEAL_KIND_NAMES = {"quarter": "封存", "correction": "更正封存", "key": "密钥记录", "objection": "异议答复封存",
                   "attachment": "照片凭证封存"}


def _verify_seal(session: Session, village: Village, seal: Seal, previous: Seal | None, items: list[SealedItem],
                 where: str, objections: list[SealedObjection] | None = None) -> list[Problem]:
    """The seal's own fields, its link to the previous one and its hashes."""
    found = [Problem(reason, where=where) for reason in seal_fields.seal_problems(
        kind=seal.kind, format=seal.format, period=seal.period, sealed_at=seal.sealed_at, sealed_by=seal.sealed_by,
        payload_hash=seal.payload_hash, chain_hash=seal.chain_hash, made_with=seal.made_with,
        holds_items=bool(items or objections), signer=seal.signer, event=seal.event,
        previous_sealed_at=previous.sealed_at if previous else None, newest_format=SEAL_FORMAT)]
    expected_previous = previous.id if previous else None
    if seal.previous_id is not None and seal.previous_id != expected_previous \
            and session.get(Seal, seal.previous_id) is None:
        found.append(Problem(f"封存链断开：它之前的封存（第 {seal.previous_id} 号）已从档案中删除"
                             f"{_unsealed_quarters(session, village)}", where=where))
    elif seal.previous_id != expected_previous:
        found.append(Problem("封存链断开：上一个封存不是应有的那一个（封存被删除、插入或调换了次序）",
                             where=where))
    previous_chain = previous.chain_hash if previous else ""
    if isinstance(seal.format, bool) or seal.format not in seal_fields.KNOWN_FORMATS:
        return found  # its hashes cannot be recomputed: the format said so above
    if payload_hash(seal, village.code, previous_chain, items, seal_objections.hashes(objections or [])) \
            != seal.payload_hash:
        found.append(Problem("封存记录被改动（封存人、时间或事项清单与封存时不符）", where=where))
    if not all(isinstance(h, str) and h.isascii() for h in (previous_chain, seal.payload_hash)) \
            or chain_hash(previous_chain, seal.payload_hash) != seal.chain_hash:
        found.append(Problem("链式哈希不符：此封存或之前的封存被改动", where=where))
    return found


def _left_out(session: Session, village: Village, period: str, where: str) -> list[Problem]:
    """Items of a sealed quarter that no seal holds: nothing can be added to a sealed quarter but a
    correction, so such an item was taken out of its seal (and may have been changed since)."""
    sealed = select(SealedItem.item_id)
    # Only the columns named: a date damaged elsewhere in the row must not stop the check.
    records = session.execute(select(func.coalesce(DisclosureItem.number, DisclosureItem.id), DisclosureItem.title)
                              .where(DisclosureItem.village_id == village.id, DisclosureItem.period == period,
                                     DisclosureItem.supersedes_id.is_(None), DisclosureItem.id.not_in(sealed))
                              .order_by(DisclosureItem.id))
    return [Problem("在已封存的季度里，却不在任何封存中：封存记录被删掉了，此事项的内容可能已被改动",
                    where=f"{where} 事项 {number}“{title}”") for number, title in records]


def _unsealed_quarters(session: Session, village: Village) -> str:
    """What a deleted seal may have held: the village's quarters with items and no seal."""
    sealed = select(Seal.period).where(Seal.village_id == village.id, Seal.kind == "quarter")
    counts = session.execute(select(DisclosureItem.period, func.count()).where(
        DisclosureItem.village_id == village.id, DisclosureItem.period.not_in(sealed))
        .group_by(DisclosureItem.period).order_by(DisclosureItem.period)).all()
    if not counts:
        return ""
    return "；没有封存的季度：" + "、".join(f"{period}（{n} 个事项）" for period, n in counts)


def _stored_bytes(session: Session, entry_id: int) -> tuple[bytes | None, bytes | None]:
    """A sealed item's public content and PDF as the bytes stored."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite lets any column hold any type: read as stored, whatever was written there, so a
        # value changed to another type behind the app's back is reported, not a crash.
        row = session.execute(select(cast(SealedItem.canonical_json, LargeBinary), cast(SealedItem.pdf, LargeBinary))
                              .where(SealedItem.id == entry_id)).one()
        return row[0], row[1]
    text_, pdf = session.execute(select(SealedItem.canonical_json, SealedItem.pdf)
                                 .where(SealedItem.id == entry_id)).one()
    return (text_.encode("utf-8") if text_ is not None else None), pdf


def _verify_item(session: Session, seal: Seal, entry: SealedItem, seal_where: str,
                 rederiver: Rederiver | None) -> list[Problem]:
    """One sealed item: its sealed content and PDF, its stored rows, and (seal format 4, when its
    seal's own fields are sound) its public content made again from those rows as sealed."""
    try:
        record = session.get(DisclosureItem, entry.item_id)
        damaged = False
    except _DAMAGE as exc:  # a date or JSON value of the item's row that no longer reads
        log.info("reading item %s: %r", entry.item_id, exc)
        record, damaged = None, True
    filed = f"（件号 {entry.archive_number}）" if entry.archive_number else ""
    where = f"{seal_where} 事项 {_number_shown(entry, record)}“{seal_fields.shown(entry.title, 60)}”{filed}"
    found = [Problem(reason, where=where) for reason in seal_fields.sealed_item_problems(
        format=seal.format, first_public_at=entry.first_public_at, first_public_how=entry.first_public_how,
        archive_ref=entry.archive_ref, retention=entry.retention, retentions=RETENTIONS, hows=HOW)]
    content, pdf = _stored_bytes(session, entry.id)
    if content is None or sha256(content) != entry.content_hash:
        found.append(Problem("封存的公开内容被改动（与验证码不符）", where=where))
    if entry.pdf_hash is None and pdf is not None:
        found.append(Problem("封存时没有 PDF（不主动公开的事项），PDF 是事后加入的", where=where))
    if entry.pdf_hash is not None:
        if pdf is None:
            found.append(Problem("封存的 PDF 文件缺失", where=where))
        elif sha256(pdf) != entry.pdf_hash:
            found.append(Problem("封存的 PDF 文件被改动", where=where))
        elif isinstance(entry.content_hash, str) and _HEX64.fullmatch(entry.content_hash) \
                and (reason := pdf_code_problem(pdf, code_from_hash(entry.content_hash))):
            found.append(Problem(reason, where=where))
    if damaged:
        found.append(Problem("档案中的事项记录无法读取（日期或字段被改动、损坏）", where=where))
        return found
    if record is None:
        found.append(Problem("事项已从档案中删除", where=where))
        return found
    if entry.first_public_at is not None:
        doubted = impossible(entry.first_public_at, record.created_at, record.reviewed_on, seal.sealed_at)
        if doubted:
            found.append(Problem(f"{doubted}，不可能属实（记录不是程序写下的）", where=where))
    if record.title != entry.title:
        found.append(Problem(f"封存记录中的标题被改为“{seal_fields.shown(entry.title, 60)}”", where=where))
    try:
        rows = [data for (data,) in session.execute(
            select(ItemRow.data).where(ItemRow.item_id == entry.item_id).order_by(ItemRow.seq))]
    except _DAMAGE as exc:
        log.info("reading rows of item %s: %r", entry.item_id, exc)
        found.append(Problem("档案中的数据无法读取（明细行被改动或损坏）", where=where))
        return found
    found += [Problem(reason, where=where) for reason in _agrees_with_its_seal(seal, entry, record)]
    if seal.format >= 4 and rederiver is not None:
        found += [Problem(reason, where=where)
                  for reason in rederiver.unknown_keys(seal.made_with or "", record, rows)]
    derived = rederiver.problems(seal.made_with or "", record, content, entry.content_hash) \
        if seal.format >= 4 and rederiver is not None and content is not None else []
    if stored_data_hash(session, record, rows, seal.format) != entry.data_hash:
        sealed_code = _sealed_value(entry, "village_code")
        if sealed_code is not None and sealed_code != record.village.code:
            found.append(Problem(f"村的网址代码被从“{sealed_code}”改为“{record.village.code}”"
                                 "（已印出的二维码都指向原代码）", where=where))
        else:
            # One finding for one change: what re-deriving found changed, where it says.
            detail = derived.pop(0)[len(DIFFERENT):] if derived and derived[0].startswith(DIFFERENT) else ""
            found.append(Problem(f"档案中的数据与封存时不符（金额、姓名或行数被改动）{detail}", where=where))
    return found + [Problem(reason, where=where) for reason in derived]


def _agrees_with_its_seal(seal: Seal, entry: SealedItem, record: DisclosureItem) -> list[str]:
    """What the file itself shows against the item being sealed as sealing seals, whatever its
    hashes say (a forger holding the village's key recomputes and re-signs them all): sealing
    takes the village's reviewed items of the seal's quarter, prints a sheet for each 主动公开 one
    and none for the others, and keeps a correction's reason only on a correction."""
    found = []
    if record.village_id != seal.village_id:
        found.append("事项属于另一个村，却在本村的封存中：封存的事项被移动了")
    if record.period != seal.period:
        found.append(f"事项的季度（{seal_fields.shown(record.period, 10)}）不是它所在封存的季度"
                     f"（{seal_fields.shown(seal.period, 10)}）：封存的事项被移到了别的封存中")
    if record.status != REVIEWED:
        status = STATUS_NAMES.get(record.status, seal_fields.shown(record.status)) \
            if isinstance(record.status, str) else seal_fields.shown(record.status)
        found.append(f"封存的事项状态是“{status}”，不是“已审核”：只有审核过的事项才能封存")
    if not isinstance(seal.format, int) or seal.format < 2:
        pass  # the first release's seals (format 1) did not always keep a sheet
    elif record.disclosure == PUBLIC and entry.pdf_hash is None:
        found.append("事项是主动公开的，封存时却没有 PDF（主动公开的事项封存时都印出海报）："
                     "公开方式或封存记录被改动")
    elif record.disclosure != PUBLIC and entry.pdf_hash is not None:
        found.append(f"事项不是主动公开的（“{seal_fields.shown(record.disclosure, 10)}”），封存时却有 PDF："
                     "公开方式或封存记录被改动")
    if record.supersedes_id is None and record.correction_reason not in (None, ""):
        found.append("事项不是更正，却记有更正原因：记录是事后补写的")
    return found


def code_from_hash(content_hash: str) -> str:
    """The 验证码 of content with this SHA-256 (as `PublicItem.code` makes it)."""
    return base64.b32encode(bytes.fromhex(content_hash)).decode("ascii")[:CODE_LENGTH]


def _sealed_value(entry: SealedItem, key: str) -> Any:
    """A value of the item's sealed public content, or None if it cannot be read."""
    try:
        content = json.loads(entry.canonical_json)
    except (TypeError, ValueError, RecursionError):
        return None
    return content.get(key) if isinstance(content, dict) else None


def _number_shown(entry: SealedItem, record: DisclosureItem | None) -> int:
    """The item's number as printed on its sheets; for a deleted item, as its sealed content says."""
    if record is not None:
        return public_number(record)
    number = _sealed_value(entry, "item_id")
    return number if isinstance(number, int) else entry.item_id


