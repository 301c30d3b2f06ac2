"""Personal identifiers: 身份证号 checks (GB 11643-1999), masking, and finding them in free text.

The store may hold full numbers (needed for checks and duplicates); every public output goes
through `mask_id` / `redact_text`, so a full number never reaches a board, a PDF or a web page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from operator import mul

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# First digit of the 行政区划代码: 1–6 the mainland's regions, 7 Taiwan, 8 Hong Kong/Macao (81/82)
# and the 83 of 港澳台居民居住证; 9 is not a region.
_REGION_FIRST = "12345678"


class IdentityError(ValueError):
    """A 身份证号 that cannot be right; the message says why."""


_ASCII_ZERO_WEIGHT = 48 * sum(_WEIGHTS)  # what "0" (byte 48) adds at each place, taken off again


def id_check_char(first17: str) -> str:
    """The 校验码 for the first 17 digits."""
    if len(first17) == 17 and first17.isascii() and first17.isdigit():  # the usual number: its bytes
        total = sum(map(mul, first17.encode(), _WEIGHTS)) - _ASCII_ZERO_WEIGHT
    else:
        total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id(text: str) -> str:
    """Full-width digits and a lowercase x are what a keyboard often gives; store the canonical form."""
    if text.isascii():  # NFKC leaves ASCII as it is
        return text.strip().replace(" ", "").upper()
    return unicodedata.normalize("NFKC", text).strip().replace(" ", "").upper()


def birth_date(number: str) -> date | None:
    """The birth date inside an 18-digit number, or None when it is not a real date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def check_id(text: str, *, today: date | None = None) -> str:
    """Validate a 18-digit 公民身份号码 and return it normalized; raise IdentityError saying why."""
    number = normalize_id(text)
    if len(number) == 15 and number.isdigit():
        raise IdentityError("15 位旧身份证号已停用，请填写 18 位号码")
    if len(number) != 18:
        raise IdentityError(f"身份证号应为 18 位，这里是 {len(number)} 位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdentityError("身份证号前 17 位须为数字，末位为数字或 X")
    return check_id_digits(number, today=today)


def check_id_digits(number: str, *, today: date | None = None) -> str:
    """The checks of `check_id` after its first ones, for an 18-character number already in
    canonical form (17 digits, then a digit or X): what a list's cells mostly are."""
    if number[0] not in _REGION_FIRST:
        raise IdentityError(f"身份证号的地区码 {number[:6]} 不存在")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))  # birth_date, without a call
    except ValueError:
        raise IdentityError(f"身份证号中的出生日期 {number[6:14]} 不是有效日期") from None
    if born > (today or date.today()) or born.year < 1880:
        raise IdentityError(f"身份证号中的出生日期 {born:%Y-%m-%d} 不合理")
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise IdentityError(f"身份证号校验码错误（末位应为 {expected}，填的是 {number[17]}），请核对是否抄错")
    return number


def is_valid_id(text: str) -> bool:
    try:
        check_id(text)
    except IdentityError:
        return False
    return True


def mask_id(number: str, keep_head: int = 6, keep_tail: int = 4) -> str:
    """`410102199001011234` → `410102********1234` (default: region code and last 4 kept)."""
    number = normalize_id(number)
    if len(number) <= keep_head + keep_tail:
        return "*" * len(number)
    return number[:keep_head] + "*" * (len(number) - keep_head - keep_tail) + number[len(number) - keep_tail :]


def mask_name(name: str) -> str:
    """Mask the middle of a name: 张三明 → 张*明, 李四 → 李*, 欧阳娜娜 → 欧**娜."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 11 else "*" * len(digits)


def mask_account(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return "*" * max(0, len(digits) - 4) + digits[-4:]


def check_mobile(text: str) -> str:
    """A mainland mobile number (11 digits, 1[3-9]…), normalized to digits."""
    digits = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text))
    if digits.startswith("+86"):
        digits = digits[3:]
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        raise IdentityError(f"“{text}”不是 11 位手机号")
    return digits


def check_phone(text: str) -> str:
    """A mobile or a landline (0371-12345678, 12345 hotlines): what a supervision phone may be."""
    value = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"(0\d{2,3}-?)?\d{7,8}(-\d{1,5})?|1[3-9]\d{9}|12\d{3}|96\d{3,4}", value):
        return value
    raise IdentityError(f"“{text}”不是电话号码")


@dataclass(frozen=True)
class Finding:
    """A personal number found in free text."""

    kind: str  # "id", "mobile", "account"
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return {"id": "身份证号", "mobile": "手机号", "account": "银行/一卡通账号"}[self.kind]


# -- Personal numbers in free text ----------------------------------------------------------
#
# A number is read as the digit groups it is written in, whatever stands between them: a clerk
# (or a pasted web page) separates groups with spaces of every width (U+202F, U+3000 …), line
# breaks, dashes, brackets, quotes, dots or runs of several of these. So every such character is a
# separator, and any run of them may stand between two groups; what decides is the groups'
# lengths: 3-4-4 (or 11 together) for a mobile, 6-8-4 for an ID, groups of four for a card. A list
# of amounts or dates is groups too, but not in those lengths, so it is not taken for a number.

# Whatever is neither a letter nor a number: every space, line break, invisible or unassigned
# character, combining mark (U+FE0F, U+034F …), punctuation mark (dashes, brackets, quotes, dots,
# commas …) and symbol (the minus sign U+2212 Word types for a hyphen, × ¥ ° → …). A filler that
# Unicode counts as a letter but that prints blank (the Hangul fillers, U+2800) is one too.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Between digits, also the letters typed for a dash: 一 (the ideograph "one"), ー and ｰ (kana
# length marks). Not in names: 王一明 is a name.
_DASH_LETTERS = frozenset("一ーｰ")
# `\d` is any script's decimal digit (全角 ０-９ too), so a number cannot hide by being typed
# full-width; an X right after digits may be an ID's 校验码.
_GROUP_RE = re.compile(r"\d+(?:[XxＸｘ](?!\d))?")
_X = "XxＸｘ"

# How each kind of number is written, as the lengths of its groups (an ID's X counts as a digit).
_MOBILE_SPLITS = frozenset({(11,), (3, 4, 4), (3, 8), (7, 4)})
_ID_SPLITS = frozenset({(18,), (6, 8, 4), (6, 4, 4, 4), (4, 4, 4, 4, 2), (6, 12), (14, 4), (6, 8, 3, 1),
                        (3, 3, 8, 4), (15,), (6, 6, 3)})
# A single dash or dot joins the parts of one number (400-159-7100, 记-2026-01-189): a mobile or
# a card written in groups does not begin in the middle of another (but after +86- it does; and
# an ID's 6-8-4 with its birth date is taken wherever it begins: NO.410102 19900101 1237).
_TIGHT_JOINS = frozenset(".·・")
_COUNTRY_CODES = frozenset({"86", "0086"})
_EXTENSION_WORDS = ("转", "分机", "ext", "Ext", "EXT")
_LONGEST = 25  # digits of the longest bank account
# Cards printed in long groups: 622202 1234567890123, 62220212 34567890 123. Any other split of
# 16–25 digits is far more often a row of figures (票号61528222 20260725 …) than a card.
_LONG_CARD_SPLITS = frozenset({(6, 10), (6, 12), (6, 13), (8, 8, 3), (8, 11), (10, 9)})
_SHORTEST = 11  # a mobile's

# Words just before a 12–15 digit run that say it is a document's number, not a person's account,
# unless a word saying it is a person's stands there too.
_CODE_WORDS = ("发票", "代码", "编码", "凭证", "编号", "单号", "文号", "合同号", "批次", "流水号", "订单",
               "登记号", "项目号", "税号", "批准号", "票号", "回单", "交易号", "参考号", "序列号")
_ACCOUNT_WORDS = ("卡号", "账号", "帐号", "账户", "帐户", "一卡通", "存折", "银行", "社保卡", "身份")
_PERSONAL_WORDS = (*_ACCOUNT_WORDS, "手机", "电话", "联系", "户主")
_CONTEXT_CHARS = 12
# 统一社会信用代码 (GB 32100-2015): 18 characters with a check character over this alphabet.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_RE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")


def is_separator(char: str) -> bool:
    """Whether a character may stand between the parts of a number or a name as it is written:
    anything but a letter or a number, and the blank fillers."""
    return unicodedata.category(char)[0] not in "LN" or char in _BLANK_LETTERS


def _joins_digits(char: str) -> bool:
    """Whether a character may stand between two digit groups of one number (`is_separator`, or a
    letter typed for a dash)."""
    return is_separator(char) or char in _DASH_LETTERS


@dataclass(frozen=True)
class _Group:
    start: int
    end: int
    digits: str  # ASCII digits, and a final X for what may be an ID's 校验码
    listed: bool = False  # one list mark (、，；) stands between it and the group before
    tight: bool = False  # it continues the number or code before it (see `_tightly_joined`)


# Marks that separate the items of a list: "1500、2000、3000、1200元" is four amounts.
_LIST_MARKS = frozenset("、，,；;。？！?!")


def _groups(text: str) -> list[list[_Group]]:
    """The digit groups of the text, in runs joined only by separators."""
    runs: list[list[_Group]] = []
    last_end = -1
    # A 统一社会信用代码 (91410100MA44XXXX1X, or all digits) is a company's, printed on purpose.
    codes = [m.span() for m in _CREDIT_RE.finditer(text) if is_credit_code(m.group())]
    for match in _GROUP_RE.finditer(text):
        if any(start <= match.start() < end and (match.span() != (start, end) or not _id_like(match.group().upper()))
               for start, end in codes):
            continue
        raw = match.group()
        digits = "".join(str(unicodedata.decimal(c)) for c in raw if c not in _X)
        gap = text[last_end:match.start()]
        group = _Group(match.start(), match.end(), digits + ("X" if raw[-1] in _X else ""),
                       listed=_is_list_gap(gap), tight=_tightly_joined(text, match.start()))
        if runs and all(_joins_digits(c) for c in gap):
            runs[-1].append(group)
        else:
            runs.append([group])
        last_end = match.end()
    return runs


def _is_list_gap(gap: str) -> bool:
    """Whether the characters between two groups make them items of a list: one list mark, with
    spaces around it at most ("1500、2000", "138， 1234"). A run of marks or a mark among other
    separators (138，，，，1234, 138）、（1234) only hides a number."""
    marks = [c for c in gap if unicodedata.normalize("NFKC", c) in _LIST_MARKS]
    return len(marks) == 1 and all(c in marks or c.isspace() for c in gap)


def _tightly_joined(text: str, start: int) -> bool:
    """Whether a group continues the number or code before it: one dash or dot between them and a
    digit or a code's capital letter before that (0371-6234, ZFCG-2025-8667)."""
    if start < 2:
        return False
    join, before = text[start - 1], text[start - 2]
    return (join in _TIGHT_JOINS or unicodedata.category(join) == "Pd") and (before.isdecimal() or "A" <= before <= "Z")


def is_credit_code(code: str) -> bool:
    """Whether 18 characters are a 统一社会信用代码 with the right check character."""
    code = code.upper()
    if len(code) != 18 or any(c not in _CREDIT_ALPHABET for c in code):
        return False
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(code[:17], _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31] == code[17]


def _id_like(number: str) -> bool:
    """An 18- or 15-character number with a region and a birth date where an ID has them."""
    if len(number) == 15:
        number = number[:6] + "19" + number[6:] + "0"
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return False
    born = birth_date(number)
    return number[0] in _REGION_FIRST and born is not None and 1880 <= born.year <= date.today().year


def _is_dates(groups: list[str]) -> bool:
    """Whether the groups are dates written year, month, day (2026.7.1-2026.9.30)."""
    if len(groups) % 3 or not all(g.isdigit() for g in groups):
        return False
    for year, month, day in zip(groups[::3], groups[1::3], groups[2::3], strict=True):
        if not (len(year) == 4 and 1900 <= int(year) <= 2100 and 1 <= int(month) <= 12 and 1 <= int(day) <= 31):
            return False
    return True


def _says_personal(before: str, words: tuple[str, ...] = _PERSONAL_WORDS) -> bool:
    """Whether the words before a number (separators dropped) say it is a person's (卡号, 手机 …)."""
    return any(word in before for word in words)


def _last_word(before: str, words: tuple[str, ...]) -> int:
    """Where the last of `words` ends in `before` (-1 if none is there)."""
    return max((before.rfind(word) + len(word) for word in words if word in before), default=-1)


def _document_number(digits: str, before: str) -> bool:
    """Whether a run of 12–25 digits written together is a document's number (a 发票代码, the
    20-digit 数电发票号码, a 合同编号, a bank's 回单号 or 流水号, a 凭证号: said so by the words
    just before it or by the field it is in, or a landline without its dash), not an account.
    Without such words a long run is taken for an account: a leak costs more. Where both kinds
    of word stand before it, the nearer one says (银行回单号 is a document's, 发票上的卡号 a card)."""
    code, account = _last_word(before, _CODE_WORDS), _last_word(before, _ACCOUNT_WORDS)
    if code > account:
        return True
    if account >= 0:
        return False
    # 037162340000, 041001900111: a landline or a 发票代码; no bank numbers so.
    return len(digits) == 12 and digits[0] == "0"


def _kind_of(groups: list[str], before: str, loose: bool = False) -> str | None:
    """What a window of consecutive digit groups is, written as it is, or None.

    `loose`: list marks stand between some groups, so they read as several figures (147、1250、
    7448元): then only the words before (手机, 卡号 …) make them a mobile or a card; an ID's 6-8-4
    is taken whatever the joins.
    """
    joined = "".join(groups)
    lengths = tuple(len(g) for g in groups)
    if _is_dates(groups):
        return None  # 2026.7.1-2026.9.30: a period written in a summary, not a number of a person
    if _id_like(joined) and (lengths in _ID_SPLITS or _id_split_otherwise(joined, lengths)):
        return "id"  # checksum or not in the usual splits: a mistyped ID is still someone's ID
    if joined.endswith("X"):  # an X after any other number is a letter of the text
        return _kind_of([*groups[:-1], groups[-1][:-1]], before, loose) if len(groups[-1]) > 1 else None
    loose = loose and not _says_personal(before)
    if len(joined) == 11 and _mobile_split(lengths) and re.fullmatch(r"1[3-9]\d{9}", joined) and not loose:
        return "mobile"
    if len(groups) == 1 and 12 <= len(joined) <= _LONGEST:
        return None if _document_number(joined, before) else "account"
    if 16 <= len(joined) <= _LONGEST and _card_split(groups) \
            and joined[0] != "0":  # no card number begins with 0 (0371-6234-0000 0379 …: landlines)
        if all(n == 4 and 1949 <= int(g) <= 2100 for g, n in zip(groups, lengths, strict=True)):
            return None  # 2023 2024 2025 2026: years, not a card in groups of four
        return None if loose else "account"
    return None


# The 省级行政区划代码 an ID begins with (GB/T 2260), and 83 of 港澳台居民居住证.
_PROVINCES = frozenset("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
                       "61 62 63 64 65 71 81 82 83".split())


def _id_split_otherwise(joined: str, lengths: tuple[int, ...]) -> bool:
    """An ID split some other way (410 102 1990 0101 1237, 410102 1990 01 01 1237): its province,
    birth date and 校验码 must all agree, in groups of two digits or more, beginning with three or
    more (the province and city) and ending with four (the sequence and 校验码): a row of dates
    or times (2021.4.9 2021/01/29 2021, 15 09:00—2021.12.02) makes 18 digits with a birth date in
    them often enough, and no year begins with a province's code (19, 20)."""
    return (len(joined) == 18 and min(lengths) >= 2 and lengths[0] >= 3 and lengths[-1] == 4
            and joined[:2] in _PROVINCES and id_check_char(joined[:17]) == joined[17])


def _mobile_split(lengths: tuple[int, ...]) -> bool:
    """Whether 11 digits in groups of these lengths are written as a mobile is: together, 3-4-4,
    3-8, 7-4, or digit by digit (1 3 8 1 2 3 4 5 6 7 8). Not 4-4-3: "1500 2000 300" is a row of
    amounts far more often than a phone."""
    return lengths in _MOBILE_SPLITS or max(lengths) == 1


def _card_split(groups: list[str]) -> bool:
    """Whether 16–25 digits in these groups are written as a card is: groups of four (the last
    shorter), or the few long splits cards are printed in (8-8-3, 6-13 …) of a number that begins
    as cards do (银联 62, Visa 4, Mastercard 5, JCB 3, 一卡通 and 存折 9…), with no date or landline
    written together after the first group (票号61528222 20260725, 34766669 02150830735); not a
    row of short figures."""
    lengths = [len(g) for g in groups]
    if all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4:
        return True
    return (tuple(lengths) in _LONG_CARD_SPLITS and groups[0][0] in "345689"
            and not any(_is_dates([g[:4], g[4:6], g[6:]]) or (10 <= len(g) <= 12 and g[0] == "0") for g in groups[1:]))


def find_personal_numbers(text: str, *, label: str = "") -> list[Finding]:
    """IDs, mobile numbers and bank/一卡通 accounts inside free text (摘要, 正文, 备注 …), however
    their digit groups are separated. `label` names the field the text is in (凭证号, 发票代码 …):
    it is read as the words before each number."""
    found: list[Finding] = []
    if sum(map(str.isdecimal, text)) < _SHORTEST:
        return found  # most cells: too few digits for any personal number
    for run in _groups(text):
        index = 0
        while index < len(run):
            inside = run[index].tight and not (index and run[index - 1].digits in _COUNTRY_CODES)
            before = _squeezed(label + text[max(0, run[index].start - _CONTEXT_CHARS):run[index].start])
            best: tuple[int, str] | None = None
            count = 0
            for last in range(index, len(run)):
                count += len(run[last].digits)
                if count > _LONGEST:
                    break
                window = run[index:last + 1]
                joins = window[1:]
                loose = any(g.listed for g in joins)
                kind = _kind_of([g.digits for g in window], before, loose)
                if kind != "id" and joins and (inside or before.endswith(_EXTENSION_WORDS)):
                    kind = None  # 400-159-7100 2024, 转7730 0755-2234-0284: begun inside another number
                if kind:
                    best = (last, kind)  # the longest window: a whole card, not its first 16 digits
            if best is None:
                index += 1
                continue
            last, kind = best
            start, end = run[index].start, run[last].end
            found.append(Finding(kind, start, end, text[start:end]))
            index = last + 1
    return found


def _ascii_digits(text: str) -> str:
    """A finding's characters as ASCII (全角 digits and X folded), separators dropped."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else "X" if c in _X else "" for c in text)


class ListedNames:
    """The full names on an item's masked list (户主姓名 shown as 林*田), and how the list shows each.

    Free text on the same public output (正文, 备注, 更正原因 …) must not undo the mask: a name
    found there, even spread with spaces (林　大田, as names are padded to align), prints as the
    list prints it.
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._shown: dict[str, str] = {}
        for name in names:
            key = _squeezed(name)
            if len(key) >= 2:  # a one-character name shows whole on the list too
                self._shown[key] = mask_name(name)
        self._lengths = sorted({len(key) for key in self._shown}, reverse=True)
        self._first = frozenset(key[0] for key in self._shown)

    def __bool__(self) -> bool:
        return bool(self._shown)

    def mask(self, text: str) -> str:
        """The text with every listed name in it shown masked."""
        if not self._shown or not any(c in self._first for c in text):
            return text
        kept = [(i, _folded(c)) for i, c in enumerate(text) if not is_separator(c)]
        squeezed = "".join(c for _, c in kept)
        pieces, last, index = [], 0, 0
        while index < len(kept):
            for length in self._lengths:
                shown = self._shown.get(squeezed[index:index + length]) if index + length <= len(kept) else None
                if shown is not None:
                    start, end = kept[index][0], kept[index + length - 1][0] + 1
                    pieces += [text[last:start], shown]
                    last, index = end, index + length
                    break
            else:
                index += 1
        pieces.append(text[last:])
        return "".join(pieces)


def _folded(char: str) -> str:
    """A character in its compatibility form (a 兼容汉字 as its usual one), one for one."""
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def _squeezed(name: str) -> str:
    return "".join(_folded(c) for c in name if not is_separator(c))


def redact_text(text: str, *, allow_mobile: bool = False, names: ListedNames | None = None, label: str = "") -> str:
    """Free text made safe for a public output: IDs and accounts masked, mobiles too unless allowed,
    and the full names of the item's masked list (`names`) shown as that list shows them;
    `label` names the field, as for `find_personal_numbers`.

    Every public free-text value goes through here. Positions are kept: the text around a number
    is printed exactly as the clerk wrote it.
    """
    pieces, last = [], 0
    for finding in find_personal_numbers(text, label=label):
        if finding.kind == "mobile" and allow_mobile:
            continue
        digits = _ascii_digits(finding.text)
        masked = {"id": mask_id, "mobile": mask_phone, "account": mask_account}[finding.kind](digits)
        if finding.kind != "id" and finding.text[-1] in _X:
            masked += finding.text[-1]  # a letter after the number, not part of it
        pieces += [text[last : finding.start], masked]
        last = finding.end
    pieces.append(text[last:])
    redacted = "".join(pieces)
    return names.mask(redacted) if names else redacted
