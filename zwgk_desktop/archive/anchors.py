"""Anchors outside the archive: each village's seals as published (the online copy's
`{village}/seals.json`, a bundle's `data/seals.json`), read back from wherever a copy was kept
and compared with the archive (`zwgk verify --against SOURCE`, the app's 与公布件核对).

`verify` alone proves the archive consistent with itself, which whoever rewrites it can keep it:
recompute every hash, delete the last seal, re-sign the chain. A list published before the
rewrite cannot be recomputed. `compare` names each difference: a published seal missing here
(the archive was cut short), the same seal with another chain hash (its history was rewritten),
seals here never published (sealed after that copy was made, or forged). It proves nothing about
seals never published: a village that never exports its online copy has no anchor.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.archive.bundle import SUFFIX as BUNDLE_SUFFIX
from zwgk_desktop.archive.bundle import check_chain, read_bundle, seal_list_of
from zwgk_desktop.archive.seal_fields import stored_text
from zwgk_desktop.db import store
from zwgk_desktop.db.models import Seal, Village
from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.incoming import parse_json, read_small
from zwgk_desktop.render import seal_list
from zwgk_desktop.render.seal_list import SEAL_LIST, PublishedSeal

# A seal is published in under 400 bytes: 16 MB is some 40,000 seals, centuries of a village's.
_MOST = 16 * 1024**2
_SITE_MANIFEST = "zwgk-site.json"  # render/site_folder.MANIFEST (a folder this program exported)


def published_seals(session: Session, village: Village) -> list[PublishedSeal]:
    """The village's seals as this archive publishes them, in chain order (as `verify` walks it)."""
    seals = session.execute(select(Seal.period, Seal.kind, Seal.sealed_at, Seal.chain_hash, Seal.signature,
                                   Seal.signer).where(Seal.village_id == village.id).order_by(Seal.id)).all()
    return [PublishedSeal(number, stored_text(period), stored_text(kind), stored_text(sealed_at), stored_text(chain),
                          stored_text(signature) or None, stored_text(signer) or None)
            for number, (period, kind, sealed_at, chain, signature, signer) in enumerate(seals, start=1)]


# ---------------------------------------------------------------------------------------------
# Reading what was published.


def read_published(source: Path) -> dict[str, list[PublishedSeal]]:
    """Village code → its seals in chain order, as SOURCE published them: an online copy's folder
    (every `{village}/seals.json` in it; or one village's folder), one published `seals.json`, or
    a bundle (`.zwgk`, checked as an import checks it). Anything else is refused in words."""
    if source.is_dir():
        return _from_folder(source)
    if not source.exists():
        raise BadInput(f"找不到 {source}：请给出网上公开件的文件夹、封存记录文件（{SEAL_LIST}）或档案包（.zwgk）")
    if source.suffix.lower() == BUNDLE_SUFFIX or (source.is_file() and zipfile.is_zipfile(source)):
        return _from_bundle(source)
    code, seals = _from_file(source, source.name)
    return {code: seals}


def speaks_for_every_village(source: Path) -> bool:
    """Whether SOURCE is a whole online copy, which lists every village that has seals (one
    village's folder, a seals.json or a bundle speaks for its own village only)."""
    return source.is_dir() and not (source / SEAL_LIST).is_file()


def _from_file(path: Path, shown: str) -> tuple[str, list[PublishedSeal]]:
    raw = read_small(path, "封存记录", shown, _MOST)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"封存记录 {shown} 不是 UTF-8 编码的文本") from None
    return seal_list.parse(parse_json(text, f"封存记录 {shown}"), shown)


def _from_folder(folder: Path) -> dict[str, list[PublishedSeal]]:
    if (folder / SEAL_LIST).is_file():  # one village's folder of the online copy
        code, seals = _from_file(folder / SEAL_LIST, f"{folder.name}/{SEAL_LIST}")
        return {code: seals}
    found: dict[str, list[PublishedSeal]] = {}
    for path in sorted(folder.glob(f"*/{SEAL_LIST}")):
        shown = f"{path.parent.name}/{SEAL_LIST}"
        code, seals = _from_file(path, shown)
        if code != path.parent.name:
            raise BadInput(f"{shown} 是代码为 {code} 的村的封存记录，却放在 {path.parent.name}/ 中：公布件被改动过")
        found[code] = seals
    if not found:
        if (folder / _SITE_MANIFEST).is_file():
            raise BadInput(f"{folder} 是旧版程序导出的网上公开件，其中没有封存记录（{{村}}/{SEAL_LIST}）："
                           "请用本版程序重新导出，再用新导出的核对以后的档案")
        raise BadInput(f"{folder} 中没有封存记录（{{村}}/{SEAL_LIST}）：不是网上公开件的文件夹")
    return found


def _from_bundle(path: Path) -> dict[str, list[PublishedSeal]]:
    """A bundle's seals, once it is confirmed whole (every checksum, hash and link, as an import
    confirms them): a bundle that contradicts itself is no record of anything."""
    document, contents = read_bundle(path)
    problems = check_chain(document, contents, path.name)
    if problems:
        raise BadInput(f"档案包 {path.name} 中的封存与其哈希不符，不能作为核对的依据：", problems[:50])
    return {document["village"]["code"]: seal_list_of(document, contents, path.name)}


# ---------------------------------------------------------------------------------------------
# Comparing.


def compare(session: Session, published: dict[str, list[PublishedSeal]], *,
            every_village: bool = False) -> list[Problem]:
    """Each difference between the archive and what was published, named in words. With
    `every_village` (SOURCE was a whole online copy) a village here with seals but none published
    is a difference too."""
    problems: list[Problem] = []
    for code, seals in published.items():
        village = session.scalar(select(Village).where(Village.code == code))
        if village is None:
            if seals:
                problems.append(Problem(f"公布件中有此村的 {len(seals)} 次封存，本档案中却没有这个村："
                                        "档案不全，或不是这个乡镇的档案", where=f"代码为 {code} 的村"))
            continue
        problems += _compare_village(village, published_seals(session, village), seals)
    if every_village:
        for village in store.villages(session):
            held = published_seals(session, village)
            if village.code not in published and held:
                problems.append(Problem(f"本档案中有 {len(held)} 次封存，公布件中却没有此村的封存记录："
                                        "请重新导出网上公开件后再核对", where=village.name))
    return problems


def _compare_village(village: Village, held: list[PublishedSeal], published: list[PublishedSeal]) -> list[Problem]:
    problems: list[Problem] = []
    rewritten: int | None = None
    for mine, theirs in zip(held, published, strict=False):
        where = f"{village.name} {theirs.named}"
        if mine.chain_hash != theirs.chain_hash:
            if rewritten is None:
                rewritten = mine.number
                problems.append(Problem(
                    f"与公布的是同一次封存，链式哈希却不同（公布的 {theirs.chain_hash[:16]}…，档案中 "
                    f"{mine.chain_hash[:16]}…）：档案的历史被改写（封存的内容或此前的封存被改动后重算）", where=where))
            else:
                problems.append(Problem(f"链式哈希与公布的不同（第{rewritten}个封存被改写，此后的封存都随之不同）",
                                        where=where))
            continue
        said = [(what, a, b) for what, a, b in (("季度", theirs.period, mine.period), ("种类", theirs.kind, mine.kind),
                                                ("封存时间", theirs.sealed_at, mine.sealed_at)) if a != b]
        if said:
            problems.append(Problem("链式哈希相同，但公布的" + "、".join(f"{what}“{a}”" for what, a, _ in said)
                                    + "与档案中的（" + "、".join(f"“{b[:40]}”" for _, _, b in said)
                                    + "）不同：公布件被改动过", where=where))
        if (mine.signer, mine.signature) != (theirs.signer, theirs.signature):
            problems.append(Problem(_signature_difference(mine, theirs), where=where))
    for theirs in published[len(held):]:
        problems.append(Problem("已经公布，本档案中却没有这次封存：封存被删除（档案被截断），它封存的事项可能已被改动",
                                where=f"{village.name} {theirs.named}"))
    for mine in held[len(published):]:
        problems.append(Problem("本档案中有，公布件中却没有：这次封存是在公布件导出之后做的（请重新导出网上公开件后"
                                "再核对），或是伪造的", where=f"{village.name} {mine.named}"))
    return problems


def _signature_difference(mine: PublishedSeal, theirs: PublishedSeal) -> str:
    if theirs.signature and not mine.signature:
        return "公布时有签名，档案中的签名却不见了：签名被删除"
    if mine.signature and not theirs.signature:
        return "公布时没有签名，档案中却有：签名是公布之后加上的"
    if mine.signer != theirs.signer:
        return (f"签名密钥与公布的不同（公布的 {(theirs.signer or '')[:16]}…，档案中 {(mine.signer or '')[:16]}…）："
                "封存被用另一把密钥重新签名")
    return "签名与公布的不同（同一把密钥的签名不会变）：签名被改动或重新签过"
