"""Village keys: every seal of format 4 is signed (Ed25519) by a key the village's chain names.

A key is made on a village's first seal, here, and kept in the user data folder (`keys/`), one
file per key; only its public half is in the archive (`VillageKey`, and the key event that brought
it into the chain). The signature covers a domain-separated message, `zwgk-seal`, the village's
code and the seal's chain hash, so it signs the whole history up to that seal and cannot be
moved to another village or purpose.

Keys enter and leave a village's chain by key events, seals of kind "key" holding no items:

- `made`: a key begins signing the chain (the village's first key, or the township's own key
  when it seals a correction for the village); signed by that key itself, so it is trusted only
  where someone confirmed its fingerprint (the village that made it; at the township, a
  fingerprint read over the phone: `zwgk key trust` or `--trust-fingerprint`);
- `replaced`: a new key takes over from an old one (a new PC); signed by the old key, so whoever
  trusted the old key trusts the new one;
- `lost`: the old key is gone (a dead disk, no copy); the new key signs its own event and needs
  the township's confirmation as a made key does. The old key signs nothing after it.

A seal of format 4 must be signed by a key live at that point of the chain; a seal of an older
format after a signed one is a downgrade, refused. `walk_chain` is the rule, on plain values, so
`verify` and bundle import judge a chain the same way.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop import paths
from zwgk_desktop.archive.first_public import CHINA
from zwgk_desktop.db.models import Seal, Village, VillageKey
from zwgk_desktop.domain.items import CONFIRMED_BY, entered
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.outputs import replacing, why
from zwgk_desktop.render.seal_list import SHORT, short_fingerprint

DOMAIN = b"zwgk-seal"
KEY_FILE_FORMAT = 1
KEY_SUFFIX = ".zwgkkey"
MADE, REPLACED, LOST = "made", "replaced", "lost"
EVENT_NAMES = {MADE: "启用密钥", REPLACED: "更换密钥", LOST: "密钥丢失，启用新密钥"}
# How a key came to be trusted here (`VillageKey.how`).
OWN = "own"  # made on this computer for this archive: the private key is in this data folder
CONFIRMED = "confirmed"  # its fingerprint confirmed by a person (`confirmed_by`), as SSH asks
CHAINED = "chained"  # brought in by a replacement signed by a key trusted here
HOW_NAMES = {OWN: "本机密钥", CONFIRMED: "已核对指纹", CHAINED: "由旧密钥签名更换"}


# ---------------------------------------------------------------------------------------------
# Fingerprints and the signed message.


def fingerprint(public_raw: bytes) -> str:
    """SHA-256 of the raw 32-byte public key, as 64 hex digits."""
    return hashlib.sha256(public_raw).hexdigest()


def normalised_fingerprint(text: str) -> str:
    """A fingerprint as a person typed it (spaces, dashes, either case) as lower hex, at least the
    short form's 24 digits; anything else is BadInput naming what was typed."""
    digits = re.sub(r"[\s\-:：]", "", text).lower()
    if not re.fullmatch(r"[0-9a-f]{24,64}", digits):
        raise BadInput(f"指纹“{text[:80]}”不对：应是 {SHORT}–64 位十六进制数字（0–9、A–F），"
                       "如 3F2A 91C0 77BE 0D14 5E6A B203")
    return digits


def message(village_code: str, chain_hash: str) -> bytes:
    """What a seal's signature signs: the purpose, the village and the chain hash up to the seal."""
    return b"\x00".join((DOMAIN, village_code.encode("utf-8"), chain_hash.encode("ascii", "replace")))


def _public_from_b64(text: Any) -> Ed25519PublicKey | None:
    if not isinstance(text, str):
        return None
    try:
        raw = base64.b64decode(text, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw) if len(raw) == 32 else None
    except (binascii.Error, ValueError):
        return None


def signature_holds(public: Ed25519PublicKey, village_code: str, chain_hash: Any, signature: Any) -> bool:
    """Whether `signature` (base64 text) is the key's signature of the seal's message."""
    if not isinstance(signature, str) or not isinstance(chain_hash, str):
        return False
    try:
        public.verify(base64.b64decode(signature, validate=True), message(village_code, chain_hash))
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True


@dataclass(frozen=True)
class SigningKey:
    """A village's private key, as this computer holds it."""

    private: Ed25519PrivateKey

    @classmethod
    def make(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_raw(cls, raw: bytes) -> SigningKey:
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    @property
    def raw(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                          serialization.NoEncryption())

    @property
    def public_raw(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public_raw).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_raw)

    def sign(self, village_code: str, chain_hash: str) -> str:
        return base64.b64encode(self.private.sign(message(village_code, chain_hash))).decode("ascii")


# ---------------------------------------------------------------------------------------------
# The chain's rule: which key may sign each link.


@dataclass(frozen=True)
class Link:
    """One seal of a chain, as `walk_chain` needs it (from a `Seal` row or a bundle's entry)."""

    kind: Any
    format: Any
    signer: Any
    signature: Any
    event: Any
    chain_hash: Any
    where: str

    @classmethod
    def of(cls, seal: Seal, where: str) -> Link:
        return cls(seal.kind, seal.format, seal.signer, seal.signature, seal.event, seal.chain_hash, where)


@dataclass(frozen=True)
class Introduced:
    """A key a chain brings in on its own word (made, or after a loss): trusted only if confirmed."""

    fingerprint: str
    public_key: str  # base64
    event: str
    where: str
    retires: str | None = None  # a lost key's fingerprint
    holder: str = ""  # who holds it, as its record says: the village, or the township sealing for it


@dataclass
class ChainKeys:
    problems: list[Problem] = field(default_factory=list)
    introduced: list[Introduced] = field(default_factory=list)
    chained: list[tuple[str, str, str]] = field(default_factory=list)  # (new fp, public key, old fp)
    retired: list[str] = field(default_factory=list)  # fingerprints, in the order retired
    live: dict[str, str] = field(default_factory=dict)  # fp → public key (base64) at the chain's end


def parse_event(text: Any) -> dict[str, Any] | None:
    """A key seal's `event` as a dict of the expected shape, or None (then the seal is altered)."""
    if not isinstance(text, str):
        return None
    try:
        event = json.loads(text)
    except ValueError:
        return None
    if not isinstance(event, dict) or event.get("event") not in EVENT_NAMES:
        return None
    if not all(isinstance(event.get(k), str) for k in ("public_key", "fingerprint", "reason", "holder")):
        return None
    if event["event"] in (REPLACED, LOST) and not isinstance(event.get("old"), str):
        return None
    return event


def walk_chain(village_code: str, links: Sequence[Link]) -> ChainKeys:
    """Judge every link's signature by the keys live at that point of the chain."""
    found = ChainKeys()
    live = found.live
    signed_before = False
    for link in links:
        def fault(text: str, link: Link = link) -> None:
            found.problems.append(Problem(text, where=link.where))

        if not isinstance(link.format, int) or link.format < 4:
            if signed_before:
                fault("降级：签名封存之后出现了不签名的旧格式封存（封存被伪造或改动）")
            elif link.kind == "key":
                fault("密钥记录不能是旧格式的封存")
            continue
        signed_before = True
        if link.kind == "key":
            event = parse_event(link.event)
            if event is None:
                fault("密钥记录被改动（内容不是程序写下的）")
                continue
            public = _public_from_b64(event["public_key"])
            new = event["fingerprint"]
            if public is None or fingerprint(base64.b64decode(event["public_key"])) != new:
                fault("密钥记录中的公钥与指纹不符（被改动）")
                continue
            kind, old = event["event"], event.get("old")
            if kind == REPLACED:
                if old not in live:
                    fault("更换密钥的记录所说的旧密钥此时并未在用")
                    continue
                signer_key = _public_from_b64(live[old])
                if link.signer != old or signer_key is None \
                        or not signature_holds(signer_key, village_code, link.chain_hash, link.signature):
                    fault("更换密钥的记录没有旧密钥的有效签名（被伪造或改动）")
                    continue
                del live[old]
                found.retired.append(old)
                found.chained.append((new, event["public_key"], old))
            else:
                if link.signer != new or not signature_holds(public, village_code, link.chain_hash, link.signature):
                    fault(f"{EVENT_NAMES[kind]}的记录没有新密钥的有效签名（被伪造或改动）")
                    continue
                if kind == LOST:
                    if old not in live:
                        fault("密钥丢失的记录所说的旧密钥此时并未在用")
                        continue
                    del live[old]
                    found.retired.append(old)
                found.introduced.append(Introduced(new, event["public_key"], kind, link.where,
                                                   old if kind == LOST else None, event["holder"]))
            if new in live or new in found.retired:
                fault("同一个密钥被再次启用")
            live[new] = event["public_key"]
            continue
        if not isinstance(link.signer, str) or not link.signer or link.signature in (None, ""):
            fault("封存没有签名（签名被删去，或不是本程序封存的）")
        elif link.signer not in live:
            retired = link.signer in found.retired
            fault(f"封存由{'已停用的' if retired else '封存链中没有启用过的'}密钥"
                  f" {short_fingerprint(link.signer)} 签名")
        else:
            signer_key = _public_from_b64(live[link.signer])
            if signer_key is None or not signature_holds(signer_key, village_code, link.chain_hash, link.signature):
                fault("签名与封存不符（封存被改动后重算了哈希，或签名被改动）")
    return found


def trusted_by(rows: Iterable[VillageKey], key: Introduced) -> VillageKey | None:
    """The row that trusts the introduced key here: same fingerprint (a confirmed short form is a
    prefix of it) and, once known, the same public key."""
    for row in rows:
        if isinstance(row.fingerprint, str) and len(row.fingerprint) >= SHORT \
                and key.fingerprint.startswith(row.fingerprint) and row.public_key in ("", key.public_key):
            return row
    return None


def keys_of(session: Session, village_id: int) -> list[VillageKey]:
    return list(session.scalars(select(VillageKey).where(VillageKey.village_id == village_id).order_by(VillageKey.id)))


def check_village(session: Session, village: Village, seals: Sequence[Seal], where: Sequence[str]) -> list[Problem]:
    """`verify`'s check of a village's signatures: every signed seal by a key live in its chain,
    every key the chain brings in on its own word registered here for the village."""
    walked = walk_chain(village.code, [Link.of(seal, shown) for seal, shown in zip(seals, where, strict=True)])
    problems = walked.problems
    rows = keys_of(session, village.id)
    for key in walked.introduced:
        if trusted_by(rows, key) is None:
            problems.append(Problem(f"签名密钥 {short_fingerprint(key.fingerprint)} 没有在本库登记为{village.name}的"
                                    "密钥（封存链可能被整个重签）", where=key.where))
    return problems


# ---------------------------------------------------------------------------------------------
# Key files: the private half, in the user data folder, on a USB stick, or on paper.


def keys_dir() -> Path:
    return paths.data_dir() / "keys"


def key_path(village_code: str, fp: str, folder: Path | None = None) -> Path:
    return (folder or keys_dir()) / f"{village_code}-{fp[:16]}{KEY_SUFFIX}"


def key_file_text(key: SigningKey, village_code: str, village_name: str) -> str:
    return json.dumps({
        "zwgk_key": KEY_FILE_FORMAT, "说明": f"{village_name}封存档案的签名密钥。谁拿到它，谁就能以本村名义签名："
                                             "请锁好保管，不要发给任何人、不要上传网络。",
        "village": village_code, "village_name": village_name, "fingerprint": key.fingerprint,
        "private_key": base64.b64encode(key.raw).decode("ascii"),
    }, ensure_ascii=False, indent=1) + "\n"


def write_key_file(path: Path, key: SigningKey, village_code: str, village_name: str) -> Path:
    """The key file at `path`, whole or not at all, readable by this user only where that can be said."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path, "密钥文件") as partial:
        partial.write_text(key_file_text(key, village_code, village_name), encoding="utf-8")
        with contextlib.suppress(OSError):  # a USB stick's FAT has no such permissions
            os.chmod(partial, 0o600)
    return path


def read_key_file(path: Path) -> tuple[SigningKey, str]:
    """The key in a key file and the village code it says it is for; BadInput in words."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = why(exc) if isinstance(exc, OSError) else "不是文本文件"
        raise BadInput(f"无法读取密钥文件 {path}：{reason}") from None
    try:
        data = json.loads(text)
        raw = base64.b64decode(data["private_key"], validate=True)
        key = SigningKey.from_raw(raw)
        code = data["village"]
        if data.get("zwgk_key") != KEY_FILE_FORMAT or not isinstance(code, str) or len(raw) != 32:
            raise ValueError
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BadInput(f"{path} 不是本程序的密钥文件，或已损坏") from None
    if data.get("fingerprint") != key.fingerprint:
        raise BadInput(f"密钥文件 {path} 已损坏：其中的密钥与它写明的指纹不符")
    return key, code


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def recovery_text(key: SigningKey) -> str:
    """The private key as a person can copy it from paper and type it back: base32 in groups of
    four, and a last group that checks them (a mistyped letter is found, not taken as another key)."""
    body = base64.b32encode(key.raw).decode("ascii").rstrip("=")
    check = base64.b32encode(hashlib.sha256(key.raw).digest()).decode("ascii")[:4]
    text = body + check
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def parse_recovery_text(text: str) -> SigningKey:
    """The key a recovery sheet's text gives; BadInput saying what is wrong with what was typed."""
    letters = re.sub(r"[\s\-]", "", text).upper().replace("0", "O").replace("1", "I").replace("8", "B")
    if len(letters) != 56 or any(c not in _B32 for c in letters):
        raise BadInput(f"恢复码应是 14 组、每组 4 个字母或数字（共 56 个），现在是 {len(letters)} 个，"
                       "或含有恢复单上不会出现的字符：请对照恢复单重新输入")
    raw = base64.b32decode(letters[:52] + "====")
    # The 52nd letter carries one bit of the key and four unused ones: only its own spelling counts.
    canonical_form = base64.b32encode(raw).decode("ascii").rstrip("=") == letters[:52]
    if not canonical_form or base64.b32encode(hashlib.sha256(raw).digest()).decode("ascii")[:4] != letters[52:]:
        raise BadInput("恢复码有误（最后一组校验不符）：有字母抄错或输错了，请对照恢复单逐组核对")
    return SigningKey.from_raw(raw)


# ---------------------------------------------------------------------------------------------
# This archive's own keys: made on a village's first seal, replaced, declared lost.


def own_key_row(session: Session, village: Village) -> VillageKey | None:
    """The village's key made here and still in use, if any."""
    return session.scalars(select(VillageKey).where(
        VillageKey.village_id == village.id, VillageKey.how == OWN, VillageKey.retired_at.is_(None))
        .order_by(VillageKey.id.desc())).first()


def own_key(session: Session, village: Village, row: VillageKey | None = None) -> SigningKey:
    """The private key of the village's key in use here, from this computer's key folder; if it is
    not there, say what to do in words."""
    row = row or own_key_row(session, village)
    assert row is not None
    path = key_path(village.code, row.fingerprint)
    if not path.exists():
        raise BadInput(f"本机找不到{village.name}的签名密钥（指纹 {short_fingerprint(row.fingerprint)}，"
                       f"应在 {path}）。请插上保存密钥的U盘运行 zwgk key restore 文件，或照密钥恢复单输入"
                       "（zwgk key restore --text …）；确实丢失了，请运行 zwgk key lost 启用新密钥并告知乡镇")
    key, _code = read_key_file(path)
    if key.fingerprint != row.fingerprint:
        raise BadInput(f"密钥文件 {path} 中的密钥不是{village.name}在用的那一个（指纹不符）")
    return key


def require_signer(session: Session, village: Village) -> None:
    """Refuse, before any work, a seal this computer could not sign: the village's key in use
    here is missing from the key folder (a new PC, the folder deleted)."""
    row = own_key_row(session, village)
    if row is not None and not key_path(village.code, row.fingerprint).exists():
        own_key(session, village, row)  # raises, saying what to do


def signer_for(session: Session, village: Village, sealed_by: str, now: datetime | None = None) -> SigningKey:
    """The key that signs the village's next seal here; on the village's first seal here, a new
    key, kept in the key folder and brought into the chain by a `made` key seal (the caller holds
    the village, in the seal's transaction)."""
    row = own_key_row(session, village)
    if row is not None:
        return own_key(session, village, row)
    key = SigningKey.make()
    holder = _holder(session, village)
    reason = "第一次封存，生成本村的签名密钥" if holder == village.name \
        else f"{holder}第一次为{village.name}封存更正，生成{holder}为{village.name}签名的密钥"
    _start_key(session, village, key, MADE, sealed_by, now, reason=reason, holder=holder)
    return key


def _holder(session: Session, village: Village) -> str:
    """Who holds the key being made here: the village, or the township, which seals the corrections
    it makes to a village's archive kept elsewhere (`store.kept_elsewhere`: its first seal came in a
    bundle) with a key of its own. A village that trusts the township's key stays the holder of its own."""
    from zwgk_desktop.db.store import kept_elsewhere

    return village.township.name if kept_elsewhere(session, village.id) else village.name


def key_holders(session: Session, village_id: int) -> dict[str, str]:
    """Who holds each key of the village's chain (fingerprint → holder), as its key record says."""
    held: dict[str, str] = {}
    for text in session.scalars(select(Seal.event).where(Seal.village_id == village_id, Seal.kind == "key")):
        event = parse_event(text)
        if event is not None:
            held.setdefault(event["fingerprint"], event["holder"])
    return held


def _start_key(session: Session, village: Village, key: SigningKey, kind: str, sealed_by: str,
               now: datetime | None, *, reason: str, holder: str, old: SigningKey | None = None,
               old_fp: str | None = None) -> Seal:
    """Write the key file, register the key as this archive's own, and seal the key event."""
    moment = now or datetime.now(UTC)
    write_key_file(key_path(village.code, key.fingerprint), key, village.code, village.name)
    session.add(VillageKey(village_id=village.id, fingerprint=key.fingerprint, public_key=key.public_b64,
                           added_at=moment.isoformat(timespec="seconds"), how=OWN, confirmed_by=sealed_by[:40]))
    event: dict[str, Any] = {"event": kind, "public_key": key.public_b64, "fingerprint": key.fingerprint,
                             "reason": reason, "holder": holder}
    if old_fp is not None:
        event["old"] = old_fp
    return key_seal(session, village, event, old or key, sealed_by, moment)


def key_seal(session: Session, village: Village, event: dict[str, Any], signer: SigningKey, sealed_by: str,
             now: datetime) -> Seal:
    """A seal of kind "key" recording `event`, signed by `signer`, as the next link of the chain."""
    from zwgk_desktop.archive.seal import SEAL_FORMAT, canonical, chain_hash, payload_hash
    from zwgk_desktop.archive.seal_attachments import seal_format

    previous = session.scalars(select(Seal).where(Seal.village_id == village.id).order_by(Seal.id.desc())).first()
    previous_chain = previous.chain_hash if previous else ""
    seal = Seal(village_id=village.id, period=str(Quarter.containing(now.astimezone(CHINA).date())), kind="key",
                format=seal_format(SEAL_FORMAT, []), sealed_by=sealed_by.strip()[:40] or "?",
                sealed_at=now.isoformat(timespec="seconds"), previous_id=previous.id if previous else None,
                payload_hash="", chain_hash="", signer=signer.fingerprint,
                event=canonical(event).decode("utf-8"))
    seal.payload_hash = payload_hash(seal, village.code, previous_chain, [])
    seal.chain_hash = chain_hash(previous_chain, seal.payload_hash)
    seal.signature = signer.sign(village.code, seal.chain_hash)
    session.add(seal)
    session.flush()
    return seal


def replace_key(session: Session, village: Village, sealed_by: str, reason: str,
                now: datetime | None = None) -> tuple[SigningKey, SigningKey]:
    """A new key for the village, announced by a `replaced` seal the old key signs; (old, new)."""
    row = own_key_row(session, village)
    if row is None:
        raise BadInput(f"{village.name}在本机还没有签名密钥（第一次封存时生成），无需更换")
    old = own_key(session, village, row)
    new = SigningKey.make()
    moment = now or datetime.now(UTC)
    row.retired_at = moment.isoformat(timespec="seconds")
    _start_key(session, village, new, REPLACED, sealed_by, moment, reason=reason, holder=_holder(session, village),
               old=old, old_fp=old.fingerprint)
    return old, new


def declare_lost(session: Session, village: Village, sealed_by: str, reason: str,
                 now: datetime | None = None) -> tuple[str, SigningKey]:
    """The village's key is gone: a new key, announced by a `lost` seal it signs itself (the
    township must confirm the new fingerprint); (lost fingerprint, new key)."""
    row = own_key_row(session, village)
    if row is None:
        raise BadInput(f"{village.name}在本机还没有签名密钥，没有可以挂失的")
    if key_path(village.code, row.fingerprint).exists():
        raise BadInput(f"本机还有{village.name}的密钥（{key_path(village.code, row.fingerprint)}）："
                       "换电脑或怀疑泄露请用 zwgk key replace（由旧密钥签名，乡镇无需再核对）；"
                       "确要挂失，请先把这个文件移走")
    moment = now or datetime.now(UTC)
    row.retired_at = moment.isoformat(timespec="seconds")
    new = SigningKey.make()
    _start_key(session, village, new, LOST, sealed_by, moment, reason=reason, holder=_holder(session, village),
               old_fp=row.fingerprint)
    return row.fingerprint, new


def restore_key(session: Session, key: SigningKey, folder: Path | None = None) -> Village:
    """Put a copied key back in the key folder: only a key this archive uses for a village."""
    row = session.scalars(select(VillageKey).where(VillageKey.fingerprint == key.fingerprint,
                                                   VillageKey.how == OWN)).first()
    if row is None:
        raise BadInput(f"这个密钥（指纹 {short_fingerprint(key.fingerprint)}）不是本档案任何村用过的签名密钥："
                       "请确认打开的是本村的档案，U盘或恢复单是本村的")
    village = session.get(Village, row.village_id)
    assert village is not None
    write_key_file(key_path(village.code, key.fingerprint, folder), key, village.code, village.name)
    return village


# ---------------------------------------------------------------------------------------------
# At the township: keys registered for each village, and what a bundle's chain may bring in.


def trust_key(session: Session, village: Village, given: str, confirmed_by: str,
              now: datetime | None = None) -> VillageKey:
    """Register a fingerprint read over the phone as the village's key (its public half comes with
    the village's first bundle signed by it)."""
    if not confirmed_by.strip():
        raise BadInput("请写明是谁核对了指纹（--confirmed-by 姓名）")
    confirmed_by = entered(CONFIRMED_BY, confirmed_by)
    digits = normalised_fingerprint(given)
    for row in keys_of(session, village.id):
        if row.fingerprint.startswith(digits) or digits.startswith(row.fingerprint):
            return row  # registered already: twice changes nothing
    row = VillageKey(village_id=village.id, fingerprint=digits, public_key="", how=CONFIRMED,
                     added_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
                     confirmed_by=confirmed_by.strip()[:40])
    session.add(row)
    session.flush()
    return row


def admit_chain(session: Session, village: Village, seals: Sequence[Link], trust: Sequence[str],
                confirmed_by: str, shown: str) -> None:
    """Refuse a bundle's chain unless every signature holds and every key it brings in on its own
    word is registered here for the village (or confirmed now, `trust`); then register what it
    brings: the confirmed keys' public halves, replacements, retirements."""
    walked = walk_chain(village.code, seals)
    if walked.problems:
        raise BadInput(f"档案包 {shown} 中{village.name}的封存签名不对，拒绝导入：", walked.problems)
    rows = keys_of(session, village.id)
    given = [normalised_fingerprint(text) for text in trust]
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for key in walked.introduced:
        row = trusted_by(rows, key)
        if row is None and any(key.fingerprint.startswith(g) for g in given):
            row = VillageKey(village_id=village.id, fingerprint=key.fingerprint, public_key=key.public_key,
                             added_at=now, how=CONFIRMED, confirmed_by=(confirmed_by.strip() or "?")[:40])
            session.add(row)
            rows.append(row)
        if row is None:
            registered = [short_fingerprint(r.fingerprint) for r in rows if r.retired_at is None]
            holder = key.holder if key.holder and key.holder != village.name else ""
            typed = "" if not given else (
                f"输入的指纹 {'、'.join(short_fingerprint(g) for g in given)} 与档案包中的密钥 "
                f"{short_fingerprint(key.fingerprint)} 不符（可能输错了，或是别的村、别的密钥的指纹）。")
            if typed:
                said = "请再核对一遍"
            elif holder:
                said = f"这是{holder}为{village.name}封存更正的密钥，本库还没有核对它"
            elif key.event == LOST:
                said = "村里报告原密钥丢失、启用了这个新密钥，本库还没有核对它"
            elif registered:
                said = (f"本库登记的{village.name}密钥是 {'、'.join(registered)}，与档案包不符："
                        "可能是他人伪造的档案包，或村里换了电脑却没有按规定更换密钥")
            else:
                said = f"本库还没有登记{village.name}的密钥"
            signed = f"档案包 {shown} 中{village.name}的封存由密钥 {short_fingerprint(key.fingerprint)} 签名"
            raise BadInput(f"{typed}{signed}（{EVENT_NAMES[key.event]}），{said}。"
                           f"请打电话与{holder or '村文书'}核对指纹，核对无误后运行 "
                           f"zwgk key trust --village {village.code} --fingerprint 指纹 --confirmed-by 核对人，"
                           "或导入时加 --trust-fingerprint 指纹 --confirmed-by 核对人；拒绝导入")
        if row.public_key == "" or row.fingerprint != key.fingerprint:
            row.fingerprint, row.public_key = key.fingerprint, key.public_key  # the phone's short form, completed
    known = {row.fingerprint for row in rows}
    for new, public, _old in walked.chained:
        if new not in known:
            session.add(VillageKey(village_id=village.id, fingerprint=new, public_key=public, added_at=now,
                                   how=CHAINED, confirmed_by=None))
            known.add(new)
    session.flush()
    for row in keys_of(session, village.id):
        if row.fingerprint in walked.retired and row.retired_at is None:
            row.retired_at = now
    session.flush()


def bundle_links(entries: Sequence[dict[str, Any]], shown: str) -> list[Link]:
    """A bundle's seals as links of a chain (`check_document` has checked their shape)."""
    return [Link(e.get("kind"), e.get("format"), e.get("signer"), e.get("signature"), e.get("event"),
                 e.get("chain_hash"), f"{shown} 第{index}个封存（{e.get('period')}）")
            for index, e in enumerate(entries, start=1)]


# ---------------------------------------------------------------------------------------------
# Backups: each backup folder keeps a copy of the keys of the villages its archive holds.


def keep_keys_with(folder: Path, village_codes: Iterable[str]) -> list[Path]:
    """Copy the key files of these villages into `folder/keys` (keys never change: once is enough)."""
    source = keys_dir()
    kept: list[Path] = []
    codes = set(village_codes)
    if not source.is_dir():
        return kept
    for path in sorted(source.glob(f"*{KEY_SUFFIX}")):
        code = path.name.rsplit("-", 1)[0]
        target = folder / "keys" / path.name
        if code in codes and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
            kept.append(target)
    return kept


def restore_kept_keys(folder: Path) -> list[Path]:
    """Put back into the key folder the keys a backup folder keeps and the key folder lacks."""
    kept = folder / "keys"
    restored: list[Path] = []
    if not kept.is_dir():
        return restored
    for path in sorted(kept.glob(f"*{KEY_SUFFIX}")):
        target = keys_dir() / path.name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
            restored.append(target)
    return restored
