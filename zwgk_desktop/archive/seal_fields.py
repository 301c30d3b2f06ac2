"""A seal's own fields checked as what they are, wherever a seal comes from: made here
(`seal_quarter`), read back from the database (`verify`) or carried in a bundle
(`bundle.check_document`). A value of the wrong type, a date that is not one or a name with
control characters in it is then said in words, and never reaches code that would trip on it.

Each check returns the reasons in words (empty when all is well); the caller says where.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

from zwgk_desktop.archive.made_with import MadeWithError, parse_made_with
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput

# What a seal may be: a quarter, the corrections to one sealed since, or a village key's event
# (made, replaced, lost), a link of the chain holding no items, replies given after their quarter
# was sealed (archive.seal_objections), or photos and vouchers added to a sealed quarter
# (archive.seal_attachments): links holding no items either.
SEAL_KINDS = ("quarter", "correction", "key", "objection", "attachment")
_ITEMLESS = ("key", "attachment")  # hold nothing `holds_items` counts (items, or objections)
_UNMADE = ("key", "objection", "attachment")  # hold no sheets: record nothing of what made them
# The seal formats this program can check (archive.seal SEAL_FORMAT is the newest).
KNOWN_FORMATS = (1, 2, 3, 4, 5)
SEALED_BY_LIMIT = 40
_HASH = re.compile(r"[0-9a-f]{64}")
# Exactly as sealing writes it: `datetime.now(UTC).isoformat(timespec="seconds")`.
_SEALED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00")


def stored_text(value: Any) -> str:
    """A stored value as text, whatever it has become behind the app's back (SQLite keeps any type)."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def shown(value: Any, size: int = 30) -> str:
    """A stored value as a message quotes it: short, whatever its type or length."""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return text if len(text) <= size else text[:size] + "…"


def sealed_by_problem(value: Any) -> str | None:
    """Why `value` cannot be the name of who sealed, or None."""
    if not isinstance(value, str):
        return f"封存人“{shown(value)}”不是文字"
    if not value.strip():
        return "没有写明封存人"
    if value != value.strip():
        return f"封存人“{shown(value)}”前后有空格"
    if len(value) > SEALED_BY_LIMIT:
        return f"封存人的名字太长（{len(value)} 个字，最多 {SEALED_BY_LIMIT} 个）"
    strange = next((c for c in value if unicodedata.category(c).startswith("C")), None)
    if strange is not None:
        return f"封存人“{shown(value)}”含有控制字符或不可见字符（U+{ord(strange):04X}）"
    return None


def sealed_at_moment(value: Any) -> datetime | None:
    """The moment a seal's `sealed_at` says, if it is one as sealing writes it (UTC, to the second)."""
    if not isinstance(value, str) or not _SEALED_AT.fullmatch(value):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None and not moment.utcoffset() else None


def sealed_at_problem(value: Any, previous: Any = None, now: datetime | None = None) -> str | None:
    """Why `value` cannot be when a seal was made, after the village's previous seal (its
    `sealed_at`, if any) and not after `now` (the checking computer's clock, allowing
    `CLOCK_TOLERANCE` for the two clocks' difference), or None."""
    moment = sealed_at_moment(value)
    if moment is None:
        return (f"封存时间“{shown(value)}”不是程序写下的 UTC 时间"
                "（应像 2026-10-08T02:30:00+00:00 这样，是真实存在的日期和时刻）")
    before = sealed_at_moment(previous)
    if before is not None and moment < before:
        return f"封存时间 {value} 早于上一个封存的时间 {previous}：封存的次序或时间被改动"
    checking = (now or datetime.now(UTC)).astimezone(UTC)
    if moment > checking + CLOCK_TOLERANCE:
        return (f"封存时间 {value} 晚于现在（这台电脑的时间 {checking.isoformat(timespec='seconds')}，"
                f"允许两台电脑的时钟相差 {CLOCK_TOLERANCE_SAID}）：封存时间被改动，或这台电脑的时间不对")
    return None


# How far a seal's time may lie ahead of the checking computer's clock (the two clocks may differ).
CLOCK_TOLERANCE = timedelta(hours=1)
CLOCK_TOLERANCE_SAID = "1 小时"


def seal_problems(*, kind: Any, format: Any, period: Any, sealed_at: Any, sealed_by: Any,
                  payload_hash: Any, chain_hash: Any, made_with: Any, holds_items: bool,
                  signer: Any = None, event: Any = None, previous_sealed_at: Any = None,
                  newest_format: int = KNOWN_FORMATS[-1], now: datetime | None = None) -> list[str]:
    """Everything wrong with a seal's own fields, in words. (The signature itself is checked
    against the village's key, elsewhere.)"""
    found = []
    if signer is not None and not (isinstance(signer, str) and _HASH.fullmatch(signer)):
        found.append(f"签名密钥的指纹“{shown(signer)}”不是 64 位十六进制")
    if event is not None and kind != "key":
        found.append("只有密钥封存才记录密钥事件：此记录是事后补写的")
    if isinstance(format, bool) or not isinstance(format, int):
        found.append(f"封存格式“{shown(format)}”不是整数")
    elif format > newest_format:
        found.append(f"封存格式 {format} 比本程序认识的（最新为 {newest_format}）还新："
                     "这是较新版本的程序封存的，请升级本程序后再核验")
    elif format not in KNOWN_FORMATS:
        found.append(f"封存格式“{format}”不存在")
    if kind not in SEAL_KINDS:
        found.append(f"封存种类“{shown(kind)}”不对（应为 {' / '.join(SEAL_KINDS)}）")
    elif kind in _ITEMLESS and holds_items:
        found.append("密钥封存不应含有事项" if kind == "key" else "照片凭证封存不应含有事项")
    elif kind not in _ITEMLESS and not holds_items:
        found.append("封存中没有任何事项")
    try:
        if not isinstance(period, str):
            raise BadInput("")
        Quarter.parse(period)
    except BadInput:
        found.append(f"季度“{shown(period)}”不对")
    if reason := sealed_at_problem(sealed_at, previous_sealed_at, now):
        found.append(reason)
    if reason := sealed_by_problem(sealed_by):
        found.append(reason)
    for value, what in ((payload_hash, "内容哈希"), (chain_hash, "链式哈希")):
        if not isinstance(value, str) or not _HASH.fullmatch(value):
            found.append(f"{what}“{shown(value)}”不是 64 位十六进制的 SHA-256")
    if isinstance(format, int) and not isinstance(format, bool) and format >= 4 and kind not in _UNMADE:
        # A seal of items records what made them; a key event, replies or photos alone, nothing of the kind.
        try:
            parse_made_with(made_with)
        except MadeWithError as exc:
            found.append(f"封存的“制作依据”（made_with）不对：{exc}")
    elif made_with is not None and kind == "attachment":
        found.append("照片凭证封存不含事项，不应有“制作依据”（made_with）：是事后补写的")
    elif made_with is not None and kind != "key" and isinstance(format, int) and not isinstance(format, bool):
        found.append("旧格式的封存不应有“制作依据”（made_with）：是事后补写的")
    return found


def sealed_item_problems(*, format: Any, first_public_at: Any, first_public_how: Any, archive_ref: Any,
                         retention: Any, retentions: tuple[str, ...], hows: Any) -> list[str]:
    """Everything wrong with a sealed item's own record fields (when it first went out, 档号,
    保管期限), in words."""
    found = []
    old = isinstance(format, int) and not isinstance(format, bool)
    if old and format < 3 and (first_public_at is not None or first_public_how is not None):
        found.append("封存时没有首次公开的记录，记录是事后补写的")
    elif (first_public_at is None) != (first_public_how is None) or (
            first_public_at is not None and (not isinstance(first_public_at, str) or first_public_how not in hows)):
        found.append(f"首次公开的记录（“{shown(first_public_at)}”“{shown(first_public_how)}”）不是程序写下的")
    if old and format < 4 and (archive_ref is not None or retention is not None):
        found.append("封存时没有档号和保管期限，记录是事后补写的")
    if retention is not None and retention not in retentions:
        found.append(f"保管期限“{shown(retention)}”不对（应为 {' / '.join(retentions)}）")
    if archive_ref is not None and (not isinstance(archive_ref, str) or not archive_ref.strip()
                                    or len(archive_ref) > 80):
        found.append(f"档号“{shown(archive_ref)}”不是 1–80 字的文字")
    return found


def utc_now_text(now: datetime | None = None) -> str:
    """`sealed_at` as sealing writes it."""
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
