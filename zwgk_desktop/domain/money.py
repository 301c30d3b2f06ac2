"""Money as integer 分 (never float): parsing what clerks type, printing it, and 大写金额."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

# Ten thousand 亿 yuan: far above any village's books, low enough to catch a pasted account number.
MAX_FEN = 10**12 * 100

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_GROUP_UNITS = ("", "万", "亿", "万亿")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_WAN = re.compile(r"^(.*?)万元?$")


class MoneyError(ValueError):
    """A value that is not an amount of money; the message says why, in words."""


def parse_fen(value: object, *, allow_negative: bool = False) -> int:
    """Read an amount in 元 as clerks write it (`1,234.5`, `￥1234.50元`, a spreadsheet number) into 分."""
    if isinstance(value, bool):
        raise MoneyError("不是金额")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float | Decimal):
        # repr of a float is the shortest string that round-trips: 0.1 stays 0.1, not 0.1000000000000000055
        amount = Decimal(repr(value)) if isinstance(value, float) else value
        if not amount.is_finite():
            raise MoneyError("不是有限的金额")
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value)
        text = re.sub(r"[\s,，元￥¥]", "", text)
        if text.startswith("RMB"):
            text = text[3:]
        if not text:
            raise MoneyError("金额为空")
        if not _NUMBER_RE.match(text):
            raise MoneyError(f"“{value}”不是数字金额")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
            raise MoneyError(f"“{value}”不是数字金额") from exc
    else:
        raise MoneyError("不是金额")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise MoneyError(f"金额 {amount} 超过两位小数（最小单位是分）")
    result = int(fen)
    if result < 0 and not allow_negative:
        raise MoneyError(f"金额不能为负数（{format_fen(result)}）")
    if abs(result) >= MAX_FEN:
        raise MoneyError(f"金额 {format_fen(result)} 大得不合理")
    return result


def parse_amount(value: object, unit: str = "", *, allow_negative: bool = False) -> int:
    """An amount as a clerk writes it anywhere (a form, an editor cell, a spreadsheet cell) into 分:
    `48.6万`, `1,200元`, `￥1 234.50`, full-width `１２００`, a spreadsheet number; `unit` is a
    column's own unit (`万元` from a header `金额（万元）` or a sheet's 单位：万元), which a cell's own
    万 overrides. The one parser the import and the editor share: whatever one takes, the other
    takes as the same 分."""
    scale = 10_000 if unit == "万元" else 1
    if isinstance(value, float) and value == value and abs(value) < 1e15 and abs(value - round(value, 2)) < 1e-6:
        value = Decimal(str(round(value, 2)))  # 3.3000000000000003 is what Excel shows as 3.30
    if isinstance(value, str):
        text = re.sub(r"[\s,，￥¥]", "", unicodedata.normalize("NFKC", value))
        found = _WAN.match(text)
        if found and found.group(1):
            scale, text = 10_000, found.group(1)
        if scale != 1:
            text = text.removesuffix("元")
            if text.startswith("RMB"):
                text = text[3:]
            if not _NUMBER_RE.match(text):
                raise MoneyError(f"“{value}”不是数字金额")
            value = Decimal(text)
    if scale == 1:
        return parse_fen(value, allow_negative=allow_negative)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise MoneyError("不是金额")
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not amount.is_finite():
        raise MoneyError("不是有限的金额")
    return parse_fen(amount * scale, allow_negative=allow_negative)


def format_fen(fen: int, *, grouping: bool = True) -> str:
    """`1234500` → `12,345.00`."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    whole = f"{yuan:,}" if grouping else str(yuan)
    return f"{sign}{whole}.{cents:02d}"


def _group_capitals(group: int) -> str:
    text, pending_zero = "", False
    for power, unit in ((3, "仟"), (2, "佰"), (1, "拾"), (0, "")):
        digit = group // 10**power % 10
        if digit == 0:
            pending_zero = bool(text)
            continue
        if pending_zero:
            text += "零"
            pending_zero = False
        text += _DIGITS[digit] + unit
    return text


def _integer_capitals(number: int) -> str:
    groups = []
    while number:
        number, group = divmod(number, 10000)
        groups.append(group)
    text, pending_zero = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            pending_zero = bool(text)
            continue
        if text and (pending_zero or group < 1000):
            text += "零"
        text += _group_capitals(group) + _GROUP_UNITS[index]
        pending_zero = False
    return text


def capitals(fen: int) -> str:
    """大写金额 as 会计基础工作规范 writes it: `1234500` → `壹万贰仟叁佰肆拾伍元整`, `105` → `壹元零伍分`."""
    if abs(fen) >= MAX_FEN:
        raise MoneyError("金额过大，无法写成大写")
    sign = "负" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    jiao, fen_digit = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return "零元整"
    text = _integer_capitals(yuan) + "元" if yuan else ""
    if cents == 0:
        return f"{sign}{text}整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"  # 壹元零伍分: the zero 角 is written when 分 follows
    text += _DIGITS[fen_digit] + "分" if fen_digit else "整"
    return sign + text
