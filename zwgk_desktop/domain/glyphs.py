"""Which characters a sheet can print: those the bundled fonts have a glyph for.

A character no bundled font has (an ideograph of Extension C and beyond, an emoji, a code point
not yet assigned) would print as a blank or a box on a sealed sheet while the archive holds the
name; so it is refused where it is typed or imported, naming the character, its U+ code and
where it is. Every entry path calls `check` (fields through `Field.check`, names of the place and
people, the CLI's texts, layouts' texts, correction reasons). The table is generated from the
fonts (`glyph_table.py`), so this needs neither reportlab nor the fonts themselves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

from zwgk_desktop.domain.glyph_table import RANGES

# White space is laid out, not drawn: a sheet sets each kind (a narrow no-break space from a
# copied web page, an ideographic space) as a space. Python's `str.isspace` characters.
_LAID_OUT = ("\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
             "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


class Unprintable(ValueError):
    """Text holding a character no bundled font can print; the message names it in words."""


@cache
def _unprintable() -> re.Pattern[str]:
    # One character class of everything printable, negated: a regular expression tests a cell of
    # a 10,000-row list at C speed; the class has only 200 ranges.
    spans = "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in RANGES)
    return re.compile(f"[^{re.escape(_LAID_OUT)}{spans}]")


_search: Callable[[str], re.Match[str] | None] | None = None


def fits(text: str) -> bool:
    """Whether every character of `text` prints: the check every cell of an import passes (one
    call and one scan, 0.1 µs for a name)."""
    global _search
    if _search is None:
        _search = _unprintable().search
    return _search(text) is None


def printable(char: str) -> bool:
    """Whether a bundled font has a glyph for `char` (one character)."""
    return char in _LAID_OUT or _unprintable().match(char) is None


def unprintable(text: str) -> list[str]:
    """The characters of `text` no bundled font has, each once, in order of appearance."""
    if fits(text):  # nearly every text: one pass, no list made
        return []
    return list(dict.fromkeys(_unprintable().findall(text)))


def describe(char: str) -> str:
    """A character as a clerk can find it: “𪜀”（U+2A700，CJK 统一汉字扩展 C 区）."""
    code = ord(char)
    block = _block(code)
    invisible = unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
    if invisible:  # nothing to show between the quotes
        return f"U+{code:04X}（{block}）" if block else f"U+{code:04X}"
    return f"“{char}”（U+{code:04X}，{block}）" if block else f"“{char}”（U+{code:04X}）"


def message(text: str) -> str | None:
    """Why `text` cannot be printed, in words, or None when it can."""
    bad = unprintable(text)
    if not bad:
        return None
    shown = "、".join(describe(char) for char in bad[:5]) + ("等" if len(bad) > 5 else "")
    return (f"含有字体里没有的字 {shown}，公开栏上会印成空白：请换一种写法（例如规范字，"
            "或在括号里注上拼音）后再填")


def check(text: str, where: str = "") -> str:
    """`text` unchanged when every character prints; else Unprintable naming each and `where`."""
    why = message(text)
    if why is not None:
        raise Unprintable(f"{where}：{why}" if where else why)
    return text


# Blocks a refused character most often comes from, to tell a clerk what kind of character it is.
_BLOCKS = (
    (0x2A700, 0x2B73F, "CJK 统一汉字扩展 C 区"), (0x2B740, 0x2B81F, "CJK 统一汉字扩展 D 区"),
    (0x2B820, 0x2CEAF, "CJK 统一汉字扩展 E 区"), (0x2CEB0, 0x2EBEF, "CJK 统一汉字扩展 F 区"),
    (0x2EBF0, 0x2EE5F, "CJK 统一汉字扩展 I 区"), (0x30000, 0x3134F, "CJK 统一汉字扩展 G 区"),
    (0x31350, 0x323AF, "CJK 统一汉字扩展 H 区"), (0x20000, 0x2A6DF, "CJK 统一汉字扩展 B 区"),
    (0x3400, 0x4DBF, "CJK 统一汉字扩展 A 区"), (0x4E00, 0x9FFF, "CJK 统一汉字"),
    (0x1F000, 0x1FAFF, "表情符号或图形符号"), (0xE000, 0xF8FF, "私用区，各单位自造的字"),
    (0xF0000, 0x10FFFF, "私用区，各单位自造的字"),
)


def _block(code: int) -> str:
    for first, last, name in _BLOCKS:
        if first <= code <= last:
            return name
    return "" if unicodedata.category(chr(code)) != "Cn" else "尚未分配的编码"
