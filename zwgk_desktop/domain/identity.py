"""Personal identifiers: 身份证号 checks (GB 11643-1999), masking, and finding them in free text.

The store may hold full numbers (needed for checks and duplicates); every public output goes
through `mask_id` / `redact_text`, so a full number never reaches a board, a PDF or a web page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# First digit of the 行政区划代码: 1–6 the mainland's regions, 7 Taiwan, 8 Hong Kong/Macao (81/82)
# and the 83 of 港澳台居民居住证; 9 is not a region.
_REGION_FIRST = "12345678"


class IdentityError(ValueError):
    """A 身份证号 that cannot be right; the message says why."""


def id_check_char(first17: str) -> str:
    """The 校验码 for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id(text: str) -> str:
    """Full-width digits and a lowercase x are what a keyboard often gives; store the canonical form."""
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
    if number[0] not in _REGION_FIRST:
        raise IdentityError(f"身份证号的地区码 {number[:6]} 不存在")
    born = birth_date(number)
    if born is None:
        raise IdentityError(f"身份证号中的出生日期 {number[6:14]} 不是有效日期")
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


# Digit runs, optionally written in groups of 4 as bank cards are, or as 138-1234-5678. `\d`
# matches any script's digits (全角 ０-９ too), so a number cannot hide by being typed full-width.
# Anything a number can be written with between its digits: spaces of every width, hyphens and
# dashes, dots, middle dots, slashes, underscores — up to three in a row ("410102  19900101").
_SEPARATORS = " \t\u00a0\u2002\u2003\u2009\u3000-\u2010\u2011\u2012\u2013\u2014\u2015\uff0d.\u00b7\u30fb\uff0e/\uff0f_"
_SEPARATOR_CLASS = "[" + re.escape(_SEPARATORS) + "]"
_LANDLINE_RE = re.compile(r"^0\d{2,3}[-\uff0d]\d{7,8}$")
# No guard against letters around the run: "No410102…" is still an ID, and a false alarm on a
# product code costs less than a leaked number.
_RUN_RE = re.compile(rf"(?<!\d)\d(?:{_SEPARATOR_CLASS}{{0,3}}\d){{10,}}[XxＸｘ]?(?!\d)")


def _classify(digits: str) -> str | None:
    if digits.endswith("X") and len(digits) != 18:
        digits = digits[:-1]  # an X after a number is a letter of the text, not a 校验码
    if len(digits) == 18 and digits[:17].isdigit() and birth_date(digits) is not None:
        return "id"  # checksum or not: a mistyped ID is still someone's ID
    if not digits.isdigit():
        return None
    if len(digits) == 11 and re.fullmatch(r"1[3-9]\d{9}", digits):
        return "mobile"
    if len(digits) == 15 and birth_date(digits[:6] + "19" + digits[6:]) is not None:
        return "id"  # the old 15-digit form
    if len(digits) >= 12:
        return "account"
    return None


def _ascii_digits(text: str) -> str:
    """The run's characters as ASCII (全角 digits and X folded), separators dropped."""
    return "".join(
        str(unicodedata.digit(c)) if c.isdigit() else "X" if c in "XxＸｘ" else ""
        for c in text if c not in _SEPARATORS
    )


def _is_dates(run: str) -> bool:
    """Whether a run of digits is one or more dates written year, month, day (2026.7.1-2026.9.30)."""
    groups = [g for g in re.split(_SEPARATOR_CLASS + "+", run) if g]
    if not groups or len(groups) % 3 or not all(g.isascii() and g.isdigit() for g in groups):
        return False
    for year, month, day in zip(groups[::3], groups[1::3], groups[2::3], strict=True):
        if not (len(year) == 4 and 1900 <= int(year) <= 2100 and 1 <= int(month) <= 12 and 1 <= int(day) <= 31):
            return False
    return True


def find_personal_numbers(text: str) -> list[Finding]:
    """IDs, mobile numbers and bank/一卡通 accounts inside free text (摘要, 正文, 备注 …)."""
    found = []
    for match in _RUN_RE.finditer(text):
        if _LANDLINE_RE.match(match.group()):
            continue  # 0371-62340000: an office line, printed on purpose (监督电话, 异议渠道)
        if _is_dates(match.group()):
            continue  # 2026.7.1-2026.9.30: a period written in a summary, not a number of a person
        kind = _classify(_ascii_digits(match.group()))
        if kind:
            found.append(Finding(kind, match.start(), match.end(), match.group()))
    return found


def redact_text(text: str, *, allow_mobile: bool = False) -> str:
    """Free text made safe for a public output: IDs and accounts masked, mobiles too unless allowed.

    Positions are kept: the text around a number is printed exactly as the clerk wrote it.
    """
    pieces, last = [], 0
    for finding in find_personal_numbers(text):
        if finding.kind == "mobile" and allow_mobile:
            continue
        digits = _ascii_digits(finding.text)
        masked = {"id": mask_id, "mobile": mask_phone, "account": mask_account}[finding.kind](digits)
        pieces += [text[last : finding.start], masked]
        last = finding.end
    pieces.append(text[last:])
    return "".join(pieces)
