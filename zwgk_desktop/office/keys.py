"""A village's signing key: what `zwgk key …` and the app's 密钥 dialog do.

At the village: see the key and its fingerprint, copy it to a USB stick, print the 密钥恢复单,
put it back on a new PC, replace it, or declare it lost. At the township: register a village's
key by the fingerprint read over the phone, and list the keys registered.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from zwgk_desktop.archive import signing
from zwgk_desktop.archive.first_public import CHINA
from zwgk_desktop.db import store
from zwgk_desktop.db.models import Village, VillageKey
from zwgk_desktop.domain.items import KEY_REASON, SEALED_BY, entered
from zwgk_desktop.domain.periods import chinese_date
from zwgk_desktop.errors import BadInput
from zwgk_desktop.inputs import readable_file
from zwgk_desktop.office.handle import Archive

# What the clerk is told after the first seal, and in the 密钥 dialog: why a copy off the PC.
# (At the township, sealing a village's correction for the first time: `why_a_copy(holder, village)`.)
WHY_A_COPY = ("封存档案已用本村的签名密钥签名，密钥只保存在这台电脑上。请现在就把它复制到U盘，"
              "并打印一张“密钥恢复单”，一起锁进柜子。电脑坏了、重装或被偷，只要有其中一样，"
              "就能在新电脑上恢复；两样都没有，旧密钥就找不回了：只能挂失、启用新密钥，"
              "并打电话请乡镇重新核对指纹，乡镇核对之前不接收本村新的档案包。")


def why_a_copy(holder: str, village: str) -> str:
    """Why a copy off the PC, told to whoever holds the key just made: the village clerk
    (`WHY_A_COPY`), or the township sealing a correction for the village."""
    if holder == village:
        return WHY_A_COPY
    return (f"{holder}为{village}封存的更正已用这个密钥签名，密钥只保存在这台电脑上。"
            f"请把指纹告诉{village}的村文书：村里导入乡镇的档案包时要核对它。请现在就把密钥复制到U盘，"
            "并打印一张“密钥恢复单”，一起锁进柜子；两样都没有，电脑坏了就只能挂失、启用新密钥，"
            f"并再打电话请{village}核对新指纹。")


@dataclass(frozen=True)
class KeyShown:
    """A key trusted for a village here, as a person reads it."""

    village: str
    village_code: str
    fingerprint: str  # full, 64 hex (or, confirmed by phone and not yet seen, the short form typed)
    short: str
    how: str  # signing.OWN / CONFIRMED / CHAINED
    added_at: str
    confirmed_by: str | None
    retired_at: str | None
    here: bool  # the private key is in this computer's key folder
    file: Path | None
    holder: str = ""  # who holds it, as its key record says (the village, or the township sealing for it)

    @property
    def how_text(self) -> str:
        said = signing.HOW_NAMES.get(self.how, self.how)
        if self.holder and self.holder != self.village:  # the township's key for the village's corrections
            return f"{self.holder}为{self.village}封存更正的密钥（{said}）"
        return said


def _shown(session: Session, row: VillageKey, name: str, code: str) -> KeyShown:
    path = signing.key_path(code, row.fingerprint) if row.how == signing.OWN else None
    holder = signing.key_holders(session, row.village_id).get(row.fingerprint, "")
    return KeyShown(name, code, row.fingerprint, signing.short_fingerprint(row.fingerprint), row.how, row.added_at,
                    row.confirmed_by, row.retired_at, bool(path and path.exists()), path, holder)


def village_key(archive: Archive, village: str) -> KeyShown | None:
    """The village's key in use here (None before its first seal here)."""
    with archive.reading() as session:
        found = store.find_village(session, village)
        row = signing.own_key_row(session, found)
        return _shown(session, row, found.name, found.code) if row is not None else None


def list_keys(archive: Archive, village: str | None = None) -> list[KeyShown]:
    """Every key trusted here, per village (retired ones too, marked)."""
    with archive.reading() as session:
        villages = [store.find_village(session, village)] if village else store.villages(session)
        return [_shown(session, row, v.name, v.code) for v in villages for row in signing.keys_of(session, v.id)]


def _in_use(archive: Archive, village: str) -> tuple[KeyShown, signing.SigningKey]:
    with archive.reading() as session:
        found = store.find_village(session, village)
        row = signing.own_key_row(session, found)
        if row is None:
            raise BadInput(f"{found.name}在本机还没有签名密钥：第一次封存时自动生成")
        return _shown(session, row, found.name, found.code), signing.own_key(session, found, row)


def export_key(archive: Archive, village: str, out: Path) -> Path:
    """A copy of the village's key at `out` (a folder, such as a USB stick, or a file)."""
    shown, key = _in_use(archive, village)
    target = out / signing.key_path(shown.village_code, key.fingerprint).name if out.is_dir() else out
    if target.suffix != signing.KEY_SUFFIX:
        raise BadInput(f"密钥文件 {target} 应以 {signing.KEY_SUFFIX} 结尾（或给出一个文件夹，如U盘）")
    return signing.write_key_file(target, key, shown.village_code, shown.village)


def print_recovery_sheet(archive: Archive, village: str, out: Path, today: date | None = None) -> Path:
    """The 密钥恢复单 of the village's key as a PDF at `out`."""
    from zwgk_desktop.render.key_sheet import KeySheet, write_key_sheet

    if out.suffix.lower() != ".pdf":
        raise BadInput(f"输出文件 {out} 应以 .pdf 结尾")
    shown, key = _in_use(archive, village)
    with archive.reading() as session:
        found = store.find_village(session, village)
        township = found.township.name
        holder = township if any(r.how != signing.OWN for r in signing.keys_of(session, found.id)) else found.name
    made = datetime.fromisoformat(shown.added_at).astimezone(CHINA).date()
    return write_key_sheet(KeySheet(
        village=shown.village, township=township, holder=holder, fingerprint=shown.short,
        full_fingerprint=key.fingerprint, recovery_code=signing.recovery_text(key), made_on=chinese_date(made),
        printed_on=chinese_date(today or datetime.now(CHINA).date())), out)


@dataclass(frozen=True)
class Restored:
    village: str
    fingerprint: str
    path: Path


def restore_key(archive: Archive, *, file: Path | None = None, text: str | None = None) -> Restored:
    """Put the village's key back on this computer, from a key file (USB) or a recovery sheet's code."""
    if (file is None) == (text is None):
        raise BadInput("请给出密钥文件（U盘上的 .zwgkkey 文件），或用 --text 输入恢复单上的恢复码，二者选一")
    key = signing.read_key_file(readable_file(file, "密钥文件"))[0] if file is not None \
        else signing.parse_recovery_text(text or "")
    with archive.reading() as session:
        village = signing.restore_key(session, key)
        return Restored(village.name, key.fingerprint, signing.key_path(village.code, key.fingerprint))


@dataclass(frozen=True)
class KeyChanged:
    village: str
    old: str  # fingerprint
    new: str
    file: Path


def replace_key(archive: Archive, village: str, reason: str, by: str | None = None) -> KeyChanged:
    """A new key for the village, the change signed by the old one (backed up first)."""
    return _change_key(archive, village, reason, by, "请写明更换密钥的原因（--reason，如“换新电脑”）", _replaced)


def _replaced(session: Session, village: Village, by: str, reason: str) -> tuple[str, signing.SigningKey]:
    old, new = signing.replace_key(session, village, by, reason)
    return old.fingerprint, new


def declare_lost(archive: Archive, village: str, reason: str, by: str | None = None) -> KeyChanged:
    """The village's key is gone: a new one, which the township must confirm (backed up first)."""
    return _change_key(archive, village, reason, by, "请写明密钥丢失的原因（--reason，如“电脑硬盘损坏，没有备份”）",
                       signing.declare_lost)


def _change_key(archive: Archive, village: str, reason: str, by: str | None, unexplained: str,
                change: Callable[[Session, Village, str, str], tuple[str, signing.SigningKey]]) -> KeyChanged:
    """A key change of the village (`change` gives the old key's fingerprint and the new key), in
    one transaction after a backup; refused in words without a reason."""
    if not reason.strip():
        raise BadInput(unexplained)
    reason = entered(KEY_REASON, reason)  # printed in the key's seal and shown by zwgk key list
    by = entered(SEALED_BY, by) if by and by.strip() else by
    with archive.changing("before-key") as (session, _backup):
        found = store.find_village(session, village)
        store.hold_village(session, found.id)
        old, new = change(session, found, by or getpass.getuser(), reason.strip())
        return KeyChanged(found.name, old, new.fingerprint, signing.key_path(found.code, new.fingerprint))


def trust_key(archive: Archive, village: str, fingerprint: str, confirmed_by: str) -> KeyShown:
    """At the township: the village's key, registered by the fingerprint read over the phone."""
    with archive.writing() as session:
        found = store.find_village(session, village)
        row = signing.trust_key(session, found, fingerprint, confirmed_by, datetime.now(UTC))
        return _shown(session, row, found.name, found.code)


def villages(archive: Archive) -> list[tuple[str, str]]:
    """(name, code) of the archive's villages, for choosing whose key to look at."""
    with archive.reading() as session:
        return [(v.name, v.code) for v in store.villages(session)]
