"""Typed fields of disclosure items and rows: how a value is read from what a clerk typed,
checked, stored as JSON, and whether it may ever be shown in public.

A category is a list of these plus a few cross-row rules (see `categories`), so adding a
category never needs a new code path.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from zwgk_desktop.domain import glyphs, identity, money


class Kind(Enum):
    TEXT = "text"  # short free text: checked for personal numbers
    LONGTEXT = "longtext"  # paragraphs (正文); newlines allowed
    NAME = "name"  # a person's or a company's name
    CONTACT = "contact"  # a public contact channel: phone numbers are allowed here
    MONEY = "money"  # integer 分
    DATE = "date"
    COUNT = "count"  # a non-negative whole number
    CHOICE = "choice"
    ID_NUMBER = "id_number"  # 身份证号: never public in full
    MOBILE = "mobile"  # a person's phone: never public
    ACCOUNT = "account"  # bank / 一卡通 account: never public
    DECIMAL = "decimal"  # a measure with two decimals (面积 35.60 亩): stored as an integer of hundredths


# Kinds whose values are personal identifiers: a public output may show them only masked (IDs)
# or not at all (phones, accounts).
PRIVATE_KINDS = frozenset({Kind.ID_NUMBER, Kind.MOBILE, Kind.ACCOUNT})


class FieldError(ValueError):
    """A value that does not fit its field; the message says why in words."""


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: Kind
    required: bool = True
    max_length: int = 40
    choices: tuple[str, ...] = ()
    minimum: int = 0  # for COUNT
    public: bool = True  # False: kept in the store, never in a public output
    # A name shown masked only on the rows where another field holds a value (承包方 masked when
    # 承包方类型 is 个人, in full when 单位): (field key, value). A layout's `masked_person`.
    masked_when: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if self.kind in PRIVATE_KINDS and self.public:
            raise ValueError(f"{self.key}: personal identifiers cannot be public fields")

    # -- reading what a person typed -----------------------------------------------------------
    def parse(self, raw: object) -> Any:
        """Read a value as typed in a form or a spreadsheet cell; None when empty and optional."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise FieldError("必填，不能为空")
            return None
        if self.kind is Kind.MONEY:
            try:
                return self.check(money.parse_amount(raw))  # 48.6万 as the import reads it
            except money.MoneyError as exc:
                raise FieldError(str(exc)) from exc
        if self.kind is Kind.DATE:
            return self.check(parse_date(raw))
        if self.kind is Kind.DECIMAL:
            return self.check(parse_hundredths(raw))
        if self.kind is Kind.COUNT:
            return self.check(parse_count(raw))
        if isinstance(raw, float) and raw.is_integer() and self.kind in (Kind.ID_NUMBER, Kind.MOBILE, Kind.ACCOUNT):
            # A spreadsheet stores a long digit string as a number; its digits are still the value.
            raw = str(int(raw))
        return self.check(str(raw))

    # -- checking a typed value (from a form, the store or an import) --------------------------
    def check(self, value: Any) -> Any:
        """Return the value in canonical form, or raise FieldError."""
        if value is None:
            if self.required:
                raise FieldError("必填，不能为空")
            return None
        kind = self.kind
        if isinstance(value, str) and kind in (Kind.MONEY, Kind.DATE, Kind.COUNT, Kind.DECIMAL):
            # A draft keeps a bad value as it was typed ("abc", "-500", "2026-13-01"): say what is
            # wrong with it as typed, as the cell itself does, not that it is not stored as a number.
            self.parse(value)
        if kind is Kind.MONEY:
            if isinstance(value, bool) or not isinstance(value, int):
                raise FieldError("金额必须以分为单位的整数存储")
            if value < 0:
                raise FieldError(f"金额不能为负数（{money.format_fen(value)}）")
            if value >= money.MAX_FEN:
                raise FieldError("金额大得不合理")
            return value
        if kind is Kind.DATE:
            if isinstance(value, datetime):
                value = value.date()
            if not isinstance(value, date):
                raise FieldError("不是日期")
            if not 1949 <= value.year <= 2100:
                raise FieldError(f"日期 {value:%Y-%m-%d} 不合理")
            return value
        if kind is Kind.DECIMAL:
            if isinstance(value, bool) or not isinstance(value, int):
                raise FieldError("应以百分之一为单位的整数存储")
            if value < 0:
                raise FieldError(f"不能为负数（{format_hundredths(value)}）")
            if value >= 10**12:
                raise FieldError("数字大得不合理")
            return value
        if kind is Kind.COUNT:
            if isinstance(value, bool) or not isinstance(value, int):
                raise FieldError("必须是整数")
            if value < self.minimum:
                raise FieldError(f"不能小于 {self.minimum}")
            if value > 1_000_000:
                raise FieldError("数字大得不合理")
            return value
        if not isinstance(value, str):
            raise FieldError("必须是文字")
        text = clean_text(value, multiline=kind is Kind.LONGTEXT)
        if not text:
            if self.required:
                raise FieldError("必填，不能为空")
            return None
        if len(text) > self.max_length:
            raise FieldError(f"太长：最多 {self.max_length} 个字，这里有 {len(text)} 个")
        if not glyphs.fits(text):  # a name that would print blank on the sealed sheet
            raise FieldError(glyphs.message(text) or "")
        if kind is Kind.ID_NUMBER:
            try:
                return identity.check_id(text)
            except identity.IdentityError as exc:
                raise FieldError(str(exc)) from exc
        if kind is Kind.MOBILE:
            try:
                return identity.check_mobile(text)
            except identity.IdentityError as exc:
                raise FieldError(str(exc)) from exc
        if kind is Kind.ACCOUNT:
            digits = re.sub(r"[\s\-]", "", text)
            if not re.fullmatch(r"\d{12,25}", digits):
                raise FieldError("账号应为 12–25 位数字")
            return digits
        if kind is Kind.CHOICE:
            if text not in self.choices:
                raise FieldError(f"“{text}”不在可选项中（{'、'.join(self.choices)}）")
            return text
        if kind is Kind.NAME and re.search(r"\d{5,}", text):
            raise FieldError("名称中不应有长串数字")
        for finding in identity.find_personal_numbers(text, label=self.label):
            if finding.kind == "mobile" and kind is Kind.CONTACT:
                continue
            raise FieldError(f"含有{finding.label}“{finding.text}”：公开内容不得写入个人证件号、电话或账号")
        return text

    def to_text(self, value: Any) -> str:
        """A value as a clerk edits it: 1234.50, 2026-07-01; text that did not parse, as typed."""
        if value is None:
            return ""
        if self.kind is Kind.MONEY and isinstance(value, int) and not isinstance(value, bool):
            return money.format_fen(value, grouping=False)
        if self.kind is Kind.DECIMAL and isinstance(value, int) and not isinstance(value, bool):
            return format_hundredths(value)
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    # -- the store keeps JSON -------------------------------------------------------------------
    def to_json(self, value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    def from_json(self, value: Any) -> Any:
        if self.kind is Kind.DATE and isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                return value  # left for check() to report in words
        return value


_INVISIBLE_OK = {"\n", "\t"}
_SPACES = re.compile(r" {2,}")


# CJK compatibility ideographs (U+F900–FAFF, U+2F800–2FA1F): NFC would replace each with its
# unified twin (U+F900 豈 → U+8C48 豈), silently changing a name as a household register or ID
# card system stores it. They are kept as written (the fonts draw them; the 验证码, computed over
# NFC, is the same either way); everything else is composed (a + ̌ → ǎ), as before.
_COMPATIBILITY = re.compile("([\uF900-\uFAFF\U0002F800-\U0002FA1F])")


def _composed(text: str) -> str:
    if text.isascii():
        return text
    if not _COMPATIBILITY.search(text):
        return unicodedata.normalize("NFC", text)
    return "".join(piece if _COMPATIBILITY.fullmatch(piece) else unicodedata.normalize("NFC", piece)
                   for piece in _COMPATIBILITY.split(text))


def clean_text(text: str, *, multiline: bool = False) -> str:
    """NFC-normalized, trimmed text; refuse characters that would print as nothing or mislead.

    Control characters, bidi overrides, zero-width and private-use characters have no place on a
    notice board: they hide text or reorder it, and our font cannot draw them.
    """
    text = _composed(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    # Every character of those categories is unprintable, so printable text (nearly all of it:
    # this runs for every cell of a 10,000-row list) needs no look at each character.
    if not text.isprintable():
        for char in text:
            kind = unicodedata.category(char)
            if char not in _INVISIBLE_OK and kind in ("Cn", "Cc", "Cf", "Cs", "Co"):
                # Said by the one check, every such character of the text and where it is (Cn:
                # unassigned to this Python, or newer, like Extension H: said as the fonts' lack).
                raise FieldError(glyphs.message(text) or f"含有无法显示的字符 U+{ord(char):04X}，请删除后重填")
    if multiline:
        return "\n".join(line.rstrip() for line in text.strip().split("\n"))
    text = text.strip()
    return _SPACES.sub(" ", text) if "  " in text else text


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(raw: object) -> date:
    """A date as clerks write it: 2026-07-01, 2026/7/1, 2026.7.1, 2026年7月1日 (or 1号), 20260701."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    # As spreadsheets and ledgers write it too: 2026-07-05 00:00:00 (a date cell typed as text),
    # 2026年7月1号; the import and the editor read dates with this one function.
    text = re.sub(r"\s+0{1,2}:0{2}(:0{2})?$", "", text).replace("号", "日")
    match = _DATE_RE.match(text)
    if match:
        parts = match.groups()
    elif re.fullmatch(r"\d{8}", text):
        parts = (text[:4], text[4:6], text[6:])
    else:
        raise FieldError(f"“{raw}”不是日期：请写成 2026-07-01 的形式")
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError as exc:
        raise FieldError(f"“{raw}”不是有效日期") from exc


def parse_count(raw: object) -> int:
    if isinstance(raw, bool):
        raise FieldError("必须是整数")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip().removesuffix("人").removesuffix("口")
    if not re.fullmatch(r"[+-]?\d+", text):
        raise FieldError(f"“{raw}”不是整数")
    return int(text)


_DECIMAL_RE = re.compile(r"^([+-]?)(\d+)(?:\.(\d*))?$")


def parse_hundredths(raw: object) -> int:
    """A measure as typed (35.6, 35.60, "35.6亩", "1,200.5"): in hundredths, exact; more than two
    decimals refused rather than rounded."""
    if isinstance(raw, bool):
        raise FieldError("应为数字")
    if isinstance(raw, int):
        return raw * 100
    text = repr(raw) if isinstance(raw, float) else unicodedata.normalize("NFKC", str(raw))
    text = text.strip().replace(",", "").removesuffix("亩").removesuffix("平方米").strip()
    match = _DECIMAL_RE.match(text)
    if not match:
        raise FieldError(f"“{raw}”不是数字：请写成 35.6 的形式")
    sign, whole, part = match.groups()
    part = (part or "").rstrip("0") if len(part or "") > 2 else (part or "")
    if len(part) > 2:
        raise FieldError(f"“{raw}”最多两位小数")
    value = int(whole) * 100 + int(part.ljust(2, "0") or 0)
    return -value if sign == "-" else value


def format_hundredths(value: int) -> str:
    """35.60; as printed and as a clerk edits it."""
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(value), 100)
    return f"{sign}{whole}.{part:02d}"
